/**
 * Pieced objects: an object completed from a multipart upload keeps the upload's part
 * files as its bytes, the way S3 completes an upload without copying data.
 *
 * The pieces of one object live in `<bucket>/._S3rver_uploads/.pieces/<id>/` (the
 * uploads directory, which listings skip; a dot-name, never an upload id) as files
 * `1`…`N` in order, with a `key` file naming the object they belong to (so a start-up
 * sweep can tell pieces no record names any more). The object's record stamps the
 * pieces' id and sizes (see `objectRecord.ts`); its object file is an empty marker.
 * A piece is never changed once written: a new write of the key makes new pieces.
 *
 * Readers open every piece before sending a byte ({@link openPieces}), so an overwrite
 * or delete that removes the pieces afterwards cannot tear a GET (an open file stays
 * readable after its name is gone).
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { PiecesStamp } from './objectRecord.js';
import { UPLOADS_DIRECTORY } from './storeLayout.js';

/** The directory of a bucket's pieces inside its uploads directory (a dot: never an upload id). */
export const PIECES_DIRECTORY = '.pieces';
/** The file inside a pieces directory naming the key the pieces belong to. */
export const PIECES_KEY_FILE = 'key';

/** The directory holding every pieced object's pieces of the bucket at `bucketDirectory`. */
export function piecesRoot(bucketDirectory: string): string {
  return join(bucketDirectory, UPLOADS_DIRECTORY, PIECES_DIRECTORY);
}

/** The file of piece `index` (0-based) in the pieces directory `directory`. */
export function pieceFile(directory: string, index: number): string {
  return join(directory, String(index + 1));
}

/**
 * S3's ETag of a multipart upload (unquoted): the hex MD5 of its parts' binary MD5s,
 * then `-<number of parts>`.
 * @example multipartEtag(['9e107d9d372bb6826bd81d3542a419d6']) // '…-1'
 */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5Hex) hash.update(Buffer.from(md5, 'hex'));
  return `${hash.digest('hex')}-${partMd5Hex.length}`;
}

/** The open pieces of one object, ready to stream; close them when not streamed. */
export interface OpenPieces {
  readonly handles: readonly FileHandle[];
  readonly sizes: readonly number[];
}

/**
 * Opens every piece of `pieces` in the bucket at `bucketDirectory`. Resolves with
 * `undefined` when one is gone (the object was overwritten or deleted meanwhile:
 * open it again); nothing stays open then.
 */
export async function openPieces(
  bucketDirectory: string,
  pieces: PiecesStamp,
): Promise<OpenPieces | undefined> {
  const directory = join(piecesRoot(bucketDirectory), pieces.id);
  const opened = await Promise.allSettled(
    pieces.sizes.map((_, index) => open(pieceFile(directory, index), 'r')),
  );
  const handles = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = opened.find((result) => result.status === 'rejected');
  if (failure === undefined) return { handles, sizes: pieces.sizes };
  await Promise.all(handles.map((handle) => handle.close()));
  const code = (failure.reason as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw failure.reason;
}

/** Closes every piece of `opened`. */
export async function closePieces(opened: OpenPieces): Promise<void> {
  await Promise.all(opened.handles.map((handle) => handle.close()));
}

/**
 * The bytes `start`…`end` (inclusive) of the object the open pieces make, as one
 * stream across piece boundaries. The stream owns the handles: they are closed when it
 * ends, fails or is destroyed.
 */
export function streamPieces(opened: OpenPieces, start: number, end: number): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (const [index, handle] of opened.handles.entries()) {
      const size = opened.sizes[index]!;
      const pieceStart = offset;
      offset += size;
      const from = Math.max(start, pieceStart);
      const to = Math.min(end, offset - 1);
      if (to < from) {
        if (pieceStart > end) return;
        continue;
      }
      const piece = createReadStream('', {
        fd: handle,
        start: from - pieceStart,
        end: to - pieceStart,
        autoClose: false,
        emitClose: false,
      });
      for await (const chunk of piece) yield chunk as Buffer;
    }
  }
  const stream = Readable.from(bytes(), { objectMode: false });
  // On end, failure or destroy — also of a stream never read (its generator never ran).
  stream.once('close', () => void closePieces(opened).catch(() => undefined));
  return stream;
}
