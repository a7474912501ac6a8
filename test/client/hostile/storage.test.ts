/**
 * Storage against a hostile S3 store (a `node:http` server on loopback speaking just
 * enough S3): listings that loop or go back, a body dripping 1 byte at a time, a GET
 * smaller than its listing, objects without checksums, errors echoing the secret key.
 * The last test scans everything said (level 10 logs, errors) for the secrets.
 */
import { readdir } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { staticS3Access } from '../../../src/client/storage/access.js';
import { deleteObjects } from '../../../src/client/storage/delete.js';
import { download } from '../../../src/client/storage/download.js';
import { downloadFile } from '../../../src/client/storage/download-file.js';
import { isSummary } from '../../../src/client/storage/events.js';
import { listObjects } from '../../../src/client/storage/list.js';
import { cleanupTempDirs, tempDir } from '../storage/fixture.js';
import {
  failure,
  type Hit,
  type Hostile,
  hostileServer,
  hostileSession,
  json,
  LeakScan,
  PASSWORD,
  S3_SECRET,
  TOKEN,
  until,
} from './support.js';

/**
 * Listings of more than 4 objects count as long here: download keeps a short listing
 * between its two passes (`keptListingKeys`, default 10,000), and these tests are about
 * how a long one streams (a few objects stand for millions).
 */
const LONG_LISTINGS = { keptListingKeys: 4 } as const;

const scan = new LeakScan();
const BUCKET = 'bucket';

afterAll(cleanupTempDirs);

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A ListObjects (v1) page. */
function listing(
  prefix: string,
  keys: readonly { key: string; size: number }[],
  more: { truncated: boolean; nextMarker?: string },
): string {
  const contents = keys
    .map(
      (object) =>
        `<Contents><Key>${xml(object.key)}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const next = more.nextMarker === undefined ? '' : `<NextMarker>${xml(more.nextMarker)}</NextMarker>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name><Prefix>${xml(prefix)}</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>${more.truncated}</IsTruncated>${next}${contents}</ListBucketResult>`;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** The S3 operation of a request to the hostile store. */
function operation(hit: Hit): string {
  const url = new URL(hit.url, 'http://s3');
  const path = url.pathname.split('/').filter(Boolean);
  if (hit.method === 'POST' && url.searchParams.has('delete')) return 'DeleteObjects';
  if (path.length === 1 && hit.method === 'GET') return 'ListObjects';
  if (hit.method === 'HEAD') return 'HeadObject';
  if (hit.method === 'GET') return 'GetObject';
  return `${hit.method} ${url.pathname}`;
}

/** A store answering each request with `answer`, operations counted. */
async function store(
  answer: (op: string, hit: Hit, res: ServerResponse) => unknown,
): Promise<Hostile & { ops: string[] }> {
  const ops: string[] = [];
  const server = await hostileServer((hit, res) => {
    const op = operation(hit);
    ops.push(op);
    return answer(op, hit, res);
  });
  return Object.assign(server, { ops });
}

function provider(s3: Hostile) {
  return staticS3Access({
    accessKeyId: 'AKID',
    secretAccessKey: S3_SECRET,
    endpoint: s3.origin,
    region: 'js01',
  });
}

const ONE_ATTEMPT = { maxAttempts: 1, random: () => 0 };

describe('3. a looping listing ends within a bounded number of requests', () => {
  const keys = ['p/a', 'p/b', 'p/c'].map((key) => ({ key, size: 1 }));
  /** Every page is the same, truncated, with the same NextMarker. */
  const looping = () =>
    store((op, _hit, res) =>
      op === 'ListObjects'
        ? send(res, 200, listing('p/', keys, { truncated: true, nextMarker: 'p/c' }))
        : send(res, 200, '<DeleteResult></DeleteResult>'),
    );

  it('listObjects: PagingError at the second page, naming the marker', async () => {
    const s3 = await looping();
    const error = await failure(
      scan,
      lastValueFrom(listObjects(provider(s3), `s3://${BUCKET}/p/`, ONE_ATTEMPT).pipe(toArray())),
    );
    expect(error).toMatchObject({ _tag: 'PagingError', pages: 2, method: 'ListObjects' });
    expect((error as Error).message).toContain('"p/c"');
    expect(s3.ops).toEqual(['ListObjects', 'ListObjects']);
  });

  it('download: PagingError before any object is fetched or any file written', async () => {
    const s3 = await looping();
    const target = await tempDir('mm-hostile-');
    const error = await failure(
      scan,
      lastValueFrom(
        download(provider(s3), `s3://${BUCKET}/p/`, target, { ...ONE_ATTEMPT, ...LONG_LISTINGS }),
      ),
    );
    expect(error).toMatchObject({ _tag: 'PagingError' });
    expect(s3.ops).toEqual(['ListObjects', 'ListObjects']);
    expect(await readdir(target)).toEqual([]);
  });

  it('deleteDirectory: one DeleteObjects for the page, then PagingError (not 1,153 deletes)', async () => {
    const s3 = await looping();
    const error = await failure(
      scan,
      lastValueFrom(deleteObjects(provider(s3), `s3://${BUCKET}/p/`, ONE_ATTEMPT)),
    );
    expect(error).toMatchObject({ _tag: 'PagingError' });
    expect(s3.ops).toEqual(['ListObjects', 'DeleteObjects', 'ListObjects']);
  });

  it('a marker going back, or a truncated page without one, ends the same way', async () => {
    let page = 0;
    const back = await store((_op, _hit, res) => {
      page += 1;
      return send(res, 200, listing('p/', [], { truncated: true, nextMarker: page === 1 ? 'p/m' : 'p/b' }));
    });
    await expect(
      lastValueFrom(listObjects(provider(back), `s3://${BUCKET}/p/`, ONE_ATTEMPT).pipe(toArray())).catch(
        (e) => scan.record(e),
      ),
    ).resolves.toMatchObject({ _tag: 'PagingError', pages: 2 });
    const stuck = await store((_op, _hit, res) => send(res, 200, listing('p/', [], { truncated: true })));
    const error = await failure(
      scan,
      lastValueFrom(listObjects(provider(stuck), `s3://${BUCKET}/p/`, ONE_ATTEMPT).pipe(toArray())),
    );
    expect(error).toMatchObject({ _tag: 'PagingError', pages: 1 });
    expect(stuck.ops).toEqual(['ListObjects']);
  });

  it('a long listing (over keptListingKeys) streams into the download: objects of page 1 are fetched before page 3 is listed', async () => {
    const all = Array.from({ length: 6 }, (_, i) => ({ key: `p/f${i}`, size: 1 }));
    const s3 = await store((op, hit, res) => {
      if (op === 'ListObjects') {
        const marker = new URL(hit.url, 'http://s3').searchParams.get('marker') ?? '';
        const rest = all.filter((object) => object.key > marker);
        const page = rest.slice(0, 2);
        return send(res, 200, listing('p/', page, { truncated: rest.length > 2 }));
      }
      return send(res, 200, 'x', { 'content-type': 'application/octet-stream' });
    });
    const target = await tempDir('mm-hostile-');
    const events = await lastValueFrom(
      download(provider(s3), `s3://${BUCKET}/p/`, target, {
        ...ONE_ATTEMPT,
        ...LONG_LISTINGS,
        concurrency: 2,
      }).pipe(toArray()),
    );
    expect(events.filter(isSummary)[0]).toMatchObject({ filesTotal: 6, filesSent: 6 });
    // First pass: three pages. Second pass: each page's GETs before the next page.
    expect(s3.ops).toEqual([
      'ListObjects',
      'ListObjects',
      'ListObjects',
      'ListObjects',
      'GetObject',
      'GetObject',
      'ListObjects',
      'GetObject',
      'GetObject',
      'ListObjects',
      'GetObject',
      'GetObject',
    ]);
  });
});

describe('6. S3 transfers have a minimum throughput and a deadline', () => {
  it('a GET dripping 1 byte per 50 ms fails TooSlow within a window, its temporary file removed', async () => {
    const s3 = await store((op, _hit, res) => {
      if (op === 'HeadObject') {
        res.writeHead(200, { 'content-length': '100', etag: '"e"' });
        return res.end();
      }
      res.writeHead(200, { 'content-length': '100', 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const target = await tempDir('mm-hostile-');
    const error = await failure(
      scan,
      lastValueFrom(
        downloadFile(provider(s3), `s3://${BUCKET}/slow.bin`, join(target, 'slow.bin'), {
          ...ONE_ATTEMPT,
          minBytesPerSecond: 100,
          throughputWindowMs: 300,
        }),
      ),
    );
    expect(error).toMatchObject({ _tag: 'StorageError', reason: 'TooSlow', method: 'GetObject' });
    await until(() => s3.aborted === 1);
    expect(await readdir(target)).toEqual([]);
  });

  it('a transfer past deadlineMs is cancelled like an unsubscribe: TimeoutError, connection closed, no file', async () => {
    const s3 = await store((op, _hit, res) => {
      if (op === 'HeadObject') {
        res.writeHead(200, { 'content-length': '1000000', etag: '"e"' });
        return res.end();
      }
      res.writeHead(200, { 'content-length': '1000000', 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => res.write('x'.repeat(1000)), 10);
      res.on('close', () => clearInterval(timer));
    });
    const target = await tempDir('mm-hostile-');
    const error = await failure(
      scan,
      lastValueFrom(
        downloadFile(provider(s3), `s3://${BUCKET}/big.bin`, join(target, 'big.bin'), {
          ...ONE_ATTEMPT,
          deadlineMs: 300,
        }),
      ),
    );
    expect(error).toMatchObject({ _tag: 'TimeoutError', reason: 'deadline', url: `s3://${BUCKET}/big.bin` });
    await until(() => s3.aborted === 1);
    expect(await readdir(target)).toEqual([]);
  });
});

describe('7. downloads are checked against the listing, and say when they could not check content', () => {
  it('a 29-byte listing served as 5 bytes is an IntegrityError, not verified=size', async () => {
    const s3 = await store((op, _hit, res) =>
      op === 'ListObjects'
        ? send(res, 200, listing('d/', [{ key: 'd/file.txt', size: 29 }], { truncated: false }))
        : send(res, 200, 'short', { 'content-type': 'text/plain' }),
    );
    const target = await tempDir('mm-hostile-');
    const error = await failure(
      scan,
      lastValueFrom(download(provider(s3), `s3://${BUCKET}/d/`, target, ONE_ATTEMPT)),
    );
    expect(error).toMatchObject({ _tag: 'IntegrityError', check: 'size', expected: '29', actual: '5' });
    expect(await readdir(target)).toEqual([]);
  });

  it('objects without sha256 metadata: the summary warns, and the session logs it as a warning', async () => {
    const content = 'twenty-nine bytes of content.';
    const s3 = await store((op, _hit, res) => {
      if (op === 'ListObjects') {
        return send(
          res,
          200,
          listing('d/', [{ key: 'd/a.txt', size: content.length }], { truncated: false }),
        );
      }
      if (op === 'HeadObject') {
        res.writeHead(404);
        return res.end();
      }
      return send(res, 200, content, { 'content-type': 'text/plain' });
    });
    const api = await hostileServer((hit, res) =>
      hit.url.endsWith('/auth-token')
        ? json(res, { token: TOKEN })
        : json(res, { s3: { ak: 'AKID', sk: S3_SECRET, url: s3.origin, region: 'js01' } }),
    );
    const session = hostileSession(scan, api.base);
    const target = await tempDir('mm-hostile-');
    const events = await lastValueFrom(
      session.downloadData(`s3://${BUCKET}/d`, target, ONE_ATTEMPT).pipe(toArray()),
    );
    const summary = events.filter(isSummary)[0]!;
    expect(summary.sizeOnly).toEqual([`s3://${BUCKET}/d/a.txt`]);
    expect(summary.warnings).toEqual([
      expect.stringContaining('1 file was checked by size only, content NOT verified'),
    ]);
    expect(scan.lines.filter((line) => line.startsWith('warn ') && line.includes('size only'))).toHaveLength(
      1,
    );
  });
});

describe('S3 errors never carry the secret key', () => {
  it('a store echoing the secret in its error message: the StorageError is scrubbed', async () => {
    const s3 = await store((_op, _hit, res) =>
      send(
        res,
        400,
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>key ${xml(S3_SECRET)} / ${encodeURIComponent(S3_SECRET)} refused</Message></Error>`,
      ),
    );
    const error = await failure(
      scan,
      lastValueFrom(listObjects(provider(s3), `s3://${BUCKET}/p/`, ONE_ATTEMPT)),
    );
    expect(error).toMatchObject({ _tag: 'StorageError', reason: 'InvalidArgument' });
    expect((error as Error).message).toContain('key *** / *** refused');
  });
});

describe('every error message and log line of the storage cases (level 10)', () => {
  it('holds no password, token or S3 secret, in plain, JSON-escaped or URL-encoded form', () => {
    expect(scan.errors.length).toBeGreaterThan(8);
    for (const secret of [PASSWORD, TOKEN, S3_SECRET]) expect(scan.leaksOf(secret)).toEqual([]);
  });
});
