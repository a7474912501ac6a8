import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDirectory,
  createS3Client,
  deleteObjects,
  download,
  listObjects,
} from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  listTree,
  type S3Fixture,
  startS3,
  tempDir,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

describe('createS3Client and the object helpers', () => {
  let s3: S3Fixture;

  beforeAll(async () => {
    s3 = await startS3();
  });
  beforeEach(() => s3.clear());
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('createS3Client stores a streamed body byte for byte (no aws-chunked framing), path-style', async () => {
    const dir = await tempDir();
    const path = join(dir, 'body.bin');
    await writeRandomFile(path, 300_000);
    const client = createS3Client(s3.access);
    const key = `${uniquePrefix('raw')}/body.bin`;
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: 300_000,
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    client.destroy();
    expect(head.ContentLength).toBe(300_000);
    expect(bytes.equals(await readFile(path))).toBe(true);
    // Path-style: the bucket is the first path segment on the endpoint's host.
    expect(s3.requests[0]!.url.startsWith(`/${s3.bucket}/`)).toBe(true);
  });

  it('createDirectory puts a zero-byte "dir/" marker that download turns into an empty directory', async () => {
    const prefix = uniquePrefix('mkdir');
    const uri = await lastValueFrom(createDirectory(s3.provider, `s3://${s3.bucket}/${prefix}/empty`));
    expect(uri).toBe(`s3://${s3.bucket}/${prefix}/empty/`);
    const listed = await collect(listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`));
    expect(listed.map((o) => [o.key, o.size])).toEqual([[`${prefix}/empty/`, 0]]);
    const target = await tempDir();
    await collect(download(s3.provider, `s3://${s3.bucket}/${prefix}/`, target));
    expect(await listTree(target)).toEqual(['empty']);
  });

  it('listObjects and deleteObjects page through listings (pages of 10 keys, 25 objects)', async () => {
    const prefix = uniquePrefix('many');
    const client = createS3Client(s3.access);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        client.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: `${prefix}/k${String(i).padStart(2, '0')}`,
            Body: 'x',
          }),
        ),
      ),
    );
    client.destroy();
    s3.clear();
    const listed = await lastValueFrom(
      listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`, { pageSize: 10 }).pipe(toArray()),
    );
    expect(listed.map((o) => o.key)).toEqual(
      Array.from({ length: 25 }, (_, i) => `${prefix}/k${String(i).padStart(2, '0')}`),
    );
    expect(listed[0]).toMatchObject({ uri: `s3://${s3.bucket}/${prefix}/k00`, size: 1 });
    expect(s3.count('ListObjects')).toBe(3);

    expect(
      await lastValueFrom(deleteObjects(s3.provider, `s3://${s3.bucket}/${prefix}`, { pageSize: 10 })),
    ).toBe(25);
    expect(await collect(listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`))).toEqual([]);
  });

  it('deleteObjects removes everything below the prefix and nothing beside it', async () => {
    const prefix = uniquePrefix('del');
    const client = createS3Client(s3.access);
    for (const key of ['run/a', 'run/sub/b', 'run/', 'run2/keep', 'runx']) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}`, Body: 'x' }));
    }
    client.destroy();
    expect(await lastValueFrom(deleteObjects(s3.provider, `s3://${s3.bucket}/${prefix}/run`))).toBe(3);
    const left = (await collect(listObjects(s3.provider, `s3://${s3.bucket}/${prefix}/`)))
      .map((o) => o.key)
      .sort();
    expect(left).toEqual([`${prefix}/run2/keep`, `${prefix}/runx`]);
  });

  it('deleteObjects and createDirectory refuse the bucket root with a ValidationError', async () => {
    await expect(lastValueFrom(deleteObjects(s3.provider, `s3://${s3.bucket}/`))).rejects.toMatchObject({
      _tag: 'ValidationError',
    });
    await expect(lastValueFrom(createDirectory(s3.provider, `s3://${s3.bucket}`))).rejects.toMatchObject({
      _tag: 'ValidationError',
    });
    expect(s3.requests).toHaveLength(0);
  });
});
