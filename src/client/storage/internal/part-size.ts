/**
 * How a file is cut into multipart parts.
 * @module
 */
import { DEFAULT_PART_SIZE, S3_MAX_PARTS, S3_MIN_PART_SIZE } from '../../../defaults.js';

const MIB = 1024 * 1024;

/** One part of a multipart upload: its 1-based number and byte range `[start, start + size)`. */
export interface PartRange {
  readonly partNumber: number;
  readonly start: number;
  readonly size: number;
}

/**
 * The part size for a file of `fileSize` bytes: `preferred` (default
 * {@link DEFAULT_PART_SIZE}), at least {@link S3_MIN_PART_SIZE}, and grown (in whole
 * MiB) so the file needs no more than {@link S3_MAX_PARTS} parts.
 */
export function partSizeFor(fileSize: number, preferred: number = DEFAULT_PART_SIZE): number {
  const needed = Math.ceil(Math.ceil(fileSize / S3_MAX_PARTS) / MIB) * MIB;
  return Math.max(preferred, S3_MIN_PART_SIZE, needed);
}

/** The parts of a `fileSize`-byte file cut at `partSize` (one empty part for an empty file). */
export function partRanges(fileSize: number, partSize: number): PartRange[] {
  const count = Math.max(1, Math.ceil(fileSize / partSize));
  const parts: PartRange[] = [];
  for (let index = 0; index < count; index++) {
    const start = index * partSize;
    parts.push({ partNumber: index + 1, start, size: Math.min(partSize, fileSize - start) });
  }
  return parts;
}
