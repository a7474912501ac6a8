/**
 * What every command runs with: the global options (`--json`, `--debug`,
 * `--config`, `--base-url`, `--username`, `--password`), stdout and stderr, and a
 * `Session` made from them on first use. Also the action wrapper that turns a
 * command's outcome (an exit status or a thrown failure) into the process's exit.
 * @module
 */
import type { Command } from 'commander';
import type { ResolvedSettings } from 'modelmaker';
import { hasTag, LogLevel, levelFromEnv, Session, type SessionOptions } from 'modelmaker';
import { exitCodeOf, reportError, UsageError } from './errors.js';
import { EXIT, type ExitCode } from './exitCodes.js';
import { type Output, oneLine, outputOf } from './output.js';

/** The global options, as commander parses them. */
export interface GlobalOptions {
  readonly json?: boolean | undefined;
  readonly debug?: boolean | undefined;
  readonly config?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** The environment variable the password is read from when `--password` is not given. */
export const PASSWORD_ENV = 'MODELMAKER_PASSWORD';

/** What a command runs with. */
export interface Context {
  /** `--json`: machine-readable output (NDJSON for streams). */
  readonly json: boolean;
  /** `--debug`: the SDK's debug log and full error detail on stderr. */
  readonly debug: boolean;
  readonly out: Output;
  readonly err: Output;
  /** The session, created on first call from the global options (reads the config file, no request). */
  session(): Promise<Session>;
  /** The effective settings as configured (options over config file over environment), secrets masked in `toJSON`. */
  settings(): Promise<ResolvedSettings>;
  /** The global options as given. */
  readonly options: GlobalOptions;
}

/** Makes the context of one run. The password comes from `--password` (warned about) or `$MODELMAKER_PASSWORD`. */
export function createContext(
  options: GlobalOptions,
  io: { readonly out: Output; readonly err: Output } = {
    out: outputOf(process.stdout, process.env),
    err: outputOf(process.stderr, process.env),
  },
): Context {
  let configured: Session | undefined;
  let session: Promise<Session> | undefined;
  const debug = options.debug === true;
  const json = options.json === true;
  const err = io.err;
  const context: Context = {
    json,
    debug,
    out: io.out,
    err,
    options,
    settings: async () => {
      await context.session();
      return configured!.resolved();
    },
    session: () => {
      session ??= (async () => {
        const password =
          options.password ?? (process.env[PASSWORD_ENV] === '' ? undefined : process.env[PASSWORD_ENV]);
        const line = (level: string) => (message: string) => err.line(`${level}: ${oneLine(message)}`);
        const sessionOptions: SessionOptions = {
          configPath: options.config,
          baseUrl: options.baseUrl,
          username: options.username,
          password,
          // The log goes to stderr, so stdout stays the command's output (tables, JSON).
          logger: {
            debug: line('debug'),
            info: line('info'),
            warn: line('warning'),
            error: line('error'),
          },
          // Info lines would mix with the command's own output: warnings and errors only, unless --debug.
          level: debug ? LogLevel.debug : Math.max(levelFromEnv(), LogLevel.warning),
        };
        configured = new Session(sessionOptions);
        // verify_ssl false means nothing for a plain-http platform (the local one's profile has it):
        // verification stays on there, so the SDK does not warn about TLS on every command.
        const settings = await configured.resolved().catch(() => undefined);
        if (settings?.verifySsl === false && settings.baseUrl.startsWith('http:')) {
          return new Session({ ...sessionOptions, verifySsl: true });
        }
        return configured;
      })();
      return session;
    },
  };
  return context;
}

/** Warns once that a password given as a flag ends up in the shell history and the process list. */
export function warnAboutPasswordFlag(command: Command, err: Output): void {
  if (command.getOptionValueSourceWithGlobals('password') === 'cli') {
    err.line(
      `warning: --password is kept in your shell history and visible in the process list; prefer $${PASSWORD_ENV} or the config file`,
    );
  }
}

/**
 * Wraps a command's handler: builds the {@link Context} from the global options,
 * runs the handler with the positional arguments and the command's options, then
 * exits with the status it returns; a thrown failure is printed as one line (see
 * `reportError`) and exits with its status (`exitCodeOf`).
 */
export function action<O, A extends unknown[]>(
  handler: (context: Context, options: O, ...args: A) => Promise<ExitCode>,
): (...raw: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const command = raw[raw.length - 1] as Command;
    const options = raw[raw.length - 2] as O;
    const args = raw.slice(0, -2) as A;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const context = createContext(globals);
    warnAboutPasswordFlag(command, context.err);
    let code: ExitCode;
    try {
      code = await handler(context, options, ...args);
    } catch (caught) {
      const error = await explainNoPlatform(context, caught);
      reportError(context.err, error, { json: context.json, debug: context.debug });
      code = exitCodeOf(error);
    }
    await exitWith(code, context);
  };
}

/** What a command without a platform to talk to says: where the settings come from and the ways on. */
export const NO_PLATFORM_MESSAGE =
  'no platform configured: no config file (~/.modelmaker/config.json, or the one $MODELMAKER_CONFIG or --config names) ' +
  'and no --username/--password. Start the local platform with `modelmaker local --write-config` (in another shell), ' +
  `or give --base-url with --username and $${PASSWORD_ENV}`;

/**
 * The SDK's "username: required to authenticate" when no config file was read at
 * all: the user has not set anything up, so the error says how to (a
 * `UsageError`, the SDK's error its cause). Any other error is returned as it is.
 */
async function explainNoPlatform(context: Context, error: unknown): Promise<unknown> {
  const problems = (error as { problems?: ReadonlyArray<{ field: string }> }).problems;
  if (!hasTag(error, 'ValidationError') || !problems?.some((p) => p.field === 'username')) {
    return error;
  }
  const settings = await context.settings().catch(() => undefined);
  if (settings === undefined || settings.configPath !== undefined) return error;
  return new UsageError(NO_PLATFORM_MESSAGE, { cause: error });
}

/** Flushes stdout and stderr, then exits with `code`. */
export async function exitWith(code: ExitCode | number, io?: { out: Output; err: Output }): Promise<never> {
  const out = io?.out ?? outputOf(process.stdout, process.env);
  const err = io?.err ?? outputOf(process.stderr, process.env);
  await Promise.all([out.flush(), err.flush()]);
  process.exit(code);
}

/** {@link EXIT}, re-exported for command files. */
export { EXIT };
