/**
 * The S3 client storage uses, configured for the platform's store.
 * @module
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { DEFAULT_S3_CONNECT_TIMEOUT_MS, DEFAULT_S3_IDLE_TIMEOUT_MS } from '../../defaults.js';
import type { S3Access } from './access.js';
import { quietS3Client, SILENT_S3_LOGGER } from './quietS3Client.js';

/**
 * Builds an `S3Client` for {@link S3Access}: path-style addressing (`s3://bucket/key`
 * on the platform's endpoint), checksums only where S3 requires them, and a single
 * attempt per request (storage retries in one layer itself, with bodies it can reopen),
 * and connect / idle timeouts (`DEFAULT_S3_CONNECT_TIMEOUT_MS`, `DEFAULT_S3_IDLE_TIMEOUT_MS`).
 *
 * Why `WHEN_REQUIRED`: recent SDKs send streamed bodies as `aws-chunked` with a CRC32
 * trailer by default, and some S3-compatible stores (s3rver 3.7.1 among them) store
 * that framing as the object's data. Storage checks content with its own SHA-256.
 *
 * `overrides` are merged over these settings (a new object; neither argument is written to).
 * The caller owns the client: call `client.destroy()` when done.
 *
 * @example
 * ```ts
 * const s3 = createS3Client(await provider.get());
 * await s3.send(new HeadObjectCommand({ Bucket: 'modelmaker', Key: 'data/iris.csv' }));
 * s3.destroy();
 * ```
 */
export function createS3Client(access: S3Access, overrides: Partial<S3ClientConfig> = {}): S3Client {
  // quiet: storage retries streamed uploads itself, and the AWS SDK's Node notice is not for our pinned versions
  return quietS3Client({
    endpoint: access.endpoint,
    region: access.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: access.accessKeyId,
      secretAccessKey: access.secretAccessKey,
      ...(access.sessionToken ? { sessionToken: access.sessionToken } : {}),
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    logger: SILENT_S3_LOGGER,
    requestHandler: {
      connectionTimeout: DEFAULT_S3_CONNECT_TIMEOUT_MS,
      socketTimeout: DEFAULT_S3_IDLE_TIMEOUT_MS,
    },
    ...overrides,
  });
}
