import { createHash, randomBytes } from 'node:crypto';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestPool } from '../../../../src/client/storage/internal/digest-pool.js';
import { cleanupTempDirs, tempDir } from '../fixture.js';

describe('digestPool: small files read and hashed in a worker thread', () => {
  afterAll(cleanupTempDirs);

  it('gives each file its bytes, size, SHA-256 and MD5, many asked at once', async () => {
    const dir = await tempDir();
    const contents = Array.from({ length: 40 }, (_, i) => randomBytes(i * 97));
    await Promise.all(contents.map((content, i) => writeFile(join(dir, `f${i}`), content)));
    const pool = digestPool();
    try {
      const digests = await Promise.all(contents.map((_, i) => pool.digest(join(dir, `f${i}`))));
      for (const [i, digest] of digests.entries()) {
        expect(digest.content?.equals(contents[i]!)).toBe(true);
        expect(digest.size).toBe(contents[i]!.length);
        expect(digest.sha256).toBe(createHash('sha256').update(contents[i]!).digest('hex'));
        expect(digest.md5).toBe(createHash('md5').update(contents[i]!).digest('base64'));
      }
    } finally {
      pool.close();
    }
  });

  it("fails with Node's error code: a missing file, and a symlink (never followed, as the walk found a file)", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'real'), 'x');
    await symlink(join(dir, 'real'), join(dir, 'link'));
    const pool = digestPool();
    try {
      await expect(pool.digest(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(pool.digest(join(dir, 'link'))).rejects.toMatchObject({ code: 'ELOOP' });
      // The pool still works after failures.
      await expect(pool.digest(join(dir, 'real'))).resolves.toMatchObject({ size: 1 });
    } finally {
      pool.close();
    }
  });

  it('reads on the event loop once closed (a late request is still answered)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'f'), 'late');
    const pool = digestPool();
    pool.close();
    await expect(pool.digest(join(dir, 'f'))).resolves.toMatchObject({ size: 4 });
  });
});
