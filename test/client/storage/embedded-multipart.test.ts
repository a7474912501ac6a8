/**
 * The SDK's big-file path on the local platform's embedded S3, which completes a
 * multipart upload the way S3 does: the object keeps its parts as pieces and answers
 * S3's multipart ETag (MD5 of the part MD5s, `-N`), not the MD5 of the whole content.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createS3Client,
  download,
  type FileTransferred,
  type TransferEvent,
  upload,
} from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  type S3Fixture,
  sha256File,
  startS3,
  tempDir,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

const MIB = 1024 * 1024;
const PART = 5 * MIB;
/** Three parts: two whole ones and a partial last one. */
const SIZE = 2 * PART + 1234;
const WRITES = ['PutObject', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload'];

const fileEvent = (events: TransferEvent[]) =>
  events.find((event): event is FileTransferred => event.type === 'file');

function multipartEtagOf(content: Buffer): string {
  const partMd5: Buffer[] = [];
  for (let at = 0; at < content.length; at += PART) {
    partMd5.push(
      createHash('md5')
        .update(content.subarray(at, at + PART))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(partMd5)).digest('hex')}-${partMd5.length}`;
}

describe('upload and download of a multipart object on the embedded store', () => {
  let s3: S3Fixture;
  let source: string;
  let content: Buffer;
  let uri: string;
  let key: string;
  const options = () => ({ multipartThreshold: PART, partSize: PART });
  const writes = () => WRITES.reduce((sum, operation) => sum + s3.count(operation), 0);

  beforeAll(async () => {
    s3 = await startS3({ store: 'embedded' });
    source = await tempDir();
    await writeRandomFile(join(source, 'big.bin'), SIZE);
    content = await readFile(join(source, 'big.bin'));
    key = `${uniquePrefix('pieces')}/`;
    uri = `s3://${s3.bucket}/${key}`;
    // One part in flight: later parts are read into the memory of parts already sent,
    // and the stored bytes must still be exactly the file's.
    await collect(
      upload(s3.provider, source, uri, {
        ...options(),
        partConcurrency: 1,
        stateDir: await tempDir('mm-state-'),
      }),
    );
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('stores the object with S3 multipart ETag, the SHA-256 metadata and the exact bytes', async () => {
    expect(s3.count('CompleteMultipartUpload')).toBe(1);
    const client = createS3Client(s3.access);
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${key}big.bin` }));
      expect(head.ETag).toBe(`"${multipartEtagOf(content)}"`);
      expect(head.ContentLength).toBe(SIZE);
      expect(head.Metadata?.sha256).toBe(await sha256File(join(source, 'big.bin')));
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${key}big.bin` }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(content)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('re-uploading the unchanged file sends nothing: one HeadObject finds its SHA-256, which the self-copy kept', async () => {
    s3.clear();
    const events = await collect(upload(s3.provider, source, uri, options()));
    expect(writes()).toBe(0);
    expect(s3.count('HeadObject')).toBe(1);
    expect(s3.count('CopyObject')).toBe(0);
    expect(fileEvent(events)).toMatchObject({ action: 'skipped', verified: 'sha256' });
  });

  it('downloads it verified against its SHA-256, and skips the unchanged copy the next time', async () => {
    const target = await tempDir();
    s3.clear();
    const first = await collect(download(s3.provider, uri, target));
    expect(fileEvent(first)).toMatchObject({ action: 'sent', verified: 'sha256' });
    expect((await readFile(join(target, 'big.bin'))).equals(content)).toBe(true);

    s3.clear();
    const again = await collect(download(s3.provider, uri, target));
    expect(s3.count('GetObject')).toBe(0);
    expect(fileEvent(again)).toMatchObject({ action: 'skipped' });
  });
});

describe('a completion whose answer is lost, on the embedded store', () => {
  let s3: S3Fixture;
  let source: string;
  beforeAll(async () => {
    s3 = await startS3({ store: 'embedded' });
    source = await tempDir();
    await writeRandomFile(join(source, 'big.bin'), SIZE);
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });
  const options = async () => ({
    multipartThreshold: PART,
    partSize: PART,
    stateDir: await tempDir('mm-state-'),
  });

  it('is sent again, finds the upload gone (NoSuchUpload) and the object made of its parts: the upload succeeds', async () => {
    const key = `${uniquePrefix('lost')}/`;
    let lost = 0;
    s3.loseAnswer = (request) => request.operation === 'CompleteMultipartUpload' && lost++ === 0;
    try {
      await collect(upload(s3.provider, source, `s3://${s3.bucket}/${key}`, await options()));
    } finally {
      s3.loseAnswer = undefined;
    }
    expect(s3.count('CompleteMultipartUpload')).toBe(2);
    const client = createS3Client(s3.access);
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${key}big.bin` }));
      const content = await readFile(join(source, 'big.bin'));
      expect(got.ETag).toBe(`"${multipartEtagOf(content)}"`);
      expect(got.Metadata?.sha256).toBe(await sha256File(join(source, 'big.bin')));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(content)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('fails with NoSuchUpload when the object there is not made of its parts (another writer’s)', async () => {
    const key = `${uniquePrefix('gone')}/`;
    const client = createS3Client(s3.access);
    try {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${key}big.bin`, Body: 'other' }));
    } finally {
      client.destroy();
    }
    s3.respond = (request) =>
      request.operation === 'CompleteMultipartUpload'
        ? {
            status: 404,
            body: '<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>',
          }
        : undefined;
    try {
      await expect(
        collect(upload(s3.provider, source, `s3://${s3.bucket}/${key}`, await options())),
      ).rejects.toMatchObject({ _tag: 'StorageError', reason: 'NoSuchUpload' });
    } finally {
      s3.respond = undefined;
    }
  });
});
