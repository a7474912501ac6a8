/**
 * A session's effective settings: explicit options, over the config file, over the
 * environment (`PROJECT_ID`), over the Python SDK's defaults. Resolved once, lazily, on
 * first need.
 *
 * As in the Python SDK (`session.py`):
 * - `region` defaults to `js01` and `host_base` to `https://mmr.wangsucloud.com:9948/mmr`,
 *   so a session given only credentials calls `https://js01mmr.wangsucloud.com:9948/mmr`
 *   — unless a base URL is given (option or `base_url`, as a local platform's profile
 *   has): that is used as is, and no default applies;
 * - the config file's `access_Key` / `access_Key_Secret` are ignored (the package's
 *   template holds the placeholders `ak` / `sk`): S3 keys are the temporary ones
 *   `auth-access` hands out. Static keys are used only when passed explicitly as the
 *   `accessKey` / `secretKey` options.
 * @module
 */
import type { IamConfig } from '../codecs/config.js';
import { DEFAULT_HOST_BASE, DEFAULT_REGION, DEFAULT_S3_PROTOCOL } from '../defaults.js';
import { ValidationError } from '../errors.js';
import { deriveBaseUrl } from './baseUrl.js';
import { loadConfigFile, locateConfigFile } from './config.js';
import { readEnv } from './env.js';
import type { Logger } from './logger.js';
import { REDACTED } from './redact.js';

/** The settings that can come from options or the config file (camelCase of `iam_config`). */
export interface ConnectionOptions {
  /** Account name (`username`). */
  readonly username?: string | undefined;
  /** Account password (`password`); never logged. */
  readonly password?: string | undefined;
  /** Platform address (`host_base`), e.g. `https://mmr.example.com:9948/mmr`; see `deriveBaseUrl`. */
  readonly hostBase?: string | undefined;
  /** Region prefixed to a domain host (`region`), e.g. `js01`. */
  readonly region?: string | undefined;
  /** API base URL used as is, bypassing host_base + region (`base_url`; the local platform prints it). */
  readonly baseUrl?: string | undefined;
  /** Default S3 bucket (`bucket`). */
  readonly bucket?: string | undefined;
  /** Verify TLS certificates (`verify_ssl`); default true. See `tls.ts` for how `false` is applied. */
  readonly verifySsl?: boolean | undefined;
  /** Scheme for an S3 endpoint given without one (`s3_protocol`): `http` (default) or `https`. */
  readonly s3Protocol?: string | undefined;
  /**
   * Static S3 access key; with `secretKey`, replaces the platform's temporary one. An
   * option only: the config file's `access_Key` is ignored, as the Python SDK ignores it.
   */
  readonly accessKey?: string | undefined;
  /** Static S3 secret; never logged. An option only (the config file's `access_Key_Secret` is ignored). */
  readonly secretKey?: string | undefined;
  /** Project id; default `$PROJECT_ID`. */
  readonly projectId?: string | undefined;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

/** The fields of {@link ResolvedSettings}. */
export interface SettingsFields extends ConnectionOptions {
  readonly baseUrl: string;
  readonly verifySsl: boolean;
  readonly s3Protocol: 'http' | 'https';
  /** The config file that was read, if any. */
  readonly configPath?: string | undefined;
}

/**
 * The effective settings of a session. `password` and `secretKey` are readable
 * properties, but `toJSON`, `toString` and Node/Deno inspection mask them, so
 * logging or printing the object never shows them.
 */
export class ResolvedSettings implements SettingsFields {
  readonly baseUrl!: string;
  readonly verifySsl!: boolean;
  readonly s3Protocol!: 'http' | 'https';
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly hostBase?: string | undefined;
  readonly region?: string | undefined;
  readonly bucket?: string | undefined;
  readonly accessKey?: string | undefined;
  readonly secretKey?: string | undefined;
  readonly projectId?: string | undefined;
  readonly configPath?: string | undefined;

  constructor(fields: SettingsFields) {
    Object.assign(this, fields);
    Object.freeze(this);
  }

  /** A plain copy with the secrets replaced by `***` (absent secrets stay absent). */
  toJSON(): Record<string, unknown> {
    const plain: Record<string, unknown> = { ...(this as SettingsFields) };
    if (plain.password !== undefined) plain.password = REDACTED;
    if (plain.secretKey !== undefined) plain.secretKey = REDACTED;
    return plain;
  }

  /** `ResolvedSettings {…}` with the secrets masked. */
  toString(): string {
    return `ResolvedSettings ${JSON.stringify(this.toJSON())}`;
  }

  [INSPECT](): Record<string, unknown> {
    return this.toJSON();
  }

  [DENO_INSPECT](): string {
    return this.toString();
  }
}

/** `http`/`https` from `http`, `HTTPS`, `https:` or `https://`. */
function normaliseProtocol(value: string | undefined): 'http' | 'https' {
  const text = (value ?? DEFAULT_S3_PROTOCOL)
    .trim()
    .toLowerCase()
    .replace(/:(\/\/)?$/, '');
  if (text === 'http' || text === 'https') return text;
  throw new ValidationError([
    { field: 's3_protocol', message: `expected http or https, got ${JSON.stringify(value)}` },
  ]);
}

/** The config file's settings. `access_Key` / `access_Key_Secret` are left out: see the module comment. */
function fromFile(file: IamConfig): ConnectionOptions {
  return {
    username: file.username,
    password: file.password,
    hostBase: file.host_base,
    region: file.region,
    baseUrl: file.base_url,
    bucket: file.bucket,
    verifySsl: file.verify_ssl,
    s3Protocol: file.s3_protocol,
  };
}

/** The Python SDK's defaults, for a session without a base URL. */
const PYTHON_DEFAULTS: ConnectionOptions = { hostBase: DEFAULT_HOST_BASE, region: DEFAULT_REGION };

const CONNECTION_KEYS = [
  'username',
  'password',
  'hostBase',
  'region',
  'baseUrl',
  'bucket',
  'verifySsl',
  's3Protocol',
  'accessKey',
  'secretKey',
  'projectId',
] as const satisfies ReadonlyArray<keyof ConnectionOptions>;

/** Only the connection settings of a larger options object. */
function pickConnection(options: ConnectionOptions): ConnectionOptions {
  return Object.fromEntries(CONNECTION_KEYS.map((key) => [key, options[key]]));
}

/** Keeps the defined fields of `over`, the rest from `under`; neither is mutated. */
function layer(under: ConnectionOptions, over: ConnectionOptions): ConnectionOptions {
  const defined = Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined && v !== ''));
  return { ...under, ...defined };
}

/**
 * Resolves the settings: options over the config file (located by `configPath`,
 * `$MODELMAKER_CONFIG` or the default path) over `$PROJECT_ID` over the Python SDK's
 * `host_base` and `region` defaults. An explicit `baseUrl` wins over `hostBase` +
 * `region` wherever each comes from, and a session with one gets no default.
 *
 * @throws ValidationError (bad `s3_protocol`, missing required config file),
 *   DecodeError (config file not matching its codec).
 */
export async function resolveSettings(
  options: ConnectionOptions & { readonly configPath?: string | false | undefined },
  logger?: Logger,
): Promise<ResolvedSettings> {
  const location = await locateConfigFile(options.configPath);
  const file = location === undefined ? undefined : await loadConfigFile(location, logger);
  const explicit = pickConnection(options);
  const env: ConnectionOptions = { projectId: readEnv('PROJECT_ID') };
  if ((file?.access_Key ?? file?.access_Key_Secret) !== undefined) {
    logger?.debug(
      'the config file access_Key / access_Key_Secret are ignored, as the Python SDK ignores them: S3 keys come from auth-access (pass accessKey and secretKey as Session options for static keys)',
    );
  }
  const configured = layer(layer(env, file === undefined ? {} : fromFile(file)), explicit);
  const hasBaseUrl = configured.baseUrl !== undefined && configured.baseUrl.trim() !== '';
  const merged = hasBaseUrl ? configured : layer(PYTHON_DEFAULTS, configured);
  const baseUrl = deriveBaseUrl(merged);
  return new ResolvedSettings({
    ...merged,
    baseUrl,
    verifySsl: merged.verifySsl ?? true,
    s3Protocol: normaliseProtocol(merged.s3Protocol),
    configPath: file === undefined ? undefined : location?.path,
  });
}
