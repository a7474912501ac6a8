/**
 * The flexible checksums S3 clients send in an `aws-chunked` trailer
 * (`x-amz-checksum-crc32`, `-crc32c`, `-sha1`, `-sha256`), computed incrementally so
 * the guard can check a body it streams. CRC32 and CRC32C are table driven here:
 * `zlib.crc32` only exists from Node 20.15 / 22.2 and there is no CRC32C in Node.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';

/** An incremental checksum: feed bytes, then read the base64 digest S3 uses. */
export interface Checksum {
  update(data: Buffer): void;
  /** Base64 of the digest (big-endian for the CRCs), as the trailer carries it. */
  digest(): string;
}

function crcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32_TABLE = crcTable(0xedb88320);
const CRC32C_TABLE = crcTable(0x82f63b78);

function crc(table: Uint32Array): Checksum {
  let value = 0xffffffff;
  return {
    update(data) {
      for (let i = 0; i < data.length; i++) value = table[(value ^ data[i]!) & 0xff]! ^ (value >>> 8);
    },
    digest() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE((value ^ 0xffffffff) >>> 0);
      return out.toString('base64');
    },
  };
}

function hash(algorithm: string): Checksum {
  const h: Hash = createHash(algorithm);
  return {
    update: (data) => void h.update(data),
    digest: () => h.digest('base64'),
  };
}

/**
 * A checksum for a trailer header name (`x-amz-checksum-crc32` …), or undefined for
 * an algorithm this store does not check (e.g. `crc64nvme`: the bytes are still stored).
 */
export function checksumFor(header: string): Checksum | undefined {
  switch (header.toLowerCase()) {
    case 'x-amz-checksum-crc32':
      return crc(CRC32_TABLE);
    case 'x-amz-checksum-crc32c':
      return crc(CRC32C_TABLE);
    case 'x-amz-checksum-sha1':
      return hash('sha1');
    case 'x-amz-checksum-sha256':
      return hash('sha256');
    default:
      return undefined;
  }
}
