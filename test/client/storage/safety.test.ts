import { lstat, mkdir, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client, download, isSummary } from '../../../src/client/storage/index.js';
import { keySegments } from '../../../src/client/storage/internal/safe-path.js';
import {
  cleanupTempDirs,
  collect,
  listingXml,
  type S3Fixture,
  startS3,
  tempDir,
  uniquePrefix,
} from './fixture.js';

/** Every path below `root` (not following symlinks), with what it is. */
async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      out.push(`${relative(root, path)}${entry.isDirectory() ? '/' : entry.isSymbolicLink() ? '@' : ''}`);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return out.sort();
}

/** Segments a hostile key is built from. */
const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '',
    'a',
    'b',
    'C:',
    'c:',
    '..\\..',
    'x\\y',
    'nul\0byte',
    'escape',
    'é',
    '~',
    '...',
  ),
  fc.stringMatching(/^[a-z.]{1,4}$/),
);
const hostileKey = fc
  .tuple(
    fc.constantFrom('', '/', '\\', 'C:', 'C:\\', 'D:/'),
    fc.array(hostileSegment, { minLength: 1, maxLength: 5 }),
  )
  .map(([lead, segments]) => lead + segments.join('/'));

describe('object keys never land outside the target directory', () => {
  let s3: S3Fixture;

  beforeAll(async () => {
    s3 = await startS3();
  });
  beforeEach(() => {
    s3.respond = undefined;
    s3.clear();
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('a listing with any key (fast-check: "..", absolute, drive letters, backslashes, NUL) writes only inside the real target', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(hostileKey, { minLength: 1, maxLength: 5 }), async (keys) => {
        const sandbox = await tempDir('mm-sandbox-');
        const real = join(sandbox, 'real-target');
        const outside = join(sandbox, 'outside');
        await mkdir(real);
        await mkdir(outside);
        // The target is itself a symlink, and holds a symlink leading out.
        const target = join(sandbox, 'target-link');
        await symlink(real, target);
        await symlink(outside, join(real, 'escape'));
        const before = await snapshot(sandbox);

        const prefix = `${uniquePrefix('hostile')}/`;
        const listed = keys.map((key) => ({ key: prefix + key, size: 1 }));
        // Safe-looking keys really exist in the store, so the whole fetch path runs for them.
        const client = createS3Client(s3.access);
        for (const { key } of listed) {
          if (typeof keySegments(key, prefix) !== 'string') {
            await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'x' }));
          }
        }
        client.destroy();
        s3.respond = (request) =>
          request.operation === 'ListObjects'
            ? { status: 200, body: listingXml(s3.bucket, prefix, listed) }
            : undefined;

        // Strict mode: an unsafe key fails the transfer before anything is written.
        const strict = await collect(download(s3.provider, `s3://${s3.bucket}/${prefix}`, target)).then(
          () => undefined,
          (error: unknown) => error,
        );
        const unsafe = keys.filter((key) => typeof keySegments(prefix + key, prefix) === 'string');
        if (unsafe.length > 0) {
          expect(strict).toMatchObject({ _tag: 'UnsafePathError' });
          expect(await snapshot(sandbox)).toEqual(before);
        }

        // Lenient mode: unsafe keys are skipped; symlink escapes fail; nothing lands outside.
        const lenient = await collect(
          download(s3.provider, `s3://${s3.bucket}/${prefix}`, target, {
            onUnsafeKey: 'skip',
            concurrency: 1,
          }),
        ).then(
          (events) => events.filter(isSummary)[0],
          (error: unknown) => error,
        );
        if (lenient && 'rejectedKeys' in (lenient as object)) {
          expect((lenient as { rejectedKeys: string[] }).rejectedKeys.sort()).toEqual(
            unsafe.map((k) => prefix + k).sort(),
          );
        } else {
          // A symlink escape, or a key that is both a file and a directory (`a` and `a/b`).
          expect(['UnsafePathError', 'StorageError']).toContain((lenient as { _tag?: string })._tag);
        }
        expect(await readdir(outside)).toEqual([]);
        const realRoot = await realpath(real);
        for (const entry of await snapshot(sandbox)) {
          if (before.includes(entry)) continue;
          const path = join(sandbox, entry.replace(/[/@]$/, ''));
          expect(`${await realpath(path)}${sep}`.startsWith(`${realRoot}${sep}`)).toBe(true);
          expect((await lstat(path)).isSymbolicLink()).toBe(false);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('rejects backslash and drive-letter keys a real store holds, naming the key and writing nothing', async () => {
    const prefix = `${uniquePrefix('stored')}/`;
    const client = createS3Client(s3.access);
    for (const key of ['ok.txt', 'a\\..\\..\\evil.txt', 'C:/evil.txt']) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: prefix + key, Body: 'x' }));
    }
    client.destroy();
    const target = await tempDir();

    const error = await collect(download(s3.provider, `s3://${s3.bucket}/${prefix}`, target)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ _tag: 'UnsafePathError' });
    expect([`${prefix}a\\..\\..\\evil.txt`, `${prefix}C:/evil.txt`]).toContain(
      (error as { key: string }).key,
    );
    expect(await readdir(target)).toEqual([]);
    expect(s3.count('GetObject')).toBe(0);

    const events = await collect(
      download(s3.provider, `s3://${s3.bucket}/${prefix}`, target, { onUnsafeKey: 'skip' }),
    );
    expect([...events.filter(isSummary)[0]!.rejectedKeys].sort()).toEqual(
      [`${prefix}C:/evil.txt`, `${prefix}a\\..\\..\\evil.txt`].sort(),
    );
    expect(await readdir(target)).toEqual(['ok.txt']);
  });

  it('refuses a key whose directory is a symlink in the target leading out of it', async () => {
    const outside = await tempDir();
    const target = await tempDir();
    await symlink(outside, join(target, 'link'));
    await writeFile(join(outside, 'keep.txt'), 'mine');
    const prefix = `${uniquePrefix('via-link')}/`;
    const client = createS3Client(s3.access);
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}link/keep.txt`, Body: 'overwritten' }),
    );
    client.destroy();

    await expect(collect(download(s3.provider, `s3://${s3.bucket}/${prefix}`, target))).rejects.toMatchObject(
      {
        _tag: 'UnsafePathError',
        key: `${prefix}link/keep.txt`,
      },
    );
    expect(await readdir(outside)).toEqual(['keep.txt']);
    expect(await readFile(join(outside, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
