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
 * A reader holds the pieces while it reads: the store defers removing the pieces of an
 * overwritten or deleted object until their last reader is done (see
 * `DurableStore.openContent`), so a GET racing an overwrite answers the old version
 * whole. Pieces are opened one at a time as the stream reaches them — an object of
 * 10,000 parts takes one file descriptor per reader, not 10,000.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
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

/** The pieces of one object, held for reading: streamed by {@link streamPieces}, or released. */
export interface HeldPieces {
  /** The directory of the pieces. */
  readonly directory: string;
  readonly sizes: readonly number[];
  /** Lets the pieces go (the store may then remove them); once, whatever the calls. */
  readonly release: () => void;
}

/**
 * The bytes `start`…`end` (inclusive) of the object `held` makes, as one stream across
 * piece boundaries, opening each piece when it reaches it. The stream releases `held`
 * when it ends, fails or is destroyed.
 */
export function streamPieces(held: HeldPieces, start: number, end: number): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (const [index, size] of held.sizes.entries()) {
      const pieceStart = offset;
      offset += size;
      const from = Math.max(start, pieceStart);
      const to = Math.min(end, offset - 1);
      if (to < from) {
        if (pieceStart > end) return;
        continue;
      }
      const piece = createReadStream(pieceFile(held.directory, index), {
        start: from - pieceStart,
        end: to - pieceStart,
      });
      for await (const chunk of piece) yield chunk as Buffer;
    }
  }
  const stream = Readable.from(bytes(), { objectMode: false });
  // On end, failure or destroy — also of a stream never read (its generator never ran).
  stream.once('close', () => held.release());
  return stream;
}
