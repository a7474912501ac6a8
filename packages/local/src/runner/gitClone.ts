/**
 * A job's or a model's code from git (`gitInfo`, the seed's `git_info` /
 * `model_git_info`): a shallow clone of one branch of `gitInfo.url` into a directory,
 * by the **system git** (the `git` on the platform's PATH), as a cold Observable.
 *
 * Why system git rather than a JavaScript implementation (isomorphic-git): it speaks
 * every transport a user's repository may use (HTTP(S) with any auth scheme, SSH with
 * the user's keys and agent, `git://`, local paths), honours the host's proxy and CA
 * settings, does real shallow single-branch clones, and is already required on a
 * machine that develops code; isomorphic-git has no SSH or `git://`, and would be one
 * more dependency of the platform to keep current.
 *
 * Secrets: `username` and `password` reach git only through the clone process's
 * environment, read by a credential helper given on the command line as shell text
 * that names the variables (never the values); it answers only for the repository's
 * own origin, and the user's configured helpers are reset for the clone, so none can
 * store the password. Nothing is prompted (no terminal, no askpass program). Every
 * message built from git's output has the password (also URL-encoded) and a password
 * written in `url` replaced by `***`, and the URL shown is {@link publicGitUrl}.
 *
 * Time: git aborts an HTTP(S) transfer that stalls (`stallSeconds`), SSH gets
 * `BatchMode` and a connect timeout, and the whole clone is ended after `timeoutMs`
 * (SIGTERM, then SIGKILL to its process group). Unsubscribing kills it at once.
 * @module
 */
import { ModelMakerError } from 'modelmaker';
import { defer, filter, last, map, type Observable, switchMap, tap, throwError, timer } from 'rxjs';
import {
  DEFAULT_GIT_CLONE_TIMEOUT_MS,
  DEFAULT_GIT_SSH_CONNECT_TIMEOUT_SECONDS,
  DEFAULT_GIT_STALL_SECONDS,
  GIT_CLONE_KILL_GRACE_MS,
  GIT_REV_PARSE_TIMEOUT_MS,
} from '../defaults.js';
import { instanceProcess } from './instanceProcess.js';

/** A repository to clone, as `gitInfo` carries it on the wire. */
export interface GitSource {
  readonly username: string;
  readonly password: string;
  readonly branch: string;
  /** The repository's address (`https://…`, `ssh://…`, `git@host:path`, `git://…`). */
  readonly url?: string | undefined;
}

/** How clones are run (the platform's `git` option). */
export interface GitCloneOptions {
  /** The git program. Default `git` from the PATH. */
  readonly program?: string;
  /** Longest a clone may take, in ms. Default {@link DEFAULT_GIT_CLONE_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Seconds below 1 byte/s after which git aborts an HTTP(S) transfer. Default {@link DEFAULT_GIT_STALL_SECONDS}. */
  readonly stallSeconds?: number;
}

/** A finished clone: the address as it may be shown, the branch, the commit checked out. */
export interface GitCloned {
  readonly url: string;
  readonly branch: string;
  readonly commit: string | undefined;
}

/** A clone that failed: its message names the field, the address (without secrets), the branch and the cause. */
export class GitCloneError extends ModelMakerError {
  readonly _tag = 'GitCloneError' as const;
  override readonly name = 'GitCloneError';
  constructor(message: string) {
    super(message, { reason: 'git' });
  }
}

/** Where the credential helper reads the username (environment of the clone only). */
const USERNAME_VARIABLE = 'MODELMAKER_GIT_USERNAME';
/** Where the credential helper reads the password (environment of the clone only). */
const PASSWORD_VARIABLE = 'MODELMAKER_GIT_PASSWORD';

/**
 * The credential helper: shell text naming the variables, never their values. Git runs
 * it as `f get` (or `store` / `erase`, which it ignores).
 */
const CREDENTIAL_HELPER = `!f() { if [ "$1" = get ]; then printf 'username=%s\\npassword=%s\\n' "$${USERNAME_VARIABLE}" "$${PASSWORD_VARIABLE}"; fi; }; f`;

/** Host variables passed to git although they start with `GIT_`: transport settings, not repository or trace ones. */
const KEPT_GIT_VARIABLES = ['GIT_SSH', 'GIT_SSL_', 'GIT_PROXY_', 'GIT_EXEC_PATH'];

/** Lines of git's error output kept for a message. */
const MESSAGE_LINES = 6;

const REDACTED = '***';

/** `url` with a password written in it replaced by `***` (what logs, errors and details show). */
export function publicGitUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = REDACTED;
    return parsed.href;
  } catch {
    return url;
  }
}

/** `gitInfo` as a detail may show it: without `password`, and `url` without a password in it. */
export function publicGitInfo<G extends { readonly url?: string | undefined }>(
  gitInfo: G,
): Omit<G, 'password'> & { password?: undefined } {
  const { password: _password, ...rest } = gitInfo as G & { password?: unknown };
  return rest.url === undefined ? rest : { ...rest, url: publicGitUrl(rest.url) };
}

/**
 * Passwords shorter than this are not replaced where they appear as plain text (a
 * one-letter password would blank out every such letter of a message); they are still
 * removed wherever they sit in a URL, the only place git ever prints one.
 */
const MIN_LITERAL_SECRET_LENGTH = 4;

// `scheme://user:password@` in free text: the password part.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]*):[^\s/@'"]*@/gi;

/** The secrets of `source` as they could appear in text: the password, URL-encoded too, and one written in `url`. */
function secretsOf(source: GitSource): string[] {
  const secrets = new Set<string>();
  const add = (secret: string) => {
    if (secret.length < MIN_LITERAL_SECRET_LENGTH) return;
    secrets.add(secret);
    secrets.add(encodeURIComponent(secret));
  };
  add(source.password);
  try {
    const written = new URL(source.url ?? '').password;
    add(written);
    add(decodeURIComponent(written));
  } catch {}
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with any password written in a URL, and every secret of `source`, replaced by `***`. */
export function redactGitSecrets(text: string, source: GitSource): string {
  let out = text.replace(URL_PASSWORD, `$1:${REDACTED}@`);
  for (const secret of secretsOf(source)) out = out.split(secret).join(REDACTED);
  return out;
}

/** `scheme://host[:port]` of an HTTP(S) address, or undefined for other transports. */
function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The host's environment for git: without repository, config, trace or prompt variables, plus the clone's own. */
function gitEnvironment(
  host: NodeJS.ProcessEnv,
  source: GitSource,
  withCredentials: boolean,
  stallSeconds: number,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) {
    if (value === undefined || name === 'SSH_ASKPASS') continue;
    if (name.startsWith('GIT_') && !KEPT_GIT_VARIABLES.some((kept) => name.startsWith(kept))) continue;
    env[name] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GCM_INTERACTIVE = 'never';
  env.GIT_HTTP_LOW_SPEED_LIMIT = '1';
  env.GIT_HTTP_LOW_SPEED_TIME = String(stallSeconds);
  if (env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined) {
    env.GIT_SSH_COMMAND = `ssh -o BatchMode=yes -o ConnectTimeout=${DEFAULT_GIT_SSH_CONNECT_TIMEOUT_SECONDS}`;
  }
  if (withCredentials) {
    env[USERNAME_VARIABLE] = source.username;
    env[PASSWORD_VARIABLE] = source.password;
  }
  return env;
}

/** The `-c` settings of every git call: no helper of the user's, no prompt, no `ext::` transport. */
function baseConfig(origin: string | undefined): string[] {
  const settings = ['credential.helper=', 'core.askPass=', 'protocol.ext.allow=never'];
  if (origin !== undefined) settings.push(`credential.${origin}.helper=${CREDENTIAL_HELPER}`);
  return settings.flatMap((setting) => ['-c', setting]);
}

/** How one git call ended. */
interface GitRun {
  readonly code: number | null;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  readonly timedOut: boolean;
  readonly spawnError?: Error;
}

/** Runs git once (own process group; SIGTERM after `timeoutMs`, SIGKILL after the grace; killed on unsubscribe). */
function runGit(
  program: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Observable<GitRun> {
  return defer(() => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    let timedOut = false;
    return instanceProcess({
      command: program,
      args,
      cwd,
      env,
      sampleMs: 0,
      graceMs: GIT_CLONE_KILL_GRACE_MS,
      terminate$: timer(timeoutMs).pipe(
        tap(() => {
          timedOut = true;
        }),
      ),
      now: Date.now,
    }).pipe(
      tap((event) => {
        if (event.kind === 'line') (event.stream === 'stdout' ? stdout : stderr).push(event.content);
      }),
      filter((event) => event.kind === 'exit' || event.kind === 'spawn-error'),
      last(),
      map(
        (event): GitRun =>
          event.kind === 'spawn-error'
            ? { code: null, stdout, stderr, timedOut, spawnError: event.error }
            : { code: event.code, stdout, stderr, timedOut },
      ),
    );
  });
}

/** What most likely went wrong, from git's error output. */
function diagnose(output: string, source: GitSource, hadCredentials: boolean): string {
  if (
    /Authentication failed|Access denied|could not read (Username|Password)|\b401\b|\b403\b/i.test(output)
  ) {
    return hadCredentials
      ? 'the repository refused the credentials (gitInfo.username / gitInfo.password)'
      : 'the repository needs credentials: give gitInfo.username and gitInfo.password';
  }
  if (/Remote branch .* not found|couldn't find remote ref|not found in upstream/i.test(output)) {
    return `there is no branch ${JSON.stringify(source.branch)} in the repository (gitInfo.branch)`;
  }
  if (
    /Could not resolve host|Connection refused|Failed to connect|timed out|Network is unreachable|No route to host|Couldn't connect/i.test(
      output,
    )
  ) {
    return 'the repository cannot be reached (gitInfo.url)';
  }
  if (/not found|does not appear to be a git repository|\b404\b|does not exist/i.test(output)) {
    return 'there is no repository at that address (gitInfo.url)';
  }
  return 'git failed';
}

/** The last lines git wrote, as one line, secrets redacted. */
function gitSaid(lines: readonly string[], source: GitSource): string {
  const text = lines
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-MESSAGE_LINES)
    .join(' | ');
  return redactGitSecrets(text, source);
}

/**
 * Clones branch `source.branch` of `source.url` (depth 1, that branch only, no tags,
 * no submodules) into `directory`, which must be empty or missing. `field` names the
 * body's field in messages (`gitInfo`). Emits once done, then completes.
 *
 * Fails with {@link GitCloneError} — naming the field, the public address and the
 * branch, saying what most likely went wrong (credentials refused, no such branch,
 * unreachable, no repository there, timed out, no git installed) with git's own last
 * lines — when `url` is missing or the clone fails. No message carries a secret.
 *
 * @example
 * ```ts
 * cloneRepository({ username: 'u', password: 'p', branch: 'main', url: 'https://git.example/team/iris.git' },
 *   '/work/job-1/code').subscribe((cloned) => console.log(cloned.commit));
 * ```
 */
export function cloneRepository(
  source: GitSource,
  directory: string,
  field = 'gitInfo',
  options: GitCloneOptions = {},
): Observable<GitCloned> {
  return defer(() => {
    const url = source.url;
    if (url === undefined || url.trim() === '') {
      return throwError(
        () =>
          new GitCloneError(
            `${field}.url is required on the local platform: the address of the repository to clone (e.g. https://git.example.com/team/project.git)`,
          ),
      );
    }
    const shown = publicGitUrl(url);
    const program = options.program ?? 'git';
    const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_CLONE_TIMEOUT_MS;
    const origin = httpOrigin(url);
    const withCredentials = origin !== undefined && (source.username !== '' || source.password !== '');
    const env = gitEnvironment(
      process.env,
      source,
      withCredentials,
      options.stallSeconds ?? DEFAULT_GIT_STALL_SECONDS,
    );
    const config = baseConfig(withCredentials ? origin : undefined);
    const cloneArgs = [
      ...config,
      'clone',
      '--quiet',
      '--depth=1',
      '--single-branch',
      '--no-tags',
      `--branch=${source.branch}`,
      '--',
      url,
      directory,
    ];
    const failure = (cause: string) =>
      new GitCloneError(
        redactGitSecrets(
          `${field}: cannot clone ${shown} (branch ${JSON.stringify(source.branch)}): ${cause}`,
          source,
        ),
      );

    const clone$ = runGit(program, cloneArgs, directory, env, timeoutMs).pipe(
      map((run) => {
        if (run.spawnError) {
          throw failure(
            (run.spawnError as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${program} is not installed on the platform's machine (gitInfo needs git on the PATH)`
              : `${program} could not be started: ${run.spawnError.message}`,
          );
        }
        if (run.timedOut) {
          throw failure(`the clone did not finish within ${Math.round(timeoutMs / 100) / 10} s`);
        }
        if (run.code !== 0) {
          const said = gitSaid(run.stderr, source);
          throw failure(
            `${diagnose(run.stderr.join('\n'), source, withCredentials)}${said === '' ? '' : `; git said: ${said}`}`,
          );
        }
        return run;
      }),
    );
    const commit$ = runGit(
      program,
      [...baseConfig(undefined), 'rev-parse', 'HEAD'],
      directory,
      env,
      GIT_REV_PARSE_TIMEOUT_MS,
    ).pipe(map((run) => (run.code === 0 ? run.stdout[0]?.trim() : undefined)));

    return clone$.pipe(
      switchMap(() => commit$),
      map((commit): GitCloned => ({ url: shown, branch: source.branch, commit })),
    );
  });
}

/** The log line of a finished clone. */
export function describeClone(field: string, cloned: GitCloned): string {
  const at = cloned.commit === undefined ? '' : ` at ${cloned.commit.slice(0, 12)}`;
  return `${field}: cloned branch ${cloned.branch} of ${cloned.url}${at}`;
}
