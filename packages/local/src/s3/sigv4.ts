/**
 * AWS Signature Version 4 for the embedded S3's guard: verifying what clients send
 * (header and presigned-query forms, and the per-chunk signatures of
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies) and signing what the guard forwards.
 * s3rver 3.7.1 checks only that a V4 request names a known access key, so the
 * guard is where signatures are really checked.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3_MAX_CLOCK_SKEW_MS, S3_MAX_PRESIGNED_EXPIRY_SECONDS } from '../defaults.js';
import { S3RequestError } from './s3Error.js';

/** The one algorithm S3 signs with. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** SHA-256 of the empty string, hex: the payload hash of a body-less request and of chunk "previous data". */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** `x-amz-content-sha256` value of a request whose body is not hashed. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** A key pair. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A secret the store knows for an access key id, and when it stops being accepted (ms since the epoch). */
export interface KnownKey {
  readonly secretAccessKey: string;
  /** Absent: never expires (the platform's own key pair). */
  readonly expiresAt?: number | undefined;
}

/** Finds the secret of an access key id; `undefined` for a key the store does not know. */
export type KeyLookup = (accessKeyId: string) => KnownKey | undefined;

/** A {@link KeyLookup} knowing one permanent key pair. */
export function singleKey(credentials: Credentials): KeyLookup {
  return (accessKeyId) =>
    accessKeyId === credentials.accessKeyId ? { secretAccessKey: credentials.secretAccessKey } : undefined;
}

/** What a request looks like to the signer: `url` is the raw request target (`/bucket/key?query`). */
export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  /** Header name/value pairs as received (Node's `rawHeaders` layout: name, value, name, value…). */
  readonly rawHeaders: readonly string[];
}

/** A verified request: what later chunk signatures chain on. */
export interface VerifiedSignature {
  readonly accessKeyId: string;
  /** `yyyymmddThhmmssZ` */
  readonly amzDate: string;
  /** `date/region/service/aws4_request` */
  readonly scope: string;
  readonly signingKey: Buffer;
  /** The request's signature (hex): the seed of a chunked body's signature chain. */
  readonly signature: string;
  /** The payload hash the request declared (`x-amz-content-sha256`, or `UNSIGNED-PAYLOAD` for presigned URLs). */
  readonly payloadHash: string;
}

/** SHA-256 hex of `data`. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Signing keys kept (a key pair signs many requests a day: four HMACs each, saved); cleared when full. */
const SIGNING_KEY_CACHE_SIZE = 64;
const signingKeys = new Map<string, Buffer>();

/** The SigV4 signing key of `secret` for one day, region and service (kept in memory, never shown). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}\n${region}\n${service}\n${secret}`;
  let key = signingKeys.get(id);
  if (key === undefined) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** Percent-encodes as SigV4 wants: everything but `A-Za-z0-9-._~`. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Splits a raw request target into path and query pairs (decoded). */
export function splitTarget(url: string): { path: string; query: Array<[string, string]> } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query: Array<[string, string]> = [];
  if (q >= 0) {
    for (const part of url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      query.push([safeDecode(name), safeDecode(value)]);
    }
  }
  return { path, query };
}

function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Header values by lower-case name, repeated headers joined with `,` as SigV4 does. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ');
    const previous = map.get(name);
    map.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return map;
}

/**
 * The canonical request of SigV4. S3 signs the path as sent (no double encoding);
 * `normalizePath` re-encodes each segment instead, for clients that escape differently.
 */
function canonicalRequest(
  method: string,
  path: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: ReadonlyMap<string, string>,
  signedHeaders: readonly string[],
  payloadHash: string,
  normalizePath: boolean,
): string | undefined {
  const lines: string[] = [];
  for (const name of signedHeaders) {
    const value = headers.get(name);
    if (value === undefined) return undefined;
    lines.push(`${name}:${value}\n`);
  }
  const uri = normalizePath
    ? path
        .split('/')
        .map((segment) => encodeRfc3986(safeDecode(segment)))
        .join('/')
    : path;
  return [
    method,
    uri || '/',
    canonicalQuery(query),
    lines.join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `yyyymmddThhmmssZ`; NaN when malformed. */
function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

const QUERY_AUTH_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

/** True for the query parameters of a presigned URL (they are stripped before forwarding). */
export function isQueryAuthParam(name: string): boolean {
  return QUERY_AUTH_PARAMS.has(name);
}

interface Claimed {
  readonly accessKeyId: string;
  readonly scope: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
  readonly amzDate: string;
  readonly payloadHash: string;
  readonly query: Array<[string, string]>;
  readonly expiresMs?: number;
}

function malformed(message: string): S3RequestError {
  return new S3RequestError(400, 'AuthorizationHeaderMalformed', message);
}

function claimFromHeader(
  authorization: string,
  headers: ReadonlyMap<string, string>,
  query: Array<[string, string]>,
): Claimed {
  const space = authorization.indexOf(' ');
  if (space < 0 || authorization.slice(0, space) !== SIGV4_ALGORITHM) {
    throw new S3RequestError(400, 'InvalidArgument', `only ${SIGV4_ALGORITHM} signatures are accepted`);
  }
  const parts = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw malformed('the authorization header needs Credential, SignedHeaders and Signature');
  }
  const amzDate = headers.get('x-amz-date');
  if (!amzDate) throw new S3RequestError(403, 'AccessDenied', 'a signed request needs an x-amz-date header');
  const payloadHash = headers.get('x-amz-content-sha256');
  if (!payloadHash) {
    throw new S3RequestError(
      400,
      'InvalidRequest',
      'missing required header for this request: x-amz-content-sha256',
    );
  }
  return {
    ...parseCredential(credential),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash,
    query,
  };
}

function claimFromQuery(query: Array<[string, string]>, headers: ReadonlyMap<string, string>): Claimed {
  const get = (name: string) => query.find(([n]) => n === name)?.[1];
  if (get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
    throw new S3RequestError(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Algorithm must be ${SIGV4_ALGORITHM}`,
    );
  }
  const credential = get('X-Amz-Credential');
  const signedHeaders = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  const amzDate = get('X-Amz-Date');
  const expires = Number(get('X-Amz-Expires'));
  if (!credential || !signedHeaders || !signature || !amzDate || !Number.isInteger(expires) || expires < 0) {
    throw new S3RequestError(
      400,
      'AuthorizationQueryParametersError',
      'a presigned URL needs X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature',
    );
  }
  if (expires > S3_MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw new S3RequestError(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be less than a week (in seconds) that is ${S3_MAX_PRESIGNED_EXPIRY_SECONDS}`,
    );
  }
  return {
    ...parseCredential(credential),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    // The AWS presigner hoists `x-amz-content-sha256: UNSIGNED-PAYLOAD` into the query.
    payloadHash:
      query.find(([n]) => n.toLowerCase() === 'x-amz-content-sha256')?.[1] ??
      headers.get('x-amz-content-sha256') ??
      UNSIGNED_PAYLOAD,
    query: query.filter(([n]) => n !== 'X-Amz-Signature'),
    expiresMs: expires * 1000,
  };
}

function parseCredential(
  credential: string,
): Pick<Claimed, 'accessKeyId' | 'scope' | 'date' | 'region' | 'service'> {
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    throw malformed(`malformed credential ${JSON.stringify(credential)}`);
  }
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

/**
 * Refuses a signature that leaves part of the request open to change: `host` must be
 * signed (else the request replays against another host name), and so must every
 * `x-amz-*` header sent (else one can be added to a captured request, e.g.
 * `x-amz-meta-*` or a copy source).
 */
function checkSignedHeaders(headers: ReadonlyMap<string, string>, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders);
  if (!signed.has('host')) {
    throw new S3RequestError(403, 'AccessDenied', 'the host header must be signed');
  }
  const unsigned = [...headers.keys()].filter((name) => name.startsWith('x-amz-') && !signed.has(name));
  if (unsigned.length > 0) {
    throw new S3RequestError(
      403,
      'AccessDenied',
      `there were headers present in the request which were not signed: ${unsigned.join(', ')}`,
    );
  }
}

/**
 * Verifies a request's SigV4 signature (the `Authorization` header or a presigned
 * URL) against the keys the store knows. The payload hash is taken as declared; the
 * guard checks it against the body it spools.
 *
 * @throws S3RequestError `AccessDenied` (anonymous, expired URL, unsigned `host` or
 *   `x-amz-*` header, a presigned URL not valid yet), `InvalidAccessKeyId`,
 *   `ExpiredToken` (a temporary key past its expiry), `SignatureDoesNotMatch`,
 *   `RequestTimeTooSkewed`, `AuthorizationHeaderMalformed`,
 *   `AuthorizationQueryParametersError` (a presigned URL valid longer than a week).
 */
export function verifySignature(request: SignableRequest, keys: KeyLookup, now: number): VerifiedSignature {
  const headers = headerMap(request.rawHeaders);
  const { path, query } = splitTarget(request.url);
  const authorization = headers.get('authorization');
  const presigned = query.some(([n]) => n === 'X-Amz-Algorithm');
  if (authorization === undefined && !presigned) {
    throw new S3RequestError(
      403,
      'AccessDenied',
      'anonymous requests are not accepted: sign with the platform key pair',
    );
  }
  if (authorization !== undefined && presigned) {
    throw new S3RequestError(400, 'InvalidArgument', 'only one auth mechanism allowed');
  }
  const claim =
    authorization !== undefined
      ? claimFromHeader(authorization, headers, query)
      : claimFromQuery(query, headers);

  const known = keys(claim.accessKeyId);
  if (known === undefined) {
    throw new S3RequestError(
      403,
      'InvalidAccessKeyId',
      'the access key id you provided does not exist in our records',
    );
  }
  if (known.expiresAt !== undefined && now >= known.expiresAt) {
    // 403 (S3 itself says 400): a HEAD answer has no body to carry the code, and clients
    // tell refused credentials by the status alone there.
    throw new S3RequestError(403, 'ExpiredToken', 'the provided token has expired');
  }
  const time = parseAmzDate(claim.amzDate);
  if (Number.isNaN(time) || claim.amzDate.slice(0, 8) !== claim.date) {
    throw new S3RequestError(
      403,
      'AccessDenied',
      'x-amz-date is malformed or does not match the credential scope',
    );
  }
  if (claim.expiresMs !== undefined) {
    if (time - now > S3_MAX_CLOCK_SKEW_MS)
      throw new S3RequestError(403, 'AccessDenied', 'request is not yet valid');
    if (now > time + claim.expiresMs) throw new S3RequestError(403, 'AccessDenied', 'request has expired');
  } else if (Math.abs(now - time) > S3_MAX_CLOCK_SKEW_MS) {
    throw new S3RequestError(
      403,
      'RequestTimeTooSkewed',
      'the difference between the request time and the current time is too large',
    );
  }
  checkSignedHeaders(headers, claim.signedHeaders);

  const key = signingKey(known.secretAccessKey, claim.date, claim.region, claim.service);
  for (const normalizePath of [false, true]) {
    const canonical = canonicalRequest(
      request.method,
      path,
      claim.query,
      headers,
      claim.signedHeaders,
      claim.payloadHash,
      normalizePath,
    );
    if (canonical === undefined) break;
    const expected = createHmac('sha256', key)
      .update(stringToSign(claim.amzDate, claim.scope, canonical))
      .digest('hex');
    if (sameHex(expected, claim.signature)) {
      return {
        accessKeyId: claim.accessKeyId,
        amzDate: claim.amzDate,
        scope: claim.scope,
        signingKey: key,
        signature: claim.signature,
        payloadHash: claim.payloadHash,
      };
    }
  }
  throw new S3RequestError(
    403,
    'SignatureDoesNotMatch',
    'the request signature we calculated does not match the signature you provided; check your key and signing method',
  );
}

/**
 * The signature of one chunk of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body, chained on
 * the previous one; `chunkHash` is the SHA-256 (hex) of the chunk's data.
 */
export function chunkSignature(seed: VerifiedSignature, previous: string, chunkHash: string): string {
  const text = ['AWS4-HMAC-SHA256-PAYLOAD', seed.amzDate, seed.scope, previous, EMPTY_SHA256, chunkHash].join(
    '\n',
  );
  return createHmac('sha256', seed.signingKey).update(text).digest('hex');
}

/** The signature of the trailer of a `…-TRAILER` signed body (`trailer` is the canonical `name:value\n` lines). */
export function trailerSignature(seed: VerifiedSignature, previous: string, trailer: string): string {
  const text = ['AWS4-HMAC-SHA256-TRAILER', seed.amzDate, seed.scope, previous, sha256Hex(trailer)].join(
    '\n',
  );
  return createHmac('sha256', seed.signingKey).update(text).digest('hex');
}

/** True when two hex signatures are equal (constant time). */
export function signaturesMatch(a: string, b: string): boolean {
  return sameHex(a, b);
}

/**
 * Signs a request the guard forwards, with `UNSIGNED-PAYLOAD`, over `host`,
 * `x-amz-content-sha256` and `x-amz-date`. Returns the headers to add.
 */
export function signForward(
  method: string,
  url: string,
  host: string,
  credentials: Credentials,
  region: string,
  now: number,
): Record<string, string> {
  const amzDate = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers = new Map([
    ['host', host],
    ['x-amz-content-sha256', UNSIGNED_PAYLOAD],
    ['x-amz-date', amzDate],
  ]);
  const signed = [...headers.keys()];
  const { path, query } = splitTarget(url);
  const canonical = canonicalRequest(method, path, query, headers, signed, UNSIGNED_PAYLOAD, false)!;
  const scope = `${date}/${region}/s3/aws4_request`;
  const key = signingKey(credentials.secretAccessKey, date, region, 's3');
  const signature = createHmac('sha256', key)
    .update(stringToSign(amzDate, scope, canonical))
    .digest('hex');
  return {
    'x-amz-content-sha256': UNSIGNED_PAYLOAD,
    'x-amz-date': amzDate,
    authorization: `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
  };
}
