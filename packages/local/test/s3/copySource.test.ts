import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';

const BUCKET = 'bucket';

/** `bucket/key` URL-encoded segment by segment, as S3 wants `x-amz-copy-source`. */
const s3CopySource = (key: string) => `${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;

describe('CopyObject through the embedded S3 reads the copy source as S3 does', () => {
  let root: string;
  let s3: EmbeddedS3;
  let client: S3Client;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mm-copy-source-'));
    s3 = await startEmbeddedS3({ directory: join(root, 'store'), buckets: [BUCKET] });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  });
  afterAll(async () => {
    client.destroy();
    await s3.close();
    await rm(root, { recursive: true, force: true });
  });

  // Keys whose reserved characters s3rver's decodeURI would leave escaped: "+", "=", "@", ",", ";", ":", "&", "$", and a "?".
  for (const key of ['dir/a+b.bin', 'x=1,y=2/@home;v:1&$.txt', 'q?/ü ñ.bin']) {
    it(`replaces the metadata of ${JSON.stringify(key)} in place, and copies it to another key`, async () => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'the bytes' }));
      await client.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: key,
          CopySource: s3CopySource(key),
          MetadataDirective: 'REPLACE',
          Metadata: { sha256: 'abc' },
        }),
      );
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.Metadata).toEqual({ sha256: 'abc' });
      expect(head.ContentLength).toBe(9);

      await client.send(
        new CopyObjectCommand({ Bucket: BUCKET, Key: `${key}.copy`, CopySource: s3CopySource(key) }),
      );
      const copy = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${key}.copy` }));
      expect(await copy.Body?.transformToString()).toBe('the bytes');
    });
  }

  it('refuses a copy source naming no object, as S3 does (404 NoSuchKey)', async () => {
    await expect(
      client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'to', CopySource: s3CopySource('no+such') })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});
