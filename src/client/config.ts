/**
 * The config file (`~/.modelmaker/config.json`, or `$MODELMAKER_CONFIG`): read when a
 * session first needs its settings, written with owner-only permissions.
 *
 * `node:fs`, `node:os` and `node:path` are imported lazily, inside the functions, so
 * the SDK core still loads where they do not exist (browsers) — there, only
 * explicit session options work.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { ConfigFile, type IamConfig } from '../codecs/config.js';
import { decode } from '../codecs/decode.js';
import { DEFAULT_CONFIG_RELATIVE_PATH } from '../defaults.js';
import { DecodeError, ValidationError } from '../errors.js';
import { isWindows, readEnv } from './env.js';
import type { Logger } from './logger.js';

/** Mode of a file the SDK writes with secrets: read/write for the owner only. */
export const SECRET_FILE_MODE = 0o600;
/** Mode of a directory the SDK creates for such files. */
export const SECRET_DIR_MODE = 0o700;
/** Permission bits that let group or others in. */
const GROUP_OTHER_BITS = 0o077;

type Fs = typeof import('node:fs/promises');

async function nodeFs(): Promise<Fs | undefined> {
  try {
    return await import('node:fs/promises');
  } catch {
    return undefined;
  }
}

/** `~/x` → `<home>/x`; other paths unchanged. */
async function expandHome(path: string): Promise<string> {
  if (path !== '~' && !path.startsWith('~/')) return path;
  const { homedir } = await import('node:os');
  return `${homedir()}${path.slice(1)}`;
}

/** Where the config file is looked for, and whether it must exist. */
export interface ConfigLocation {
  readonly path: string;
  /** True when the path was asked for explicitly (option or `MODELMAKER_CONFIG`): a missing file is an error. */
  readonly required: boolean;
}

/**
 * The config file to read: `configPath` when given, else `$MODELMAKER_CONFIG`, else
 * `~/.modelmaker/config.json` (optional). `undefined` when `configPath` is `false`
 * or the runtime has no home directory.
 */
export async function locateConfigFile(configPath?: string | false): Promise<ConfigLocation | undefined> {
  if (configPath === false) return undefined;
  if (configPath !== undefined && configPath !== '')
    return { path: await expandHome(configPath), required: true };
  const fromEnv = readEnv('MODELMAKER_CONFIG');
  if (fromEnv !== undefined && fromEnv !== '') return { path: await expandHome(fromEnv), required: true };
  try {
    const { homedir } = await import('node:os');
    const { join } = await import('node:path');
    return { path: join(homedir(), DEFAULT_CONFIG_RELATIVE_PATH), required: false };
  } catch {
    return undefined;
  }
}

/**
 * Reads and decodes a config file. Warns through `logger` when the file is
 * accessible by group or others (it holds a password).
 *
 * @returns the `iam_config` section, or `undefined` when an optional file is absent.
 * @throws ValidationError (field `configPath`) when a required file is missing or unreadable;
 *   DecodeError when it is not JSON or does not match the config codec.
 */
export async function loadConfigFile(
  location: ConfigLocation,
  logger?: Logger,
): Promise<IamConfig | undefined> {
  const fs = await nodeFs();
  if (fs === undefined) {
    if (!location.required) return undefined;
    throw new ValidationError([
      { field: 'configPath', message: `this runtime cannot read files (${location.path})` },
    ]);
  }
  let text: string;
  try {
    text = await fs.readFile(location.path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'ENOENT' && !location.required) return undefined;
    throw new ValidationError(
      [{ field: 'configPath', message: `cannot read ${location.path}: ${code ?? String(cause)}` }],
      { cause },
    );
  }
  await warnIfShared(fs, location.path, logger);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DecodeError([`${location.path}: not JSON (${(cause as Error).message})`], { cause });
  }
  const decoded = decode(ConfigFile, json);
  if (E.isLeft(decoded)) {
    throw new DecodeError(
      decoded.left.problems.map((p) => `${location.path}: ${p}`),
      { cause: decoded.left },
    );
  }
  return decoded.right.iam_config;
}

async function warnIfShared(fs: Fs, path: string, logger: Logger | undefined): Promise<void> {
  if (logger === undefined || isWindows()) return;
  try {
    const { mode } = await fs.stat(path);
    if ((mode & GROUP_OTHER_BITS) !== 0) {
      const octal = (mode & 0o777).toString(8);
      logger.warn(
        `config file ${path} is readable by group or others (mode ${octal}) and holds a password: run chmod 600 ${path}`,
      );
    }
  } catch {
    // The file was just read; a failing stat only loses the warning.
  }
}

/** Options of {@link writeConfigFile}. */
export interface WriteConfigOptions {
  /** Replace an existing file. Default false: an existing file is left alone and the call fails. */
  readonly overwrite?: boolean | undefined;
}

/**
 * Writes a config file with owner-only permissions: mode 0600, in a directory
 * created with mode 0700 when missing. The text goes to a temporary file in the same
 * directory first and is then moved into place, so a reader never sees half a file.
 * Without `overwrite`, the move is a hard link, which fails atomically if the file
 * exists.
 *
 * @throws ValidationError (field `path`) when the file exists and `overwrite` is not set,
 *   or (field `config`) when `config` does not match the config codec.
 * @example
 * ```ts
 * await writeConfigFile(`${homedir()}/.modelmaker/config.json`, {
 *   iam_config: { username: 'me', password: 's3cret', host_base: 'https://mmr.example.com/mmr', region: 'js01' },
 * });
 * ```
 */
export async function writeConfigFile(
  path: string,
  config: ConfigFile,
  options: WriteConfigOptions = {},
): Promise<void> {
  const checked = decode(ConfigFile, config);
  if (E.isLeft(checked)) {
    throw new ValidationError(checked.left.problems.map((message) => ({ field: 'config', message })));
  }
  const fs = (await nodeFs()) ?? failNoFs(path);
  const { dirname, basename, join } = await import('node:path');
  const target = await expandHome(path);
  const dir = dirname(target);
  const created = await fs.mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  // mkdir's mode is filtered by the umask; make the directory we created exactly 0700.
  if (created !== undefined) await fs.chmod(dir, SECRET_DIR_MODE);

  const temp = join(dir, `.${basename(target)}.${globalThis.crypto.randomUUID()}.tmp`);
  const text = `${JSON.stringify(ConfigFile.encode(checked.right), null, 2)}\n`;
  const handle = await fs.open(temp, 'wx', SECRET_FILE_MODE);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.chmod(SECRET_FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite === true) await fs.rename(temp, target);
    else await linkNoClobber(fs, temp, target);
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** Hard-links `temp` to `target`, failing if `target` exists; falls back to check-then-rename where links are unsupported. */
async function linkNoClobber(fs: Fs, temp: string, target: string): Promise<void> {
  const exists = (): ValidationError =>
    new ValidationError([
      { field: 'path', message: `${target} exists; pass { overwrite: true } to replace it` },
    ]);
  try {
    await fs.link(temp, target);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'EEXIST') throw exists();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw cause;
    const present = await fs.access(target).then(
      () => true,
      () => false,
    );
    if (present) throw exists();
    await fs.rename(temp, target);
  }
}

function failNoFs(path: string): never {
  throw new ValidationError([{ field: 'path', message: `this runtime cannot write files (${path})` }]);
}
