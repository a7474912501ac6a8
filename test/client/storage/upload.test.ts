import { createHash } from 'node:crypto';
import { open, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createS3Client,
  downloadFile,
  type FileTransferred,
  isSummary,
  listObjects,
  type TransferEvent,
  type TransferSummary,
  type UploadOptions,
  upload,
} from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  type S3Fixture,
  s3ErrorXml,
  sha256File,
  startS3,
  tempDir,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

const MIB = 1024 * 1024;
const WRITES = ['PutObject', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload'];

function summaryOf(events: TransferEvent[]): TransferSummary {
  const summary = events.filter(isSummary);
  expect(summary).toHaveLength(1);
  return summary[0]!;
}

describe('upload', () => {
  let s3: S3Fixture;
  let stateDir: string;
  const writes = () => WRITES.reduce((sum, operation) => sum + s3.count(operation), 0);

  beforeAll(async () => {
    s3 = await startS3();
    stateDir = await tempDir('mm-state-');
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

  describe('skip unchanged', () => {
    let source: string;
    let uri: string;
    let options: UploadOptions;

    beforeAll(async () => {
      options = { multipartThreshold: 5 * MIB, partSize: 5 * MIB, stateDir };
      source = await tempDir();
      for (let i = 0; i < 40; i++) await writeRandomFile(join(source, `d${i % 4}/f${i}.bin`), 100 + i);
      await writeRandomFile(join(source, 'big.bin'), 12 * MIB);
      uri = `s3://${s3.bucket}/${uniquePrefix('skip')}/`;
      await collect(upload(s3.provider, source, uri, options));
    });

    it('re-running the upload of an unchanged tree makes no PUT at all, and no request per small file', async () => {
      const events = await collect(upload(s3.provider, source, uri, options));
      const summary = summaryOf(events);
      expect(writes()).toBe(0);
      expect(summary).toMatchObject({ filesTotal: 41, filesSent: 0, filesSkipped: 41, bytesSent: 0 });
      expect(summary.bytesSkipped).toBe(summary.bytesTotal);
      // One listing decides the 40 small files (their ETags are their MD5s); the multipart
      // file's ETag on this store is not one its parts make, so it is asked by HeadObject.
      expect(s3.count('ListObjects')).toBe(1);
      expect(s3.count('HeadObject')).toBe(1);
      const files = events.filter((event): event is FileTransferred => event.type === 'file');
      expect(files.filter((file) => file.verified === 'md5')).toHaveLength(40);
      expect(files.find((file) => file.file === 'big.bin')).toMatchObject({
        action: 'skipped',
        verified: 'sha256',
      });
    });

    it('re-sends a file whose content changed while its size and mtime stayed the same', async () => {
      const path = join(source, 'd1/f5.bin');
      const before = await stat(path);
      const content = await readFile(path);
      content[0] = (content[0]! + 1) % 256;
      await writeFile(path, content);
      await utimes(path, before.atime, before.mtime);
      expect((await stat(path)).mtime.getTime()).toBe(before.mtime.getTime());

      const summary = summaryOf(await collect(upload(s3.provider, source, uri, options)));
      expect(s3.count('PutObject')).toBe(1);
      expect(writes()).toBe(1);
      expect(summary).toMatchObject({ filesSent: 1, filesSkipped: 40 });

      const back = join(await tempDir(), 'f5.bin');
      await lastValueFrom(downloadFile(s3.provider, `${uri}d1/f5.bin`, back));
      expect(await sha256File(back)).toBe(await sha256File(path));
    });

    it('re-sends a multipart file changed in its middle without touching its size or mtime', async () => {
      const path = join(source, 'big.bin');
      const before = await stat(path);
      const handle = await open(path, 'r+');
      await handle.write(Buffer.from('changed'), 0, 7, 7 * MIB);
      await handle.close();
      await utimes(path, before.atime, before.mtime);

      summaryOf(await collect(upload(s3.provider, source, uri, options)));
      expect(s3.count('CreateMultipartUpload')).toBe(1);
      expect(s3.count('UploadPart')).toBe(3);
      expect(s3.count('PutObject')).toBe(0);
    });
  });

  describe('what decides "unchanged" besides the listing', () => {
    it('an object holding the same bytes without our metadata is found unchanged by its ETag alone', async () => {
      const source = await tempDir();
      await writeRandomFile(join(source, 'same.bin'), 2000);
      const prefix = uniquePrefix('foreign-same');
      const client = createS3Client(s3.access);
      await client.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: `${prefix}/same.bin`,
          Body: await readFile(join(source, 'same.bin')),
        }),
      );
      client.destroy();
      s3.clear();
      const events = await collect(upload(s3.provider, source, `s3://${s3.bucket}/${prefix}/`));
      expect(writes() + s3.count('HeadObject')).toBe(0);
      expect(events.find((event) => event.type === 'file')).toMatchObject({
        action: 'skipped',
        verified: 'md5',
      });
    });

    it("where the listed ETag is not the file's MD5 (an encrypted object's), HeadObject's sha256 decides", async () => {
      const source = await tempDir();
      await writeRandomFile(join(source, 'a.bin'), 100);
      await writeRandomFile(join(source, 'b.bin'), 100);
      const prefix = uniquePrefix('opaque-etag');
      const uri = `s3://${s3.bucket}/${prefix}/`;
      await collect(upload(s3.provider, source, uri));
      await writeFile(join(source, 'b.bin'), Buffer.alloc(100, 1));
      // A store whose ETags are not MD5s: the listing shows sizes and opaque ETags.
      const contents = ['a.bin', 'b.bin']
        .map(
          (name) =>
            `<Contents><Key>${prefix}/${name}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>` +
            `<ETag>"${'e'.repeat(32)}"</ETag><Size>100</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('');
      s3.respond = (request) =>
        request.operation === 'ListObjects'
          ? {
              status: 200,
              body:
                `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
                `<Name>${s3.bucket}</Name><Prefix>${prefix}/</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>` +
                `<IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
            }
          : undefined;
      s3.clear();
      const events = await collect(upload(s3.provider, source, uri));
      expect(s3.count('HeadObject')).toBe(2);
      expect(s3.count('PutObject')).toBe(1);
      const files = events.filter((event): event is FileTransferred => event.type === 'file');
      expect(files.find((file) => file.file === 'a.bin')).toMatchObject({
        action: 'skipped',
        verified: 'sha256',
      });
      expect(files.find((file) => file.file === 'b.bin')).toMatchObject({ action: 'sent' });
    });
  });

  describe('multipart, read once', () => {
    const options = (stateDir: string): UploadOptions => ({
      multipartThreshold: 5 * MIB,
      partSize: 5 * MIB,
      stateDir,
    });

    it("writes the file's SHA-256 into the object's metadata after the data, by one copy of the object onto itself", async () => {
      const source = await tempDir();
      const path = join(source, 'big+1 é.bin');
      await writeRandomFile(path, 11 * MIB);
      const prefix = uniquePrefix('one-pass');
      await collect(
        upload(s3.provider, source, `s3://${s3.bucket}/${prefix}/`, options(await tempDir('mm-state-'))),
      );
      expect(s3.count('CreateMultipartUpload')).toBe(1);
      expect(s3.count('UploadPart')).toBe(3);
      // No HeadObject before sending: the listing showed no such object. (s3rver reads the copy
      // source's "+" its own way, so the copy may be asked twice: once per encoding.)
      expect(s3.count('HeadObject')).toBe(0);
      expect(s3.count('CopyObject')).toBeGreaterThanOrEqual(1);
      const client = createS3Client(s3.access);
      const head = await client.send(
        new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/big+1 é.bin` }),
      );
      client.destroy();
      expect(head.Metadata?.sha256).toBe(await sha256File(path));
      expect(head.ContentLength).toBe(11 * MIB);
      const back = join(await tempDir(), 'back.bin');
      const fetched = await collect(
        downloadFile(s3.provider, `s3://${s3.bucket}/${prefix}/big+1 é.bin`, back),
      );
      expect(fetched.find((event) => event.type === 'file')).toMatchObject({ verified: 'sha256' });
      expect(await sha256File(back)).toBe(await sha256File(path));
    });

    it('an object its parts made, left without the SHA-256 (stopped before the copy), gets it and is not sent again', async () => {
      const source = await tempDir();
      const path = join(source, 'big.bin');
      await writeRandomFile(path, 11 * MIB);
      const key = `${uniquePrefix('repair')}/big.bin`;
      const stateDir = await tempDir('mm-state-');
      await collect(upload(s3.provider, path, `s3://${s3.bucket}/${key}`, options(stateDir)));
      // What S3 answers for such an object: its multipart ETag (MD5 of the part MD5s, -3), no sha256.
      const content = await readFile(path);
      const partMd5 = [0, 1, 2].map((i) =>
        createHash('md5')
          .update(content.subarray(i * 5 * MIB, (i + 1) * 5 * MIB))
          .digest(),
      );
      const etag = `${createHash('md5').update(Buffer.concat(partMd5)).digest('hex')}-3`;
      s3.respond = (request) =>
        request.operation === 'HeadObject'
          ? { status: 200, body: '', headers: { etag: `"${etag}"`, 'content-length': String(11 * MIB) } }
          : undefined;
      s3.clear();
      const events = await collect(upload(s3.provider, path, `s3://${s3.bucket}/${key}`, options(stateDir)));
      expect(writes()).toBe(0);
      expect(s3.count('CopyObject')).toBe(1);
      const copy = s3.requests.find((request) => request.operation === 'CopyObject')!;
      expect(copy.headers['x-amz-meta-sha256']).toBe(await sha256File(path));
      expect(copy.headers['x-amz-copy-source-if-match']).toBe(`"${etag}"`);
      expect(events.find((event) => event.type === 'file')).toMatchObject({
        action: 'skipped',
        verified: 'sha256',
      });
    });
  });

  it('uploads a single file to the exact key, or below a key ending in "/", and skips it when unchanged', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.pt');
    await writeRandomFile(path, 3000);
    const prefix = uniquePrefix('single');
    await collect(upload(s3.provider, path, `s3://${s3.bucket}/${prefix}/exact.pt`));
    await collect(upload(s3.provider, path, `s3://${s3.bucket}/${prefix}/below/`));
    const keys = (await collect(listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`))).map((o) => o.key);
    expect(keys.sort()).toEqual([`${prefix}/below/model.pt`, `${prefix}/exact.pt`]);

    s3.clear();
    const again = summaryOf(await collect(upload(s3.provider, path, `s3://${s3.bucket}/${prefix}/exact.pt`)));
    expect(again).toMatchObject({ filesSkipped: 1, filesSent: 0 });
    expect(writes()).toBe(0);
  });

  it('leaves out .git, ignored patterns, and symlinks leading out of the tree; follows links inside it', async () => {
    const outside = await tempDir();
    await writeFile(join(outside, 'secret.txt'), 'do not upload');
    const source = await tempDir();
    await writeRandomFile(join(source, 'src/main.py'), 50);
    await writeRandomFile(join(source, 'src/cache.pyc'), 50);
    await writeRandomFile(join(source, '.git/config'), 50);
    await writeRandomFile(join(source, 'sub/.git'), 10);
    await writeRandomFile(join(source, 'data/raw/big.csv'), 50);
    await writeRandomFile(join(source, 'logs/run.log'), 50);
    await writeRandomFile(join(source, 'notes/logs'), 5);
    await symlink(join(outside, 'secret.txt'), join(source, 'leak.txt'));
    await symlink(outside, join(source, 'leakdir'));
    await symlink(join(source, 'missing'), join(source, 'dangling'));
    await symlink(join(source, 'src/main.py'), join(source, 'alias.py'));
    await symlink(join(source, 'src'), join(source, 'src-link'));
    await symlink(source, join(source, 'src/loop'));

    const prefix = uniquePrefix('filter');
    const events = await collect(
      upload(s3.provider, source, `s3://${s3.bucket}/${prefix}`, {
        ignore: ['*.pyc', 'data/raw', 'logs/', '# comment'],
      }),
    );
    const keys = (await collect(listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`)))
      .map((o) => o.key.slice(prefix.length + 1))
      .sort();
    expect(keys).toEqual(['alias.py', 'notes/logs', 'src-link/main.py', 'src/main.py']);
    expect(
      summaryOf(events)
        .leftOut.map((entry) => `${entry.path}:${entry.reason}`)
        .sort(),
    ).toEqual([
      'dangling:link-dangling',
      'leak.txt:link-outside',
      'leakdir:link-outside',
      'src-link/loop:link-cycle',
      'src/loop:link-cycle',
    ]);
  });

  it('fails with a ValidationError for an address that is not s3://bucket/key, before any request', async () => {
    await expect(collect(upload(s3.provider, '.', 'https://example.com/x'))).rejects.toMatchObject({
      _tag: 'ValidationError',
    });
    expect(s3.requests).toHaveLength(0);
  });

  it('goes on after a dropped connection: the request is sent again', async () => {
    const source = await tempDir();
    await writeRandomFile(join(source, 'a.bin'), 2000);
    let dropped = 0;
    s3.drop = (request) => request.operation === 'PutObject' && dropped++ === 0;
    const summary = summaryOf(
      await collect(
        upload(s3.provider, source, `s3://${s3.bucket}/${uniquePrefix('drop')}/`, { concurrency: 1 }),
      ),
    );
    expect(summary.filesSent).toBe(1);
    expect(s3.count('PutObject')).toBe(2);
  });

  it('retries a throttled request up to maxAttempts, the kernel drawing each jitter from `random`', async () => {
    const source = await tempDir();
    await writeRandomFile(join(source, 'a.bin'), 2000);
    s3.respond = (request) =>
      request.operation === 'PutObject'
        ? { status: 503, body: s3ErrorXml('SlowDown', 'Please reduce your request rate.') }
        : undefined;
    let draws = 0;
    const random = () => {
      draws += 1;
      return 0;
    };
    const target = `s3://${s3.bucket}/${uniquePrefix('slow')}/`;
    await expect(
      collect(upload(s3.provider, source, target, { maxAttempts: 4, random })),
    ).rejects.toMatchObject({
      _tag: 'StorageError',
      reason: 'SlowDown',
      status: 503,
    });
    expect(s3.count('PutObject')).toBe(4);
    expect(draws).toBe(3);
  });

  it("honours the store's Retry-After: one longer than the cap ends the retries at once", async () => {
    const source = await tempDir();
    await writeRandomFile(join(source, 'a.bin'), 2000);
    s3.respond = (request) =>
      request.operation === 'PutObject'
        ? {
            status: 503,
            body: s3ErrorXml('SlowDown', 'Please reduce your request rate.'),
            headers: { 'retry-after': '3600' },
          }
        : undefined;
    const target = `s3://${s3.bucket}/${uniquePrefix('after')}/`;
    const error = await collect(upload(s3.provider, source, target, { random: () => 0 })).catch(
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ _tag: 'StorageError', reason: 'SlowDown', retryAfterMs: 3_600_000 });
    expect(s3.count('PutObject')).toBe(1);
  });

  it('does not start before subscription and aborts in-flight requests on unsubscribe', async () => {
    const source = await tempDir();
    await writeRandomFile(join(source, 'a.bin'), 30 * MIB);
    const upload$ = upload(s3.provider, source, `s3://${s3.bucket}/${uniquePrefix('cold')}/`, {
      multipartThreshold: 64 * MIB,
      stateDir,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s3.requests).toHaveLength(0);

    // Unsubscribe mid-body, once the PUT has reached the store's proxy: the first bytes are read
    // (and counted) before the connection is made, and an abort then would never reach the proxy.
    const arrived = () => s3.requests.some((request) => request.operation === 'PutObject');
    const closed = new Promise<void>((resolve) => {
      const subscription = upload$.subscribe((event) => {
        if (event.type === 'progress' && event.bytesDone > 0 && arrived()) {
          subscription.unsubscribe();
          resolve();
        }
      });
    });
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const put = s3.requests.find((request) => request.operation === 'PutObject');
    expect(put).toBeDefined();
    // The proxy saw the client go away: no answer was ever forwarded for the PUT.
    expect(put!.status).toBeUndefined();
  });
});
