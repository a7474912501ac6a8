/**
 * The guard stores a plain PutObject in-process (`plainPut.ts`) instead of forwarding it
 * to s3rver. These tests send the same raw requests to two embedded S3s — one as the
 * platform runs it, one with every request forwarded to s3rver (`inProcessPuts: false`)
 * — and pin the answers (status, headers, body) and what is stored to be the same.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES } from '../../src/defaults.js';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';
import { isPlainPart, isPlainPut } from '../../src/s3/plainPut.js';
import { smallDisk } from '../platform/smallDisk.js';

const BUCKET = 'bucket';
const CREDENTIALS = { accessKeyId: 'MMPUTKEY', secretAccessKey: 'plain-put-secret' };
/** Headers that differ between any two answers (time, connection, the guard's request id). */
const VARYING_HEADERS = new Set(['date', 'connection', 'keep-alive', 'x-amz-request-id', 'last-modified']);

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

let root: string;
/** As the platform runs it: plain PutObjects stored by the guard. */
let inProcess: EmbeddedS3;
/** Every request forwarded to s3rver. */
let forwarded: EmbeddedS3;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mm-plain-put-'));
  [inProcess, forwarded] = await Promise.all([
    startEmbeddedS3({ directory: join(root, 'in-process'), buckets: [BUCKET], ...CREDENTIALS }),
    startEmbeddedS3({
      directory: join(root, 'forwarded'),
      buckets: [BUCKET],
      ...CREDENTIALS,
      inProcessPuts: false,
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([inProcess?.close(), forwarded?.close()]);
  await rm(root, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex');
const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64');

function signer(s3: EmbeddedS3): SignatureV4 {
  return new SignatureV4({
    credentials: CREDENTIALS,
    region: s3.region,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function send(
  s3: EmbeddedS3,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Answer> {
  const port = Number(new URL(s3.endpoint).port);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `path` is `/bucket/key?query`, as sent (already URL-encoded). */
async function signedSend(
  s3: EmbeddedS3,
  method: string,
  path: string,
  body: Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const port = Number(new URL(s3.endpoint).port);
  const [pathname, search] = path.split('?');
  const query = Object.fromEntries(new URLSearchParams(search ?? ''));
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: pathname,
    query,
    headers: {
      host: `127.0.0.1:${port}`,
      'x-amz-content-sha256': sha256(body ?? Buffer.alloc(0)),
      'content-length': String(body?.length ?? 0),
      ...headers,
    },
    body,
  });
  const signed = await signer(s3).sign(request);
  return send(s3, method, path, signed.headers as Record<string, string>, body);
}

/** A presigned URL's path and query for `s3`, with `headers` hoisted into the query where the signer does. */
async function presignedPath(
  s3: EmbeddedS3,
  method: string,
  path: string,
  headers: Record<string, string> = {},
) {
  const port = Number(new URL(s3.endpoint).port);
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    // As @aws-sdk/s3-request-presigner does: the payload of a presigned URL is not signed.
    headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
  });
  const signed = await signer(s3).presign(request, { expiresIn: 300 });
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  return `${path}?${query}`;
}

/** An answer without what varies between two answers; the guard's request ids in bodies blanked. */
function comparable(answer: Answer) {
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => !VARYING_HEADERS.has(name)),
  );
  const body = answer.body.toString('utf8').replace(/<RequestId>[^<]*<\/RequestId>/, '<RequestId/>');
  return { status: answer.status, headers, body };
}

/** Sends the request (signed for each) to both stores and expects the same answer; returns the in-process one. */
async function both(
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const [mine, theirs] = await Promise.all([
    signedSend(inProcess, method, path, body, headers),
    signedSend(forwarded, method, path, body, headers),
  ]);
  expect(comparable(mine)).toEqual(comparable(theirs));
  return mine;
}

/** An aws-chunked body (unsigned chunks, crc32 trailer), as @aws-sdk/client-s3 frames a streamed upload. */
function awsChunked(data: Buffer, chunkSize: number): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data) >>> 0);
  const parts: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    const chunk = data.subarray(offset, offset + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\nx-amz-checksum-crc32:${crc.toString('base64')}\r\n\r\n`));
  return Buffer.concat(parts);
}

describe('which requests the guard stores in-process', () => {
  const none = new Map<string, string>();
  it('takes a PutObject with no query but x-id and a presigned signature, and nothing else', () => {
    expect(isPlainPut('PUT', 'k', [], none)).toBe(true);
    expect(isPlainPut('PUT', 'k', [['x-id', 'PutObject']], none)).toBe(true);
    expect(
      isPlainPut(
        'PUT',
        'k',
        [
          ['X-Amz-Signature', 'ab'],
          ['X-Amz-Credential', 'c'],
        ],
        none,
      ),
    ).toBe(true);
    expect(isPlainPut('POST', 'k', [], none)).toBe(false);
    expect(isPlainPut('PUT', '', [], none)).toBe(false);
    expect(
      isPlainPut(
        'PUT',
        'k',
        [
          ['uploadId', 'u'],
          ['partNumber', '1'],
        ],
        none,
      ),
    ).toBe(false);
    expect(isPlainPut('PUT', 'k', [['tagging', '']], none)).toBe(false);
    expect(isPlainPut('PUT', 'k', [['x-amz-meta-a', 'b']], none)).toBe(false);
    expect(isPlainPut('PUT', 'k', [], new Map([['x-amz-copy-source', '/b/k']]))).toBe(false);
    expect(isPlainPut('PUT', 'k', [], new Map([['origin', 'http://x']]))).toBe(false);
    expect(isPlainPut('PUT', 'k', [], new Map([['x-amz-website-redirect-location', '/x']]))).toBe(false);
  });

  it('takes an UploadPart with uploadId and partNumber (x-id and a presigned signature besides), and nothing else', () => {
    const part: Array<[string, string]> = [
      ['uploadId', 'u'],
      ['partNumber', '1'],
    ];
    expect(isPlainPart('PUT', 'k', part, none)).toBe(true);
    expect(isPlainPart('PUT', 'k', [...part, ['x-id', 'UploadPart'], ['X-Amz-Signature', 'ab']], none)).toBe(
      true,
    );
    expect(isPlainPart('PUT', 'k', [['uploadId', 'u']], none)).toBe(false);
    expect(isPlainPart('PUT', 'k', [], none)).toBe(false);
    expect(isPlainPart('POST', 'k', part, none)).toBe(false);
    expect(isPlainPart('PUT', '', part, none)).toBe(false);
    expect(isPlainPart('PUT', 'k', [...part, ['tagging', '']], none)).toBe(false);
    expect(isPlainPart('PUT', 'k', part, new Map([['x-amz-copy-source', '/b/k']]))).toBe(false);
    expect(isPlainPart('PUT', 'k', part, new Map([['origin', 'http://x']]))).toBe(false);
  });
});

describe('a plain UploadPart stored by the guard in-process', () => {
  /** Starts an upload of `key` on each store (s3rver answers both); their upload ids differ. */
  async function initiate(key: string): Promise<[string, string]> {
    const ids = await Promise.all(
      [inProcess, forwarded].map(async (s3) => {
        const answer = await signedSend(s3, 'POST', `/bucket/${key}?uploads=`, Buffer.alloc(0));
        expect(answer.status).toBe(200);
        return /<UploadId>([^<]+)<\/UploadId>/.exec(answer.body.toString())![1]!;
      }),
    );
    return ids as [string, string];
  }

  /** Sends the same part to each store's upload and expects the same answer; returns the in-process one. */
  async function bothParts(
    key: string,
    ids: readonly [string, string],
    partNumber: number,
    body: Buffer,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const [mine, theirs] = await Promise.all(
      [inProcess, forwarded].map((s3, index) =>
        signedSend(
          s3,
          'PUT',
          `/bucket/${key}?partNumber=${partNumber}&uploadId=${ids[index]}`,
          body,
          headers,
        ),
      ),
    );
    expect(comparable(mine!)).toEqual(comparable(theirs!));
    return mine!;
  }

  it('answers and stores parts as s3rver does (spooled, in memory, aws-chunked), and the completed object is the same', async () => {
    const key = 'parts/model.bin';
    const ids = await initiate(key);
    const first = Buffer.alloc(DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES + 1, 1);
    const second = Buffer.alloc(5000, 2);
    const one = await bothParts(key, ids, 1, first, { 'content-md5': md5Base64(first) });
    expect(one.status).toBe(200);
    expect(one.headers.etag).toBe(JSON.stringify(md5Hex(first)));
    const two = await bothParts(key, ids, 2, awsChunked(second, 4096), {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(second.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    expect(two.headers.etag).toBe(JSON.stringify(md5Hex(second)));
    const completion = (etags: string[]) =>
      Buffer.from(
        `<CompleteMultipartUpload>${etags
          .map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
          .join('')}</CompleteMultipartUpload>`,
      );
    const [mine, theirs] = await Promise.all(
      [inProcess, forwarded].map((s3, index) =>
        signedSend(
          s3,
          'POST',
          `/bucket/${key}?uploadId=${ids[index]}`,
          completion([one.headers.etag!, two.headers.etag!]),
        ),
      ),
    );
    expect(mine!.status).toBe(200);
    expect(theirs!.status).toBe(200);
    const etagOf = (answer: Answer) => /<ETag>([^<]+)<\/ETag>/.exec(answer.body.toString())![1];
    expect(etagOf(mine!)).toBe(etagOf(theirs!));
    const got = await signedSend(inProcess, 'GET', `/bucket/${key}`, undefined);
    expect(got.body.equals(Buffer.concat([first, second]))).toBe(true);
  });

  it('refuses as s3rver does: a missing bucket, an upload that is not there, a wrong Content-MD5', async () => {
    const key = 'parts/refused.bin';
    const ids = await initiate(key);
    const body = Buffer.from('part');
    const noBucket = await Promise.all(
      [inProcess, forwarded].map((s3, index) =>
        signedSend(s3, 'PUT', `/missing-bucket/${key}?partNumber=1&uploadId=${ids[index]}`, body),
      ),
    );
    expect(comparable(noBucket[0]!)).toEqual(comparable(noBucket[1]!));
    expect(noBucket[0]!.body.toString()).toContain('<Code>NoSuchBucket</Code>');

    const noUpload = await bothParts(key, ['f'.repeat(32), 'f'.repeat(32)], 1, body);
    expect(noUpload.status).toBe(404);
    expect(noUpload.body.toString()).toContain('<Code>NoSuchUpload</Code>');

    const badMd5 = await bothParts(key, ids, 1, body, { 'content-md5': md5Base64(Buffer.from('other')) });
    expect(badMd5.status).toBe(400);
    expect(badMd5.body.toString()).toContain('<Code>BadDigest</Code>');
    // Nothing staged is left behind, and no upload directory was made for the missing upload.
    expect(await readdir(join(root, 'in-process', BUCKET, '._S3rver_uploads', '.staging'))).toEqual([]);
    expect(await readdir(join(root, 'in-process', BUCKET, '._S3rver_uploads'))).not.toContain('f'.repeat(32));
  });
});

/** Headers s3rver keeps with an object (its metadata list and `x-amz-meta-*`): sent, then read back. */
const KEPT_HEADERS = {
  'content-type': 'text/csv',
  'cache-control': 'no-cache',
  'content-disposition': 'attachment; filename="all.txt"',
  'content-encoding': 'gzip',
  'content-language': 'de',
  expires: 'Tue, 01 Jan 2030 00:00:00 GMT',
  'x-amz-storage-class': 'STANDARD_IA',
  'x-amz-meta-first': 'one',
  'x-amz-meta-second': 'two words',
};

describe('a plain PutObject stored by the guard in-process', () => {
  it('answers and stores as s3rver does: ETag, status, the metadata s3rver keeps, and the bytes', async () => {
    const cases: Array<{ path: string; key: string; body: Buffer; headers?: Record<string, string> }> = [
      {
        path: '/bucket/meta/all.txt',
        key: 'meta/all.txt',
        body: Buffer.from('a,b\n1,2\n'),
        headers: {
          ...KEPT_HEADERS,
          'x-amz-tagging': 'not=stored',
          'content-md5': md5Base64(Buffer.from('a,b\n1,2\n')),
        },
      },
      { path: '/bucket/plain/no-type.bin', key: 'plain/no-type.bin', body: Buffer.from([0, 1, 2, 255]) },
      { path: '/bucket/dir/', key: 'dir/', body: Buffer.alloc(0) },
      { path: '/bucket/odd/a%20b%2Bc/%C3%BC.txt', key: 'odd/a b+c/ü.txt', body: Buffer.from('odd') },
      { path: '/bucket/sdk/op.txt?x-id=PutObject', key: 'sdk/op.txt', body: Buffer.from('x-id') },
    ];
    for (const { path, key, body, headers } of cases) {
      const answer = await both('PUT', path, body, headers);
      expect(answer.status).toBe(200);
      expect(answer.headers.etag).toBe(JSON.stringify(md5Hex(body)));
      const objectPath = path.split('?')[0]!;
      const [mine, theirs] = await Promise.all([
        signedSend(inProcess, 'GET', objectPath, undefined),
        signedSend(forwarded, 'GET', objectPath, undefined),
      ]);
      expect(comparable(mine)).toEqual(comparable(theirs));
      expect(mine.status, key).toBe(200);
      expect(mine.body.equals(body), key).toBe(true);
    }
    const head = await signedSend(inProcess, 'HEAD', '/bucket/meta/all.txt', undefined);
    expect(head.headers).toMatchObject(KEPT_HEADERS);
    expect(head.headers['x-amz-tagging']).toBeUndefined();
    const plain = await signedSend(inProcess, 'HEAD', '/bucket/plain/no-type.bin', undefined);
    expect(plain.headers['content-type']).toBe('binary/octet-stream');
  });

  it('refuses as s3rver does: a missing bucket, a bad storage class, a wrong Content-MD5, a key the file system cannot hold', async () => {
    const body = Buffer.from('refused');
    const noBucket = await both('PUT', '/missing-bucket/k.txt', body);
    expect(noBucket.status).toBe(404);
    expect(noBucket.body.toString()).toContain('<Code>NoSuchBucket</Code>');
    expect(noBucket.body.toString()).toContain('<BucketName>missing-bucket</BucketName>');

    const badClass = await both('PUT', '/bucket/refused/class.txt', body, { 'x-amz-storage-class': 'BOGUS' });
    expect(badClass.status).toBe(400);
    expect(badClass.body.toString()).toContain('<Code>InvalidStorageClass</Code>');

    const badMd5 = await both('PUT', '/bucket/refused/md5.txt', body, {
      'content-md5': md5Base64(Buffer.from('other')),
    });
    expect(badMd5.status).toBe(400);
    expect(badMd5.body.toString()).toContain('<Code>BadDigest</Code>');

    // A path segment longer than the file system allows: not a storage fault, s3rver's InternalError.
    const tooLong = await both('PUT', `/bucket/refused/${'n'.repeat(300)}`, body);
    expect(tooLong.status).toBe(500);
    expect(tooLong.body.toString()).toContain('<Code>InternalError</Code>');

    for (const key of ['refused/class.txt', 'refused/md5.txt']) {
      expect((await signedSend(inProcess, 'HEAD', `/bucket/${key}`, undefined)).status).toBe(404);
    }
    // Nothing staged is left behind by the refusals.
    expect(await readdir(join(root, 'in-process', BUCKET, '._S3rver_uploads', '.staging'))).toEqual([]);
  });

  it('stores an aws-chunked body (its framing and aws-chunked encoding removed) and a body too large for memory, as s3rver does', async () => {
    const data = Buffer.alloc(10_000, 7);
    const chunked = await both('PUT', '/bucket/framed/chunked.bin', awsChunked(data, 4096), {
      'content-encoding': 'aws-chunked,gzip',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    expect(chunked.status).toBe(200);
    expect(chunked.headers.etag).toBe(JSON.stringify(md5Hex(data)));
    const framed = await signedSend(inProcess, 'GET', '/bucket/framed/chunked.bin', undefined);
    expect(framed.body.equals(data)).toBe(true);
    expect(framed.headers['content-encoding']).toBe('gzip');

    const large = Buffer.alloc(DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES + 1, 3);
    const spooled = await both('PUT', '/bucket/framed/large.bin', large);
    expect(spooled.status).toBe(200);
    expect(spooled.headers.etag).toBe(JSON.stringify(md5Hex(large)));
    expect(
      (await signedSend(inProcess, 'GET', '/bucket/framed/large.bin', undefined)).body.equals(large),
    ).toBe(true);
  });

  it('takes a presigned PUT URL, and one whose query carries metadata (sent on to s3rver), as s3rver does', async () => {
    const body = Buffer.from('presigned');
    const answers = await Promise.all(
      [inProcess, forwarded].map(async (s3) =>
        send(s3, 'PUT', await presignedPath(s3, 'PUT', '/bucket/signed/url.txt'), {}, body),
      ),
    );
    expect(comparable(answers[0]!)).toEqual(comparable(answers[1]!));
    expect(answers[0]!.status).toBe(200);

    const withMeta = await Promise.all(
      [inProcess, forwarded].map(async (s3) =>
        send(
          s3,
          'PUT',
          await presignedPath(s3, 'PUT', '/bucket/signed/meta.txt', { 'x-amz-meta-origin': 'query' }),
          {},
          body,
        ),
      ),
    );
    expect(comparable(withMeta[0]!)).toEqual(comparable(withMeta[1]!));
    expect(withMeta[0]!.status).toBe(200);
    const head = await signedSend(inProcess, 'HEAD', '/bucket/signed/meta.txt', undefined);
    expect(head.headers['x-amz-meta-origin']).toBe('query');
  });

  it('fails a write on a full disk with 507 naming it, as s3rver does, reports the fault, and stores once space is back', async () => {
    const disk = smallDisk(4 * 1024 * 1024);
    const faults: string[][] = [[], []];
    const stores: EmbeddedS3[] = [];
    try {
      // A real full disk is needed: the in-process write does not go through a fake's patched calls.
      expect(disk.method).toBe('tmpfs');
      stores.push(
        await startEmbeddedS3({
          directory: join(disk.path, 'in-process'),
          buckets: [BUCKET],
          ...CREDENTIALS,
          onFault: (reason) => faults[0]!.push(reason),
        }),
        await startEmbeddedS3({
          directory: join(disk.path, 'forwarded'),
          buckets: [BUCKET],
          ...CREDENTIALS,
          inProcessPuts: false,
          onFault: (reason) => faults[1]!.push(reason),
        }),
      );
      const body = Buffer.alloc(64 * 1024, 5);
      disk.fill(0);
      const [mine, theirs] = await Promise.all(
        stores.map((s3) => signedSend(s3, 'PUT', '/bucket/full/object.bin', body)),
      );
      expect(comparable(mine!)).toEqual(comparable(theirs!));
      expect(mine!.status).toBe(507);
      expect(mine!.body.toString()).toContain('<Code>InsufficientStorage</Code>');
      expect(mine!.body.toString()).toContain(
        'disk full while storing object bucket/full/object.bin (ENOSPC)',
      );
      expect(faults).toEqual([
        ['disk full while storing object bucket/full/object.bin (ENOSPC)'],
        ['disk full while storing object bucket/full/object.bin (ENOSPC)'],
      ]);
      expect((await signedSend(stores[0]!, 'HEAD', '/bucket/full/object.bin', undefined)).status).toBe(404);
      disk.free();
      const stored = await signedSend(stores[0]!, 'PUT', '/bucket/full/object.bin', body);
      expect(stored.status).toBe(200);
      expect(stored.headers.etag).toBe(JSON.stringify(md5Hex(body)));
    } finally {
      await Promise.all(stores.map((s3) => s3.close()));
      await disk.release();
    }
  });
});
