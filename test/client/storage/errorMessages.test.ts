/**
 * Storage errors say each thing once: Node's messages already start with their code
 * (`ENOENT: no such file or directory, …`), which is not put in front of them again.
 */
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { staticS3Access } from '../../../src/client/storage/access.js';
import { toStorageError } from '../../../src/client/storage/internal/s3-errors.js';
import { upload } from '../../../src/client/storage/upload.js';

const ACCESS = staticS3Access({
  endpoint: 'http://127.0.0.1:1',
  region: 'us-east-1',
  accessKeyId: 'key',
  secretAccessKey: 'secret',
});

describe('storage error messages', () => {
  it('an upload of a path that does not exist names ENOENT once', async () => {
    const error = await lastValueFrom(upload(ACCESS, './no-such-dir-here', 's3://modelmaker/k/')).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'StorageError', reason: 'ENOENT' });
    expect((error as Error).message).toBe(
      "ENOENT: no such file or directory, realpath './no-such-dir-here' (walk ./no-such-dir-here)",
    );
  });

  it('an S3 error gets its code in front of a message that lacks it', () => {
    const sdk = Object.assign(new Error('The specified bucket does not exist'), {
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    expect(toStorageError(sdk, 'PutObject', 's3://b/k').message).toMatch(
      /^NoSuchBucket: The specified bucket does not exist/,
    );
  });
});
