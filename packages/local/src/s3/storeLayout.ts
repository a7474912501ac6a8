/**
 * The store's on-disk layout (s3rver 3.7.1's), read for the guard's listings.
 *
 * Object `a/b/c` of bucket `bkt` is the file `bkt/a/b/c._S3rver_object`, its metadata
 * (and checksum, see `objectRecord.ts`) in `c._S3rver_metadata.json`: each `/` of a key
 * is a directory level. s3rver's own listing walks that tree in
 * directory-entry order, which is not key order (`k1/x`, `k1-a`, `k1` instead of
 * `k1`, `k1-a`, `k1/x`), and truncates in that order — so paging over it loses and
 * repeats keys. {@link walkKeys} walks the same tree in S3's key order, opening only
 * the directories a listing can reach.
 * @module
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys } from './keyOrder.js';
import { OBJECT_SUFFIX, readObjectState } from './objectRecord.js';

/**
 * Where s3rver keeps a bucket's pending multipart uploads (and the store its staged
 * writes): a directory at the bucket's root, not keys.
 */
export const UPLOADS_DIRECTORY = '._S3rver_uploads';
/** How s3rver (on Windows only) escapes a file-name character: `&` and two hex digits. */
const WINDOWS_ESCAPE = /&../g;

/** A stored object: its key and the file holding its bytes. */
export interface StoredKey {
  readonly key: string;
  readonly file: string;
}

/** What an object listing reports about it. */
export interface ObjectInfo {
  readonly size: number;
  readonly lastModified: Date;
  /** The quoted hex MD5, as s3rver reports it for GET and HEAD. */
  readonly etag: string;
}

/** Which keys {@link walkKeys} yields. */
export interface WalkRange {
  /** Only keys starting with it (`''`: all). */
  readonly prefix: string;
  /** Only keys after it, in S3 order. */
  readonly after?: string;
  /**
   * Asked before each key and directory: keys starting with the answer are skipped
   * (a common prefix already answered), whole directories at a time where possible.
   */
  readonly skip?: () => string | undefined;
}

interface Child {
  /** The key, or for a directory the key prefix every key below it starts with (`a/b/`). */
  readonly bound: string;
  readonly path: string;
  readonly directory: boolean;
}

/** A file or directory name back to its key segment (s3rver's `decodeKeyPath`). */
function decodeSegment(name: string): string {
  return process.platform === 'win32'
    ? name.replace(WINDOWS_ESCAPE, (escaped) => Buffer.from(escaped.slice(1), 'hex').toString())
    : name;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Whether a directory whose keys all start with `bound` can hold a key of `range`. */
function reaches(bound: string, range: WalkRange): boolean {
  if (!bound.startsWith(range.prefix) && !range.prefix.startsWith(bound)) return false;
  return range.after === undefined || compareKeys(bound, range.after) > 0 || range.after.startsWith(bound);
}

function wanted(key: string, range: WalkRange): boolean {
  return (
    key !== '' &&
    key.startsWith(range.prefix) &&
    (range.after === undefined || compareKeys(key, range.after) > 0)
  );
}

async function* walkDirectory(
  directory: string,
  keyPrefix: string,
  range: WalkRange,
  isBucketRoot: boolean,
): AsyncGenerator<StoredKey> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    // Removed since its parent was read: s3rver deletes directories it empties.
    if (isMissing(error)) return;
    throw error;
  }
  const children: Child[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (isBucketRoot && entry.name === UPLOADS_DIRECTORY) continue;
      const bound = `${keyPrefix}${decodeSegment(entry.name)}/`;
      if (reaches(bound, range)) children.push({ bound, path: join(directory, entry.name), directory: true });
    } else if (entry.isFile() && entry.name.endsWith(OBJECT_SUFFIX)) {
      const key = keyPrefix + decodeSegment(entry.name.slice(0, -OBJECT_SUFFIX.length));
      if (wanted(key, range))
        children.push({ bound: key, path: join(directory, entry.name), directory: false });
    }
  }
  // Keys below a directory all start with its bound and no other child's key does, so
  // sorting children by bound and descending in that order lists keys in S3 order.
  children.sort((a, b) => compareKeys(a.bound, b.bound));
  for (const child of children) {
    const skip = range.skip?.();
    if (skip !== undefined && keyPrefix.startsWith(skip)) return;
    if (skip !== undefined && child.bound.startsWith(skip)) continue;
    if (child.directory) yield* walkDirectory(child.path, child.bound, range, false);
    else yield { key: child.bound, file: child.path };
  }
}

/**
 * The keys of a bucket's directory in S3 order, lazily: stop iterating and no further
 * directory is read. A bucket directory that does not exist yields nothing.
 */
export function walkKeys(bucketDirectory: string, range: WalkRange): AsyncGenerator<StoredKey> {
  return walkDirectory(bucketDirectory, '', range, true);
}

/** Entries {@link readObjectInfo} keeps before starting afresh (about 200 bytes each). */
const INFO_CACHE_ENTRIES = 100_000;

/**
 * What {@link readObjectInfo} learnt, by object file, with the identity of the file it
 * learnt it from: device, inode, size, modification and change times (ms, sub-ms digits kept). The store never
 * changes an object file in place — a write renames a new file in (a new inode, a new
 * change time) — and an object's listed size, time and MD5 follow from its file alone
 * (the MD5 from the commit stamp, which names that very inode), so an entry whose
 * identity still matches `stat` is exact.
 */
const infoCache = new Map<string, { readonly identity: string; readonly info: ObjectInfo }>();

function identityOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/**
 * Size, modification time and ETag of a stored object: the checksum that belongs to
 * its bytes (see `objectRecord.ts`), never a stale one. `undefined` when the object
 * was deleted meanwhile. One `stat` when the file is unchanged since it was last read
 * here (a listing of many objects costs a `stat` each, not an open and a record read).
 */
export async function readObjectInfo(file: string): Promise<ObjectInfo | undefined> {
  let stats: Stats;
  try {
    // Numbers, not bigints (cheaper): an inode past 2^53 then differs from the stamp's and is not kept.
    stats = await stat(file);
  } catch (error) {
    if (isMissing(error)) {
      infoCache.delete(file);
      return undefined;
    }
    throw error;
  }
  const identity = identityOf(stats);
  const cached = infoCache.get(file);
  if (cached?.identity === identity) return cached.info;
  const state = await readObjectState(file);
  if (!state) {
    infoCache.delete(file);
    return undefined;
  }
  const info: ObjectInfo = {
    size: state.size,
    lastModified: state.lastModified,
    etag: JSON.stringify(state.md5),
  };
  // Kept only when the state was read from the file just stat'ed (not one renamed in since).
  // (A pieced object's file is its empty marker; its size is the pieces'.)
  const fileSize = state.pieces ? 0 : state.size;
  if (state.ino === stats.ino.toString() && fileSize === stats.size) {
    if (infoCache.size >= INFO_CACHE_ENTRIES) infoCache.clear();
    infoCache.set(file, { identity, info });
  }
  return info;
}
