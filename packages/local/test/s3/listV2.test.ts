import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ListObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeContinuationToken } from '../../src/s3/continuationToken.js';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';

const BUCKET = 'bucket';
/** A second bucket for the odd keys, so `BUCKET` holds exactly the 2,500 keys. */
const OTHER = 'other';
const CREDENTIALS = { accessKeyId: 'MMTESTKEY', secretAccessKey: 'test-secret-key' };
const GROUPS = 50;
const CHILDREN = 47;
/** PutObjects in flight while the store is filled. */
const WRITE_CONCURRENCY = 8;
/** Filling the store and the 2,500-page listing take seconds; more on a loaded machine. */
const SLOW_MS = 90_000;

/**
 * 2,500 keys whose directory-entry order (s3rver's) is not key order: per group the
 * object `data/gNN`, `data/gNN-old`, `data/gNN.csv`, and 47 keys under `data/gNN/`
 * (`-` < `.` < `/`, while on disk the directory `gNN` comes first).
 */
function allKeys(): string[] {
  const keys: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const base = `data/g${String(g).padStart(2, '0')}`;
    keys.push(base, `${base}-old`, `${base}.csv`);
    for (let c = 0; c < CHILDREN; c++) keys.push(`${base}/x${String(c).padStart(2, '0')}`);
  }
  return keys;
}

const KEYS = allKeys();
/** ASCII keys: JavaScript's sort is S3's order. */
const SORTED = [...KEYS].sort();

/** What S3 lists: keys and common prefixes after `after`, in order. */
function reference(options: { prefix?: string; delimiter?: string; after?: string }): string[] {
  const { prefix = '', delimiter = '', after } = options;
  const entries = new Set<string>();
  for (const key of SORTED) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const entry = at < 0 ? key : key.slice(0, at + delimiter.length);
    if (after === undefined || entry > after) entries.add(entry);
  }
  return [...entries].sort();
}

let root: string;
let s3: EmbeddedS3;
let client: S3Client;

function sdkClient(credentials = CREDENTIALS): S3Client {
  return new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials });
}

async function putAll(bucket: string, keys: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

/** Pages through a V2 listing by hand, checking each page's shape; the entries in listing order. */
async function listAllV2(
  input: Omit<ListObjectsV2CommandInput, 'Bucket' | 'ContinuationToken'>,
): Promise<{ entries: string[]; pages: number }> {
  const pageSize = input.MaxKeys ?? 1000;
  const entries: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, ...input, ContinuationToken: token }),
    );
    pages++;
    const got = [
      ...(page.Contents ?? []).map((o) => o.Key!),
      ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
    ].sort();
    expect(page.KeyCount).toBe(got.length);
    expect(page.ContinuationToken).toBe(token);
    if (page.IsTruncated) {
      expect(got.length).toBe(pageSize);
      expect(page.NextContinuationToken).toBeTruthy();
    } else {
      expect(got.length).toBeLessThanOrEqual(pageSize);
      expect(page.NextContinuationToken).toBeUndefined();
    }
    entries.push(...got);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { entries, pages };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mm-s3-list-'));
  s3 = await startEmbeddedS3({ directory: join(root, 'store'), buckets: [BUCKET, OTHER], ...CREDENTIALS });
  client = sdkClient();
  await putAll(BUCKET, KEYS);
}, SLOW_MS);

afterAll(async () => {
  client?.destroy();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

describe('ListObjectsV2 on the embedded S3', () => {
  it.each([
    [1, 2500],
    [7, 358],
    [undefined, 3],
  ])(
    'pages 2,500 keys with MaxKeys %s, every key once and in order',
    async (maxKeys, pages) => {
      const listed = await listAllV2(maxKeys === undefined ? {} : { MaxKeys: maxKeys });
      expect(listed.entries).toEqual(SORTED);
      expect(listed.pages).toBe(pages);
    },
    SLOW_MS,
  );

  it('pages common prefixes with Prefix and Delimiter, counting them toward MaxKeys', async () => {
    const listed = await listAllV2({ Prefix: 'data/', Delimiter: '/', MaxKeys: 7 });
    const expected = reference({ prefix: 'data/', delimiter: '/' });
    expect(expected.slice(0, 4)).toEqual(['data/g00', 'data/g00-old', 'data/g00.csv', 'data/g00/']);
    expect(expected).toHaveLength(GROUPS * 4);
    expect(listed.entries).toEqual(expected);

    const first = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'data/', Delimiter: '/', MaxKeys: 4 }),
    );
    expect(first).toMatchObject({
      Prefix: 'data/',
      Delimiter: '/',
      MaxKeys: 4,
      KeyCount: 4,
      IsTruncated: true,
    });
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['data/g00/']);
  });

  it('pages under a prefix and with a delimiter other than /', async () => {
    const children = await listAllV2({ Prefix: 'data/g17/', Delimiter: '/', MaxKeys: 10 });
    expect(children.entries).toEqual(reference({ prefix: 'data/g17/' }));
    expect(children.entries).toHaveLength(CHILDREN);
    const dashed = await listAllV2({ Prefix: 'data/g0', Delimiter: '-', MaxKeys: 5 });
    expect(dashed.entries).toEqual(reference({ prefix: 'data/g0', delimiter: '-' }));
    expect(dashed.entries).toContain('data/g03-');
  });

  it('starts after StartAfter, echoes it, and lets a continuation token win over it', async () => {
    const after = 'data/g10/x20';
    const listed = await listAllV2({ StartAfter: after, MaxKeys: 100 });
    expect(listed.entries).toEqual(SORTED.filter((k) => k > after));

    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: after, MaxKeys: 2 }),
    );
    expect(page.StartAfter).toBe(after);
    expect(page.Contents?.map((o) => o.Key)).toEqual(['data/g10/x21', 'data/g10/x22']);
    const next = await client.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        StartAfter: 'data/g00',
        ContinuationToken: page.NextContinuationToken,
        MaxKeys: 1,
      }),
    );
    expect(next.Contents?.map((o) => o.Key)).toEqual(['data/g10/x23']);

    const rolled = await listAllV2({ Prefix: 'data/', Delimiter: '/', StartAfter: 'data/g48', MaxKeys: 3 });
    expect(rolled.entries).toEqual(reference({ prefix: 'data/', delimiter: '/', after: 'data/g48' }));
    expect(rolled.entries[0]).toBe('data/g48-old');
  });

  it.each([
    ['garbage', 'not a token!'],
    ['a bare key', Buffer.from('data/g00').toString('base64url')],
    ['padded base64', `${Buffer.from('mm1\0bucket\0data/g00').toString('base64')}=`],
    ['another bucket’s token', encodeContinuationToken(OTHER, 'data/g00')],
    ['an empty token', ''],
  ])('refuses %s as a continuation token with 400 InvalidArgument', async (_what, token) => {
    const attempt = client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidArgument',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('collects everything with paginateListObjectsV2', async () => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client, pageSize: 333 }, { Bucket: BUCKET })) {
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(keys).toEqual(SORTED);
  });

  it('reports objects as GET does, with Owner only when FetchOwner is set', async () => {
    const plain = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'data/g05.csv' }));
    expect(plain.Contents).toHaveLength(1);
    const object = plain.Contents![0]!;
    expect(object).toMatchObject({
      Key: 'data/g05.csv',
      Size: 'data/g05.csv'.length,
      StorageClass: 'STANDARD',
    });
    expect(object.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(object.LastModified).toBeInstanceOf(Date);
    expect(object.Owner).toBeUndefined();
    const owned = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'data/g05.csv', FetchOwner: true }),
    );
    expect(owned.Contents?.[0]?.Owner?.DisplayName).toBe('S3rver');
  });

  it('answers MaxKeys 0 with an empty page and a missing bucket with 404 NoSuchBucket', async () => {
    const empty = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    expect(empty).toMatchObject({ KeyCount: 0, IsTruncated: false, MaxKeys: 0 });
    expect(empty.Contents).toBeUndefined();
    await expect(client.send(new ListObjectsV2Command({ Bucket: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses a listing signed with the wrong secret with 403', async () => {
    const intruder = sdkClient({ ...CREDENTIALS, secretAccessKey: 'wrong-secret' });
    try {
      await expect(intruder.send(new ListObjectsV2Command({ Bucket: BUCKET }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      intruder.destroy();
    }
  });

  it('lists in UTF-8 byte order and escapes or URL-encodes odd keys', async () => {
    const odd = ['odd/a b+c&d<e>"f\'.txt', 'odd/\u{ff61}', 'odd/\u{1f600}', 'odd/z'];
    await putAll(OTHER, odd);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: OTHER, Prefix: 'odd/', MaxKeys: 2 }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([odd[0], odd[3]]);
    const rest = await client.send(
      new ListObjectsV2Command({ Bucket: OTHER, ContinuationToken: listed.NextContinuationToken }),
    );
    // U+FF61 before U+1F600, as in UTF-8 (JavaScript's UTF-16 order has them the other way round).
    expect(rest.Contents?.map((o) => o.Key)).toEqual([odd[1], odd[2]]);

    const encoded = await client.send(
      new ListObjectsV2Command({ Bucket: OTHER, Prefix: 'odd/a ', EncodingType: 'url' }),
    );
    expect(encoded.EncodingType).toBe('url');
    expect(encoded.Prefix).toBe('odd/a%20');
    expect(encoded.Contents?.map((o) => decodeURIComponent(o.Key!))).toEqual([odd[0]]);
    expect(encoded.Contents?.[0]?.Key).toContain('%2B');
  });
});

describe('ListObjects (V1) on the embedded S3', () => {
  it('pages every key once and in order with Marker, Owner included', async () => {
    const keys: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 400, Marker: marker }),
      );
      expect(page.Marker ?? '').toBe(marker ?? '');
      expect(page.Contents?.[0]?.Owner?.DisplayName).toBe('S3rver');
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      if (!page.IsTruncated) break;
      marker = keys.at(-1);
    }
    expect(keys).toEqual(SORTED);
  });

  it('pages common prefixes with NextMarker when a delimiter is given', async () => {
    const entries: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectsCommand({
          Bucket: BUCKET,
          Prefix: 'data/',
          Delimiter: '/',
          MaxKeys: 9,
          Marker: marker,
        }),
      );
      const got = [
        ...(page.Contents ?? []).map((o) => o.Key!),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      ].sort();
      entries.push(...got);
      if (!page.IsTruncated) break;
      expect(page.NextMarker).toBe(got.at(-1));
      marker = page.NextMarker;
    }
    expect(entries).toEqual(reference({ prefix: 'data/', delimiter: '/' }));
  });

  it('starts after a Marker', async () => {
    const answer = await client
      .send(new ListObjectsCommand({ Bucket: BUCKET, Marker: 'data/g00' }))
      .then((page) => page.Contents?.[0]?.Key);
    expect(answer).toBe('data/g00-old');
  });
});
