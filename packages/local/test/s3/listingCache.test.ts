import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';

const BUCKET = 'bucket';
const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

describe('listings after writes: what a listing remembers of an object never outlives its file', () => {
  let root: string;
  let s3: EmbeddedS3;
  let client: S3Client;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mm-listing-cache-'));
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

  const listed = async (prefix: string) =>
    (await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents?.map((o) => ({
      key: o.Key,
      size: o.Size,
      etag: o.ETag,
    })) ?? [];

  it('an object overwritten with other bytes of the same size lists with the new ETag, at once', async () => {
    for (const body of ['AAAA', 'BBBB', 'AAAA', 'CCCC']) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'same-size/k', Body: body }));
      expect(await listed('same-size/')).toEqual([{ key: 'same-size/k', size: 4, etag: md5(body) }]);
    }
  });

  it('a replaced metadata keeps the ETag; a deleted object is gone; a copy over it lists the copied bytes', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'm/k', Body: 'first' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'm/other', Body: 'second!' }));
    expect((await listed('m/')).map((o) => o.etag)).toEqual([md5('first'), md5('second!')]);
    await client.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'm/k',
        CopySource: `${BUCKET}/m/k`,
        MetadataDirective: 'REPLACE',
        Metadata: { a: 'b' },
      }),
    );
    expect(await listed('m/k')).toEqual([{ key: 'm/k', size: 5, etag: md5('first') }]);
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'm/k', CopySource: `${BUCKET}/m/other` }));
    expect(await listed('m/k')).toEqual([{ key: 'm/k', size: 7, etag: md5('second!') }]);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'm/k' }));
    expect(await listed('m/k')).toEqual([]);
  });
});
