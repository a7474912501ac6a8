/**
 * Zero-config sessions: the same script runs against a real ModelMaker platform
 * when one is configured, and against an embedded local platform when nothing is.
 * @module
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateConfigFile, Session, type SessionOptions } from 'modelmaker';
import { type LocalPlatform, type LocalPlatformOptions, startLocalPlatform } from './platform.js';
import { guardTemporaryDir, releaseTemporaryDir } from './temporaryDirs.js';
import { checkAnswers } from './unreachable.js';

/** Options of {@link openSession}. */
export interface OpenSessionOptions extends SessionOptions {
  /**
   * Options of the local platform started when nothing is configured. Without a
   * `dataDir`, it lives in a temporary directory removed by `close()` — or, when the
   * script ends without it (its end, an uncaught error, Ctrl-C, SIGTERM), as the
   * process ends (see `temporaryDirs.ts`).
   */
  readonly local?: LocalPlatformOptions;
  /** `'auto'` (default): local only when nothing is configured; `'always'`; `'never'`. */
  readonly useLocal?: 'auto' | 'always' | 'never';
  /**
   * Check that a configured platform answers before returning (one quiet `GET` of its
   * base URL): a stale config file is then a `PlatformUnreachable` naming the file and
   * the ways out. Default true.
   */
  readonly checkConfigured?: boolean;
}

/** An open session and, when one was started, its local platform. */
export interface OpenedSession {
  readonly session: Session;
  /** The embedded platform, when the session talks to one started here. */
  readonly platform?: LocalPlatform | undefined;
  /** Stops the local platform (if any) and removes its temporary data dir. Idempotent. */
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** True when options or a config file say where a platform is. */
async function isConfigured(options: SessionOptions): Promise<boolean> {
  if (options.baseUrl || options.hostBase) return true;
  const location = await locateConfigFile(options.configPath);
  if (location === undefined) return false;
  return location.required || (await exists(location.path));
}

/**
 * Opens a {@link Session}: with the given options / config file when they name a
 * platform (`baseUrl`, `hostBase`, `MODELMAKER_CONFIG` or `~/.modelmaker/config.json`),
 * else against an embedded local platform started in this process. Changing only
 * the options or the config file moves a script from local to a real deployment.
 *
 * A configured platform is asked once whether it answers; when nothing answers
 * (refused, unreachable, no answer in 10 s) it fails with `PlatformUnreachable`,
 * whose message names the config file and the two ways out: start that platform, or
 * remove the file (or point `MODELMAKER_CONFIG` elsewhere) to get an embedded one.
 *
 * An embedded platform without a `dataDir` lives in a temporary directory that is
 * removed by `close()`, and in any case when the process ends (normally, by an
 * uncaught error, or by SIGINT / SIGTERM), together with the processes it started.
 *
 * @example
 * ```ts
 * import { openSession } from '@modelmaker/local';
 * const { session, platform, close } = await openSession();
 * console.log(platform ? `local platform at ${platform.baseUrl}` : 'configured platform');
 * // … use session …
 * await close();
 * ```
 */
export async function openSession(options: OpenSessionOptions = {}): Promise<OpenedSession> {
  const { local, useLocal = 'auto', checkConfigured = true, ...sessionOptions } = options;
  const goLocal = useLocal === 'always' || (useLocal === 'auto' && !(await isConfigured(sessionOptions)));
  if (!goLocal) {
    const session = new Session(sessionOptions);
    if (checkConfigured) {
      const { configPath } = await session.resolved();
      const explicit = sessionOptions.baseUrl !== undefined || sessionOptions.hostBase !== undefined;
      await checkAnswers(
        session,
        {
          configPath: explicit ? undefined : configPath,
          fromEnvironment: sessionOptions.configPath === undefined && readsEnvironmentConfig(),
        },
        { fetch: sessionOptions.fetch },
      );
    }
    return { session, close: async () => {} };
  }

  const temporaryDir =
    local?.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'modelmaker-local-')) : undefined;
  if (temporaryDir) guardTemporaryDir(temporaryDir);
  const removeTemporaryDir = async () => {
    if (!temporaryDir) return;
    await rm(temporaryDir, { recursive: true, force: true });
    releaseTemporaryDir(temporaryDir);
  };
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform({ ...local, dataDir: local?.dataDir ?? temporaryDir });
  } catch (error) {
    await removeTemporaryDir();
    throw error;
  }
  const session = new Session({
    ...sessionOptions,
    configPath: false,
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      try {
        await platform.close();
      } finally {
        await removeTemporaryDir();
      }
    })();
    return closing;
  };
  return { session, platform, close };
}

/** True when `$MODELMAKER_CONFIG` names the config file (rather than the default path). */
function readsEnvironmentConfig(): boolean {
  const value = globalThis.process?.env?.MODELMAKER_CONFIG;
  return value !== undefined && value !== '';
}
