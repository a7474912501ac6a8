/**
 * An S3-compatible store the team already runs (MinIO, Ceph RGW, AWS S3…) used by the
 * local platform instead of its embedded one: jobs read their data and code from it,
 * write their output to it, and services load their models from it. Path-style
 * addressing (`s3://bucket/key` on `endpoint`), as everywhere in the platform.
 *
 * What `auth-access` hands out in this mode: the store's own key pair — {@link
 * ExternalS3Options.client} when given (a pair limited to the bucket, say), else the
 * platform's pair. Not temporary keys, because the platform cannot mint keys another
 * store accepts: that takes the store's STS (`AssumeRole`), which many S3-compatible
 * stores lack, and STS keys need a session token that the contract's `auth-access`
 * (`{ ak, sk, url, region }`) has no field for; proxying every byte through the platform
 * to re-sign it would put the platform in the data path of the very store the team
 * chose for its throughput and durability. So the keys do not expire with the token:
 * give clients a pair that may do no more than they should. A session token
 * (`sessionToken`) is the platform's own: with one, a `client` pair is required.
 *
 * The keys are secrets: never written to a log, an error message or the health report
 * (errors name the endpoint and bucket only).
 * @module
 */
import { DEFAULT_EMBEDDED_S3_REGION } from './defaults.js';

/** A key pair of the external store. */
export interface ExternalS3Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Options of an external S3 (see the module doc). */
export interface ExternalS3Options extends ExternalS3Keys {
  /** Endpoint URL with its scheme, e.g. `https://minio.example.com:9000` (path-style). */
  readonly endpoint: string;
  /** The bucket clients are told to use (it must exist: checked at start). */
  readonly bucket: string;
  /** Region to sign for. Default {@link DEFAULT_EMBEDDED_S3_REGION} (`us-east-1`; MinIO and Ceph accept it). */
  readonly region?: string;
  /** A session token of the platform's own keys (AWS temporary credentials). */
  readonly sessionToken?: string;
  /** The pair `auth-access` (and `LocalPlatform.s3`) hands to clients. Default: the platform's pair. */
  readonly client?: ExternalS3Keys;
}

/** The environment variables {@link externalS3FromEnv} reads. */
export const EXTERNAL_S3_ENV = {
  endpoint: 'MODELMAKER_S3_ENDPOINT',
  bucket: 'MODELMAKER_S3_BUCKET',
  region: 'MODELMAKER_S3_REGION',
  accessKeyId: 'MODELMAKER_S3_ACCESS_KEY_ID',
  secretAccessKey: 'MODELMAKER_S3_SECRET_ACCESS_KEY',
  sessionToken: 'MODELMAKER_S3_SESSION_TOKEN',
  clientAccessKeyId: 'MODELMAKER_S3_CLIENT_ACCESS_KEY_ID',
  clientSecretAccessKey: 'MODELMAKER_S3_CLIENT_SECRET_ACCESS_KEY',
} as const;

/** An external S3 configuration that cannot work: `field` names the option. */
export class ExternalS3ConfigError extends Error {
  readonly _tag = 'ExternalS3ConfigError' as const;
  override readonly name = 'ExternalS3ConfigError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`external S3: ${field}: ${message}`);
  }
}

/** Bucket names as S3 allows them. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Checks `options` and fills the defaults (a new object).
 *
 * @throws ExternalS3ConfigError naming the option (never showing a secret).
 */
export function resolveExternalS3(
  options: ExternalS3Options,
): ExternalS3Options & { readonly region: string } {
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    throw new ExternalS3ConfigError(
      'endpoint',
      `expected an http:// or https:// URL, got ${JSON.stringify(options.endpoint)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExternalS3ConfigError('endpoint', `expected an http:// or https:// URL, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ExternalS3ConfigError(
      'endpoint',
      'give the keys as accessKeyId / secretAccessKey, not in the URL',
    );
  }
  if (!BUCKET_NAME.test(options.bucket) || options.bucket.includes('..')) {
    throw new ExternalS3ConfigError('bucket', `${JSON.stringify(options.bucket)} is not a valid bucket name`);
  }
  if (!options.accessKeyId) throw new ExternalS3ConfigError('accessKeyId', 'required');
  if (!options.secretAccessKey) throw new ExternalS3ConfigError('secretAccessKey', 'required');
  if (options.client && (!options.client.accessKeyId || !options.client.secretAccessKey)) {
    throw new ExternalS3ConfigError('client', 'both accessKeyId and secretAccessKey are required');
  }
  if (options.sessionToken && !options.client) {
    throw new ExternalS3ConfigError(
      'client',
      'required with a sessionToken: auth-access cannot hand out a session token, so clients need their own key pair',
    );
  }
  // The endpoint without a trailing slash, so addresses built on it have one.
  const endpoint = url.href.replace(/\/+$/, '');
  return { ...options, endpoint, region: options.region || DEFAULT_EMBEDDED_S3_REGION };
}

/**
 * The external S3 the environment names ({@link EXTERNAL_S3_ENV}), or `undefined`
 * when `MODELMAKER_S3_ENDPOINT` is not set. Missing parts are left out, for
 * {@link resolveExternalS3} to name.
 *
 * @example
 * ```ts
 * const platform = await startLocalPlatform({ externalS3: externalS3FromEnv(process.env) });
 * ```
 */
export function externalS3FromEnv(
  env: Readonly<Record<string, string | undefined>>,
): ExternalS3Options | undefined {
  const endpoint = env[EXTERNAL_S3_ENV.endpoint];
  if (!endpoint) return undefined;
  const clientId = env[EXTERNAL_S3_ENV.clientAccessKeyId];
  const clientSecret = env[EXTERNAL_S3_ENV.clientSecretAccessKey];
  return {
    endpoint,
    bucket: env[EXTERNAL_S3_ENV.bucket] ?? '',
    accessKeyId: env[EXTERNAL_S3_ENV.accessKeyId] ?? '',
    secretAccessKey: env[EXTERNAL_S3_ENV.secretAccessKey] ?? '',
    ...(env[EXTERNAL_S3_ENV.region] ? { region: env[EXTERNAL_S3_ENV.region] } : {}),
    ...(env[EXTERNAL_S3_ENV.sessionToken] ? { sessionToken: env[EXTERNAL_S3_ENV.sessionToken] } : {}),
    ...(clientId || clientSecret
      ? { client: { accessKeyId: clientId ?? '', secretAccessKey: clientSecret ?? '' } }
      : {}),
  };
}
