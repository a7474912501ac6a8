/**
 * The embedded S3's ListObjectsV2 continuation tokens. s3rver 3.7.1 makes its own with
 * DES, which Node 20's OpenSSL 3 no longer has (every truncated V2 page answered 500);
 * the guard makes these instead: base64url of a version tag, the bucket and the position
 * (the page's last key or common prefix). Opaque to clients, as S3's are. A decoded
 * position is only ever compared with keys, never turned into a path.
 * @module
 */
import { S3RequestError } from './s3Error.js';

/** Tags this token format, so a later one can be told apart. */
const TOKEN_VERSION = 'mm1';
/** Separates the token's fields: never in a bucket name, and refused in keys. */
const SEPARATOR = '\0';
/** The longest key S3 allows, in UTF-8 bytes: no position is longer. */
const MAX_KEY_BYTES = 1024;
/** Longer tokens are refused before decoding (a full one is under 1,500 characters). */
const MAX_TOKEN_LENGTH = 2048;
/** base64url without padding, as `Buffer#toString('base64url')` writes it. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The token a truncated page of `bucket` answers, resuming after `position`. */
export function encodeContinuationToken(bucket: string, position: string): string {
  return Buffer.from([TOKEN_VERSION, bucket, position].join(SEPARATOR), 'utf8').toString('base64url');
}

function incorrect(): S3RequestError {
  return new S3RequestError(400, 'InvalidArgument', 'The continuation token provided is incorrect');
}

/**
 * The position a token of {@link encodeContinuationToken} resumes after. Fails with
 * `S3RequestError` 400 `InvalidArgument` for anything else: not canonical base64url,
 * not UTF-8, another version or bucket, an empty or over-long position.
 */
export function decodeContinuationToken(bucket: string, token: string): string {
  if (token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) throw incorrect();
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token) throw incorrect();
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw incorrect();
  }
  const fields = text.split(SEPARATOR);
  if (fields.length !== 3 || fields[0] !== TOKEN_VERSION || fields[1] !== bucket) throw incorrect();
  const position = fields[2]!;
  if (position === '' || Buffer.byteLength(position, 'utf8') > MAX_KEY_BYTES) throw incorrect();
  return position;
}
