/**
 * A real S3 store for the storage tests: s3rver on 127.0.0.1 (port 0, temp directory),
 * behind a small recording proxy that logs every request's S3 operation so tests can
 * count PUTs and UploadParts, and can drop chosen requests.
 *
 * Set `MODELMAKER_TEST_S3_ENDPOINT` (with `MODELMAKER_TEST_S3_ACCESS_KEY`,
 * `MODELMAKER_TEST_S3_SECRET_KEY`, optional `MODELMAKER_TEST_S3_REGION`) to run the same
 * tests against another store (e.g. the local platform's embedded S3) instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import { startEmbeddedS3 } from '../../../packages/local/src/s3/embeddedS3.js';
import { type S3Access, type S3AccessProvider, staticS3Access } from '../../../src/client/storage/access.js';
import { createS3Client } from '../../../src/client/storage/client.js';

/** The part of s3rver 3.7.1 (CommonJS, untyped) the tests use. */
export interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
/** s3rver's constructor, loaded through `require` so these tests do not depend on other ambient typings. */
export const S3rver = createRequire(import.meta.url)('s3rver') as new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverServer;

/** One request seen by the proxy. */
export interface RecordedRequest {
  readonly operation: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  status: number | undefined;
}

/** An answer the proxy gives itself instead of forwarding. */
export interface CannedAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A running store. */
export interface S3Fixture {
  /** Credentials and the proxy's endpoint. */
  readonly access: S3Access;
  readonly provider: S3AccessProvider;
  readonly bucket: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests for which this returns true get their connection dropped (no answer). */
  drop: ((request: RecordedRequest) => boolean) | undefined;
  /** Requests for which this returns true reach the store, but its answer is lost (the connection dropped after it). */
  loseAnswer: ((request: RecordedRequest) => boolean) | undefined;
  /** Requests for which this returns an answer get it from the proxy (a hostile or expiring store). */
  respond: ((request: RecordedRequest) => CannedAnswer | undefined) | undefined;
  /** How many recorded requests had `operation` (since the last `clear`). */
  count(operation: string): number;
  clear(): void;
  stop(): Promise<void>;
}

/** Options of {@link startS3}. */
export interface StartS3Options {
  /** `embedded`: the local platform's embedded S3 (guard, durable store) instead of plain s3rver or the external store. */
  readonly store?: 'embedded';
}

/** The S3 operation a request is, from its method, query and headers (a copy source makes a PUT a CopyObject). */
export function operationOf(
  method: string,
  url: string,
  headers: Readonly<Record<string, string | string[] | undefined>> = {},
): string {
  const query = new URL(url, 'http://store').searchParams;
  switch (method) {
    case 'PUT':
      if (query.has('uploadId')) return 'UploadPart';
      return headers['x-amz-copy-source'] === undefined ? 'PutObject' : 'CopyObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      return query.has('delete') ? 'DeleteObjects' : 'POST';
    case 'GET': {
      if (query.has('uploads')) return 'ListMultipartUploads';
      if (query.has('uploadId')) return 'ListParts';
      const segments = new URL(url, 'http://store').pathname.split('/').filter(Boolean);
      if (segments.length === 1) return query.has('list-type') ? 'ListObjectsV2' : 'ListObjects';
      return 'GetObject';
    }
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    default:
      return method;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the store (s3rver unless the environment names another) and the recording proxy. */
export async function startS3(options: StartS3Options = {}): Promise<S3Fixture> {
  const external = process.env.MODELMAKER_TEST_S3_ENDPOINT;
  const bucket = 'test-bucket';
  let upstream: URL;
  let credentials: { accessKeyId: string; secretAccessKey: string; region: string };
  let stopStore: () => Promise<void>;
  if (options.store === 'embedded') {
    const directory = await mkdtemp(join(tmpdir(), 'mm-embedded-s3-'));
    const embedded = await startEmbeddedS3({ directory, buckets: [bucket] });
    upstream = new URL(embedded.endpoint);
    credentials = {
      accessKeyId: embedded.accessKeyId,
      secretAccessKey: embedded.secretAccessKey,
      region: embedded.region,
    };
    stopStore = async () => {
      await embedded.close();
      await rm(directory, { recursive: true, force: true });
    };
  } else if (external) {
    upstream = new URL(external);
    credentials = {
      accessKeyId: process.env.MODELMAKER_TEST_S3_ACCESS_KEY ?? '',
      secretAccessKey: process.env.MODELMAKER_TEST_S3_SECRET_KEY ?? '',
      region: process.env.MODELMAKER_TEST_S3_REGION ?? 'us-east-1',
    };
    const client = createS3Client({ ...credentials, endpoint: external });
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
    client.destroy();
    stopStore = async () => undefined;
  } else {
    const directory = await mkdtemp(join(tmpdir(), 'mm-s3rver-'));
    const server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    const address = await server.run();
    upstream = new URL(`http://127.0.0.1:${address.port}`);
    credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
    stopStore = async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    };
  }

  const requests: RecordedRequest[] = [];
  const fixture: Partial<S3Fixture> & Pick<S3Fixture, 'drop' | 'loseAnswer' | 'respond'> = {
    drop: undefined,
    loseAnswer: undefined,
    respond: undefined,
  };
  const proxy = createServer((incoming: IncomingMessage, outgoing) => {
    const record: RecordedRequest = {
      operation: operationOf(incoming.method ?? 'GET', incoming.url ?? '/', incoming.headers),
      method: incoming.method ?? 'GET',
      url: incoming.url ?? '/',
      headers: incoming.headers,
      status: undefined,
    };
    requests.push(record);
    if (fixture.drop?.(record)) {
      incoming.socket.destroy();
      return;
    }
    const canned = fixture.respond?.(record);
    if (canned) {
      record.status = canned.status;
      incoming.resume();
      incoming.on('end', () => {
        outgoing.writeHead(canned.status, {
          'content-type': canned.contentType ?? 'application/xml',
          ...canned.headers,
        });
        outgoing.end(record.method === 'HEAD' ? undefined : canned.body);
      });
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        record.status = answer.statusCode;
        if (fixture.loseAnswer?.(record)) {
          answer.resume();
          answer.on('end', () => incoming.socket.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) forward.destroy();
    });
    incoming.pipe(forward);
  });
  const port = await listen(proxy);
  const access: S3Access = { ...credentials, endpoint: `http://127.0.0.1:${port}` };
  return Object.assign(fixture, {
    access,
    provider: staticS3Access(access),
    bucket,
    requests,
    count: (operation: string) => requests.filter((r) => r.operation === operation).length,
    clear: () => {
      requests.length = 0;
    },
    stop: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await stopStore();
    },
  }) as S3Fixture;
}

/** A fresh temporary directory; `cleanup` removes every one made. */
export async function tempDir(label = 'mm-storage-'): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), label));
  created.push(made);
  return made;
}
const created: string[] = [];

/** Removes every directory {@link tempDir} made. */
export async function cleanupTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((path) => rm(path, { recursive: true, force: true })));
}

/** Writes `size` random bytes to `path` (parents created), 1 MiB at a time. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const chunk = 1024 * 1024;
  async function* chunks() {
    for (let done = 0; done < size; done += chunk) yield randomBytes(Math.min(chunk, size - done));
  }
  await pipeline(chunks(), createWriteStream(path));
}

/** SHA-256 (hex) of a file. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Every file below `root`: relative `/`-path → SHA-256. */
export async function treeDigest(root: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (directory: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(directory, entry.name), relative);
      else result.set(relative, await sha256File(join(directory, entry.name)));
    }
  };
  await walk(root, '');
  return result;
}

/** Every entry (files and directories) below `root`, relative. */
export async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

/** All values of a finite Observable. */
export function collect<T>(source: Observable<T>): Promise<T[]> {
  return lastValueFrom(source.pipe(toArray()));
}

/** A test-unique key prefix. */
let serial = 0;
export function uniquePrefix(label: string): string {
  serial += 1;
  return `${label}-${process.pid}-${serial}-${Date.now().toString(36)}`;
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** An S3 error body. */
export function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

/** A one-page ListObjects answer listing `objects` (keys as given, however hostile). */
export function listingXml(
  bucket: string,
  prefix: string,
  objects: readonly { key: string; size: number }[],
): string {
  const contents = objects
    .map(
      (object) =>
        `<Contents><Key>${xmlEscape(object.key)}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"0"</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
}
