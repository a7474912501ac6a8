/**
 * One embedded S3 for a whole `describe`: started in a fresh temp directory with one
 * bucket before its tests, an `S3Client` on it, and all of it closed and removed after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';

/** A client on the running store; read it inside tests (it is set by `beforeAll`). */
export interface EmbeddedS3Fixture {
  readonly client: S3Client;
  /** The store's directory (one directory per bucket). */
  readonly directory: string;
}

/**
 * Registers `beforeAll`/`afterAll` hooks in the calling suite that run an embedded S3
 * holding `bucket`, its files in a temp directory named from `tempPrefix`.
 *
 * @example
 * const store = useEmbeddedS3('mm-my-test-', 'bucket');
 * it('puts', async () => {
 *   await store.client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: 'x' }));
 * });
 */
export function useEmbeddedS3(tempPrefix: string, bucket: string): EmbeddedS3Fixture {
  let root: string | undefined;
  let s3: EmbeddedS3 | undefined;
  let client: S3Client | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), tempPrefix));
    s3 = await startEmbeddedS3({ directory: join(root, 'store'), buckets: [bucket] });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });
  return {
    get client() {
      if (client === undefined) throw new Error('the embedded S3 fixture is read before its beforeAll ran');
      return client;
    },
    get directory() {
      if (root === undefined) throw new Error('the embedded S3 fixture is read before its beforeAll ran');
      return join(root, 'store');
    },
  };
}
