import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Crc64Nvme } from '@aws-sdk/checksums/crc';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';

const BUCKET = 'bucket';
const CREDENTIALS = { accessKeyId: 'MMTESTKEY', secretAccessKey: 'test-secret-key' };

let root: string;
let s3: EmbeddedS3;
let client: S3Client;
let port: number;

function sdkClient(credentials = CREDENTIALS): S3Client {
  return new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials });
}

function signer(credentials = CREDENTIALS): SignatureV4 {
  return new SignatureV4({
    credentials,
    region: s3.region,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

/** Signs a plain request with SigV4 and sends it over node:http. */
async function signedRequest(
  method: string,
  path: string,
  body: Buffer | undefined,
  headers: Record<string, string> = {},
  credentials = CREDENTIALS,
): Promise<RawAnswer & { authorization: string; amzDate: string }> {
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    headers: {
      host: `127.0.0.1:${port}`,
      'x-amz-content-sha256': sha256(body ?? ''),
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...headers,
    },
    body,
  });
  const signed = await signer(credentials).sign(request);
  const answer = await send(method, path, signed.headers as Record<string, string>, body);
  return { ...answer, authorization: signed.headers.authorization!, amzDate: signed.headers['x-amz-date']! };
}

function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes `data` to a fresh temp file (for stream bodies) and returns its path. */
async function writeTemp(data: Buffer): Promise<string> {
  const file = join(root, `body-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, data);
  return file;
}

async function getBytes(key: string): Promise<Buffer> {
  const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function exists(key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/** Every file name under `dir`, recursively. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await allFiles(join(dir, entry.name))));
    else out.push(join(dir, entry.name));
  }
  return out;
}

function randomBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
}

async function crc64Base64(data: Buffer): Promise<string> {
  const checksum = new Crc64Nvme();
  checksum.update(data);
  return Buffer.from(await checksum.digest()).toString('base64');
}

/** An aws-chunked body with unsigned chunks and a checksum trailer (crc32 by default), as @aws-sdk/client-s3 frames one. */
function unsignedChunkedBody(
  data: Buffer,
  chunkSize: number,
  checksum = crc32Base64(data),
  trailer = 'x-amz-checksum-crc32',
): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    const chunk = data.subarray(offset, offset + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer}:${checksum}\r\n\r\n`));
  return Buffer.concat(parts);
}

/** Headers of a raw unsigned-chunk upload of `data` with a trailer named `trailer`. */
function chunkedHeaders(data: Buffer, trailer: string): Record<string, string> {
  return {
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-decoded-content-length': String(data.length),
    'x-amz-trailer': trailer,
  };
}

const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mm-s3-test-'));
  s3 = await startEmbeddedS3({ directory: join(root, 'store'), buckets: [BUCKET], ...CREDENTIALS });
  port = Number(new URL(s3.endpoint).port);
  client = sdkClient();
});

afterAll(async () => {
  client?.destroy();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

describe('embedded S3', () => {
  it('advertises a 127.0.0.1 endpoint with the given key pair, and the listed buckets exist', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.accessKeyId).toBe(CREDENTIALS.accessKeyId);
    const buckets = await client.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain(BUCKET);
  });

  it('round-trips a default-config streaming PutObject of a file stream byte for byte', async () => {
    const data = randomBytes(1024 * 1024 + 123, 7);
    const file = join(root, 'upload.bin');
    await writeFile(file, data);
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'streams/upload.bin', Body: createReadStream(file) }),
    );

    expect((await getBytes('streams/upload.bin')).equals(data)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'streams/upload.bin' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ContentEncoding ?? '').not.toContain('aws-chunked');
  });

  it('round-trips a multipart upload made by @aws-sdk/lib-storage from a file stream', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 5, 13);
    const file = join(root, 'multipart.bin');
    await writeFile(file, data);
    await new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'streams/multipart.bin', Body: createReadStream(file) },
      partSize: 5 * 1024 * 1024,
    }).done();
    expect((await getBytes('streams/multipart.bin')).equals(data)).toBe(true);
  });

  it('round-trips an empty file stream and a string body', async () => {
    const file = join(root, 'empty.bin');
    await writeFile(file, '');
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'streams/empty.bin', Body: createReadStream(file) }),
    );
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain/hello.txt', Body: 'héllo' }));
    expect((await getBytes('streams/empty.bin')).length).toBe(0);
    expect((await getBytes('plain/hello.txt')).toString('utf8')).toBe('héllo');
  });

  it('refuses a key with .. segments from the AWS SDK with 400 and writes nothing outside the bucket', async () => {
    const attempt = client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'a/../../escape.txt', Body: 'escaped' }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidArgument',
      $metadata: { httpStatusCode: 400 },
    });
    expect((await allFiles(root)).filter((f) => f.includes('escape'))).toEqual([]);
  });

  it.each([
    ['/bucket/a/../../escape.txt', 'plain'],
    ['/bucket/a/%2E%2E/%2e%2e/escape.txt', 'percent-encoded dots'],
    ['/bucket/a%2F..%2F..%2Fescape.txt', 'percent-encoded slashes'],
    ['/bucket/..', 'the key ..'],
  ])('refuses a signed raw PUT of %s (%s) with 400 and an S3 XML error', async (path) => {
    const answer = await signedRequest('PUT', path, Buffer.from('escaped'));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<Code>InvalidArgument</Code>');
    expect((await allFiles(root)).filter((f) => f.includes('escape'))).toEqual([]);
  });

  it('refuses bucket names that are paths with 400 InvalidBucketName', async () => {
    const answer = await signedRequest('PUT', '/%2E%2E/escape.txt', Buffer.from('escaped'));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<Code>InvalidBucketName</Code>');
  });

  it('refuses DeleteObjects and CopyObject naming keys with .. segments', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep/me.txt', Body: 'kept' }));
    const remove = client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'keep/../../outside' }] } }),
    );
    await expect(remove).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    const copy = await signedRequest('PUT', '/bucket/copied.txt', undefined, {
      'x-amz-copy-source': '/bucket/keep/../../../etc/hostname',
    });
    expect(copy.status).toBe(400);
    const removed = await client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'keep/me.txt' }] } }),
    );
    expect(removed.Deleted?.map((d) => d.Key)).toEqual(['keep/me.txt']);
  });

  it('decodes a raw signed aws-chunked upload with a crc32 trailer so it round-trips', async () => {
    const data = randomBytes(70_000, 3);
    const answer = await signedRequest('PUT', '/bucket/chunked/raw.bin', unsignedChunkedBody(data, 8192), {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(data.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    expect(answer.status).toBe(200);
    expect((await getBytes('chunked/raw.bin')).equals(data)).toBe(true);
  });

  it('refuses an aws-chunked upload whose crc32 trailer does not match (400 BadDigest) and stores nothing', async () => {
    const data = randomBytes(10_000, 5);
    const answer = await signedRequest(
      'PUT',
      '/bucket/chunked/corrupt.bin',
      unsignedChunkedBody(data, 4096, 'AAAAAA=='),
      {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': String(data.length),
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<Code>BadDigest</Code>');
    expect(await exists('chunked/corrupt.bin')).toBe(false);
  });

  it('checks the chunk signatures of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload', async () => {
    const data = randomBytes(20_000, 11);
    const headers = {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': String(data.length),
    };
    // Sign the headers first (the seed signature), then frame the body with chained chunk signatures.
    const request = new HttpRequest({
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/bucket/chunked/signed.bin',
      headers: { host: `127.0.0.1:${port}`, ...headers },
    });
    const signed = await signer().sign(request);
    const authorization = signed.headers.authorization!;
    const amzDate = signed.headers['x-amz-date']!;
    const seed = /Signature=([0-9a-f]+)/.exec(authorization)![1]!;
    const scope = /Credential=[^/]+\/([^,]+)/.exec(authorization)![1]!;
    const [date, region] = scope.split('/');
    const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
    const key = hmac(
      hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date!), region!), 's3'),
      'aws4_request',
    );
    const frame = (tamper: boolean) => {
      const parts: Buffer[] = [];
      let previous = seed;
      const chunks = [
        data.subarray(0, 8192),
        data.subarray(8192, 16384),
        data.subarray(16384),
        Buffer.alloc(0),
      ];
      for (const chunk of chunks) {
        const text = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha256(''), sha256(chunk)].join(
          '\n',
        );
        previous = createHmac('sha256', key).update(text).digest('hex');
        const sent = tamper && chunk.length > 0 ? Buffer.from(chunk).fill(1, 0, 1) : chunk;
        parts.push(
          Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
          sent,
          Buffer.from('\r\n'),
        );
      }
      return Buffer.concat(parts);
    };

    const good = await send(
      'PUT',
      '/bucket/chunked/signed.bin',
      signed.headers as Record<string, string>,
      frame(false),
    );
    expect(good.status).toBe(200);
    expect((await getBytes('chunked/signed.bin')).equals(data)).toBe(true);

    const bad = await send(
      'PUT',
      '/bucket/chunked/signed.bin',
      signed.headers as Record<string, string>,
      frame(true),
    );
    expect(bad.status).toBe(403);
    expect(bad.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect((await getBytes('chunked/signed.bin')).equals(data)).toBe(true);
  });

  it('refuses a body that does not match its declared x-amz-content-sha256', async () => {
    const answer = await signedRequest('PUT', '/bucket/plain/lie.txt', Buffer.from('actual'), {
      'x-amz-content-sha256': sha256('declared'),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('XAmzContentSHA256Mismatch');
    expect(await exists('plain/lie.txt')).toBe(false);
  });

  it('answers 403 to a wrong secret, an unknown access key and an anonymous request', async () => {
    const wrongSecret = sdkClient({ ...CREDENTIALS, secretAccessKey: 'not-the-secret' });
    const unknownKey = sdkClient({ ...CREDENTIALS, accessKeyId: 'SOMEONEELSE' });
    try {
      await expect(
        wrongSecret.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'plain/hello.txt' })),
      ).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(
        wrongSecret.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain/intruder.txt', Body: 'x' })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await expect(unknownKey.send(new ListBucketsCommand({}))).rejects.toMatchObject({
        name: 'InvalidAccessKeyId',
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
    const anonymous = await send('GET', '/bucket/plain/hello.txt', {});
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toContain('<Code>AccessDenied</Code>');
    expect(await exists('plain/intruder.txt')).toBe(false);
  });

  it('accepts a presigned GET URL and refuses it once tampered with', async () => {
    const request = new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/bucket/plain/hello.txt',
      // As @aws-sdk/s3-request-presigner does: the payload of a presigned URL is not signed.
      headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const presigned = await signer().presign(request, { expiresIn: 60 });
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const ok = await send('GET', `${presigned.path}?${query}`, {});
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('héllo');
    const tampered = await send('GET', `/bucket/streams/upload.bin?${query}`, {});
    expect(tampered.status).toBe(403);
  });

  it("keeps its socket and spool in a given run directory, clearing a crashed run's leftovers and its own on close", async () => {
    const run = join(root, 'run');
    await mkdir(join(run, 'spool'), { recursive: true });
    await writeFile(join(run, 's3rver.sock'), 'stale');
    await writeFile(join(run, 'spool', 'half-upload'), 'stale');
    const other = await startEmbeddedS3({
      directory: join(root, 'store2'),
      buckets: ['other'],
      runDirectory: run,
      ...CREDENTIALS,
    });
    try {
      expect(await readdir(join(run, 'spool'))).toEqual([]);
      const answer = await fetch(`${other.endpoint}/`);
      expect(answer.status).toBe(403);
    } finally {
      await other.close();
    }
    expect(await readdir(run)).toEqual([]);
  });

  it('stores objects under its directory, so they survive a restart on the same directory', async () => {
    const other = await startEmbeddedS3({ directory: join(root, 'store'), ...CREDENTIALS });
    const again = new S3Client({
      endpoint: other.endpoint,
      region: other.region,
      forcePathStyle: true,
      credentials: CREDENTIALS,
    });
    try {
      const answer = await again.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'plain/hello.txt' }));
      expect(await answer.Body!.transformToString()).toBe('héllo');
    } finally {
      again.destroy();
      await other.close();
    }
    await expect(send('GET', '/', {}).then(() => 'answered')).resolves.toBe('answered');
    expect((await stat(join(root, 'store', BUCKET))).isDirectory()).toBe(true);
  });
});

describe('integrity checks of the embedded S3', () => {
  it('refuses a body whose Content-MD5 does not match (400 BadDigest) or is malformed (InvalidDigest), and stores nothing', async () => {
    const data = randomBytes(5000, 21);
    const wrong = await signedRequest('PUT', '/bucket/md5/wrong.bin', data, {
      'content-md5': md5Base64(Buffer.from('something else')),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('<Code>BadDigest</Code>');
    const malformed = await signedRequest('PUT', '/bucket/md5/wrong.bin', data, { 'content-md5': 'abc' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('<Code>InvalidDigest</Code>');
    expect(await exists('md5/wrong.bin')).toBe(false);

    const right = await signedRequest('PUT', '/bucket/md5/right.bin', data, {
      'content-md5': md5Base64(data),
    });
    expect(right.status).toBe(200);
    expect((await getBytes('md5/right.bin')).equals(data)).toBe(true);
  });

  it('checks x-amz-checksum-crc64nvme sent as a header and as a trailer', async () => {
    const data = randomBytes(40_000, 23);
    const good = await crc64Base64(data);
    const bad = await crc64Base64(Buffer.from('other bytes'));

    const wrongHeader = await signedRequest('PUT', '/bucket/crc64/h.bin', data, {
      'x-amz-checksum-crc64nvme': bad,
    });
    expect(wrongHeader.status).toBe(400);
    expect(wrongHeader.body).toContain('<Code>BadDigest</Code>');
    const wrongTrailer = await signedRequest(
      'PUT',
      '/bucket/crc64/t.bin',
      unsignedChunkedBody(data, 8192, bad, 'x-amz-checksum-crc64nvme'),
      chunkedHeaders(data, 'x-amz-checksum-crc64nvme'),
    );
    expect(wrongTrailer.status).toBe(400);
    expect(wrongTrailer.body).toContain('<Code>BadDigest</Code>');
    expect(await exists('crc64/h.bin')).toBe(false);
    expect(await exists('crc64/t.bin')).toBe(false);

    expect(
      (await signedRequest('PUT', '/bucket/crc64/h.bin', data, { 'x-amz-checksum-crc64nvme': good })).status,
    ).toBe(200);
    expect(
      (
        await signedRequest(
          'PUT',
          '/bucket/crc64/t.bin',
          unsignedChunkedBody(data, 8192, good, 'x-amz-checksum-crc64nvme'),
          chunkedHeaders(data, 'x-amz-checksum-crc64nvme'),
        )
      ).status,
    ).toBe(200);
    expect((await getBytes('crc64/t.bin')).equals(data)).toBe(true);

    // And as @aws-sdk/client-s3 sends it, streamed with a trailer.
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'crc64/sdk.bin',
        Body: createReadStream(await writeTemp(data)),
        ContentLength: data.length,
        ChecksumAlgorithm: 'CRC64NVME',
      }),
    );
    expect((await getBytes('crc64/sdk.bin')).equals(data)).toBe(true);
  });

  it('refuses a checksum it cannot check instead of skipping it, as a header, a trailer or an unannounced trailer', async () => {
    const data = randomBytes(1000, 29);
    const header = await signedRequest('PUT', '/bucket/unknown/h.bin', data, {
      'x-amz-checksum-md4': 'AAAA',
    });
    expect(header.status).toBe(400);
    expect(header.body).toContain('x-amz-checksum-md4');
    const trailer = await signedRequest(
      'PUT',
      '/bucket/unknown/t.bin',
      unsignedChunkedBody(data, 512, 'AAAA', 'x-amz-checksum-md4'),
      chunkedHeaders(data, 'x-amz-checksum-md4'),
    );
    expect(trailer.status).toBe(400);
    const unannounced = await signedRequest(
      'PUT',
      '/bucket/unknown/u.bin',
      unsignedChunkedBody(data, 512, 'AAAAAAAAAAA=', 'x-amz-checksum-crc64nvme'),
      { ...chunkedHeaders(data, 'x-amz-checksum-crc32'), 'x-amz-trailer': 'x-amz-checksum-crc32' },
    );
    expect(unannounced.status).toBe(400);
    for (const key of ['unknown/h.bin', 'unknown/t.bin', 'unknown/u.bin'])
      expect(await exists(key)).toBe(false);
  });
});

describe('signatures the embedded S3 refuses', () => {
  const request = (path: string, headers: Record<string, string> = {}) =>
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path,
      headers: { host: `127.0.0.1:${port}`, 'x-amz-content-sha256': sha256(''), ...headers },
    });

  it('refuses an x-amz-* header added to a signed request, and a changed Host', async () => {
    await signedRequest('PUT', '/bucket/replay/a.txt', Buffer.from('original'));
    const signed = await signer().sign(request('/bucket/replay/a.txt'));
    const headers = signed.headers as Record<string, string>;
    expect((await send('GET', '/bucket/replay/a.txt', headers)).status).toBe(200);
    const added = await send('GET', '/bucket/replay/a.txt', { ...headers, 'x-amz-meta-added': 'evil' });
    expect(added.status).toBe(403);
    expect(added.body).toContain('not signed: x-amz-meta-added');
    const otherHost = await send('GET', '/bucket/replay/a.txt', { ...headers, host: 'elsewhere.example' });
    expect(otherHost.status).toBe(403);
  });

  it('refuses a valid signature that leaves the host header out', async () => {
    const signed = await signer().sign(request('/bucket/replay/a.txt'), {
      unsignableHeaders: new Set(['host']),
    });
    expect(signed.headers.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
    const answer = await send('GET', '/bucket/replay/a.txt', signed.headers as Record<string, string>);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('host header must be signed');
  });

  it('refuses a presigned URL valid longer than a week, or dated in the future', async () => {
    const presigned = await signer().presign(
      request('/bucket/replay/a.txt', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
      { expiresIn: 60 },
    );
    const query = presigned.query as Record<string, string>;
    const longer = new URLSearchParams({ ...query, 'X-Amz-Expires': '604801' }).toString();
    const tooLong = await send('GET', `/bucket/replay/a.txt?${longer}`, {});
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toContain('604800');

    const future = await signer().presign(
      request('/bucket/replay/a.txt', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
      { expiresIn: 60, signingDate: new Date(Date.now() + 60 * 60 * 1000) },
    );
    const early = await send(
      'GET',
      `/bucket/replay/a.txt?${new URLSearchParams(future.query as Record<string, string>).toString()}`,
      {},
    );
    expect(early.status).toBe(403);
    expect(early.body).toContain('not yet valid');
  });

  it('accepts a temporary key until it expires, then answers ExpiredToken', async () => {
    const valid = { accessKeyId: 'MMTVALIDKEY', secretAccessKey: 'valid-secret' };
    const expired = { accessKeyId: 'MMTOLDKEY', secretAccessKey: 'old-secret' };
    const other = await startEmbeddedS3({
      directory: join(root, 'temporary'),
      buckets: [BUCKET],
      ...CREDENTIALS,
      temporaryKeys: (id) =>
        id === valid.accessKeyId
          ? { secretAccessKey: valid.secretAccessKey, expiresAt: Date.now() + 60_000 }
          : id === expired.accessKeyId
            ? { secretAccessKey: expired.secretAccessKey, expiresAt: Date.now() - 1 }
            : undefined,
    });
    const clientOf = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new S3Client({ endpoint: other.endpoint, region: other.region, forcePathStyle: true, credentials });
    const good = clientOf(valid);
    const old = clientOf(expired);
    try {
      await good.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'temp.txt', Body: 'by a temporary key' }));
      await expect(
        old.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'temp.txt' })),
      ).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
      await expect(old.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'ExpiredToken' });
    } finally {
      good.destroy();
      old.destroy();
      await other.close();
    }
  });

  it('keeps buckets and objects readable by their owner only', async () => {
    await signedRequest('PUT', '/bucket/modes/file.txt', Buffer.from('private'));
    const store = join(root, 'store');
    expect((await stat(store)).mode & 0o777).toBe(0o700);
    expect((await stat(join(store, BUCKET))).mode & 0o777).toBe(0o700);
    expect((await stat(join(store, BUCKET, 'modes', 'file.txt._S3rver_object'))).mode & 0o777).toBe(0o600);
  });
});
