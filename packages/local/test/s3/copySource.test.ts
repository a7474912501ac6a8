import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useEmbeddedS3 } from './embeddedS3Fixture.js';

const BUCKET = 'bucket';

/** `bucket/key` URL-encoded segment by segment, as S3 wants `x-amz-copy-source`. */
const s3CopySource = (key: string) => `${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;

describe('CopyObject through the embedded S3 reads the copy source as S3 does', () => {
  const store = useEmbeddedS3('mm-copy-source-', BUCKET);

  // Keys whose reserved characters s3rver's decodeURI would leave escaped: "+", "=", "@", ",", ";", ":", "&", "$", and a "?".
  for (const key of ['dir/a+b.bin', 'x=1,y=2/@home;v:1&$.txt', 'q?/ü ñ.bin']) {
    it(`replaces the metadata of ${JSON.stringify(key)} in place, and copies it to another key`, async () => {
      await store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'the bytes' }));
      await store.client.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: key,
          CopySource: s3CopySource(key),
          MetadataDirective: 'REPLACE',
          Metadata: { sha256: 'abc' },
        }),
      );
      const head = await store.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.Metadata).toEqual({ sha256: 'abc' });
      expect(head.ContentLength).toBe(9);

      await store.client.send(
        new CopyObjectCommand({ Bucket: BUCKET, Key: `${key}.copy`, CopySource: s3CopySource(key) }),
      );
      const copy = await store.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${key}.copy` }));
      expect(await copy.Body?.transformToString()).toBe('the bytes');
    });
  }

  it('refuses a copy source naming no object, as S3 does (404 NoSuchKey)', async () => {
    await expect(
      store.client.send(
        new CopyObjectCommand({ Bucket: BUCKET, Key: 'to', CopySource: s3CopySource('no+such') }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});
