/**
 * The checksums S3 clients send with a body: `Content-MD5`, and the flexible
 * checksums (`x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`, `-sha1`, `-sha256`) as a
 * header or in an `aws-chunked` trailer, computed incrementally so the guard can check
 * a body it streams. The CRCs come from `@aws-sdk/checksums` (the implementations the
 * AWS SDK itself sends with); MD5 and the SHAs from `node:crypto`. A flexible checksum
 * this store cannot compute is refused, never skipped.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { S3RequestError } from './s3Error.js';

/** An incremental checksum: feed bytes, then read the base64 digest S3 uses. */
export interface Checksum {
  update(data: Buffer): void;
  /** Base64 of the digest (big-endian for the CRCs), as the header or trailer carries it. */
  digest(): Promise<string>;
}

/** The header prefix of the flexible checksums. */
const CHECKSUM_PREFIX = 'x-amz-checksum-';
/** `x-amz-checksum-*` headers that are not a checksum value (`-type` of multipart uploads, `-mode` of GET). */
const NOT_CHECKSUM_VALUES = new Set([
  'x-amz-checksum-type',
  'x-amz-checksum-mode',
  'x-amz-checksum-algorithm',
]);

interface SdkChecksum {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

function sdk(implementation: SdkChecksum): Checksum {
  return {
    update: (data) => implementation.update(data),
    digest: async () => Buffer.from(await implementation.digest()).toString('base64'),
  };
}

function hash(algorithm: string): Checksum {
  const h: Hash = createHash(algorithm);
  return {
    update: (data) => void h.update(data),
    digest: async () => h.digest('base64'),
  };
}

/** True for a header name carrying a flexible checksum value (`x-amz-checksum-crc32`…, not `-type` or `-mode`). */
export function isChecksumHeader(header: string): boolean {
  const name = header.toLowerCase();
  return name.startsWith(CHECKSUM_PREFIX) && !NOT_CHECKSUM_VALUES.has(name);
}

/**
 * A checksum for a flexible checksum header name (`x-amz-checksum-crc32` …).
 *
 * @throws S3RequestError 400 `InvalidRequest` for an algorithm this store does not know:
 *   a checksum sent is a checksum checked.
 */
export function checksumFor(header: string): Checksum {
  const name = header.toLowerCase();
  switch (name) {
    case 'x-amz-checksum-crc32':
      return sdk(new Crc32());
    case 'x-amz-checksum-crc32c':
      return sdk(new Crc32c());
    case 'x-amz-checksum-crc64nvme':
      return sdk(new Crc64Nvme());
    case 'x-amz-checksum-sha1':
      return hash('sha1');
    case 'x-amz-checksum-sha256':
      return hash('sha256');
    default:
      throw new S3RequestError(
        400,
        'InvalidRequest',
        `${name} names a checksum algorithm the embedded store cannot check (use crc32, crc32c, crc64nvme, sha1 or sha256)`,
      );
  }
}

/** MD5 for `Content-MD5`; the header's value must be 16 bytes in base64. */
export function contentMd5(value: string): { readonly expected: string; readonly checksum: Checksum } {
  if (Buffer.from(value, 'base64').length !== 16 || !/^[A-Za-z0-9+/]{22}==$/.test(value)) {
    throw new S3RequestError(400, 'InvalidDigest', 'the Content-MD5 you specified is not valid');
  }
  return { expected: value, checksum: hash('md5') };
}
