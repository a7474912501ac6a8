import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableStore } from '../../src/s3/durableStore.js';
import { formatRecord } from '../../src/s3/objectRecord.js';
import { walkKeys } from '../../src/s3/storeLayout.js';
import { sizeOfVersion } from './fixtures/storeWriterVersions.js';
import { committedVersions, startWriterProcess } from './fixtures/writerProcess.js';

const WRITER = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
const BUCKET = 'bkt';
const KEY = 'dir/object.bin';
/** How many times the writer is killed, each at another moment of a write. */
const KILLS = 6;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mm-durable-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The object as the store serves it: bytes, ETag and metadata from one GET. */
async function get(store: DurableStore, key = KEY) {
  const object = (await store.getObject(BUCKET, key)) as {
    content: Readable;
    metadata: Record<string, string>;
  } | null;
  if (!object) return undefined;
  return { bytes: await readAll(object.content), metadata: object.metadata };
}

async function keysOf(directory: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of walkKeys(join(directory, BUCKET), { prefix: '' })) keys.push(key);
  return keys;
}

describe('the durable store', () => {
  it('leaves the old or the new object whole, with its own checksum, when the writer is killed (SIGKILL) at any moment', async () => {
    const directory = join(root, 'killed');
    let next = 1;
    for (let kill = 0; kill < KILLS; kill++) {
      const { child, lines } = await startWriterProcess(WRITER, directory, BUCKET, KEY, next);
      // Let it commit at least once, then kill it a different while into a later write.
      await new Promise<void>((resolve) => {
        const check = () => (committedVersions(lines).length > 0 ? resolve() : setTimeout(check, 5));
        check();
      });
      await new Promise((resolve) => setTimeout(resolve, 7 * kill));
      child.kill('SIGKILL');
      await once(child, 'exit');
      const done = committedVersions(lines);
      const last = done.at(-1)!;

      const store = new DurableStore(directory);
      await store.recover();
      const object = await get(store);
      expect(object).toBeDefined();
      const version = Number(object!.metadata['x-amz-meta-version']);
      // The last committed version, or the one under way when the kill came (its commit had happened).
      expect([last, last + 1]).toContain(version);
      expect(object!.bytes.length).toBe(sizeOfVersion(version));
      expect(object!.bytes.every((b) => b === version % 256)).toBe(true);
      expect(object!.metadata.etag).toBe(JSON.stringify(md5(object!.bytes)));
      expect(object!.metadata['content-length']).toBe(sizeOfVersion(version));
      expect(await keysOf(directory)).toEqual([KEY]);
      // Nothing staged is left behind once recovered.
      await expect(stat(join(directory, BUCKET, '._S3rver_uploads', '.staging'))).rejects.toMatchObject({
        code: 'ENOENT',
      });
      next = version + 1;
    }
  }, 120_000);

  it('finishes at start a write killed between its commit and the rename of its bytes', async () => {
    const directory = join(root, 'between');
    const store = new DurableStore(directory);
    await store.putBucket(BUCKET);
    const old = Buffer.from('the old content');
    await store.putObject({ bucket: BUCKET, key: KEY, content: Readable.from([old]), metadata: {} });

    // The state a kill between the two renames leaves: the record names bytes still staged.
    const staging = join(directory, BUCKET, '._S3rver_uploads', '.staging');
    await mkdir(staging, { recursive: true });
    const fresh = Buffer.from('the new content, longer');
    await writeFile(join(staging, 'w1.object'), fresh);
    await writeFile(join(staging, 'w1.intent'), JSON.stringify({ key: KEY }));
    const ino = (await stat(join(staging, 'w1.object'), { bigint: true })).ino.toString();
    await writeFile(
      join(directory, BUCKET, 'dir', 'object.bin._S3rver_metadata.json'),
      formatRecord(
        { 'content-type': 'text/plain' },
        { md5: md5(fresh), size: fresh.length, ino, staged: 'w1' },
      ),
    );
    // Before recovery the record does not describe the bytes there: the checksum served is the bytes' own.
    const before = await get(store);
    expect(before!.bytes.equals(old)).toBe(true);
    expect(before!.metadata.etag).toBe(JSON.stringify(md5(old)));

    expect(await new DurableStore(directory).recover()).toBe(1);
    const after = await get(store);
    expect(after!.bytes.equals(fresh)).toBe(true);
    expect(after!.metadata.etag).toBe(JSON.stringify(md5(fresh)));
    expect(after!.metadata['content-type']).toBe('text/plain');
    expect(await readdir(join(directory, BUCKET, '._S3rver_uploads'))).toEqual([]);
  });

  it('discards at start a write killed before its commit, and never lists what it staged', async () => {
    const directory = join(root, 'before');
    const store = new DurableStore(directory);
    await store.putBucket(BUCKET);
    const old = Buffer.from('kept');
    await store.putObject({ bucket: BUCKET, key: KEY, content: Readable.from([old]), metadata: {} });
    const staging = join(directory, BUCKET, '._S3rver_uploads', '.staging');
    await mkdir(staging, { recursive: true });
    await writeFile(join(staging, 'w2.object'), 'half of a new ');
    await writeFile(join(staging, 'w2.intent'), JSON.stringify({ key: 'dir/other.bin' }));
    await writeFile(join(staging, 'w2.record'), '{"content-ty');

    expect(await keysOf(directory)).toEqual([KEY]);
    expect(await new DurableStore(directory).recover()).toBe(0);
    expect((await get(store))!.bytes.equals(old)).toBe(true);
    expect(await get(store, 'dir/other.bin')).toBeUndefined();
    expect(await readdir(join(directory, BUCKET, '._S3rver_uploads'))).toEqual([]);
  });

  it('discards at start a write killed while its intent and record were being flushed side by side', async () => {
    const directory = join(root, 'side-by-side');
    const store = new DurableStore(directory);
    await store.putBucket(BUCKET);
    const old = Buffer.from('the old object');
    await store.putObject({ bucket: BUCKET, key: KEY, content: Readable.from([old]), metadata: {} });
    const staging = join(directory, BUCKET, '._S3rver_uploads', '.staging');
    await mkdir(staging, { recursive: true });
    const fresh = Buffer.from('a new object');
    // The record staged whole but the intent not yet written, and the reverse with a torn record;
    // and an intent torn while the record was whole.
    for (const [id, intent, record] of [
      ['w3', undefined, formatRecord({}, { md5: md5(fresh), size: fresh.length, ino: '1', staged: 'w3' })],
      ['w4', JSON.stringify({ key: KEY }), '{"modelmaker:comm'],
      ['w5', '{"ke', formatRecord({}, { md5: md5(fresh), size: fresh.length, ino: '1', staged: 'w5' })],
    ] as const) {
      await writeFile(join(staging, `${id}.object`), fresh);
      if (intent !== undefined) await writeFile(join(staging, `${id}.intent`), intent);
      await writeFile(join(staging, `${id}.record`), record);
    }
    expect(await new DurableStore(directory).recover()).toBe(0);
    const object = await get(store);
    expect(object!.bytes.equals(old)).toBe(true);
    expect(object!.metadata.etag).toBe(JSON.stringify(md5(old)));
    expect(await readdir(join(directory, BUCKET, '._S3rver_uploads'))).toEqual([]);
  });

  it('writes a body handed over in memory, again after its bucket was deleted and made again, and refuses one to a bucket removed by hand', async () => {
    const directory = join(root, 'received');
    const store = new DurableStore(directory);
    await store.putBucket(BUCKET);
    const bytes = Buffer.from('received whole');
    const content = { _tag: 'ReceivedBytes', bytes, md5: md5(bytes) } as const;
    expect(await store.putObject({ bucket: BUCKET, key: KEY, content, metadata: {} })).toEqual({
      size: bytes.length,
      md5: md5(bytes),
    });
    expect((await get(store))!.bytes.equals(bytes)).toBe(true);
    // The staging directory the store made once goes with its bucket: it is made again.
    await store.deleteBucket(BUCKET);
    await store.putBucket(BUCKET);
    await store.putObject({ bucket: BUCKET, key: KEY, content, metadata: { 'x-amz-meta-again': 'yes' } });
    const again = await get(store);
    expect(again!.bytes.equals(bytes)).toBe(true);
    expect(again!.metadata['x-amz-meta-again']).toBe('yes');
    // Removed behind the store's back: the write finds out, and does not make the bucket again.
    await rm(join(directory, BUCKET), { recursive: true, force: true });
    expect(await store.hasBucket(BUCKET)).toBe(true);
    await expect(
      store.putObject({ bucket: BUCKET, key: 'other', content, metadata: {} }),
    ).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
    await expect(stat(join(directory, BUCKET))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await store.hasBucket(BUCKET)).toBe(false);
    await store.putBucket(BUCKET);
    await store.putObject({ bucket: BUCKET, key: 'other', content, metadata: {} });
    expect((await get(store, 'other'))!.bytes.equals(bytes)).toBe(true);
  });

  it('serves a GET that opened before an overwrite the old version whole, with the old checksum', async () => {
    const directory = join(root, 'race');
    const store = new DurableStore(directory);
    await store.putBucket(BUCKET);
    const first = Buffer.alloc(300_000, 1);
    const second = Buffer.alloc(100_000, 2);
    await store.putObject({ bucket: BUCKET, key: KEY, content: Readable.from([first]), metadata: {} });
    const reading = (await store.getObject(BUCKET, KEY)) as {
      content: Readable;
      metadata: Record<string, string>;
    };
    await store.putObject({ bucket: BUCKET, key: KEY, content: Readable.from([second]), metadata: {} });
    const bytes = await readAll(reading.content);
    expect(bytes.equals(first)).toBe(true);
    expect(reading.metadata.etag).toBe(JSON.stringify(md5(first)));
    expect((await get(store))!.bytes.equals(second)).toBe(true);
  });

  it('reads objects an older build (s3rver itself) wrote: .md5 file or the bytes hashed', async () => {
    const directory = join(root, 'legacy');
    await mkdir(join(directory, BUCKET, 'a'), { recursive: true });
    await writeFile(join(directory, BUCKET, 'a', 'x._S3rver_object'), 'legacy bytes');
    await writeFile(join(directory, BUCKET, 'a', 'x._S3rver_metadata.json'), '{"content-type":"text/plain"}');
    await writeFile(join(directory, BUCKET, 'a', 'y._S3rver_object'), 'no md5 file');
    await writeFile(join(directory, BUCKET, 'a', 'x._S3rver_object.md5'), md5(Buffer.from('legacy bytes')));
    const store = new DurableStore(directory);
    const x = await get(store, 'a/x');
    expect(x!.metadata).toMatchObject({
      'content-type': 'text/plain',
      etag: JSON.stringify(md5(Buffer.from('legacy bytes'))),
    });
    const y = await get(store, 'a/y');
    expect(y!.metadata.etag).toBe(JSON.stringify(md5(Buffer.from('no md5 file'))));
    // Reading writes nothing (s3rver would have created the missing .md5 file).
    await expect(readFile(join(directory, BUCKET, 'a', 'y._S3rver_object.md5'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
