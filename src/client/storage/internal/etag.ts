/**
 * What an S3 ETag says about content, so a listing alone can tell an unchanged file.
 *
 * S3 (and s3rver, MinIO, the embedded store) makes the ETag of an object written by one
 * `PutObject` the hex MD5 of its content; the ETag of a multipart upload is the hex MD5 of
 * the concatenated binary MD5s of its parts, followed by `-<number of parts>` (s3rver gives
 * a completed multipart object the MD5 of its whole content instead). An ETag that is
 * neither (encrypted objects' ETags are not MD5s) says nothing: then the caller asks the
 * object's SHA-256 metadata instead.
 * @module
 */
import { createHash } from 'node:crypto';

/** What is known of local content to compare with an ETag (MD5s in base64, as `Content-MD5` carries them). */
export interface EtagEvidence {
  /** MD5 of the whole content, base64. */
  readonly md5?: string | undefined;
  /** MD5 of each part in order, base64, when the content was cut into parts. */
  readonly partMd5?: readonly string[] | undefined;
}

const PLAIN = /^[0-9a-f]{32}$/;
const MULTIPART = /^([0-9a-f]{32})-(\d+)$/;

/** Hex of a base64 MD5. */
export function md5Hex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

/** S3's ETag of a multipart upload with these part MD5s (base64): MD5 of the binary MD5s, `-N`. */
export function multipartEtag(partMd5: readonly string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5) hash.update(Buffer.from(md5, 'base64'));
  return `${hash.digest('hex')}-${partMd5.length}`;
}

/**
 * True when `etag` (quotes removed, any case) proves the content is the one `evidence`
 * describes: a plain ETag equal to the whole content's MD5, or a multipart ETag equal to
 * the one these parts make. False means "cannot tell", not "different".
 */
export function etagMatches(etag: string | undefined, evidence: EtagEvidence): boolean {
  if (etag === undefined) return false;
  const tag = etag.toLowerCase();
  if (PLAIN.test(tag)) return evidence.md5 !== undefined && md5Hex(evidence.md5) === tag;
  const parts = MULTIPART.exec(tag);
  if (!parts || evidence.partMd5 === undefined) return false;
  return Number(parts[2]) === evidence.partMd5.length && multipartEtag(evidence.partMd5) === tag;
}
