import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { UPLOADS_DIRECTORY } from '../../src/s3/storeLayout.js';
import { useEmbeddedS3 } from './embeddedS3Fixture.js';

const Bucket = 'abort-bucket';

describe('AbortMultipartUpload on the embedded S3', () => {
  const s3 = useEmbeddedS3('mm-abort-upload-', Bucket);
  const uploads = async () =>
    (await readdir(join(s3.directory, Bucket, UPLOADS_DIRECTORY))).filter((name) => !name.startsWith('.'));

  async function startUpload(Key: string): Promise<{ UploadId: string; ETag: string }> {
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const { ETag } = await s3.client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(1000) }),
    );
    return { UploadId: UploadId!, ETag: ETag! };
  }

  it('deletes the upload and its parts (204); completing or adding a part after answers 404 NoSuchUpload', async () => {
    const Key = 'runs/abandoned.bin';
    const { UploadId, ETag } = await startUpload(Key);
    expect(await uploads()).toContain(UploadId);

    const aborted = await s3.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    expect(await uploads()).not.toContain(UploadId);

    await expect(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(
      s3.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'late' })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    // Nothing was made of it: no object, no upload directory made again by the late part.
    await expect(s3.client.send(new HeadObjectCommand({ Bucket, Key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    expect(await uploads()).not.toContain(UploadId);
  });

  it('answers 404 NoSuchUpload for an upload that is not there, or is another key’s, and leaves that one whole', async () => {
    const { UploadId } = await startUpload('runs/kept.bin');
    await expect(
      s3.client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'runs/other.bin', UploadId })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(
      s3.client.send(
        new AbortMultipartUploadCommand({ Bucket, Key: 'runs/kept.bin', UploadId: 'f'.repeat(32) }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    expect(await uploads()).toContain(UploadId);
  });
});
