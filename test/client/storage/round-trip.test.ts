import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  listObjects,
  type TransferEvent,
  type TransferProgress,
  type TransferSummary,
  upload,
} from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  type S3Fixture,
  startS3,
  tempDir,
  treeDigest,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

const MIB = 1024 * 1024;

function checkProgress(events: TransferEvent[]): TransferSummary {
  const progress = events.filter((event): event is TransferProgress => event.type === 'progress');
  expect(progress.length).toBeGreaterThan(0);
  for (let i = 1; i < progress.length; i++) {
    expect(progress[i]!.bytesDone).toBeGreaterThanOrEqual(progress[i - 1]!.bytesDone);
    expect(progress[i]!.filesDone).toBeGreaterThanOrEqual(progress[i - 1]!.filesDone);
  }
  const lastProgress = progress[progress.length - 1]!;
  expect(lastProgress.bytesDone).toBe(lastProgress.bytesTotal);
  expect(lastProgress.filesDone).toBe(lastProgress.filesTotal);
  const summary = events[events.length - 1]!;
  expect(summary.type).toBe('summary');
  expect(events.filter((event) => event.type === 'summary')).toHaveLength(1);
  return summary as TransferSummary;
}

describe('upload and download of a tree', () => {
  let s3: S3Fixture;
  let source: string;
  let prefix: string;
  let uploaded: TransferEvent[];

  beforeAll(async () => {
    s3 = await startS3();
    source = await tempDir();
    await writeFile(join(source, 'empty.txt'), '');
    await writeRandomFile(join(source, 'a/b/c/deep.bin'), 1000);
    await writeRandomFile(join(source, 'données/模型/ü ñ 🚀.txt'), 123);
    await writeRandomFile(join(source, 'sizes/5MiB-1.bin'), 5 * MIB - 1);
    await writeRandomFile(join(source, 'sizes/5MiB.bin'), 5 * MIB);
    await writeRandomFile(join(source, 'sizes/5MiB+1.bin'), 5 * MIB + 1);
    await writeRandomFile(join(source, 'big/50MiB.bin'), 50 * MIB);
    await mkdir(join(source, 'nothing/here'), { recursive: true });
    prefix = uniquePrefix('tree');
    s3.clear();
    uploaded = await collect(
      upload(s3.provider, source, `s3://${s3.bucket}/${prefix}`, {
        multipartThreshold: 5 * MIB,
        partSize: 5 * MIB,
        stateDir: await tempDir('mm-state-'),
      }),
    );
  });

  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('sends files up to the threshold with one PutObject and larger ones in 5 MiB parts', () => {
    // 0 B, 1000 B, 123 B, 5 MiB−1, 5 MiB as PutObject, plus the marker of the empty directory.
    expect(s3.count('PutObject')).toBe(6);
    expect(s3.count('CreateMultipartUpload')).toBe(2);
    // 5 MiB+1 → 2 parts, 50 MiB → 10 parts.
    expect(s3.count('UploadPart')).toBe(12);
    expect(s3.count('CompleteMultipartUpload')).toBe(2);
  });

  it('stores every object with exactly its local size (no aws-chunked framing stored as data)', async () => {
    const objects = await collect(listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`));
    const sizes = Object.fromEntries(
      objects.map((object) => [object.key.slice(prefix.length + 1), object.size]),
    );
    expect(sizes).toEqual({
      'a/b/c/deep.bin': 1000,
      'big/50MiB.bin': 50 * MIB,
      'données/模型/ü ñ 🚀.txt': 123,
      'empty.txt': 0,
      'nothing/here/': 0,
      'sizes/5MiB+1.bin': 5 * MIB + 1,
      'sizes/5MiB-1.bin': 5 * MIB - 1,
      'sizes/5MiB.bin': 5 * MIB,
    });
  });

  it('reports monotonic progress that ends at the totals, then one summary', () => {
    const summary = checkProgress(uploaded);
    expect(summary).toMatchObject({
      direction: 'upload',
      filesTotal: 7,
      filesSent: 7,
      filesSkipped: 0,
      bytesTotal: 65 * MIB + 1123,
      bytesSent: 65 * MIB + 1123,
      directories: 1,
    });
    expect(uploaded.filter((event) => event.type === 'file')).toHaveLength(7);
  });

  it('downloads the tree back byte for byte (SHA-256 of every file), empty directories included', async () => {
    const target = await tempDir();
    const events = await collect(download(s3.provider, `s3://${s3.bucket}/${prefix}/`, target));
    const summary = checkProgress(events);
    expect(summary).toMatchObject({ direction: 'download', filesTotal: 7, filesSent: 7, sizeOnly: [] });
    expect(await treeDigest(target)).toEqual(await treeDigest(source));
    expect((await stat(join(target, 'nothing/here'))).isDirectory()).toBe(true);
  });
});
