import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useEmbeddedS3 } from './embeddedS3Fixture.js';

const BUCKET = 'bucket';
const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

describe('listings after writes: what a listing remembers of an object never outlives its file', () => {
  const store = useEmbeddedS3('mm-listing-cache-', BUCKET);

  const listed = async (prefix: string) =>
    (await store.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents?.map(
      (o) => ({
        key: o.Key,
        size: o.Size,
        etag: o.ETag,
      }),
    ) ?? [];

  it('an object overwritten with other bytes of the same size lists with the new ETag, at once', async () => {
    for (const body of ['AAAA', 'BBBB', 'AAAA', 'CCCC']) {
      await store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'same-size/k', Body: body }));
      expect(await listed('same-size/')).toEqual([{ key: 'same-size/k', size: 4, etag: md5(body) }]);
    }
  });

  it('a replaced metadata keeps the ETag; a deleted object is gone; a copy over it lists the copied bytes', async () => {
    await store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'm/k', Body: 'first' }));
    await store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'm/other', Body: 'second!' }));
    expect((await listed('m/')).map((o) => o.etag)).toEqual([md5('first'), md5('second!')]);
    await store.client.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'm/k',
        CopySource: `${BUCKET}/m/k`,
        MetadataDirective: 'REPLACE',
        Metadata: { a: 'b' },
      }),
    );
    expect(await listed('m/k')).toEqual([{ key: 'm/k', size: 5, etag: md5('first') }]);
    await store.client.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'm/k', CopySource: `${BUCKET}/m/other` }),
    );
    expect(await listed('m/k')).toEqual([{ key: 'm/k', size: 7, etag: md5('second!') }]);
    await store.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'm/k' }));
    expect(await listed('m/k')).toEqual([]);
  });
});
