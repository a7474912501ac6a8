/**
 * The session's storage helpers against a real S3 store (s3rver), with the S3
 * credentials and endpoint handed out by the platform's auth-access (msw): upload,
 * list, download, download one file, create and delete a directory.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSummary, type TransferEvent } from '../../src/client/storage/events.js';
import { FakePlatform, pipelineSession } from '../streams/pipelinePlatform.js';
import {
  cleanupTempDirs,
  type S3Fixture,
  startS3,
  tempDir,
  treeDigest,
  uniquePrefix,
} from './storage/fixture.js';

const server = setupServer();
let s3: S3Fixture;
let fake: FakePlatform;

beforeAll(async () => {
  s3 = await startS3();
  fake = new FakePlatform();
  fake.s3Endpoint = s3.access.endpoint;
  server.listen({ onUnhandledRequest: 'error' });
  server.use(
    ...fake.handlers(),
    http.all(`${s3.access.endpoint}/*`, () => passthrough()),
  );
});
afterAll(async () => {
  server.close();
  await s3.stop();
  await cleanupTempDirs();
});

const all = <T>(events: import('rxjs').Observable<T>) => lastValueFrom(events.pipe(toArray()));

async function sampleTree(): Promise<string> {
  const root = await tempDir('mm-session-storage-');
  await mkdir(join(root, 'nested', 'deeper'), { recursive: true });
  await writeFile(join(root, 'train.py'), 'print("hello")\n');
  await writeFile(join(root, 'nested', 'empty.txt'), '');
  await writeFile(join(root, 'nested', 'deeper', 'données.csv'), 'a,b\n1,2\n');
  return root;
}

describe('session storage helpers', () => {
  it('uploadData, listObjects and downloadData round-trip a tree byte for byte', async () => {
    const session = pipelineSession({ bucket: s3.bucket });
    const root = await sampleTree();
    const uri = `s3://${s3.bucket}/${uniquePrefix('session')}/code/`;

    const sent: TransferEvent[] = await all(session.uploadData(root, uri));
    const summary = sent.filter(isSummary);
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ filesTotal: 3, filesSent: 3 });

    const listed = await all(session.listObjects(uri));
    expect(listed.map((o) => o.uri.slice(uri.length)).sort()).toEqual([
      'nested/deeper/données.csv',
      'nested/empty.txt',
      'train.py',
    ]);

    const target = await tempDir('mm-session-download-');
    await all(session.downloadData(uri, target));
    expect(await treeDigest(target)).toEqual(await treeDigest(root));

    const file = join(await tempDir('mm-session-file-'), 'copy.py');
    await all(session.downloadFile(`${uri}train.py`, file));
    expect(await readFile(file, 'utf8')).toBe('print("hello")\n');

    // the credentials came from the platform, once
    expect(fake.count('GET', /^\/v1\/account\/auth-access$/)).toBe(1);
  });

  it('createDirectory makes a marker, deleteDirectory removes everything below', async () => {
    const session = pipelineSession({ bucket: s3.bucket });
    const base = `s3://${s3.bucket}/${uniquePrefix('dirs')}`;
    const marker = await lastValueFrom(session.createDirectory(`${base}/empty`));
    expect(marker).toBe(`${base}/empty/`);
    await all(session.uploadData(await sampleTree(), `${base}/tree/`));
    expect((await all(session.listObjects(`${base}/`))).length).toBe(4);

    const deleted = await lastValueFrom(session.deleteDirectory(base));
    expect(deleted).toBe(4);
    expect(await all(session.listObjects(`${base}/`))).toEqual([]);
  });
});
