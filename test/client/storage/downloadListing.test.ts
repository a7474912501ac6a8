import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, isSummary, upload } from '../../../src/client/storage/index.js';
import {
  cleanupTempDirs,
  collect,
  type S3Fixture,
  sha256File,
  startS3,
  tempDir,
  uniquePrefix,
  writeRandomFile,
} from './fixture.js';

/** A listing longer than this is not kept between the two passes (3 here, so 10 objects are "long"). */
const KEPT_KEYS = 3;

describe('download of a listing longer than keptListingKeys', () => {
  let s3: S3Fixture;

  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3.stop();
    await cleanupTempDirs();
  });

  it('lists the prefix again for the transfer instead of holding the listing, and fetches every object', async () => {
    const source = await tempDir();
    for (let i = 0; i < 10; i++) await writeRandomFile(join(source, `f${i}.bin`), 100 + i);
    const uri = `s3://${s3.bucket}/${uniquePrefix('long-listing')}/`;
    await collect(upload(s3.provider, source, uri));
    const target = await tempDir();
    s3.clear();
    const events = await collect(download(s3.provider, uri, target, { keptListingKeys: KEPT_KEYS }));
    expect(s3.count('ListObjects')).toBe(2);
    expect(s3.count('GetObject')).toBe(10);
    expect(events.filter(isSummary)[0]).toMatchObject({ filesSent: 10, bytesSent: 1045 });
    for (let i = 0; i < 10; i++) {
      expect(await sha256File(join(target, `f${i}.bin`))).toBe(await sha256File(join(source, `f${i}.bin`)));
    }
  });
});
