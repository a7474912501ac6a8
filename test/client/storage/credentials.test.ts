import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  download,
  isSummary,
  type S3Access,
  type S3AccessProvider,
  upload,
} from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  type S3Fixture,
  s3ErrorXml,
  startS3,
  tempDir,
  treeDigest,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

/** A provider handing out `first` until refreshed, then `next`; counts the calls. */
function rotating(first: S3Access, next: S3Access): S3AccessProvider & { gets: number; refreshes: number } {
  let current = first;
  const provider = {
    gets: 0,
    refreshes: 0,
    get: async () => {
      provider.gets += 1;
      return current;
    },
    refresh: async () => {
      provider.refreshes += 1;
      current = next;
      return current;
    },
  };
  return provider;
}

describe('credential refresh', () => {
  let s3: S3Fixture;
  let source: string;

  beforeAll(async () => {
    s3 = await startS3();
    source = await tempDir();
    for (let i = 0; i < 12; i++) await writeRandomFile(join(source, `f${i}.bin`), 500 + i);
  });
  beforeEach(() => {
    s3.respond = undefined;
    s3.clear();
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('refreshes once when the store refuses the first credentials, then every file arrives', async () => {
    const provider = rotating({ ...s3.access, accessKeyId: 'WRONG-KEY' }, s3.access);
    const uri = `s3://${s3.bucket}/${uniquePrefix('refresh')}/`;
    const summary = (await collect(upload(provider, source, uri, { concurrency: 6 }))).filter(isSummary)[0]!;
    expect(provider.refreshes).toBe(1);
    expect(summary.filesSent).toBe(12);
    expect(s3.requests.some((request) => request.status === 403)).toBe(true);

    const target = await tempDir();
    const back = rotating({ ...s3.access, accessKeyId: 'WRONG-KEY' }, s3.access);
    await collect(download(back, uri, target, { concurrency: 6 }));
    expect(back.refreshes).toBe(1);
    expect(await treeDigest(target)).toEqual(await treeDigest(source));
  });

  it('refreshes once when a session token expires mid-transfer (ExpiredToken), and goes on', async () => {
    const old = { ...s3.access, sessionToken: 'old-token' };
    const provider = rotating(old, { ...s3.access, sessionToken: 'new-token' });
    let seen = 0;
    // The store starts refusing the old token after a few requests.
    s3.respond = (request) =>
      request.headers['x-amz-security-token'] === 'old-token' && ++seen > 4
        ? { status: 400, body: s3ErrorXml('ExpiredToken', 'The provided token has expired.') }
        : undefined;
    const uri = `s3://${s3.bucket}/${uniquePrefix('expire')}/`;
    const summary = (await collect(upload(provider, source, uri, { concurrency: 3 }))).filter(isSummary)[0]!;
    expect(provider.refreshes).toBe(1);
    expect(summary.filesSent).toBe(12);
    expect(s3.requests.filter((request) => request.status === 400).length).toBeGreaterThan(0);
  });

  it('fails with a StorageError (reason credentials) when the refreshed credentials are refused too, after one refresh', async () => {
    const wrong = { ...s3.access, accessKeyId: 'WRONG-KEY' };
    const provider = rotating(wrong, { ...wrong, accessKeyId: 'STILL-WRONG' });
    await expect(
      collect(upload(provider, source, `s3://${s3.bucket}/${uniquePrefix('denied')}/`)),
    ).rejects.toMatchObject({ _tag: 'StorageError', reason: 'credentials' });
    expect(provider.refreshes).toBe(1);
  });
});
