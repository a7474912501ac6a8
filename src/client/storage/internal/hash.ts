/**
 * Digests of local files, read once as a stream.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { DEFAULT_READ_CHUNK_BYTES } from '../../../defaults.js';

/** Open flags for reading a file found by the tree walk: never through a symlink swapped in since. */
export const READ_NOFOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** What one read of a file gives. */
export interface FileDigest {
  /** Bytes read. */
  readonly size: number;
  /** SHA-256, hex. */
  readonly sha256: string;
  /** MD5 of the whole file, base64 (a `Content-MD5` value); when no `partSize` was given. */
  readonly md5: string | undefined;
  /** MD5 of each part, base64, in part order; when `partSize` was given. */
  readonly partMd5: readonly string[];
  /** The content, when the file was no larger than `keepUpTo`. */
  readonly content: Buffer | undefined;
}

/** How {@link digestFile} reads. */
export interface DigestOptions {
  /** Cut into parts of this size and digest each (MD5) as well. */
  readonly partSize?: number | undefined;
  /** Keep the content in memory when the file is no larger than this. */
  readonly keepUpTo?: number | undefined;
  readonly chunkBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The digest of content held in memory: SHA-256 and MD5 of the whole, the content kept. */
export function digestContent(content: Buffer): FileDigest {
  return {
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    md5: createHash('md5').update(content).digest('base64'),
    partMd5: [],
    content,
  };
}

/**
 * Reads a small file whole (one open, one read, one close; never through a symlink swapped
 * in since the walk) and digests it: what a file sent in one request needs.
 */
export async function digestSmallFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const handle = await open(path, READ_NOFOLLOW);
  try {
    return digestContent(await handle.readFile(signal ? { signal } : {}));
  } finally {
    await handle.close();
  }
}

/** Reads `path` once: SHA-256 of the whole, MD5 of the whole or of each part, and small contents. */
export async function digestFile(path: string, options: DigestOptions = {}): Promise<FileDigest> {
  const { partSize, keepUpTo = 0, signal } = options;
  const sha = createHash('sha256');
  const whole = partSize === undefined ? createHash('md5') : undefined;
  const partMd5: string[] = [];
  let part: Hash | undefined = partSize === undefined ? undefined : createHash('md5');
  let inPart = 0;
  let size = 0;
  let kept: Buffer[] | undefined = [];
  const handle = await open(path, READ_NOFOLLOW);
  // The stream closes the handle when it ends or is destroyed (abort included).
  const stream = handle.createReadStream({
    highWaterMark: options.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES,
    ...(signal ? { signal } : {}),
  });
  for await (const data of stream) {
    const chunk = data as Buffer;
    size += chunk.length;
    sha.update(chunk);
    whole?.update(chunk);
    if (kept) {
      if (size <= keepUpTo) kept.push(chunk);
      else kept = undefined;
    }
    if (part && partSize !== undefined) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(partSize - inPart, chunk.length - offset);
        part.update(chunk.subarray(offset, offset + take));
        inPart += take;
        offset += take;
        if (inPart === partSize) {
          partMd5.push(part.digest('base64'));
          part = createHash('md5');
          inPart = 0;
        }
      }
    }
  }
  // The last, shorter part (or the only, empty one).
  if (part && (inPart > 0 || partMd5.length === 0)) partMd5.push(part.digest('base64'));
  return {
    size,
    sha256: sha.digest('hex'),
    md5: whole?.digest('base64'),
    partMd5,
    content: kept ? Buffer.concat(kept) : undefined,
  };
}
