/**
 * The embedded S3's object store: s3rver 3.7.1's filesystem store (its layout, its
 * bucket and configuration handling) with every object write made crash-atomic.
 *
 * s3rver writes an object in place — `<key>._S3rver_object` truncated and refilled,
 * then its MD5 and metadata — so a process killed mid-write leaves a prefix served as
 * the object under the old ETag, and a write error (a full disk) is an unhandled
 * stream error that ends the process. Here a write:
 *
 * 1. stages the bytes in `<bucket>/._S3rver_uploads/.staging/<id>.object` (or takes
 *    over the guard's spooled request body there, or writes the small body the guard
 *    received in memory — both already hashed by the guard), flushed to disk;
 * 2. writes `<id>.intent` (the key) and `<id>.record` — the metadata stamped with the
 *    MD5, size and inode of the staged file (see `objectRecord.ts`) — side by side,
 *    both flushed to disk before step 3;
 * 3. renames the record over `<key>._S3rver_metadata.json` — the commit point — and
 *    at once the staged file over `<key>._S3rver_object` (both synchronous, so nothing
 *    in this process runs between them), then syncs the directory.
 *
 * Killed before step 3 (whichever of intent and record was written, whole or torn),
 * the old record and bytes stand and the staged files are deleted at the next start;
 * killed between the two renames, the record names the staged file, and {@link DurableStore.recover} finishes the rename at the next start.
 * Either way an object is its old or its new content, whole, with the checksum of
 * those bytes, and nothing a listing shows (staging lives in the uploads directory,
 * which listings skip). A failed write (ENOSPC) rejects with an S3 error naming the
 * cause — `InsufficientStorage` (507) for a full disk — and removes what it staged.
 * Reads open the file first and take checksum and metadata for that very inode, so a
 * GET racing an overwrite answers one version whole.
 *
 * Per small write, the staging directory is made once (not per write), the key's
 * directory only when the commit's rename finds it missing, and only the operations
 * that wait on the disk or the journal (create, flush, unlink) go to the thread pool.
 *
 * A completed multipart upload is committed the same way, without copying its data:
 * its part files become the object's pieces (hard links staged in `<id>.pieces/`,
 * renamed into the bucket's pieces directory right before the commit), its object file
 * an empty marker, its record stamped with the pieces and S3's multipart ETag (see
 * `pieces.ts`). The pieces an overwrite or delete replaces are removed once it is
 * committed; pieces no record names (a process killed in between) are swept at start.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  closeSync,
  createReadStream,
  createWriteStream,
  open as fsOpen,
  fstatSync,
  unlink as fsUnlink,
  fsync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import {
  copyFile,
  type FileHandle,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import S3Error from 's3rver/lib/models/error.js';
import S3Object from 's3rver/lib/models/object.js';
import FilesystemStore, { type S3rverObject } from 's3rver/lib/stores/filesystem.js';
import { describeFault, ioFault } from '../faults.js';
import {
  type CommitStamp,
  formatRecord,
  LEGACY_MD5_SUFFIX,
  type ObjectState,
  openObject,
  type PiecesStamp,
  parseRecord,
  readRecord,
} from './objectRecord.js';
import {
  type HeldPieces,
  multipartEtag,
  PIECES_KEY_FILE,
  pieceFile,
  piecesRoot,
  streamPieces,
} from './pieces.js';
import { UPLOADS_DIRECTORY } from './storeLayout.js';
import { destroyWhenUnread, UNREAD_BODY_MS } from './unreadBodies.js';

/** The staging directory's name inside a bucket's uploads directory (a dot: never an upload id). */
const STAGING_DIRECTORY = '.staging';
/** Mode of the store's directories: its owner only. */
export const PRIVATE_DIRECTORY_MODE = 0o700;
/** Mode of the store's files: its owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Staged file suffixes: the bytes, the key they are for, the stamped record. */
const STAGED = {
  object: '.object',
  intent: '.intent',
  record: '.record',
  part: '.part',
  pieces: '.pieces',
} as const;
/** How many times a read opens an object again when its pieces vanished (an overwrite or delete landing meanwhile). */
const PIECED_OPEN_ATTEMPTS = 5;
/** Link errors after which a part is copied into its piece instead (a filesystem without hard links). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

/** Request headers by which the guard hands a spooled body over instead of sending it. */
export const SPOOL_HEADERS = {
  /** The spooled file's name inside the spool directory. */
  file: 'x-modelmaker-spool-file',
  /** Its hex MD5. */
  md5: 'x-modelmaker-spool-md5',
} as const;

/**
 * An object's body the guard received and hashed itself (its in-process PutObject, see
 * `plainPut.ts`), given as an object's `content` to {@link DurableStore.putObject}: the
 * bytes are taken as they are, not read or hashed again.
 */
export type ReceivedBody =
  /** A small body, whole in memory: written to the staged file at once. */
  | { readonly _tag: 'ReceivedBytes'; readonly bytes: Buffer; readonly md5: string }
  /** A body spooled to a (flushed) file in the spool directory, named there: renamed into staging. */
  | { readonly _tag: 'SpooledFile'; readonly file: string; readonly md5: string };

function isReceivedBody(content: unknown): content is ReceivedBody {
  const tag = (content as { _tag?: unknown } | null)?._tag;
  return tag === 'ReceivedBytes' || tag === 'SpooledFile';
}

/** Options of {@link DurableStore}. */
export interface DurableStoreOptions {
  /** Where the guard spools request bodies (a handed-over body is taken from there). */
  readonly spoolDirectory?: string;
  /** Told when a write fails on a storage fault (a full disk), with the reason. */
  readonly onFault?: (reason: string) => void;
  /** Told when a write succeeds (the storage works again). */
  readonly onWrite?: () => void;
  /** How long a GET's body may wait unread before it is closed (default {@link UNREAD_BODY_MS}; see `unreadBodies.ts`). */
  readonly unreadBodyMs?: number;
}

interface Staged {
  readonly id: string;
  readonly file: string;
  readonly md5: string;
  readonly size: number;
  readonly ino: string;
}

/** s3rver's error for a bucket that does not exist. */
export function noSuchBucket(bucket: string): S3Error {
  return new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
}

/** What a commit makes the object: staged bytes (or none: the record only), and its pieces when pieced. */
type Commit = Omit<Staged, 'file'> & {
  readonly file: string | undefined;
  /** The object's pieces; `staged` is their staged directory to rename in (absent: they are in place already). */
  readonly pieces?: (PiecesStamp & { readonly staged?: string }) | undefined;
};

/** A part a CompleteMultipartUpload request lists (as s3rver parses it: ETag without quotes). */
export interface ListedPart {
  readonly number: number;
  readonly etag: string;
}

/** An object opened for reading: its state, and for a pieced object its pieces, held. */
interface OpenedContent {
  readonly handle: FileHandle;
  readonly state: ObjectState;
  readonly pieces?: HeldPieces | undefined;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function stagingId(): string {
  return `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
}

/*
 * A small write's file operations: the ones that change a directory (open to create,
 * unlink) and the flushes (fsync) wait on the file system's journal — behind other
 * writes' flushes — and go to the thread pool; writing a few KiB to the page cache,
 * fstat and close cost microseconds and run synchronously, which spares a thread-pool
 * round trip and its promise each.
 */
const openFile = promisify(fsOpen);
const flush = promisify(fsync);
const unlinkFile = promisify(fsUnlink);

/** Writes all of `bytes` at the start of the file open as `fd`. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** Flushes a directory's entries (renames) to disk; a no-op where directories cannot be opened (Windows). */
async function syncDirectory(directory: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openFile(directory, 'r');
    await flush(fd);
  } catch {
    // Not supported here: the renames are still atomic, only their order on power loss is not forced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `bytes` to a new file, flushes it to disk, and tells its size and inode. */
async function writeFlushed(file: string, bytes: Uint8Array): Promise<{ size: number; ino: string }> {
  const fd = await openFile(file, 'wx', PRIVATE_FILE_MODE);
  try {
    writeAll(fd, bytes);
    await flush(fd);
    const stats = fstatSync(fd, { bigint: true });
    return { size: Number(stats.size), ino: stats.ino.toString() };
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to a new file and flushes it to disk. */
async function writeDurable(file: string, text: string): Promise<void> {
  await writeFlushed(file, Buffer.from(text, 'utf8'));
}

/** Removes `file`; one that is not there is no error (one `unlink`, where `rm` also `lstat`s). */
async function removeIfThere(file: string): Promise<void> {
  try {
    await unlinkFile(file);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** What `read` resolves with, or `undefined` when what it reads is not there (ENOENT, ENOTDIR). */
async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Settles every promise, then rejects with the first failure: nothing is left running when a caller cleans up. */
async function allSettledOrFirstError(work: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Replaces `file` with `text` atomically (temp file and rename). */
async function replaceFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${stagingId()}.tmp`;
  try {
    await writeFile(temp, text, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The headers s3rver stores for an object (its `putMetadata` selection). */
function storedMetadata(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    if (S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-'))
      kept[name] = String(value);
  }
  return kept;
}

/** The spooled body the guard handed over with a request, if it did. */
function handedOver(content: unknown): { file: string; md5: string } | undefined {
  const headers = (content as { headers?: Record<string, unknown> } | null)?.headers;
  const file = headers?.[SPOOL_HEADERS.file];
  const md5 = headers?.[SPOOL_HEADERS.md5];
  if (typeof file !== 'string' || typeof md5 !== 'string') return undefined;
  // Only a plain name inside the spool directory: the header comes from the guard alone.
  if (file !== basename(file) || file.startsWith('.') || !/^[0-9a-f]{32}$/.test(md5)) return undefined;
  return { file, md5 };
}

/** s3rver's store with atomic, fault-reporting object writes. See the module comment. */
export class DurableStore extends FilesystemStore {
  private readonly options: DurableStoreOptions;
  /** Pieces directories with readers, and how many (see {@link holdPieces}). */
  private readonly pieceReaders = new Map<string, number>();
  /** Pieces directories to remove once their last reader is done. */
  private readonly removalsAfterReaders = new Set<string>();
  /** Pieces directories being removed now. */
  private readonly removingPieces = new Set<string>();
  /** Staging directories known to exist (made once, not once per write). */
  private readonly stagingMade = new Set<string>();

  constructor(rootDirectory: string, options: DurableStoreOptions = {}) {
    super(rootDirectory);
    this.options = options;
  }

  private stagingDirectory(bucket: string): string {
    return join(this.getBucketPath(bucket), UPLOADS_DIRECTORY, STAGING_DIRECTORY);
  }

  /** The directory of a pending multipart upload (s3rver's layout: its key, metadata and parts). */
  private uploadDirectory(bucket: string, uploadId: string | number): string {
    return join(this.getResourcePath(bucket, undefined, 'uploads'), String(uploadId));
  }

  /** Makes the bucket's staging directory (once per store unless it goes away) and returns it. */
  private async makeStaging(bucket: string, again = false): Promise<string> {
    const directory = this.stagingDirectory(bucket);
    if (again || !this.stagingMade.has(directory)) {
      await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
      this.stagingMade.add(directory);
    }
    return directory;
  }

  /**
   * Runs `work` (which creates files in the staging directory and can run twice: it
   * consumes no stream) once the directory exists; should it have gone (its bucket
   * deleted and made again), it is made again and `work` retried once.
   */
  private async inStaging<T>(bucket: string, work: (directory: string) => Promise<T>): Promise<T> {
    const directory = await this.makeStaging(bucket);
    try {
      return await work(directory);
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.stagingMade.delete(directory);
      // Gone with its bucket (removed by hand): the bucket is not made again by a write.
      if (!(await this.getBucket(bucket))) throw noSuchBucket(bucket);
      return work(await this.makeStaging(bucket, true));
    }
  }

  /**
   * Whether `bucket` exists, as s3rver's `getBucket` tells — without looking while the
   * store knows its staging directory is there (made by a write since the store started
   * and not deleted since: {@link deleteBucket} forgets it; a bucket removed by hand is
   * found out by the write, which then fails with `NoSuchBucket`).
   */
  async hasBucket(bucket: string): Promise<boolean> {
    return this.stagingMade.has(this.stagingDirectory(bucket)) || Boolean(await this.getBucket(bucket));
  }

  /** A storage fault becomes an S3 error naming it; anything else passes unchanged. */
  private failure(error: unknown, doing: string): unknown {
    const fault = ioFault(error);
    if (!fault) return error;
    const reason = describeFault(error, doing);
    this.options.onFault?.(reason);
    const s3Error = new S3Error(
      fault.code === 'ENOSPC' || fault.code === 'EDQUOT' ? 'InsufficientStorage' : 'InternalError',
      reason,
    );
    s3Error.status = fault.code === 'ENOSPC' || fault.code === 'EDQUOT' ? 507 : 500;
    // s3rver hides the message of 5xx errors unless told it is safe to show.
    s3Error.expose = true;
    return s3Error;
  }

  /**
   * Stages `content` as a flushed file in the bucket's staging directory: a body the
   * guard received ({@link ReceivedBody}, or its spooled file handed over by header) is
   * written or renamed there as it is; a stream or buffer is copied there and hashed.
   */
  private async stage(
    bucket: string,
    content: Readable | Buffer | ReceivedBody | null,
    suffix: string,
  ): Promise<Staged> {
    const id = stagingId();
    const name = `${id}${suffix}`;
    let file: string | undefined;
    try {
      const received = isReceivedBody(content) ? content : this.handedOverBody(content);
      if (received?._tag === 'ReceivedBytes') {
        const written = await this.inStaging(bucket, (directory) => {
          file = join(directory, name);
          return writeFlushed(file, received.bytes);
        });
        return { id, file: file!, md5: received.md5, ...written };
      }
      let md5: string;
      if (received) {
        const source = join(this.options.spoolDirectory!, received.file);
        await this.inStaging(bucket, async (directory) => {
          file = join(directory, name);
          try {
            await rename(source, file);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
            await copyFile(source, file);
            await syncFile(file);
          }
        });
        md5 = received.md5;
      } else {
        // A stream is consumed once: its directory is made first, every time.
        file = join(await this.makeStaging(bucket, true), name);
        const hash = createHash('md5');
        const source = Buffer.isBuffer(content) ? [content] : ((content as Readable | null) ?? []);
        await pipeline(
          source as Readable,
          new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              hash.update(chunk);
              callback(null, chunk);
            },
          }),
          createWriteStream(file, { flags: 'wx', mode: PRIVATE_FILE_MODE, flush: true }),
        );
        md5 = hash.digest('hex');
      }
      const stats = await stat(file!, { bigint: true });
      return { id, file: file!, md5, size: Number(stats.size), ino: stats.ino.toString() };
    } catch (error) {
      if (file !== undefined) await rm(file, { force: true });
      throw error;
    }
  }

  /** The spooled body the guard handed over by header with a forwarded request, if it did (the request is drained). */
  private handedOverBody(content: unknown): ReceivedBody | undefined {
    if (this.options.spoolDirectory === undefined) return undefined;
    const spooled = handedOver(content);
    if (!spooled) return undefined;
    (content as Readable).resume();
    return { _tag: 'SpooledFile', ...spooled };
  }

  /**
   * Makes `staged` the object `key` with `metadata`, atomically (see the module
   * comment). With `staged.file` undefined only the record is replaced (the bytes stay).
   */
  private async commit(
    bucket: string,
    key: string,
    staged: Commit,
    metadata: Readonly<Record<string, string>>,
  ): Promise<void> {
    const directory = this.stagingDirectory(bucket);
    const intent = join(directory, `${staged.id}${STAGED.intent}`);
    const recordTemp = join(directory, `${staged.id}${STAGED.record}`);
    const objectFile = this.getResourcePath(bucket, key, 'object');
    const recordFile = this.getResourcePath(bucket, key, 'metadata.json');
    const objectDirectory = dirname(objectFile);
    const pieces = staged.pieces;
    const stamp: CommitStamp = {
      md5: staged.md5,
      size: staged.size,
      ino: staged.ino,
      staged: staged.id,
      ...(pieces === undefined ? {} : { pieces: { id: pieces.id, sizes: pieces.sizes } }),
    };
    const piecesHome =
      pieces?.staged === undefined ? undefined : join(piecesRoot(this.getBucketPath(bucket)), pieces.id);
    let replaced: string | undefined;
    let committed = false;
    try {
      // Intent and record are written and flushed at the same time; both are on disk before the commit.
      await this.inStaging(bucket, () =>
        allSettledOrFirstError([
          writeDurable(intent, JSON.stringify({ key })),
          writeDurable(recordTemp, formatRecord(metadata, stamp)),
        ]),
      );
      // Pieces go in place before the commit: killed before it, no record names them (swept at start).
      if (piecesHome !== undefined) {
        mkdirSync(dirname(piecesHome), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
        renameSync(pieces!.staged!, piecesHome);
      }
      // From here to the renames all is synchronous: no other write of this key runs in between.
      const current = currentState(objectFile, recordFile);
      if (staged.file === undefined && current.ino !== staged.ino) {
        throw new S3Error(
          'OperationAborted',
          `${key} was overwritten while its metadata was replaced; try again`,
        );
      }
      replaced = current.piecesId === pieces?.id ? undefined : current.piecesId;
      // The key's directory is made only when the first rename finds it missing (a new
      // key, or a delete of a sibling key removed it meanwhile).
      try {
        renameSync(recordTemp, recordFile);
      } catch (error) {
        if (!isMissing(error)) throw error;
        mkdirSync(objectDirectory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
        renameSync(recordTemp, recordFile);
      }
      committed = true;
      if (staged.file !== undefined) renameSync(staged.file, objectFile);
    } catch (error) {
      // Once committed, what is staged is the object's: `recover` finishes it at the next start.
      if (!committed) {
        await Promise.all([
          rm(intent, { force: true }),
          rm(recordTemp, { force: true }),
          staged.file === undefined ? undefined : rm(staged.file, { force: true }),
          piecesHome === undefined ? undefined : rm(piecesHome, { recursive: true, force: true }),
          pieces?.staged === undefined ? undefined : rm(pieces.staged, { recursive: true, force: true }),
        ]);
      }
      throw error;
    }
    await syncDirectory(objectDirectory);
    await Promise.all([
      removeIfThere(intent),
      removeIfThere(`${objectFile}${LEGACY_MD5_SUFFIX}`),
      replaced === undefined ? undefined : this.removePieces(bucket, replaced),
    ]);
  }

  /**
   * Removes the pieces of an object that is no more — once their last reader is done
   * (see {@link holdPieces}): a GET that opened the old version reads it whole.
   */
  private async removePieces(bucket: string, id: string): Promise<void> {
    const directory = join(piecesRoot(this.getBucketPath(bucket)), id);
    if (this.pieceReaders.has(directory)) this.removalsAfterReaders.add(directory);
    else await this.removePiecesNow(directory);
  }

  private async removePiecesNow(directory: string): Promise<void> {
    this.removingPieces.add(directory);
    // Not fatal: whatever stays (a file open on Windows) is swept at the next start.
    await rm(directory, { recursive: true, force: true }).catch(() => undefined);
    this.removingPieces.delete(directory);
  }

  /**
   * Holds the pieces in `directory` for a reader: they are not removed until the returned
   * release is called (once is enough; more calls do nothing). `undefined` when they are
   * being removed already (the object was overwritten or deleted: open it again).
   */
  private holdPieces(directory: string): (() => void) | undefined {
    if (this.removingPieces.has(directory)) return undefined;
    this.pieceReaders.set(directory, (this.pieceReaders.get(directory) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pieceReaders.get(directory) ?? 1) - 1;
      if (left > 0) {
        this.pieceReaders.set(directory, left);
        return;
      }
      this.pieceReaders.delete(directory);
      if (this.removalsAfterReaders.delete(directory)) void this.removePiecesNow(directory);
    };
  }

  /**
   * Writes an object atomically. Resolves with its size and hex MD5. Its `content` is
   * what s3rver passes (the request, with the guard's spooled body named in its headers)
   * or a body the guard received itself ({@link ReceivedBody}).
   */
  override async putObject(
    object: S3rverObject | (Omit<S3rverObject, 'content'> & { readonly content: ReceivedBody }),
  ): Promise<{ size: number; md5: string }> {
    try {
      const staged = await this.stage(object.bucket, object.content, STAGED.object);
      await this.commit(object.bucket, object.key, staged, storedMetadata(object.metadata));
      this.options.onWrite?.();
      return { size: staged.size, md5: staged.md5 };
    } catch (error) {
      throw this.failure(error, `storing object ${object.bucket}/${object.key}`);
    }
  }

  /** Writes one part of a multipart upload atomically (it is only read when the upload completes). */
  override async putPart(
    bucket: string,
    uploadId: string,
    partNumber: string | number,
    content: Readable | ReceivedBody,
  ): Promise<{ size: number; md5: string }> {
    const partFile = join(this.uploadDirectory(bucket, uploadId), String(partNumber));
    let staged: Staged | undefined;
    try {
      staged = await this.stage(bucket, content, STAGED.part);
      try {
        // Into the upload's directory, which its initiation made: gone, the upload was aborted or completed.
        await replaceFile(`${partFile}${LEGACY_MD5_SUFFIX}`, staged.md5);
        await rename(staged.file, partFile);
      } catch (error) {
        throw isMissing(error) ? noSuchUpload(String(uploadId)) : error;
      }
      this.options.onWrite?.();
      return { size: staged.size, md5: staged.md5 };
    } catch (error) {
      if (staged) await rm(staged.file, { force: true });
      throw this.failure(error, `storing part ${partNumber} of an upload to ${bucket}`);
    }
  }

  /**
   * Aborts a multipart upload (S3's AbortMultipartUpload, which s3rver 3.7.1 does not
   * implement): its parts are deleted. `NoSuchUpload` when there is no such upload of
   * `key`. A completion already under way keeps the parts it linked (it commits or not
   * on its own); one that starts after fails with `NoSuchUpload`.
   */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    const uploadDirectory = this.uploadDirectory(bucket, uploadId);
    const upload = await readUpload(uploadDirectory, uploadId);
    if (upload.key !== key) throw noSuchUpload(uploadId);
    try {
      await rm(uploadDirectory, { recursive: true, force: true });
    } catch (error) {
      throw this.failure(error, `aborting upload ${uploadId} of ${bucket}/${key}`);
    }
  }

  /**
   * Completes a multipart upload without copying its data: the listed parts become the
   * object's pieces (see the module comment), committed atomically; the upload is then
   * removed, with the parts not listed. Resolves with the size and S3's multipart ETag.
   * A listed part that is missing or whose ETag is not the stored part's MD5 fails with
   * `InvalidPart` (400), parts out of order with `InvalidPartOrder`, an unknown upload
   * with `NoSuchUpload` (404); each changes nothing.
   */
  override async putObjectMultipart(
    bucket: string,
    uploadId: string,
    parts: readonly ListedPart[],
  ): Promise<{ size: number; md5: string }> {
    const uploadDirectory = this.uploadDirectory(bucket, uploadId);
    const upload = await readUpload(uploadDirectory, uploadId);
    const listed = await readListedParts(uploadDirectory, parts);
    const id = stagingId();
    const directory = this.stagingDirectory(bucket);
    const stagedPieces = join(directory, `${id}${STAGED.pieces}`);
    const marker = join(directory, `${id}${STAGED.object}`);
    const etag = multipartEtag(listed.map((part) => part.md5));
    const sizes = listed.map((part) => part.size);
    const size = sizes.reduce((total, pieceSize) => total + pieceSize, 0);
    let committing = false;
    try {
      await mkdir(stagedPieces, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
      // Links, not moves: until the commit the upload stays whole (a failed completion can be retried).
      await Promise.all(listed.map((part, index) => linkOrCopy(part.file, pieceFile(stagedPieces, index))));
      await writeDurable(join(stagedPieces, PIECES_KEY_FILE), upload.key);
      await syncDirectory(stagedPieces);
      const { ino } = await writeFlushed(marker, new Uint8Array());
      // From here `commit` cleans up what it does not commit (and keeps what recovery finishes).
      committing = true;
      await this.commit(
        bucket,
        upload.key,
        { id, file: marker, md5: etag, size, ino, pieces: { id, sizes, staged: stagedPieces } },
        storedMetadata(upload.metadata),
      );
    } catch (error) {
      if (!committing) {
        await Promise.all([rm(stagedPieces, { recursive: true, force: true }), rm(marker, { force: true })]);
      }
      throw this.failure(error, `storing object ${bucket}/${upload.key}`);
    }
    // The pieces hold their own links to the parts: removing the upload removes only the unlisted parts' bytes.
    await rm(uploadDirectory, { recursive: true, force: true }).catch(() => undefined);
    this.options.onWrite?.();
    return { size, md5: etag };
  }

  /**
   * Opens an object for reading: its file and state, and for a pieced object its pieces,
   * held (opened again when they vanished meanwhile: an overwrite or delete won the
   * race). `undefined` when there is no such object. The caller closes the file and
   * releases the pieces (streaming them does).
   */
  private async openContent(bucket: string, key: string): Promise<OpenedContent | undefined> {
    const objectFile = this.getResourcePath(bucket, key, 'object');
    for (let attempt = 1; ; attempt++) {
      const opened = await openObject(objectFile);
      if (!opened?.state.pieces) return opened;
      const { id, sizes } = opened.state.pieces;
      const directory = join(piecesRoot(this.getBucketPath(bucket)), id);
      // Held before they are looked for: from here on nothing removes them until released.
      const release = this.holdPieces(directory);
      if (release !== undefined && (await isDirectory(directory))) {
        return { ...opened, pieces: { directory, sizes, release } };
      }
      release?.();
      await opened.handle.close();
      if (attempt >= PIECED_OPEN_ATTEMPTS) {
        throw new S3Error('InternalError', `the pieces of ${key} are missing`);
      }
    }
  }

  /** Copies an object (or replaces its metadata in place) atomically; resolves with the copy's metadata. */
  override async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata: Record<string, string> | null,
  ): Promise<Record<string, string | number>> {
    const srcFile = this.getResourcePath(srcBucket, srcKey, 'object');
    const opened = await this.openContent(srcBucket, srcKey);
    if (!opened) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
    let pieces = opened.pieces;
    try {
      const metadata = replacementMetadata ? storedMetadata(replacementMetadata) : opened.state.metadata;
      const same = srcFile === this.getResourcePath(destBucket, destKey, 'object');
      if (same) {
        // Only the record changes: a pieced object keeps its pieces.
        const { md5, size, ino } = opened.state;
        await this.commit(
          destBucket,
          destKey,
          { id: stagingId(), file: undefined, md5, size, ino, pieces: opened.state.pieces },
          metadata,
        );
      } else {
        // Another key gets a copy of its own, one plain file.
        const stream = pieces
          ? streamPieces(pieces, 0, opened.state.size - 1)
          : createReadStream('', { fd: opened.handle, start: 0, autoClose: false, emitClose: false });
        pieces = undefined; // the stream releases them
        const staged = await this.stage(destBucket, stream, STAGED.object);
        await this.commit(destBucket, destKey, staged, metadata);
      }
      this.options.onWrite?.();
    } catch (error) {
      throw this.failure(error, `copying ${srcBucket}/${srcKey} to ${destBucket}/${destKey}`);
    } finally {
      await opened.handle.close();
      pieces?.release();
    }
    return this.getMetadata(destBucket, destKey);
  }

  /** The metadata s3rver answers with, for the bytes the object file holds now. */
  override async getMetadata(bucket: string, key: string): Promise<Record<string, string | number>> {
    const opened = await openObject(this.getResourcePath(bucket, key, 'object'));
    if (!opened) throw Object.assign(new Error(`no object ${key}`), { code: 'ENOENT' });
    await opened.handle.close();
    return metadataAnswer(opened.state);
  }

  /**
   * Opens the object and answers with a stream of exactly the bytes its metadata
   * describes (s3rver's `getObject`, over one file descriptor), or `null` when absent.
   */
  override async getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<S3Object | null> {
    const opened = await this.openContent(bucket, key);
    if (!opened) return null;
    const metadata = metadataAnswer(opened.state);
    const lastByte = Math.max(0, opened.state.size - 1);
    const range = {
      start: options?.start ?? 0,
      end: Math.min(options?.end ?? Number.POSITIVE_INFINITY, lastByte),
    };
    const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
    const empty = range.start < 0 || Math.min(range.end, lastByte) < range.start;
    if (empty || opened.pieces) await opened.handle.close();
    if (empty) {
      opened.pieces?.release();
      const object = new S3Object(bucket, key, null, metadata);
      if (ranged) object.range = range;
      return object;
    }
    const content = destroyWhenUnread(
      opened.pieces
        ? streamPieces(opened.pieces, range.start, range.end)
        : createReadStream('', { fd: opened.handle, start: range.start, end: range.end }),
      this.options.unreadBodyMs,
    );
    const object = new S3Object(bucket, key, content, metadata);
    if (ranged) object.range = range;
    return object;
  }

  /** Deletes an object: bytes first (it is gone at once), then its record, its pieces and emptied directories. */
  override async deleteObject(bucket: string, key: string): Promise<void> {
    try {
      // Synchronously, so no write of this key commits between reading which pieces go and the removal.
      const pieces = currentState(
        this.getResourcePath(bucket, key, 'object'),
        this.getResourcePath(bucket, key, 'metadata.json'),
      ).piecesId;
      for (const resource of ['object', 'object.md5', 'metadata.json']) {
        rmSync(this.getResourcePath(bucket, key, resource), { force: true });
      }
      if (pieces !== undefined) await this.removePieces(bucket, pieces);
    } catch (error) {
      throw this.failure(error, `deleting object ${bucket}/${key}`);
    }
    const bucketPath = this.getBucketPath(bucket);
    const parts = FilesystemStore.encodeKeyPath(key).split('/');
    parts.pop();
    while (parts.length > 0) {
      try {
        await rmdir(join(bucketPath, ...parts));
      } catch {
        // Not empty (another key, or a write landing there now) or already gone: done.
        return;
      }
      parts.pop();
    }
  }

  /** Writes a subresource (tagging, CORS, website) atomically. */
  override async putSubresource(
    bucket: string,
    key: string | undefined,
    resource: { type: string; toXML(space?: number): string },
  ): Promise<void> {
    const file = this.getResourcePath(bucket, key, `${resource.type}.xml`);
    try {
      await replaceFile(file, resource.toXML(2));
    } catch (error) {
      throw this.failure(error, `storing the ${resource.type} of ${bucket}/${key ?? ''}`);
    }
  }

  /** Deletes a bucket (s3rver's), forgetting that its staging directory was made. */
  override async deleteBucket(bucket: string): Promise<unknown> {
    this.stagingMade.delete(this.stagingDirectory(bucket));
    return super.deleteBucket(bucket);
  }

  /** Creates a bucket directory readable by the owner only. */
  override async putBucket(bucket: string): Promise<unknown> {
    await mkdir(this.getBucketPath(bucket), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
    return this.getBucket(bucket);
  }

  /**
   * Finishes or discards the writes a killed process left in the buckets' staging
   * directories: a write whose record was committed gets its bytes renamed in; anything
   * else staged is deleted. Run before serving. Resolves with the number of writes finished.
   */
  async recover(): Promise<number> {
    let finished = 0;
    let buckets: string[];
    try {
      buckets = await readdir(this.rootDirectory);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    for (const bucket of buckets) {
      const directory = this.stagingDirectory(bucket);
      let names: string[];
      try {
        names = await readdir(directory);
      } catch (error) {
        if (isMissing(error)) continue;
        throw error;
      }
      for (const name of names.filter((n) => n.endsWith(STAGED.intent))) {
        const id = name.slice(0, -STAGED.intent.length);
        if (await this.finishStaged(bucket, id)) finished++;
      }
      await rm(directory, { recursive: true, force: true });
      this.stagingMade.delete(directory);
    }
    for (const bucket of buckets) await this.sweepPieces(bucket);
    return finished;
  }

  /**
   * Removes the pieces no record names any more: those of an object overwritten or
   * deleted by a process killed before it removed them, or staged by one killed before
   * its commit. Each pieces directory names its key, so this reads one record per
   * pieced object.
   */
  private async sweepPieces(bucket: string): Promise<void> {
    const root = piecesRoot(this.getBucketPath(bucket));
    for (const id of (await unlessMissing(readdir(root))) ?? []) {
      const key = await readFile(join(root, id, PIECES_KEY_FILE), 'utf8').catch(() => undefined);
      const record =
        key === undefined ? undefined : await readRecord(this.getResourcePath(bucket, key, 'metadata.json'));
      if (record?.commit?.pieces?.id !== id) await rm(join(root, id), { recursive: true, force: true });
    }
  }

  /** Renames a committed write's staged bytes in when the record names them and they were not yet. */
  private async finishStaged(bucket: string, id: string): Promise<boolean> {
    const directory = this.stagingDirectory(bucket);
    let key: unknown;
    try {
      key = (
        JSON.parse(await readFile(join(directory, `${id}${STAGED.intent}`), 'utf8')) as { key?: unknown }
      ).key;
    } catch {
      return false;
    }
    if (typeof key !== 'string') return false;
    const record = await readRecord(this.getResourcePath(bucket, key, 'metadata.json'));
    if (record?.commit?.staged !== id) return false;
    const stagedFile = join(directory, `${id}${STAGED.object}`);
    const staged = await stat(stagedFile, { bigint: true }).catch(() => undefined);
    if (staged === undefined || staged.ino.toString() !== record.commit.ino) return false;
    const objectFile = this.getResourcePath(bucket, key, 'object');
    await mkdir(dirname(objectFile), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
    await rename(stagedFile, objectFile);
    await syncDirectory(dirname(objectFile));
    await rm(`${objectFile}${LEGACY_MD5_SUFFIX}`, { force: true });
    return true;
  }
}

/**
 * The object file's inode and its pieces' id as they are now, read synchronously (for
 * {@link DurableStore}'s commit, between its renames' neighbours). Only an empty object
 * file can be a pieced object's marker: others cost one `stat`.
 */
function currentState(objectFile: string, recordFile: string): { ino?: string; piecesId?: string } {
  let stats: BigIntStats;
  try {
    stats = statSync(objectFile, { bigint: true });
  } catch (error) {
    if (isMissing(error)) return {};
    throw error;
  }
  const ino = stats.ino.toString();
  if (stats.size !== 0n) return { ino };
  return { ino, piecesId: piecesIdOf(recordFile) };
}

/** The pieces id the record file names now (read synchronously), if any. */
function piecesIdOf(recordFile: string): string | undefined {
  try {
    return parseRecord(readFileSync(recordFile, 'utf8')).commit?.pieces?.id;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** A pending upload's key and the headers it was initiated with; `NoSuchUpload` when there is none. */
async function readUpload(
  uploadDirectory: string,
  uploadId: string,
): Promise<{ key: string; metadata: Record<string, string> }> {
  try {
    const [key, metadata] = await Promise.all([
      readFile(join(uploadDirectory, 'key'), 'utf8'),
      readFile(join(uploadDirectory, 'metadata'), 'utf8').then((text) => JSON.parse(text) as unknown),
    ]);
    return {
      key,
      metadata: typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, string>) : {},
    };
  } catch (error) {
    if (!isMissing(error)) throw error;
    throw noSuchUpload(uploadId);
  }
}

/** S3's error for an upload id that names no upload (of that key). */
function noSuchUpload(uploadId: string): S3Error {
  return new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );
}

/** The stored parts a completion lists, checked: each present, its ETag the stored MD5, in ascending order. */
async function readListedParts(
  uploadDirectory: string,
  parts: readonly ListedPart[],
): Promise<Array<{ file: string; md5: string; size: number }>> {
  if (parts.length === 0) throw new S3Error('MalformedXML', 'a completion must list at least one part');
  parts.forEach((part, index) => {
    if (index > 0 && part.number <= parts[index - 1]!.number) {
      throw new S3Error(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
      );
    }
  });
  return Promise.all(
    parts.map(async (part) => {
      const file = join(uploadDirectory, String(part.number));
      const [md5, stats] = await Promise.all([
        unlessMissing(readFile(`${file}${LEGACY_MD5_SUFFIX}`, 'utf8')).then((text) => text?.trim()),
        unlessMissing(stat(file)),
      ]);
      if (md5 === undefined || stats === undefined || md5 !== part.etag.toLowerCase()) {
        throw new S3Error(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          { UploadId: basename(uploadDirectory), PartNumber: part.number, ETag: part.etag },
        );
      }
      return { file, md5, size: stats.size };
    }),
  );
}

/** Hard-links `source` as `target`; copies it (flushed) where the filesystem has no hard links. */
async function linkOrCopy(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(source, target);
    await syncFile(target);
  }
}

/** Whether `path` is a directory now. */
async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** Flushes a file's bytes to disk. */
async function syncFile(file: string): Promise<void> {
  const fd = await openFile(file, 'r+');
  try {
    await flush(fd);
  } finally {
    closeSync(fd);
  }
}

function metadataAnswer(state: {
  readonly metadata: Readonly<Record<string, string>>;
  readonly md5: string;
  readonly lastModified: Date;
  readonly size: number;
}): Record<string, string | number> {
  return {
    ...state.metadata,
    etag: JSON.stringify(state.md5),
    'last-modified': state.lastModified.toUTCString(),
    'content-length': state.size,
  };
}
