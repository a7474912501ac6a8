/**
 * Subsystem 3, the object store: the embedded S3 (s3rver behind the guard, objects in
 * `<dataDir>/s3`, socket and spool in `<dataDir>/run/s3`) with the platform's key
 * pair, and how the platform itself reaches it: a static access for the SDK's
 * storage (`modelmaker/storage`) on the loopback. Closing stops it. Or, with
 * {@link openExternalS3}, an S3-compatible store the team runs (see `externalS3.ts`):
 * nothing is started; the bucket is checked once at start.
 * @module
 */
import { join } from 'node:path';
import { abortWith } from 'modelmaker';
import {
  listObjects,
  type S3Access,
  type S3AccessProvider,
  StorageError,
  staticS3Access,
} from 'modelmaker/storage';
import { firstValueFrom, take, timeout } from 'rxjs';
import { DEFAULT_LOCAL_BUCKET, DEFAULT_LOCAL_EXTERNAL_S3_CHECK_MS } from '../defaults.js';
import { type ExternalS3Options, resolveExternalS3 } from '../externalS3.js';
import type { PlatformHealth } from '../health.js';
import type { DataDirSecrets } from '../iam.js';
import { startEmbeddedS3 } from '../s3/embeddedS3.js';
import type { KeyLookup } from '../s3/sigv4.js';
import type { ConnectionLimits } from '../server/connectionLimits.js';
import { loopbackUrl, withHost } from './addresses.js';
import type { Closable } from './stack.js';

/** Options of {@link openS3}. */
export interface S3Settings {
  readonly dataDir: string;
  readonly host: string;
  readonly advertisedHost: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly secrets: DataDirSecrets;
  /** The temporary keys `auth-access` hands out (accepted until they expire). */
  readonly temporaryKeys: KeyLookup;
  /** Where storage faults (a full disk) are reported, and cleared by the next write that succeeds. */
  readonly health: PlatformHealth;
  readonly connections?: ConnectionLimits | undefined;
}

/** The platform's object store. */
export interface OpenedS3 extends Closable {
  /** What clients are told: the endpoint (on the advertised host), the default bucket, keys and region. */
  readonly advertised: S3Access & { readonly bucket: string };
  /** How the platform reaches it (the embedded one on the loopback), for the SDK's storage. */
  readonly access: S3AccessProvider;
  /** True for a store the team runs, false for the embedded one. */
  readonly external: boolean;
  /**
   * The key pair `auth-access` hands out for every valid token (the external store's),
   * or `undefined`: temporary keys of the embedded store, one pair per token.
   */
  readonly fixedClientKeys: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/**
 * Uses an S3-compatible store the team runs: checks the options, then that the bucket
 * answers a listing with the platform's keys (within
 * {@link DEFAULT_LOCAL_EXTERNAL_S3_CHECK_MS}), so a wrong endpoint, key or bucket stops
 * the start with a message naming the endpoint and bucket (never a key).
 *
 * @throws ExternalS3ConfigError for options that cannot work; Error when the store does not answer as it should.
 */
export async function openExternalS3(
  options: ExternalS3Options,
  checkMs = DEFAULT_LOCAL_EXTERNAL_S3_CHECK_MS,
): Promise<OpenedS3> {
  const store = resolveExternalS3(options);
  const { endpoint, region, bucket } = store;
  const access = staticS3Access({
    endpoint,
    region,
    accessKeyId: store.accessKeyId,
    secretAccessKey: store.secretAccessKey,
    sessionToken: store.sessionToken,
  });
  const where = `the external S3 at ${endpoint} (bucket ${bucket})`;
  const check = new AbortController();
  try {
    await firstValueFrom(
      listObjects(access, `s3://${bucket}/`, { pageSize: 1 }).pipe(
        take(1),
        timeout({ first: checkMs }),
        abortWith(check.signal),
      ),
      { defaultValue: undefined },
    );
  } catch (error) {
    check.abort();
    const why =
      error instanceof StorageError && error.reason === 'NoSuchBucket'
        ? `bucket ${bucket} does not exist`
        : (error as Error)?.name === 'TimeoutError'
          ? `no answer within ${checkMs} ms`
          : ((error as Error)?.message ?? String(error));
    throw new Error(`cannot use ${where}: ${why}`, { cause: error });
  }
  const client = store.client ?? { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey };
  return {
    advertised: {
      endpoint,
      region,
      bucket,
      accessKeyId: client.accessKeyId,
      secretAccessKey: client.secretAccessKey,
    },
    access,
    external: true,
    fixedClientKeys: client,
    close: () => {},
  };
}

/**
 * Starts the embedded S3.
 *
 * @throws the listen error (e.g. EADDRINUSE) when the port is taken.
 */
export async function openS3(settings: S3Settings): Promise<OpenedS3> {
  const s3 = await startEmbeddedS3({
    directory: join(settings.dataDir, 's3'),
    host: settings.host,
    port: settings.port,
    accessKeyId: settings.secrets.s3AccessKeyId,
    secretAccessKey: settings.secrets.s3SecretAccessKey,
    buckets: [DEFAULT_LOCAL_BUCKET],
    // Inside the data dir, so a killed platform leaves nothing in the system's temporary directory.
    runDirectory: join(settings.dataDir, 'run', 's3'),
    temporaryKeys: settings.temporaryKeys,
    onFault: (reason) => settings.health.fault('storage', reason),
    onWrite: () => settings.health.recover('storage'),
    connections: settings.connections,
  });
  const keys = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region };
  return {
    advertised: {
      ...keys,
      endpoint: withHost(s3.endpoint, settings.advertisedHost),
      bucket: DEFAULT_LOCAL_BUCKET,
    },
    access: staticS3Access({ ...keys, endpoint: loopbackUrl(s3.endpoint) }),
    external: false,
    fixedClientKeys: undefined,
    close: () => s3.close(),
  };
}
