/**
 * How the embedded store knows an object's checksum and metadata belong to its bytes.
 *
 * The store keeps s3rver 3.7.1's layout — object `a/b/c` of bucket `bkt` is the file
 * `bkt/a/b/c._S3rver_object`, its metadata `c._S3rver_metadata.json` — but a write made
 * by this store (see `durableStore.ts`) adds a commit stamp to the metadata file: the
 * object's hex MD5, its size, and the inode of the file holding its bytes. The bytes
 * and the record are two files replaced by two renames; the stamp ties them together:
 * a record whose inode is not the object file's describes other bytes (a write
 * interrupted between the renames and not yet recovered, or a file changed by hand),
 * and is not trusted for the checksum. Objects written by s3rver itself (no stamp)
 * are read the way s3rver reads them: the `.md5` file, or the bytes hashed.
 *
 * An object completed from a multipart upload is **pieced** (see `pieces.ts`): its
 * object file is an empty marker (the stamp names the marker's inode, as for any
 * object) and its bytes are the upload's part files, its pieces, whose directory and
 * sizes the stamp lists; its ETag is S3's multipart ETag.
 * @module
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/** Suffix of the file holding an object's bytes. */
export const OBJECT_SUFFIX = '._S3rver_object';
/** Suffix of the file holding an object's metadata (and, when this store wrote it, its commit stamp). */
export const RECORD_SUFFIX = '._S3rver_metadata.json';
/** Suffix s3rver adds to the object file's name for the file holding its hex MD5 (objects s3rver wrote). */
export const LEGACY_MD5_SUFFIX = '.md5';
/** The record's field holding the commit stamp. */
export const COMMIT_FIELD = 'modelmaker:commit';

/** Where a pieced object's bytes are: its pieces directory and each piece's size, in order. */
export interface PiecesStamp {
  /** The pieces directory's name (a staging id) inside the bucket's pieces directory. */
  readonly id: string;
  /** Each piece's size in bytes, in the order the pieces make the object. */
  readonly sizes: readonly number[];
}

/** What ties a record to the bytes it describes. */
export interface CommitStamp {
  /**
   * The object's ETag value (unquoted): the hex MD5 of the bytes, or for a pieced
   * object S3's multipart ETag (MD5 of the pieces' binary MD5s, `-<count>`).
   */
  readonly md5: string;
  /** The object's size in bytes (for a pieced object, the pieces' total). */
  readonly size: number;
  /** Inode of the object file (decimal; inodes may exceed 2^53): the bytes, or a pieced object's marker. */
  readonly ino: string;
  /** The staging id of the write that made it (recovery matches staged files by it). */
  readonly staged?: string | undefined;
  /** Present when the object is pieced: where its bytes are. */
  readonly pieces?: PiecesStamp | undefined;
}

/** An object's metadata file, parsed: the stored headers and, when this store wrote it, the stamp. */
export interface ObjectRecord {
  readonly metadata: Readonly<Record<string, string>>;
  readonly commit?: CommitStamp | undefined;
}

/** An object as read through one open file descriptor: bytes, checksum and metadata that agree. */
export interface ObjectState {
  readonly size: number;
  readonly lastModified: Date;
  /**
   * The ETag value (unquoted) of exactly the bytes behind `handle`: their hex MD5, or
   * for a pieced object S3's multipart ETag of its pieces.
   */
  readonly md5: string;
  /** Stored headers (content-type, x-amz-meta-*…), without the stamp. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly ino: string;
  /** Present when the object is pieced: `handle` is its empty marker, the bytes are these pieces. */
  readonly pieces?: PiecesStamp | undefined;
}

/** The record file beside an object file. */
export function recordFileOf(objectFile: string): string {
  return `${objectFile.slice(0, -OBJECT_SUFFIX.length)}${RECORD_SUFFIX}`;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isPieces(value: unknown): value is PiecesStamp {
  const pieces = value as Partial<PiecesStamp> | undefined;
  return (
    typeof pieces === 'object' &&
    pieces !== null &&
    typeof pieces.id === 'string' &&
    // A name inside the pieces directory, never a path.
    /^[0-9a-z-]+$/.test(pieces.id) &&
    Array.isArray(pieces.sizes) &&
    pieces.sizes.length > 0 &&
    pieces.sizes.every((size) => Number.isSafeInteger(size) && size >= 0)
  );
}

function isStamp(value: unknown): value is CommitStamp {
  const stamp = value as Partial<CommitStamp> | undefined;
  return (
    typeof stamp === 'object' &&
    stamp !== null &&
    typeof stamp.md5 === 'string' &&
    typeof stamp.size === 'number' &&
    typeof stamp.ino === 'string' &&
    (stamp.pieces === undefined ||
      (isPieces(stamp.pieces) && stamp.pieces.sizes.reduce((a, b) => a + b, 0) === stamp.size))
  );
}

/** Parses a record file's text; a torn or foreign file reads as no metadata and no stamp. */
export function parseRecord(text: string): ObjectRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { metadata: {} };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { metadata: {} };
  const metadata: Record<string, string> = {};
  let commit: CommitStamp | undefined;
  for (const [name, value] of Object.entries(parsed)) {
    if (name === COMMIT_FIELD) commit = isStamp(value) ? value : undefined;
    else if (typeof value === 'string') metadata[name] = value;
    else if (typeof value === 'number') metadata[name] = String(value);
  }
  return { metadata, commit };
}

/** The record file's text for `metadata` stamped with `commit`. */
export function formatRecord(metadata: Readonly<Record<string, string>>, commit: CommitStamp): string {
  return JSON.stringify({ ...metadata, [COMMIT_FIELD]: commit }, null, 2);
}

/** Reads a record file; `undefined` when there is none. */
export async function readRecord(recordFile: string): Promise<ObjectRecord | undefined> {
  try {
    return parseRecord(await readFile(recordFile, 'utf8'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Hex MD5 of what `handle` holds, read from the start without moving or closing it. */
async function md5OfHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream('', { fd: handle, start: 0, autoClose: false, emitClose: false }), hash);
  return hash.digest('hex');
}

/** How many times {@link openObject} opens an object again when its record names another inode (a write landing meanwhile). */
const OPEN_ATTEMPTS = 3;

/** {@link stateOf}'s answer with whether the record's stamp named the bytes opened. */
interface ReadState {
  readonly state: ObjectState;
  /** False when the record is stamped for another file (a write committed since the open). */
  readonly stamped: boolean;
}

async function readState(handle: FileHandle, objectFile: string, hashUnstamped: boolean): Promise<ReadState> {
  const stats: BigIntStats = await handle.stat({ bigint: true });
  const record = (await readRecord(recordFileOf(objectFile))) ?? { metadata: {} };
  const ino = stats.ino.toString();
  const fileSize = Number(stats.size);
  const base = { lastModified: stats.mtime, metadata: record.metadata, ino };
  const commit = record.commit;
  if (commit) {
    // A pieced object's file is an empty marker; its size is the pieces' total.
    const expectedFileSize = commit.pieces ? 0 : commit.size;
    if (commit.ino === ino && expectedFileSize === fileSize) {
      return {
        state: { ...base, size: commit.size, md5: commit.md5, pieces: commit.pieces },
        stamped: true,
      };
    }
    if (!hashUnstamped) return { state: { ...base, size: fileSize, md5: '' }, stamped: false };
    return { state: { ...base, size: fileSize, md5: await md5OfHandle(handle) }, stamped: false };
  }
  const legacy = await readFile(`${objectFile}${LEGACY_MD5_SUFFIX}`, 'utf8').then(
    (text) => (/^[0-9a-f]{32}$/.test(text.trim()) ? text.trim() : undefined),
    (error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    },
  );
  return { state: { ...base, size: fileSize, md5: legacy ?? (await md5OfHandle(handle)) }, stamped: true };
}

/**
 * What an open object file holds, with the checksum and metadata that belong to those
 * very bytes: the record's when its stamp names this inode; for an unstamped (s3rver)
 * object the `.md5` file or a hash of the bytes; for a stamp naming another inode the
 * bytes are hashed (the metadata is still the record's best knowledge).
 */
export async function stateOf(handle: FileHandle, objectFile: string): Promise<ObjectState> {
  return (await readState(handle, objectFile, true)).state;
}

/**
 * Opens an object file and reads its state; `undefined` when there is no such object.
 * The caller closes the handle. When the record is stamped for another file (a write
 * committed between the open and the record read), the object is opened again, up to
 * {@link OPEN_ATTEMPTS} times, before the bytes opened are hashed instead.
 */
export async function openObject(
  objectFile: string,
): Promise<{ handle: FileHandle; state: ObjectState } | undefined> {
  for (let attempt = 1; ; attempt++) {
    let handle: FileHandle;
    try {
      handle = await open(objectFile, 'r');
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw error;
    }
    try {
      const last = attempt >= OPEN_ATTEMPTS;
      const read = await readState(handle, objectFile, last);
      if (read.stamped || last) return { handle, state: read.state };
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close();
  }
}

/** The state of an object file (opened and closed again); `undefined` when it is gone. */
export async function readObjectState(objectFile: string): Promise<ObjectState | undefined> {
  const opened = await openObject(objectFile);
  if (!opened) return undefined;
  try {
    return opened.state;
  } finally {
    await opened.handle.close();
  }
}
