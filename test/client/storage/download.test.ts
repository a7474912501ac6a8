import { createHash } from 'node:crypto';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createS3Client,
  download,
  downloadFile,
  type FileTransferred,
  isSummary,
  type TransferEvent,
  upload,
} from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  listTree,
  type S3Fixture,
  sha256File,
  startS3,
  tempDir,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

const MIB = 1024 * 1024;

describe('download', () => {
  let s3: S3Fixture;

  beforeAll(async () => {
    s3 = await startS3();
  });
  beforeEach(() => {
    s3.drop = undefined;
    s3.respond = undefined;
    s3.clear();
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  /** Puts an object directly (not through `upload`), with the metadata given. */
  async function put(key: string, body: Buffer, metadata?: Record<string, string>): Promise<void> {
    const client = createS3Client(s3.access);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, Metadata: metadata }));
    client.destroy();
  }

  describe('integrity', () => {
    it('fails with an IntegrityError naming the key when the content does not match its SHA-256, leaving no file', async () => {
      const prefix = uniquePrefix('corrupt');
      const body = Buffer.from('the stored bytes');
      const claimed = createHash('sha256').update('other bytes').digest('hex');
      await put(`${prefix}/good.txt`, Buffer.from('fine'), {
        sha256: createHash('sha256').update('fine').digest('hex'),
      });
      await put(`${prefix}/bad.txt`, body, { sha256: claimed });
      const target = await tempDir();

      const error = await collect(
        download(s3.provider, `s3://${s3.bucket}/${prefix}/`, target, { concurrency: 1 }),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ _tag: 'IntegrityError', check: 'sha256', expected: claimed });
      expect((error as Error).message).toContain(`s3://${s3.bucket}/${prefix}/bad.txt`);
      const left = await listTree(target);
      expect(left).not.toContain('bad.txt');
      expect(left.filter((name) => name.endsWith('.mmpart'))).toEqual([]);
    });

    it('downloadFile fails the same way and leaves neither the file nor a temporary one', async () => {
      const key = `${uniquePrefix('corrupt-file')}/x.bin`;
      await put(key, Buffer.alloc(1000, 1), { sha256: '0'.repeat(64) });
      const dir = await tempDir();
      await expect(
        lastValueFrom(downloadFile(s3.provider, `s3://${s3.bucket}/${key}`, join(dir, 'x.bin'))),
      ).rejects.toMatchObject({ _tag: 'IntegrityError', url: `s3://${s3.bucket}/${key}` });
      expect(await readdir(dir)).toEqual([]);
    });

    it('checks objects without sha256 metadata by size only and says so in the summary', async () => {
      const prefix = uniquePrefix('foreign');
      await put(`${prefix}/foreign.bin`, Buffer.alloc(4096, 7));
      const target = await tempDir();
      const events = await collect(download(s3.provider, `s3://${s3.bucket}/${prefix}/`, target));
      const file = events.find((event): event is FileTransferred => event.type === 'file');
      expect(file).toMatchObject({ verified: 'size', action: 'sent' });
      expect(events.filter(isSummary)[0]!.sizeOnly).toEqual([`s3://${s3.bucket}/${prefix}/foreign.bin`]);
      expect(await readFile(join(target, 'foreign.bin'))).toEqual(Buffer.alloc(4096, 7));
    });

    it('an interrupted download leaves neither a truncated file under the final name nor a temporary file', async () => {
      const source = await tempDir();
      await writeRandomFile(join(source, 'big.bin'), 30 * MIB);
      const uri = `s3://${s3.bucket}/${uniquePrefix('interrupt')}/`;
      await collect(upload(s3.provider, source, uri, { stateDir: await tempDir('mm-state-') }));
      const target = await tempDir();

      await new Promise<void>((resolve, reject) => {
        const subscription = download(s3.provider, uri, target, { progressStepBytes: 64 * 1024 }).subscribe({
          next: (event: TransferEvent) => {
            if (event.type === 'progress' && event.bytesDone > 5 * MIB) {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
      });
      // Removed synchronously on unsubscribe.
      expect(await readdir(target)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await readdir(target)).toEqual([]);
    });
  });

  describe('skip unchanged', () => {
    let uri: string;
    let source: string;

    beforeAll(async () => {
      source = await tempDir();
      for (let i = 0; i < 10; i++) await writeRandomFile(join(source, `sub/f${i}.bin`), 1000 + i);
      uri = `s3://${s3.bucket}/${uniquePrefix('dl-skip')}/`;
      await collect(upload(s3.provider, source, uri));
    });

    it('fetches nothing when every local file has the object size and content, asking nothing per file', async () => {
      const target = await tempDir();
      await collect(download(s3.provider, uri, target));
      s3.clear();
      const events = await collect(download(s3.provider, uri, target));
      const summary = events.filter(isSummary)[0]!;
      expect(s3.count('GetObject')).toBe(0);
      expect(s3.count('HeadObject')).toBe(0);
      expect(summary).toMatchObject({ filesSkipped: 10, filesSent: 0, bytesSent: 0 });
      const files = events.filter((event): event is FileTransferred => event.type === 'file');
      expect(files.every((file) => file.verified === 'md5')).toBe(true);
    });

    it('lists a prefix of up to DEFAULT_DOWNLOAD_KEPT_LISTING_KEYS objects once: the first pass keeps the listing for the transfer', async () => {
      const target = await tempDir();
      const events = await collect(download(s3.provider, uri, target));
      expect(s3.count('ListObjects')).toBe(1);
      expect(s3.count('GetObject')).toBe(10);
      expect(events.filter(isSummary)[0]).toMatchObject({ filesSent: 10 });
      for (let i = 0; i < 10; i++) {
        expect(await sha256File(join(target, `sub/f${i}.bin`))).toBe(
          await sha256File(join(source, `sub/f${i}.bin`)),
        );
      }
    });

    it('an object without sha256 metadata is not fetched again when the local file has its bytes (its ETag is their MD5)', async () => {
      const prefix = uniquePrefix('foreign-skip');
      await put(`${prefix}/foreign.bin`, Buffer.alloc(4096, 9));
      const target = await tempDir();
      await writeFile(join(target, 'foreign.bin'), Buffer.alloc(4096, 9));
      s3.clear();
      const events = await collect(download(s3.provider, `s3://${s3.bucket}/${prefix}/`, target));
      expect(s3.count('GetObject') + s3.count('HeadObject')).toBe(0);
      expect(events.find((event) => event.type === 'file')).toMatchObject({
        action: 'skipped',
        verified: 'md5',
      });
    });

    it("where the listed ETag cannot tell, HeadObject's sha256 decides (downloadFile)", async () => {
      const target = await tempDir();
      const path = join(target, 'f1.bin');
      await collect(downloadFile(s3.provider, `${uri}sub/f1.bin`, path));
      s3.clear();
      const events = await collect(downloadFile(s3.provider, `${uri}sub/f1.bin`, path));
      expect(s3.count('HeadObject')).toBe(1);
      expect(s3.count('GetObject')).toBe(0);
      expect(events.find((event) => event.type === 'file')).toMatchObject({
        action: 'skipped',
        verified: 'sha256',
      });
    });

    it('fetches again a local file changed without changing its size or mtime', async () => {
      const target = await tempDir();
      await collect(download(s3.provider, uri, target));
      const path = join(target, 'sub/f3.bin');
      const before = await stat(path);
      const content = await readFile(path);
      content[10] = (content[10]! + 1) % 256;
      await writeFile(path, content);
      await utimes(path, before.atime, before.mtime);

      s3.clear();
      const summary = (await collect(download(s3.provider, uri, target))).filter(isSummary)[0]!;
      expect(s3.count('GetObject')).toBe(1);
      expect(summary).toMatchObject({ filesSent: 1, filesSkipped: 9 });
      expect(await sha256File(path)).toBe(await sha256File(join(source, 'sub/f3.bin')));
    });
  });

  it('downloads one object named by the URI into the directory under its base name', async () => {
    const key = `${uniquePrefix('one')}/dir/model.pt`;
    await put(key, Buffer.from('weights'));
    const target = await tempDir();
    await collect(download(s3.provider, `s3://${s3.bucket}/${key}`, target));
    expect(await readFile(join(target, 'model.pt'), 'utf8')).toBe('weights');
  });

  it('downloadFile fails with a StorageError NotFound for a missing object', async () => {
    const dir = await tempDir();
    await expect(
      lastValueFrom(downloadFile(s3.provider, `s3://${s3.bucket}/${uniquePrefix('none')}/x`, join(dir, 'x'))),
    ).rejects.toMatchObject({ _tag: 'StorageError', reason: 'NotFound' });
    expect(await readdir(dir)).toEqual([]);
  });
});
