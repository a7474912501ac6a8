import { open, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  downloadFile,
  type FileTransferred,
  isSummary,
  type TransferEvent,
  type UploadOptions,
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

/** Subscribes and unsubscribes once `bytesDone` passes `bytes`; resolves when done. */
function interruptAfter(upload$: ReturnType<typeof upload>, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = upload$.subscribe({
      next: (event: TransferEvent) => {
        if (event.type === 'progress' && event.bytesDone >= bytes) {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: reject,
      complete: () => reject(new Error('finished before the interruption')),
    });
  });
}

describe('resuming multipart uploads', () => {
  let s3: S3Fixture;
  let options: UploadOptions;

  beforeAll(async () => {
    s3 = await startS3();
  });
  beforeEach(async () => {
    s3.drop = undefined;
    s3.clear();
    options = {
      multipartThreshold: PART,
      partSize: PART,
      partConcurrency: 1,
      progressStepBytes: 256 * 1024,
      stateDir: await tempDir('mm-state-'),
    };
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('an upload interrupted by unsubscribing sends only the missing parts when run again', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, 50 * MIB);
    const uri = `s3://${s3.bucket}/${uniquePrefix('resume')}/big.bin`;

    // Interrupted while part 4 is on the wire: parts 1–3 are stored and recorded.
    await interruptAfter(upload(s3.provider, path, uri, options), 3.5 * PART);
    expect(s3.count('UploadPart')).toBe(4);
    expect(s3.count('CompleteMultipartUpload')).toBe(0);
    expect(await readdir(options.stateDir!)).toHaveLength(1);

    s3.clear();
    const events = await collect(upload(s3.provider, path, uri, options));
    expect(s3.count('CreateMultipartUpload')).toBe(0);
    expect(s3.count('UploadPart')).toBe(7);
    expect(s3.count('CompleteMultipartUpload')).toBe(1);
    const file = events.find((event): event is FileTransferred => event.type === 'file');
    expect(file).toMatchObject({ action: 'resumed', partsReused: 3 });
    const summary = events.filter(isSummary)[0]!;
    expect(summary).toMatchObject({ bytesSent: 35 * MIB, bytesSkipped: 15 * MIB, partsReused: 3 });
    // The state is gone once the upload completed.
    expect(await readdir(options.stateDir!)).toHaveLength(0);

    const back = join(dir, 'back.bin');
    await lastValueFrom(downloadFile(s3.provider, uri, back));
    expect(await sha256File(back)).toBe(await sha256File(path));
  });

  it('an upload whose connection died mid-way fails, then resumes from the parts stored before', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, 6 * PART);
    const uri = `s3://${s3.bucket}/${uniquePrefix('dropped')}/big.bin`;

    let parts = 0;
    s3.drop = (request) => request.operation === 'UploadPart' && ++parts > 2;
    await expect(
      collect(upload(s3.provider, path, uri, { ...options, maxAttempts: 1 })),
    ).rejects.toMatchObject({
      _tag: 'StorageError',
    });

    s3.drop = undefined;
    s3.clear();
    const events = await collect(upload(s3.provider, path, uri, options));
    expect(s3.count('UploadPart')).toBe(4);
    expect(events.filter(isSummary)[0]).toMatchObject({ partsReused: 2, filesSent: 1 });
    const back = join(dir, 'back.bin');
    await lastValueFrom(downloadFile(s3.provider, uri, back));
    expect(await sha256File(back)).toBe(await sha256File(path));
  });

  it('starts a new upload when the file changed since the interrupted run', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, 4 * PART);
    const uri = `s3://${s3.bucket}/${uniquePrefix('changed')}/big.bin`;
    await interruptAfter(upload(s3.provider, path, uri, options), 2.5 * PART);

    await writeRandomFile(path, 4 * PART);
    s3.clear();
    const events = await collect(upload(s3.provider, path, uri, options));
    expect(s3.count('CreateMultipartUpload')).toBe(1);
    expect(s3.count('UploadPart')).toBe(4);
    expect(events.filter(isSummary)[0]).toMatchObject({ partsReused: 0 });
    const back = join(dir, 'back.bin');
    await lastValueFrom(downloadFile(s3.provider, uri, back));
    expect(await sha256File(back)).toBe(await sha256File(path));
  });

  it('re-sends a stored part whose bytes changed though the file kept its size and mtime, and keeps the others', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, 4 * PART);
    const uri = `s3://${s3.bucket}/${uniquePrefix('part-changed')}/big.bin`;
    // Parts 1 and 2 stored, part 3 on the wire.
    await interruptAfter(upload(s3.provider, path, uri, options), 2.5 * PART);
    const before = await stat(path);
    const handle = await open(path, 'r+');
    await handle.write(Buffer.from('changed'), 0, 7, 100);
    await handle.close();
    await utimes(path, before.atime, before.mtime);

    s3.clear();
    const events = await collect(upload(s3.provider, path, uri, options));
    expect(s3.count('CreateMultipartUpload')).toBe(0);
    // Part 1 again (its MD5 no longer matches the record), then parts 3 and 4.
    expect(s3.count('UploadPart')).toBe(3);
    expect(events.filter(isSummary)[0]).toMatchObject({ partsReused: 1, filesSent: 1 });
    const back = join(dir, 'back.bin');
    const fetched = await collect(downloadFile(s3.provider, uri, back));
    expect(fetched.find((event) => event.type === 'file')).toMatchObject({ verified: 'sha256' });
    expect(await sha256File(back)).toBe(await sha256File(path));
  });

  it('starts over once when the store no longer has the recorded upload', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, 3 * PART);
    const uri = `s3://${s3.bucket}/${uniquePrefix('lost')}/big.bin`;
    await interruptAfter(upload(s3.provider, path, uri, options), 1.5 * PART);

    // The store lost the upload (expired, aborted by a lifecycle rule): the recorded id is unknown to it.
    const [stateName] = await readdir(options.stateDir!);
    const statePath = join(options.stateDir!, stateName!);
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { uploadId: string };
    await writeFile(statePath, JSON.stringify({ ...state, uploadId: 'f'.repeat(32) }));

    s3.clear();
    const events = await collect(upload(s3.provider, path, uri, { ...options, maxAttempts: 1 }));
    expect(s3.count('CreateMultipartUpload')).toBe(1);
    expect(events.filter(isSummary)[0]).toMatchObject({ filesSent: 1, partsReused: 0 });
    const back = join(dir, 'back.bin');
    await lastValueFrom(downloadFile(s3.provider, uri, back));
    expect(await sha256File(back)).toBe(await sha256File(path));
  });
  it('drops the state of an interrupted upload once the object is found complete and unchanged', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    await writeRandomFile(path, 2 * PART + 1);
    const uri = `s3://${s3.bucket}/${uniquePrefix('stale')}/big.bin`;
    await interruptAfter(upload(s3.provider, path, uri, options), 0.5 * PART);
    expect(await readdir(options.stateDir!)).toHaveLength(1);

    // Someone else (another machine, another state directory) finished the same upload.
    await collect(upload(s3.provider, path, uri, { ...options, stateDir: await tempDir('mm-state-') }));
    s3.clear();
    const events = await collect(upload(s3.provider, path, uri, options));
    expect(events.filter(isSummary)[0]).toMatchObject({ filesSkipped: 1, filesSent: 0 });
    expect(s3.count('UploadPart') + s3.count('PutObject')).toBe(0);
    expect(await readdir(options.stateDir!)).toEqual([]);
  });
});
