import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadTo, TransferError, uploadDirectory } from '../../src/runner/transfer.js';
import { BUCKET, type Harness, startHarness } from './harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

/** Every file under `directory`, relative, `/`-separated. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(directory.length + 1))
    .sort();
}

describe('the platform transfers (the SDK storage underneath)', () => {
  it('uploads a directory with each file’s SHA-256 and downloads it back whole', async () => {
    const source = join(harness.root, 'up-source');
    await mkdir(join(source, 'sub'), { recursive: true });
    await writeFile(join(source, 'a.txt'), 'alpha');
    await writeFile(join(source, 'sub', 'b.txt'), 'bravo!');
    const uri = `s3://${BUCKET}/transfer/whole`;

    expect(await lastValueFrom(uploadDirectory(harness.access, source, uri))).toEqual({
      files: 2,
      bytes: 11,
    });
    const head = await harness.client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'transfer/whole/sub/b.txt' }),
    );
    expect(head.Metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const target = join(harness.root, 'down-whole');
    expect(await lastValueFrom(downloadTo(harness.access, uri, target, 'dataUrl'))).toEqual({
      files: 2,
      bytes: 11,
    });
    expect(await filesUnder(target)).toEqual(['a.txt', 'sub/b.txt']);
  });

  it('refuses an object whose bytes no longer match their SHA-256, leaving no file behind', async () => {
    const source = join(harness.root, 'corrupt-source');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'model.bin'), 'the real bytes');
    const uri = `s3://${BUCKET}/transfer/corrupt/`;
    await lastValueFrom(uploadDirectory(harness.access, source, uri));
    // The disk under the store flips bytes (same length, so only the checksum can tell).
    const stored = join(harness.root, 's3', BUCKET, 'transfer', 'corrupt', 'model.bin._S3rver_object');
    await writeFile(stored, 'the fake bytes');

    const target = join(harness.root, 'down-corrupt');
    const failure = await lastValueFrom(downloadTo(harness.access, uri, target, 'modelPath')).catch((e) => e);
    expect(failure).toBeInstanceOf(TransferError);
    expect(failure.message).toMatch(
      /^cannot download s3:\/\/modelmaker\/transfer\/corrupt\/: .*sha256 mismatch/,
    );
    expect(await filesUnder(target)).toEqual([]);
  });

  it('names the address when nothing is there, and the field when the address is not one', async () => {
    const target = join(harness.root, 'down-nothing');
    await expect(
      lastValueFrom(downloadTo(harness.access, `s3://${BUCKET}/transfer/none/`, target, 'dataUrl')),
    ).rejects.toThrow(`nothing found at s3://${BUCKET}/transfer/none/`);
    await expect(lastValueFrom(downloadTo(harness.access, 'http://x/y', target, 'codeUrl'))).rejects.toThrow(
      /codeUrl/,
    );
  });
});
