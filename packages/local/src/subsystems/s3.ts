/**
 * Subsystem 3, the embedded S3 (s3rver behind the guard, objects in
 * `<dataDir>/s3`, socket and spool in `<dataDir>/run/s3`) with the platform's key
 * pair, and how the platform itself reaches it: a static access for the SDK's
 * storage (`modelmaker/storage`) on the loopback. Closing stops it.
 * @module
 */
import { join } from 'node:path';
import { type S3Access, type S3AccessProvider, staticS3Access } from 'modelmaker/storage';
import { DEFAULT_LOCAL_BUCKET } from '../defaults.js';
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

/** A running embedded S3. */
export interface OpenedS3 extends Closable {
  /** What clients are told: the endpoint on the advertised host, the default bucket, keys and region. */
  readonly advertised: S3Access & { readonly bucket: string };
  /** How the platform reaches it (the loopback), for the SDK's storage. */
  readonly access: S3AccessProvider;
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
    close: () => s3.close(),
  };
}
