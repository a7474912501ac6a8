/**
 * The request handler in front of s3rver. For each request it:
 *
 * 1. verifies the SigV4 signature against the keys the store knows — the platform's
 *    key pair and the temporary keys `auth-access` hands out (s3rver 3.7.1 checks only
 *    that the access key exists, and lets anonymous requests through);
 * 2. refuses bucket names and keys that would leave the storage root (400);
 * 3. spools a request body to a temporary file (flushed to disk) — the XML bodies the
 *    store reads whole (DeleteObjects, CompleteMultipartUpload) first read, bounded, by the
 *    platform's one body reader (`server/readBody.ts`: 413 over the limit) — decoding
 *    `aws-chunked` framing and checking chunk signatures, the trailer checksum, the
 *    decoded length, `Content-MD5`, any `x-amz-checksum-*` header and a declared
 *    `x-amz-content-sha256` on the way — so the store gets the object's real bytes,
 *    and never a half-received or corrupt upload;
 * 4. forwards the request over a private socket to s3rver, re-signed with s3rver's
 *    own key pair, and pipes the answer back — except object listings (ListObjects and
 *    ListObjectsV2), which it answers itself from the store (see `listObjects.ts`:
 *    s3rver's truncated V2 pages fail, and its pages are not in key order). An object
 *    or part body is not sent again: the spooled file is handed to the store by name
 *    (see `durableStore.ts`), which renames it into place. A plain PutObject is not
 *    forwarded at all when the guard is given the store: it is stored in-process, and
 *    answered as s3rver would (see `plainPut.ts`); a small one (up to
 *    `DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES`) is received into memory instead of a spool file.
 *
 * A storage fault (a full disk while spooling or storing) fails that request with an
 * error naming it — 507 `InsufficientStorage` for a full disk — and is reported
 * through `onFault`; everything else keeps being served.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type http from 'node:http';
import { request as httpRequest } from 'node:http';
import { basename, join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES, DEFAULT_LOCAL_S3_XML_BODY_BYTES } from '../defaults.js';
import { describeFault, ioFault } from '../faults.js';
import { BodyTooLargeError, readBody } from '../server/readBody.js';
import { abortedUploadId, abortUpload } from './abortUpload.js';
import { awsChunkedDecoder, isStreamingPayload, STREAMING_PAYLOADS } from './awsChunked.js';
import { type Checksum, checksumFor, contentMd5, isChecksumHeader } from './checksum.js';
import { type DurableStore, PRIVATE_FILE_MODE, type ReceivedBody, SPOOL_HEADERS } from './durableStore.js';
import { isListObjects, listObjects } from './listObjects.js';
import { isPlainPart, isPlainPut, putInProcess, putPartInProcess } from './plainPut.js';
import { S3RequestError, s3ErrorXml } from './s3Error.js';
import {
  bucketAndKey,
  canonicalDeleteBody,
  checkCopySource,
  checkMultipartQuery,
  checkPath,
} from './safeKeys.js';
import {
  type Credentials,
  headerMap,
  isQueryAuthParam,
  type KeyLookup,
  signForward,
  splitTarget,
  type VerifiedSignature,
  verifySignature,
} from './sigv4.js';

/** What the guard needs to know. */
export interface GuardOptions {
  /** The keys clients may sign with. */
  readonly keys: KeyLookup;
  /** The key pair s3rver knows (forwarded requests are signed with it). */
  readonly upstreamCredentials: Credentials;
  /** The region forwarded requests are signed for. */
  readonly region: string;
  /** Where s3rver listens (a Unix socket or Windows pipe). */
  readonly upstreamSocket: string;
  /** The agent that keeps connections to s3rver. */
  readonly agent: http.Agent;
  /** s3rver's storage root (one directory per bucket): object listings are read from it. */
  readonly storeDirectory: string;
  /** Where request bodies are spooled. */
  readonly spoolDirectory: string;
  /** The clock, for signature times. */
  readonly now?: () => number;
  /** Told when a request fails on a storage fault (a full disk), with the reason. */
  readonly onFault?: (reason: string) => void;
  /** Largest DeleteObjects or CompleteMultipartUpload body, bytes. Default {@link DEFAULT_LOCAL_S3_XML_BODY_BYTES}. */
  readonly maxXmlBodyBytes?: number;
  /**
   * The store s3rver writes to. Given, a plain PutObject is stored in it in-process (see
   * `plainPut.ts`) instead of being forwarded; without it every request goes to s3rver.
   */
  readonly store?: DurableStore;
  /** Largest plain PutObject body received into memory, bytes. Default {@link DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES}. */
  readonly maxBufferedPutBytes?: number;
}

/** Query parameters of a PutObject or UploadPart whose spooled body is handed to the store by name. */
const HAND_OVER_QUERY = new Set(['x-id', 'uploadId', 'partNumber']);
/** Request headers only the guard may set (the store trusts them). */
const INTERNAL_HEADER_PREFIX = 'x-modelmaker-';

/** Request headers that describe the client's framing or signature, not the object: never forwarded. */
const DROPPED_REQUEST_HEADERS = new Set([
  'authorization',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'expect',
  'host',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-security-token',
]);
/** Hop-by-hop response headers: Node frames the answer itself. */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding']);

interface Spooled {
  readonly file: string;
  readonly length: number;
  /** Hex MD5 of the decoded bytes. */
  readonly md5: string;
}

/** Where {@link spool} puts a body: a file flushed to disk, or memory (a small plain PutObject's). */
type SpoolSink = { readonly file: string } | { readonly memory: true };

/** A body as {@link spool} received it: in its file, or in `bytes`. */
type Received =
  | (Spooled & { readonly bytes?: undefined })
  | {
      readonly file?: undefined;
      readonly bytes: Buffer;
      readonly length: number;
      readonly md5: string;
    };

function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function sendError(
  res: http.ServerResponse,
  method: string,
  error: S3RequestError,
  resource: string,
  id: string,
): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body = s3ErrorXml(error, resource, id);
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': id,
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** Passes bytes through while counting them and hashing them for the declared checks. */
function tap(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _e, callback) {
      onChunk(chunk);
      callback(null, chunk);
    },
  });
}

/** The flexible checksums a request declares in its headers (Content-MD5 is checked apart, see `spool`). */
function declaredChecks(
  headers: ReadonlyMap<string, string>,
  checkFlexible: boolean,
): Array<{ name: string; expected: string; checksum: Checksum; code: string }> {
  const checks: Array<{ name: string; expected: string; checksum: Checksum; code: string }> = [];
  if (checkFlexible) {
    for (const [name, value] of headers) {
      if (isChecksumHeader(name))
        checks.push({ name, expected: value, checksum: checksumFor(name), code: 'BadDigest' });
    }
  }
  return checks;
}

/**
 * Reads an XML request body (read whole by the store) with the platform's bounded
 * reader: 413 `EntityTooLarge` over `limit`, the rest of the body drained so the client
 * reads the answer.
 */
async function readXmlBody(req: http.IncomingMessage, limit: number): Promise<Readable> {
  try {
    return Readable.from([await readBody(req, limit)]);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    throw new S3RequestError(
      413,
      'EntityTooLarge',
      `the request body is larger than the ${limit} bytes allowed`,
    );
  }
}

async function spool(
  req: NodeJS.ReadableStream,
  headers: ReadonlyMap<string, string>,
  signature: VerifiedSignature,
  sink: SpoolSink,
  checkFlexible: boolean,
): Promise<Received> {
  const payloadHash = signature.payloadHash;
  const contentEncoding = headers.get('content-encoding') ?? '';
  const chunked = isStreamingPayload(payloadHash) || /(^|,)\s*aws-chunked\s*(,|$)/i.test(contentEncoding);
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | Transform> = [req];
  if (chunked) {
    const known = Object.values(STREAMING_PAYLOADS) as string[];
    if (isStreamingPayload(payloadHash) && !known.includes(payloadHash)) {
      throw new S3RequestError(
        501,
        'NotImplemented',
        `${payloadHash} bodies are not supported by the embedded store`,
      );
    }
    const decodedText = headers.get('x-amz-decoded-content-length');
    const decodedLength = decodedText === undefined ? undefined : Number(decodedText);
    stages.push(
      awsChunkedDecoder({
        signed: payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD') ? signature : undefined,
        trailer: headers.get('x-amz-trailer'),
        decodedLength: Number.isSafeInteger(decodedLength) ? decodedLength : undefined,
      }),
    );
  }
  // Checks over the decoded bytes: the declared SHA-256, checksum headers, Content-MD5.
  const hashHex = !chunked && /^[0-9a-f]{64}$/i.test(payloadHash) ? payloadHash.toLowerCase() : undefined;
  const hasher = hashHex ? createHash('sha256') : undefined;
  const checks = declaredChecks(headers, checkFlexible);
  // Content-MD5 is checked against the MD5 the spool computes anyway (the object's ETag): one hash, not two.
  const declaredMd5Header = headers.get('content-md5');
  const declaredMd5 = declaredMd5Header === undefined ? undefined : contentMd5(declaredMd5Header).expected;
  const md5 = createHash('md5');
  let length = 0;
  const chunks: Buffer[] = [];
  const onChunk = (chunk: Buffer) => {
    length += chunk.length;
    md5.update(chunk);
    hasher?.update(chunk);
    for (const check of checks) check.checksum.update(chunk);
  };
  if ('file' in sink) {
    stages.push(
      tap(onChunk),
      // Flushed when closed: the store may take this very file over as the object.
      createWriteStream(sink.file, { flush: true, mode: PRIVATE_FILE_MODE }),
    );
  } else {
    stages.push(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          onChunk(chunk);
          chunks.push(chunk);
          callback();
        },
      }),
    );
  }
  await (pipeline as (...streams: unknown[]) => Promise<void>)(...stages);
  if (hasher && hasher.digest('hex') !== hashHex) {
    throw new S3RequestError(
      400,
      'XAmzContentSHA256Mismatch',
      'the provided x-amz-content-sha256 does not match what was computed',
    );
  }
  for (const check of checks) {
    if ((await check.checksum.digest()) !== check.expected) {
      throw new S3RequestError(
        400,
        check.code,
        `the ${check.name} you specified did not match the calculated checksum`,
      );
    }
  }
  const md5Hex = md5.digest('hex');
  if (declaredMd5 !== undefined && Buffer.from(md5Hex, 'hex').toString('base64') !== declaredMd5) {
    throw new S3RequestError(
      400,
      'BadDigest',
      'the Content-MD5 you specified did not match the calculated checksum',
    );
  }
  return 'file' in sink
    ? { file: sink.file, length, md5: md5Hex }
    : { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length), length, md5: md5Hex };
}

/**
 * `x-amz-copy-source` as s3rver 3.7.1 reads it. S3 takes it URL-encoded (a key's `+` as
 * `%2B`) and decodes every escape; s3rver runs `decodeURI`, which leaves the escapes of
 * reserved characters (`%2B`, `%3D`, `%40`, …) as they are and so looks for another key.
 * Forwarded decoded, then encoded as `encodeURI` does, s3rver reads the key S3 would.
 * (A `?versionId=` is dropped: s3rver keeps no versions.)
 */
function s3rverCopySource(header: string): string {
  const path = header.split('?')[0] ?? '';
  const { bucket, key } = bucketAndKey(path.startsWith('/') ? path : `/${path}`);
  return encodeURI(`/${bucket}/${key}`);
}

/** The request target s3rver gets: the same path, the query without presigned-URL parameters. */
function forwardTarget(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => {
      const name = part.split('=')[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return part !== '' && !isQueryAuthParam(decoded);
    });
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

function forwardHeaders(
  req: http.IncomingMessage,
  length: number | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || name.startsWith(INTERNAL_HEADER_PREFIX))
      continue;
    if (name === 'content-encoding') {
      // S3 removes aws-chunked from the stored Content-Encoding; keep any real encoding.
      const rest = String(value)
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked');
      if (rest.length > 0) out[name] = rest.join(',');
      continue;
    }
    out[name] = value;
  }
  if (length !== undefined) out['content-length'] = String(length);
  return out;
}

/**
 * Creates the guard's request handler. Refusals are S3 XML errors: 403 for bad or
 * missing signatures, 400 for unsafe names and corrupt bodies, 501 for what the store
 * does not support (browser-form POST uploads, SigV4a streaming).
 */
export function createS3Guard(
  options: GuardOptions,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const now = options.now ?? Date.now;
  return (req, res) => {
    const id = requestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const { path, query } = splitTarget(url);
    let spooled: Spooled | undefined;
    let spoolFile: string | undefined;

    const cleanup = () => {
      if (spoolFile) void rm(spoolFile, { force: true });
      spoolFile = undefined;
    };

    const run = async () => {
      const headers = headerMap(req.rawHeaders);
      const signature = verifySignature({ method, url, rawHeaders: req.rawHeaders }, options.keys, now());
      const { bucket, key } = checkPath(path);
      checkMultipartQuery(query);
      const copySource = headers.get('x-amz-copy-source');
      if (copySource !== undefined) checkCopySource(copySource);
      const isDelete = method === 'POST' && key === '' && query.some(([n]) => n === 'delete');
      if (method === 'POST' && key === '' && bucket !== '' && !isDelete) {
        throw new S3RequestError(
          501,
          'NotImplemented',
          'browser-form POST uploads are not supported by the embedded store',
        );
      }

      if (isListObjects(method, bucket, key, query)) {
        req.resume();
        const listing = await listObjects(options.storeDirectory, bucket, query);
        res.writeHead(200, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(listing),
          'x-amz-request-id': id,
        });
        res.end(listing);
        return;
      }

      const abortedUpload = abortedUploadId(method, key, query);
      if (abortedUpload !== undefined && options.store !== undefined) {
        req.resume();
        await abortUpload(options.store, { bucket, key, uploadId: abortedUpload }, res);
        return;
      }

      let body: Buffer | Spooled | undefined;
      const hasBody =
        method === 'PUT' ||
        method === 'POST' ||
        headers.has('transfer-encoding') ||
        Number(headers.get('content-length') ?? 0) > 0;
      // CompleteMultipartUpload's checksum headers describe the whole object, not its XML body.
      const completesUpload = method === 'POST' && query.some(([n]) => n === 'uploadId');
      let handOver = false;
      // Plain PutObjects and UploadParts are stored in-process (`plainPut.ts`), not sent to s3rver.
      const inProcess =
        options.store === undefined
          ? undefined
          : isPlainPut(method, key, query, headers)
            ? 'put'
            : isPlainPart(method, key, query, headers)
              ? 'part'
              : undefined;
      if (hasBody) {
        // A small body stored in-process is received into memory; other bodies are spooled to a file.
        const declaredLength = Number(headers.get('content-length'));
        const inMemory =
          inProcess !== undefined &&
          !headers.has('transfer-encoding') &&
          Number.isSafeInteger(declaredLength) &&
          declaredLength <= (options.maxBufferedPutBytes ?? DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES);
        if (!inMemory) spoolFile = join(options.spoolDirectory, id);
        // The XML bodies the store reads whole are bounded; objects and parts stream to the spool.
        const source =
          isDelete || completesUpload
            ? await readXmlBody(req, options.maxXmlBodyBytes ?? DEFAULT_LOCAL_S3_XML_BODY_BYTES)
            : req;
        let received: Awaited<ReturnType<typeof spool>>;
        try {
          received = await spool(
            source,
            headers,
            signature,
            spoolFile === undefined ? { memory: true } : { file: spoolFile },
            !completesUpload,
          );
        } catch (error) {
          const fault = ioFault(error);
          if (!fault) throw error;
          const reason = describeFault(error, `receiving ${key === '' ? bucket : `${bucket}/${key}`}`);
          options.onFault?.(reason);
          throw new S3RequestError(
            fault.code === 'ENOSPC' ? 507 : 500,
            fault.code === 'ENOSPC' ? 'InsufficientStorage' : 'InternalError',
            reason,
            error,
          );
        }
        if (inProcess !== undefined) {
          const store = options.store!;
          const receivedBody: ReceivedBody =
            received.bytes === undefined
              ? { _tag: 'SpooledFile', file: basename(received.file), md5: received.md5 }
              : { _tag: 'ReceivedBytes', bytes: received.bytes, md5: received.md5 };
          if (inProcess === 'put') {
            await putInProcess(
              store,
              { bucket, key, body: receivedBody, headers: forwardHeaders(req, 0) },
              res,
            );
          } else {
            const value = (name: string) => query.find(([n]) => n === name)![1];
            await putPartInProcess(
              store,
              {
                bucket,
                uploadId: value('uploadId'),
                partNumber: Number(value('partNumber')),
                body: receivedBody,
              },
              res,
            );
          }
          return;
        }
        if (received.bytes !== undefined) throw new Error('a body was received into memory for s3rver');
        spooled = received;
        body = spooled;
        if (isDelete) body = Buffer.from(canonicalDeleteBody(await readFile(spooled.file, 'utf8')), 'utf8');
        handOver =
          method === 'PUT' &&
          key !== '' &&
          copySource === undefined &&
          query.every(([n]) => HAND_OVER_QUERY.has(n) || isQueryAuthParam(n));
      } else {
        req.resume();
      }

      const target = forwardTarget(url);
      const length = handOver ? 0 : body?.length;
      const upstreamHeaders: Record<string, string | string[]> = {
        ...forwardHeaders(req, length),
        host: 'localhost',
        ...signForward(method, target, 'localhost', options.upstreamCredentials, options.region, now()),
      };
      // The rebuilt DeleteObjects body no longer matches the client's Content-MD5.
      if (isDelete) delete upstreamHeaders['content-md5'];
      if (copySource !== undefined) upstreamHeaders['x-amz-copy-source'] = s3rverCopySource(copySource);
      if (handOver && spooled) {
        upstreamHeaders[SPOOL_HEADERS.file] = basename(spooled.file);
        upstreamHeaders[SPOOL_HEADERS.md5] = spooled.md5;
        body = undefined;
      }

      await new Promise<void>((resolve, reject) => {
        const upstream = httpRequest({
          socketPath: options.upstreamSocket,
          agent: options.agent,
          method,
          path: target,
          headers: upstreamHeaders,
        });
        upstream.on('error', reject);
        upstream.on('response', (answer) => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) out[name] = value;
          }
          res.writeHead(answer.statusCode ?? 502, out);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', reject);
        });
        res.on('close', () => {
          if (!res.writableFinished) upstream.destroy();
          resolve();
        });
        if (body === undefined) upstream.end();
        else if (Buffer.isBuffer(body)) upstream.end(body);
        else createReadStream(body.file).on('error', reject).pipe(upstream);
      });
    };

    run()
      .catch((error: unknown) => {
        req.resume();
        const refusal =
          error instanceof S3RequestError
            ? error
            : new S3RequestError(
                500,
                'InternalError',
                `the embedded store failed: ${(error as Error)?.message ?? error}`,
                error,
              );
        sendError(res, method, refusal, path, id);
      })
      .finally(cleanup);
  };
}
