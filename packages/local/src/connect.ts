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

/** Options of {@link openSession}. */
export interface OpenSessionOptions extends SessionOptions {
  /**
   * Options of the local platform started when nothing is configured. Without a
   * `dataDir`, it lives in a temporary directory removed by `close()`.
   */
  readonly local?: LocalPlatformOptions;
  /** `'auto'` (default): local only when nothing is configured; `'always'`; `'never'`. */
  readonly useLocal?: 'auto' | 'always' | 'never';
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
 * @example
 * ```ts
 * import { openSession } from 'modelmaker/local';
 * const { session, platform, close } = await openSession();
 * console.log(platform ? `local platform at ${platform.baseUrl}` : 'configured platform');
 * // … use session …
 * await close();
 * ```
 */
export async function openSession(options: OpenSessionOptions = {}): Promise<OpenedSession> {
  const { local, useLocal = 'auto', ...sessionOptions } = options;
  const goLocal = useLocal === 'always' || (useLocal === 'auto' && !(await isConfigured(sessionOptions)));
  if (!goLocal) return { session: new Session(sessionOptions), close: async () => {} };

  const temporaryDir =
    local?.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'modelmaker-local-')) : undefined;
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform({ ...local, dataDir: local?.dataDir ?? temporaryDir });
  } catch (error) {
    if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
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
      await platform.close();
      if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
    })();
    return closing;
  };
  return { session, platform, close };
}
