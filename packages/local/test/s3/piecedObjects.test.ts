import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableStore } from '../../src/s3/durableStore.js';
import { formatRecord, parseRecord } from '../../src/s3/objectRecord.js';
import { streamPieces } from '../../src/s3/pieces.js';
import { readObjectInfo, walkKeys } from '../../src/s3/storeLayout.js';
import { useEmbeddedS3 } from './embeddedS3Fixture.js';
import { isPlainVersion, partSizesOfVersion, sizeOfVersion } from './fixtures/storeWriterVersions.js';
import { committedVersions, startWriterProcess } from './fixtures/writerProcess.js';

const COMPLETER = fileURLToPath(new URL('./fixtures/store-completer.ts', import.meta.url));
const BUCKET = 'bkt';
/** How many times the completer is killed, each at another moment of a write. */
const KILLS = 8;

let root: string;
let directory: string;
let store: DurableStore;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mm-pieces-'));
  directory = join(root, 'store');
  store = new DurableStore(directory);
  await store.putBucket(BUCKET);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const multipartEtag = (parts: readonly Buffer[]) =>
  `${createHash('md5')
    .update(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))
    .digest('hex')}-${parts.length}`;

const uploadsOf = (dir: string) => join(dir, BUCKET, '._S3rver_uploads');
const piecesOf = (dir: string) => join(uploadsOf(dir), '.pieces');
const objectFile = (dir: string, key: string) => join(dir, BUCKET, `${key}._S3rver_object`);
const recordFile = (dir: string, key: string) => join(dir, BUCKET, `${key}._S3rver_metadata.json`);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Served {
  readonly bytes: Buffer;
  readonly metadata: Record<string, string | number>;
}

async function get(
  target: DurableStore,
  key: string,
  range?: { start?: number; end?: number },
): Promise<Served | undefined> {
  const object = (await target.getObject(BUCKET, key, range)) as {
    content: Readable | null;
    metadata: Record<string, string | number>;
  } | null;
  if (!object) return undefined;
  return {
    bytes: object.content ? await readAll(object.content) : Buffer.alloc(0),
    metadata: object.metadata,
  };
}

async function piecesIds(dir = directory): Promise<string[]> {
  return readdir(piecesOf(dir)).catch(() => []);
}

/** The pieces id the key's record stamps, if any. */
async function stampedPieces(key: string, dir = directory): Promise<string | undefined> {
  return parseRecord(await readFile(recordFile(dir, key), 'utf8')).commit?.pieces?.id;
}

async function startUpload(key: string, parts: readonly Buffer[], target = store) {
  const uploadId = randomBytes(16).toString('hex');
  await target.initiateUpload(BUCKET, key, uploadId, {
    'content-type': 'application/x-test',
    'x-amz-meta-origin': 'parts',
    authorization: 'never stored',
  });
  const listed: Array<{ number: number; etag: string }> = [];
  for (const [index, part] of parts.entries()) {
    const { md5: etag } = await target.putPart(BUCKET, uploadId, index + 1, Readable.from([part]));
    listed.push({ number: index + 1, etag });
  }
  return { uploadId, listed };
}

/** Uploads `parts` as a multipart upload of `key` and completes it with all of them. */
async function completeUpload(key: string, parts: readonly Buffer[], target = store) {
  const { uploadId, listed } = await startUpload(key, parts, target);
  return target.putObjectMultipart(BUCKET, uploadId, listed);
}

/** The file descriptors this process has open now. */
function openFiles(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resolves once `condition` holds (checked every 10 ms, up to 5 s). */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition never held');
}

async function putPlain(key: string, bytes: Buffer): Promise<void> {
  await store.putObject({ bucket: BUCKET, key, content: Readable.from([bytes]), metadata: {} });
}

describe('pieced objects: a completed multipart upload keeps its parts as the object', () => {
  it('serves the listed parts, whole and in ranges across piece boundaries, with S3 multipart ETag; unlisted parts go', async () => {
    const parts = [randomBytes(100_000), randomBytes(100_000), randomBytes(5_000), randomBytes(37)];
    const { uploadId, listed } = await startUpload('a/whole.bin', parts);
    // Part 3 is left out: the object is parts 1, 2 and 4.
    const kept = [parts[0]!, parts[1]!, parts[3]!];
    const content = Buffer.concat(kept);
    const result = await store.putObjectMultipart(BUCKET, uploadId, [listed[0]!, listed[1]!, listed[3]!]);
    expect(result).toEqual({ size: content.length, md5: multipartEtag(kept) });

    const whole = await get(store, 'a/whole.bin');
    expect(whole!.bytes.equals(content)).toBe(true);
    expect(whole!.metadata).toMatchObject({
      etag: JSON.stringify(multipartEtag(kept)),
      'content-length': content.length,
      'content-type': 'application/x-test',
      'x-amz-meta-origin': 'parts',
    });
    expect(whole!.metadata.authorization).toBeUndefined();
    for (const [start, end] of [
      [0, 0],
      [99_990, 100_009],
      [100_000, 100_000],
      [150_000, 200_036],
      [199_999, 200_036],
      [200_010, 999_999],
    ] as const) {
      const ranged = await get(store, 'a/whole.bin', { start, end });
      expect(ranged!.bytes.equals(content.subarray(start, end + 1))).toBe(true);
    }
    const head = await store.getMetadata(BUCKET, 'a/whole.bin');
    expect(head).toMatchObject({
      etag: JSON.stringify(multipartEtag(kept)),
      'content-length': content.length,
    });
    expect(await readObjectInfo(objectFile(directory, 'a/whole.bin'))).toMatchObject({
      size: content.length,
      etag: JSON.stringify(multipartEtag(kept)),
    });

    // The object file is an empty marker; the bytes are three pieces; the upload (and its part 3) is gone.
    expect((await stat(objectFile(directory, 'a/whole.bin'))).size).toBe(0);
    const id = await stampedPieces('a/whole.bin');
    expect((await readdir(join(piecesOf(directory), id!))).sort()).toEqual(['1', '2', '3', 'key']);
    expect(await readdir(uploadsOf(directory))).not.toContain(uploadId);
    const keys: string[] = [];
    for await (const { key } of walkKeys(join(directory, BUCKET), { prefix: 'a/' })) keys.push(key);
    expect(keys).toEqual(['a/whole.bin']);
  });

  it('answers InvalidPart for a missing part or a wrong ETag, InvalidPartOrder for parts out of order, and changes nothing', async () => {
    const key = 'b/invalid.bin';
    const old = Buffer.from('the object before');
    await putPlain(key, old);
    const parts = [randomBytes(1000), randomBytes(10)];
    const { uploadId, listed } = await startUpload(key, parts);
    await expect(
      store.putObjectMultipart(BUCKET, uploadId, [listed[0]!, { number: 3, etag: listed[1]!.etag }]),
    ).rejects.toMatchObject({ code: 'InvalidPart', status: 400 });
    await expect(
      store.putObjectMultipart(BUCKET, uploadId, [listed[0]!, { number: 2, etag: md5(Buffer.from('x')) }]),
    ).rejects.toMatchObject({ code: 'InvalidPart', status: 400 });
    await expect(store.putObjectMultipart(BUCKET, uploadId, [listed[1]!, listed[0]!])).rejects.toMatchObject({
      code: 'InvalidPartOrder',
      status: 400,
    });
    await expect(store.putObjectMultipart(BUCKET, 'f'.repeat(32), listed)).rejects.toMatchObject({
      code: 'NoSuchUpload',
      status: 404,
    });
    const before = await get(store, key);
    expect(before!.bytes.equals(old)).toBe(true);
    expect(before!.metadata.etag).toBe(JSON.stringify(md5(old)));

    // The upload is whole still: completing it properly (ETags quoted and upper-case, as clients may send) works.
    await store.putObjectMultipart(
      BUCKET,
      uploadId,
      listed.map((part) => ({ number: part.number, etag: part.etag.toUpperCase() })),
    );
    expect((await get(store, key))!.bytes.equals(Buffer.concat(parts))).toBe(true);
  });

  it('overwrites a pieced object by a plain PUT and by another upload, and a plain one by an upload, removing replaced pieces', async () => {
    const key = 'c/overwritten.bin';
    const first = [randomBytes(70_000), randomBytes(3)];
    await completeUpload(key, first);
    const firstPieces = await stampedPieces(key);
    expect(await piecesIds()).toContain(firstPieces);

    const plain = randomBytes(1234);
    await putPlain(key, plain);
    expect(await piecesIds()).not.toContain(firstPieces);
    const served = await get(store, key);
    expect(served!.bytes.equals(plain)).toBe(true);
    expect(served!.metadata.etag).toBe(JSON.stringify(md5(plain)));

    const second = [randomBytes(50_000), randomBytes(50_000)];
    await completeUpload(key, second);
    const secondPieces = await stampedPieces(key);
    expect((await get(store, key))!.bytes.equals(Buffer.concat(second))).toBe(true);

    const third = [randomBytes(10)];
    await completeUpload(key, third);
    expect(await piecesIds()).not.toContain(secondPieces);
    const last = await get(store, key);
    expect(last!.bytes.equals(third[0]!)).toBe(true);
    expect(last!.metadata.etag).toBe(JSON.stringify(multipartEtag(third)));
  });

  it('deletes a pieced object with its pieces', async () => {
    const key = 'd/deleted.bin';
    await completeUpload(key, [randomBytes(2000), randomBytes(2000)]);
    const id = await stampedPieces(key);
    await store.deleteObject(BUCKET, key);
    expect(await get(store, key)).toBeUndefined();
    expect(await piecesIds()).not.toContain(id);
    await expect(stat(join(directory, BUCKET, 'd'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('replaces the metadata in place keeping the pieces, and copies a pieced object to another key as one plain file', async () => {
    const key = 'e/source.bin';
    const parts = [randomBytes(60_000), randomBytes(60_000), randomBytes(99)];
    const content = Buffer.concat(parts);
    await completeUpload(key, parts);
    const id = await stampedPieces(key);

    await store.copyObject(BUCKET, key, BUCKET, key, {
      'x-amz-meta-sha256': 'abc',
      'content-type': 'text/x',
    });
    expect(await stampedPieces(key)).toBe(id);
    const replaced = await get(store, key);
    expect(replaced!.bytes.equals(content)).toBe(true);
    expect(replaced!.metadata).toMatchObject({
      etag: JSON.stringify(multipartEtag(parts)),
      'x-amz-meta-sha256': 'abc',
      'content-type': 'text/x',
    });
    expect(await piecesIds()).toContain(id);

    await store.copyObject(BUCKET, key, BUCKET, 'e/copy.bin', null);
    expect(await stampedPieces('e/copy.bin')).toBeUndefined();
    expect((await stat(objectFile(directory, 'e/copy.bin'))).size).toBe(content.length);
    await store.deleteObject(BUCKET, key);
    const copy = await get(store, 'e/copy.bin');
    expect(copy!.bytes.equals(content)).toBe(true);
    expect(copy!.metadata).toMatchObject({ etag: JSON.stringify(md5(content)), 'x-amz-meta-sha256': 'abc' });
  });

  it('refuses a metadata replacement that raced an overwrite (OperationAborted) instead of stamping the old pieces', async () => {
    const key = 'e/raced.bin';
    await completeUpload(key, [randomBytes(1000)]);
    const oldPieces = await stampedPieces(key);
    const racing = new DurableStore(directory);
    // An overwrite lands after the copy opened the source and before it commits.
    const fresh = randomBytes(500);
    const internals = racing as unknown as { commit: (...args: unknown[]) => Promise<void> };
    const commit = internals.commit.bind(racing);
    internals.commit = async (...args) => {
      await putPlain(key, fresh);
      return commit(...args);
    };
    await expect(
      racing.copyObject(BUCKET, key, BUCKET, key, { 'x-amz-meta-sha256': 'stale' }),
    ).rejects.toMatchObject({ code: 'OperationAborted' });
    const served = await get(store, key);
    expect(served!.bytes.equals(fresh)).toBe(true);
    expect(served!.metadata.etag).toBe(JSON.stringify(md5(fresh)));
    expect(served!.metadata['x-amz-meta-sha256']).toBeUndefined();
    expect(await piecesIds()).not.toContain(oldPieces);
  });

  it('serves a GET opened before an overwrite or a delete the old pieced version whole', async () => {
    const key = 'f/raced.bin';
    const parts = [randomBytes(300_000), randomBytes(300_000)];
    await completeUpload(key, parts);
    const reading = (await store.getObject(BUCKET, key)) as {
      content: Readable;
      metadata: Record<string, string>;
    };
    const ranged = (await store.getObject(BUCKET, key, { start: 299_000, end: 301_000 })) as {
      content: Readable;
    };
    const oldPieces = await stampedPieces(key);
    await putPlain(key, randomBytes(10));
    await store.deleteObject(BUCKET, key);
    // The old pieces stay while their readers read…
    expect(await piecesIds()).toContain(oldPieces);
    expect((await readAll(reading.content)).equals(Buffer.concat(parts))).toBe(true);
    expect(reading.metadata.etag).toBe(JSON.stringify(multipartEtag(parts)));
    expect(await piecesIds()).toContain(oldPieces);
    expect((await readAll(ranged.content)).equals(Buffer.concat(parts).subarray(299_000, 301_001))).toBe(
      true,
    );
    // …and go once the last one is done.
    await waitFor(async () => !(await piecesIds()).includes(oldPieces!));
  });

  it('reads an object of many pieces with one open file at a time', async () => {
    const key = 'f/many.bin';
    const parts = Array.from({ length: 300 }, (_, index) => Buffer.alloc(100, index));
    await completeUpload(key, parts);
    const before = openFiles();
    const { content } = (await store.getObject(BUCKET, key)) as { content: Readable };
    const chunks: Buffer[] = [];
    let most = 0;
    for await (const chunk of content) {
      chunks.push(chunk as Buffer);
      most = Math.max(most, openFiles() - before);
    }
    expect(Buffer.concat(chunks).equals(Buffer.concat(parts))).toBe(true);
    // 300 pieces, each opened when the stream reaches it (a few descriptors of Node's own come and go).
    expect(most).toBeLessThan(10);
  });

  it('closes a GET body nobody reads (s3rver’s 304) after its deadline, letting replaced pieces go', async () => {
    const quick = new DurableStore(directory, { unreadBodyMs: 30 });
    const key = 'f/unread.bin';
    await completeUpload(key, [randomBytes(1000), randomBytes(10)], quick);
    const oldPieces = await stampedPieces(key);
    const { content } = (await quick.getObject(BUCKET, key)) as { content: Readable };
    await completeUpload(key, [randomBytes(20)], quick);
    expect(await piecesIds()).toContain(oldPieces);
    await once(content, 'close');
    await waitFor(async () => !(await piecesIds()).includes(oldPieces!));
  });

  it('lets the pieces go when its stream is destroyed unread (a HEAD, a 304)', async () => {
    let released = 0;
    const stream = streamPieces(
      { directory: join(root, 'nowhere'), sizes: [1, 2], release: () => released++ },
      0,
      2,
    );
    stream.destroy();
    await once(stream, 'close');
    expect(released).toBe(1);
  });

  it('at start finishes a pieced write killed between its commit and its marker rename, and sweeps pieces no record names', async () => {
    const dir = join(root, 'recover');
    const target = new DurableStore(dir);
    await target.putBucket(BUCKET);
    const key = 'g/object.bin';
    const parts = [randomBytes(5000), randomBytes(5000)];
    await completeUpload(key, parts, target);
    const kept = await stampedPieces(key, dir);

    // An orphan: pieces of this key that no record names (an overwrite killed before removing them).
    const orphan = join(piecesOf(dir), 'orphan-1');
    await mkdir(orphan, { recursive: true });
    await writeFile(join(orphan, '1'), 'stale');
    await writeFile(join(orphan, 'key'), key);
    // A committed write of another key whose marker is still staged.
    const staging = join(uploadsOf(dir), '.staging');
    await mkdir(staging, { recursive: true });
    const fresh = join(piecesOf(dir), 'w9');
    await mkdir(fresh);
    const bytes = [Buffer.from('first piece '), Buffer.from('second piece')];
    await writeFile(join(fresh, '1'), bytes[0]!);
    await writeFile(join(fresh, '2'), bytes[1]!);
    await writeFile(join(fresh, 'key'), 'g/other.bin');
    await writeFile(join(staging, 'w9.object'), '');
    await writeFile(join(staging, 'w9.intent'), JSON.stringify({ key: 'g/other.bin' }));
    const ino = (await stat(join(staging, 'w9.object'), { bigint: true })).ino.toString();
    await writeFile(
      recordFile(dir, 'g/other.bin'),
      formatRecord(
        {},
        {
          md5: multipartEtag(bytes),
          size: 24,
          ino,
          staged: 'w9',
          pieces: { id: 'w9', sizes: [12, 12] },
        },
      ),
    );

    expect(await new DurableStore(dir).recover()).toBe(1);
    expect((await piecesIds(dir)).sort()).toEqual([kept, 'w9'].sort());
    const other = await get(target, 'g/other.bin');
    expect(other!.bytes.toString()).toBe('first piece second piece');
    expect(other!.metadata.etag).toBe(JSON.stringify(multipartEtag(bytes)));
    expect((await get(target, key))!.bytes.equals(Buffer.concat(parts))).toBe(true);
  });

  it('leaves the old or the new object whole when a writer completing uploads is killed (SIGKILL) at any moment', async () => {
    const dir = join(root, 'killed');
    const key = 'dir/object.bin';
    let next = 1;
    for (let kill = 0; kill < KILLS; kill++) {
      const { child, lines } = await startWriterProcess(COMPLETER, dir, BUCKET, key, next);
      await new Promise<void>((resolve) => {
        const check = () => (committedVersions(lines).length > 0 ? resolve() : setTimeout(check, 5));
        check();
      });
      await new Promise((resolve) => setTimeout(resolve, 5 * kill));
      child.kill('SIGKILL');
      await once(child, 'exit');
      const last = committedVersions(lines).at(-1)!;

      const target = new DurableStore(dir);
      await target.recover();
      const object = await get(target, key);
      expect(object).toBeDefined();
      const version = Number(object!.metadata['x-amz-meta-version']);
      expect([last, last + 1]).toContain(version);
      expect(object!.bytes.length).toBe(sizeOfVersion(version));
      expect(object!.bytes.every((b) => b === version % 256)).toBe(true);
      const expectedEtag = isPlainVersion(version)
        ? md5(object!.bytes)
        : multipartEtag(partSizesOfVersion(version).map((size) => Buffer.alloc(size, version % 256)));
      expect(object!.metadata.etag).toBe(JSON.stringify(expectedEtag));
      // Only the current object's pieces remain, and nothing staged.
      const current = await stampedPieces(key, dir);
      expect(await piecesIds(dir)).toEqual(current === undefined ? [] : [current]);
      await expect(stat(join(uploadsOf(dir), '.staging'))).rejects.toMatchObject({ code: 'ENOENT' });
      next = version + 1;
    }
  }, 120_000);
});

describe('CompleteMultipartUpload through the embedded S3', () => {
  const s3 = useEmbeddedS3('mm-pieces-http-', 'http-bucket');

  it('answers the multipart ETag (also in listings and ranged GETs), and 400 InvalidPart for a wrong part ETag', async () => {
    const Bucket = 'http-bucket';
    const Key = 'model/weights.bin';
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const etags: string[] = [];
    for (const [index, Body] of parts.entries()) {
      const { ETag } = await s3.client.send(
        new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: index + 1, Body }),
      );
      etags.push(ETag!);
    }
    await expect(
      s3.client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: etags[0] },
              { PartNumber: 2, ETag: `"${md5(Buffer.from('other'))}"` },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPart', $metadata: { httpStatusCode: 400 } });
    const done = await s3.client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ PartNumber: index + 1, ETag })) },
      }),
    );
    const expected = JSON.stringify(multipartEtag(parts));
    expect(done.ETag).toBe(expected);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket, Prefix: 'model/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size, o.ETag])).toEqual([
      [Key, parts[0]!.length + parts[1]!.length, expected],
    ]);
    const start = parts[0]!.length - 10;
    const ranged = await s3.client.send(
      new GetObjectCommand({ Bucket, Key, Range: `bytes=${start}-${start + 19}` }),
    );
    expect(ranged.ETag).toBe(expected);
    expect(
      Buffer.from(await ranged.Body!.transformToByteArray()).equals(
        Buffer.concat(parts).subarray(start, start + 20),
      ),
    ).toBe(true);
  });
});
