import { createHash, randomBytes } from 'node:crypto';
import { appendFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PartReader } from '../../../../src/client/storage/internal/part-reader.js';
import { partRanges } from '../../../../src/client/storage/internal/part-size.js';
import { cleanupTempDirs, tempDir } from '../fixture.js';

const PART = 1000;

async function fileOf(content: Buffer): Promise<string> {
  const path = join(await tempDir(), 'file.bin');
  await writeFile(path, content);
  return path;
}

const md5 = (content: Buffer) => createHash('md5').update(content).digest('base64');

describe('PartReader: the one read pass of a multipart upload', () => {
  afterAll(cleanupTempDirs);

  it('reads the parts asked all at once in file order: each with its MD5, then the SHA-256 of the whole', async () => {
    const content = randomBytes(3 * PART + 17);
    const path = await fileOf(content);
    const reader = new PartReader({ path, size: content.length, uri: 's3://b/k', chunkBytes: 64 });
    const ranges = partRanges(content.length, PART);
    // Asked together, as parallel senders would: the reads still run one after the other, in order.
    const parts = await Promise.all(ranges.map((range) => reader.read(range)));
    for (const [index, part] of parts.entries()) {
      const bytes = content.subarray(ranges[index]!.start, ranges[index]!.start + ranges[index]!.size);
      expect(part.content.equals(bytes)).toBe(true);
      expect(part.md5).toBe(md5(bytes));
    }
    expect(await reader.sha256()).toBe(createHash('sha256').update(content).digest('hex'));
    await reader.close();
  });

  it('reads the next part into the memory of a released one, and into new memory while none is released', async () => {
    const content = randomBytes(3 * PART + 17);
    const path = await fileOf(content);
    const reader = new PartReader({ path, size: content.length, uri: 's3://b/k', chunkBytes: 64 });
    const [first, second, third, last] = partRanges(content.length, PART);
    const one = await reader.read(first!);
    const two = await reader.read(second!);
    expect(two.content.buffer).not.toBe(one.content.buffer);
    reader.release(one);
    const three = await reader.read(third!);
    expect(three.content.buffer).toBe(one.content.buffer);
    expect(three.content.equals(content.subarray(2 * PART, 3 * PART))).toBe(true);
    expect(three.md5).toBe(md5(content.subarray(2 * PART, 3 * PART)));
    // The shorter last part is a slice of a released part's memory.
    reader.release(two);
    const tail = await reader.read(last!);
    expect(tail.content.buffer).toBe(two.content.buffer);
    expect(tail.content.equals(content.subarray(3 * PART))).toBe(true);
    expect(await reader.sha256()).toBe(createHash('sha256').update(content).digest('hex'));
    await reader.close();
  });

  it('fails with reason "changed" when the file is shorter than listed', async () => {
    const content = randomBytes(2 * PART);
    const path = await fileOf(content);
    const reader = new PartReader({ path, size: content.length, uri: 's3://b/k' });
    const [first, second] = partRanges(content.length, PART);
    await reader.read(first!);
    await truncate(path, PART + 10);
    await expect(reader.read(second!)).rejects.toMatchObject({ _tag: 'StorageError', reason: 'changed' });
    await reader.close();
  });

  it('fails with reason "changed" when the file grew past its listed size', async () => {
    const content = randomBytes(PART + 1);
    const path = await fileOf(content);
    const reader = new PartReader({ path, size: content.length, uri: 's3://b/k' });
    for (const range of partRanges(content.length, PART)) await reader.read(range);
    await appendFile(path, 'more');
    await expect(reader.sha256()).rejects.toMatchObject({ _tag: 'StorageError', reason: 'changed' });
    await reader.close();
  });

  it('fails with reason "changed" when a part no longer has the MD5 it was hashed with', async () => {
    const content = randomBytes(2 * PART);
    const path = await fileOf(content);
    const expectedMd5 = [md5(content.subarray(0, PART)), md5(randomBytes(PART))];
    const reader = new PartReader({ path, size: content.length, uri: 's3://b/k', expectedMd5 });
    const [first, second] = partRanges(content.length, PART);
    await expect(reader.read(first!)).resolves.toMatchObject({ md5: expectedMd5[0] });
    await expect(reader.read(second!)).rejects.toMatchObject({
      _tag: 'StorageError',
      reason: 'changed',
      url: 's3://b/k',
    });
    await reader.close();
  });
});
