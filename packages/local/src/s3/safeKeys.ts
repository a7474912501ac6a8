/**
 * Which bucket names and object keys the embedded S3 lets through to s3rver.
 * s3rver 3.7.1 maps keys straight to file paths with `path.join`, so a key with a
 * `..` segment (also when percent-encoded, or hidden behind `%2F`) would be written
 * — or read, copied, deleted — outside its storage root. Every place a name reaches
 * the filesystem is checked: the path, `x-amz-copy-source`, `uploadId`,
 * `partNumber`, and the keys of a DeleteObjects body.
 * @module
 */
import { sep } from 'node:path';
import { S3RequestError } from './s3Error.js';

/** Bucket names as S3 allows them: 3–63 of `a-z 0-9 . -`, starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** s3rver's upload ids are hex; anything path-like is refused. */
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** The part numbers S3 allows. */
const MAX_PART_NUMBER = 10_000;

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3RequestError(400, 'InvalidURI', `cannot decode the ${what}`);
  }
}

/** Refuses a bucket name that is not a valid S3 bucket name (so never `.`, `..` or a path). */
export function checkBucket(bucket: string): void {
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new S3RequestError(
      400,
      'InvalidBucketName',
      `the specified bucket is not valid: ${JSON.stringify(bucket)}`,
    );
  }
}

/**
 * Refuses an object key (decoded) with a `.` or `..` segment, an empty segment other
 * than a trailing one (`a//b`, `/a`), a NUL byte, or (where the platform's separator is
 * `\`) a backslash: the embedded store keeps keys as paths.
 */
export function checkKey(key: string): void {
  const segments = sep === '\\' ? key.split(/[\\/]/) : key.split('/');
  if (
    key.includes('\0') ||
    segments.some((s) => s === '..' || s === '.') ||
    (sep === '\\' && key.includes('\\'))
  ) {
    throw new S3RequestError(
      400,
      'InvalidArgument',
      `object keys with "." or ".." path segments are refused by the embedded store: ${JSON.stringify(key)}`,
    );
  }
  // `a//b` and `/a` would be filed as `a/b` and `a`: refused rather than answered with s3rver's non-XML 404.
  if (segments.slice(0, -1).includes('')) {
    throw new S3RequestError(
      400,
      'InvalidArgument',
      `object keys with an empty path segment ("//" or a leading "/") are refused by the embedded store: ${JSON.stringify(key)}`,
    );
  }
}

/** The bucket and key a raw request path names (decoded once, as s3rver's router does). */
export function bucketAndKey(rawPath: string): { bucket: string; key: string } {
  const withoutSlash = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = withoutSlash.indexOf('/');
  const bucket = decode(slash < 0 ? withoutSlash : withoutSlash.slice(0, slash), 'bucket name');
  const key = slash < 0 ? '' : decode(withoutSlash.slice(slash + 1), 'object key');
  return { bucket, key };
}

/** Checks the bucket and key of a request path. */
export function checkPath(rawPath: string): { bucket: string; key: string } {
  const { bucket, key } = bucketAndKey(rawPath);
  if (bucket !== '') checkBucket(bucket);
  if (key !== '') checkKey(key);
  return { bucket, key };
}

/** Checks `x-amz-copy-source` (`[/]bucket/key[?versionId=…]`, URL-encoded). */
export function checkCopySource(header: string): void {
  const path = header.split('?')[0] ?? '';
  const { bucket, key } = bucketAndKey(path.startsWith('/') ? path : `/${path}`);
  checkBucket(bucket);
  checkKey(key);
}

/** Checks the multipart query parameters s3rver turns into paths. */
export function checkMultipartQuery(query: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of query) {
    if (name === 'uploadId' && !UPLOAD_ID.test(value)) {
      throw new S3RequestError(404, 'NoSuchUpload', 'the specified multipart upload does not exist');
    }
    if (name === 'partNumber') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER || String(n) !== value) {
        throw new S3RequestError(
          400,
          'InvalidArgument',
          `partNumber must be an integer between 1 and ${MAX_PART_NUMBER}`,
        );
      }
    }
  }
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text to a string: the five XML entities, numeric references and CDATA; anything else is refused. */
function xmlText(raw: string): string {
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw.trim());
  if (cdata) return cdata[1] ?? '';
  return raw.replace(/&([^;]*);?/g, (whole, entity: string) => {
    if (!whole.endsWith(';'))
      throw new S3RequestError(400, 'MalformedXML', 'a bare & in a DeleteObjects body');
    const named = XML_ENTITIES[entity];
    if (named !== undefined) return named;
    const code = /^#x[0-9a-fA-F]+$/.test(entity)
      ? Number.parseInt(entity.slice(2), 16)
      : /^#\d+$/.test(entity)
        ? Number.parseInt(entity.slice(1), 10)
        : Number.NaN;
    if (!Number.isInteger(code) || code > 0x10ffff) {
      throw new S3RequestError(400, 'MalformedXML', `unsupported entity &${entity}; in a DeleteObjects body`);
    }
    return String.fromCodePoint(code);
  });
}

/** Escapes every character s3rver's XML parser could trim or re-interpret. */
function xmlEscape(text: string): string {
  return text.replace(/[&<>"'\s]/g, (c) => `&#${c.codePointAt(0)};`);
}

/**
 * Checks every `<Key>` of a DeleteObjects body and returns the body s3rver gets,
 * rebuilt from what was checked (`Quiet` and the keys), so what s3rver's own XML parser
 * (which trims values and decodes HTML entities) reads is exactly what was checked.
 */
export function canonicalDeleteBody(xml: string): string {
  const keys: string[] = [];
  for (const match of xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)) {
    const key = xmlText(match[1] ?? '');
    checkKey(key);
    checkKey(key.trim());
    keys.push(key);
  }
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(xml);
  return (
    '<?xml version="1.0" encoding="UTF-8"?><Delete>' +
    (quiet ? '<Quiet>true</Quiet>' : '') +
    keys.map((key) => `<Object><Key>${xmlEscape(key)}</Key></Object>`).join('') +
    '</Delete>'
  );
}
