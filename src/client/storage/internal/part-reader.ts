/**
 * The one read pass of a multipart upload: parts read in order into memory, each hashed
 * (MD5, for its `Content-MD5`) while the whole file's SHA-256 runs over them, so the bytes
 * sent are exactly the bytes hashed and no byte is read twice.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { DEFAULT_READ_CHUNK_BYTES } from '../../../defaults.js';
import { StorageError } from '../errors.js';
import { READ_NOFOLLOW } from './hash.js';
import type { PartRange } from './part-size.js';

/** One part as read: its bytes and their MD5 (base64). */
export interface ReadPart {
  readonly range: PartRange;
  readonly content: Buffer;
  readonly md5: string;
}

/** What the reader is told about the file. */
export interface PartReaderOptions {
  readonly path: string;
  /** The size the file was listed with: the pass must end exactly there. */
  readonly size: number;
  /** `s3://` address, for errors. */
  readonly uri: string;
  /** MD5 (base64) each part must have, when the file was hashed before (a change since fails with reason `changed`). */
  readonly expectedMd5?: readonly string[] | undefined;
  readonly chunkBytes?: number | undefined;
}

/**
 * Reads the parts of one file in order, whatever order `read` is called in by its callers'
 * scheduling: each call waits for the one before, so the SHA-256 sees the file in order.
 * {@link sha256} resolves once the last byte was read and the file was seen to end there.
 * {@link close} closes the file (after any read under way).
 *
 * A part's memory is given back with {@link release} once its bytes are no longer
 * needed (sent, or found stored): the next part is read into it. A file's upload then
 * holds as many part buffers as it has parts in flight, allocated once — not a fresh
 * buffer per part, whose garbage made the collector a tenth of a big upload's CPU.
 */
export class PartReader {
  readonly #options: PartReaderOptions;
  readonly #handle: ReturnType<typeof open>;
  readonly #sha: Hash = createHash('sha256');
  #chain: Promise<unknown> = Promise.resolve();
  #next = 0;
  /** Part buffers given back, ready for the next reads. */
  readonly #free: Buffer[] = [];
  /** The whole buffer behind each part handed out (a shorter last part is a slice of one). */
  readonly #whole = new WeakMap<Buffer, Buffer>();

  constructor(options: PartReaderOptions) {
    this.#options = options;
    this.#handle = open(options.path, READ_NOFOLLOW);
    // A failed open is reported by the first read.
    this.#handle.catch(() => undefined);
  }

  /** Reads `range` (the next part in file order) into memory; rejects with `StorageError` reason `changed` when the file is no longer as listed. */
  read(range: PartRange): Promise<ReadPart> {
    const result = this.#chain.then(() => this.#read(range));
    this.#chain = result.catch(() => undefined);
    return result;
  }

  /** The SHA-256 (hex) of the whole file, once every part was read; checks the file ends where it was listed to. */
  async sha256(): Promise<string> {
    await this.#chain;
    if (this.#next !== this.#options.size) {
      throw new Error(`internal: ${this.#next} of ${this.#options.size} bytes read before the SHA-256`);
    }
    const handle = await this.#handle;
    const now = await handle.stat();
    if (now.size !== this.#options.size)
      throw this.#changed(`${now.size} bytes now, listed with ${this.#options.size}`);
    return this.#sha.digest('hex');
  }

  /** Gives `part`'s memory back for the parts still to read; its `content` must not be used after. */
  release(part: ReadPart): void {
    const whole = this.#whole.get(part.content);
    if (whole === undefined) return;
    this.#whole.delete(part.content);
    this.#free.push(whole);
  }

  /** Closes the file once reads under way are done. */
  async close(): Promise<void> {
    await this.#chain;
    const handle = await this.#handle.catch(() => undefined);
    await handle?.close();
  }

  async #read(range: PartRange): Promise<ReadPart> {
    if (range.start !== this.#next) {
      throw new Error(
        `internal: part ${range.partNumber} read out of order (at ${range.start}, expected ${this.#next})`,
      );
    }
    const handle = await this.#handle;
    const content = this.#buffer(range.size);
    const md5 = createHash('md5');
    const chunk = this.#options.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
    let filled = 0;
    while (filled < range.size) {
      const { bytesRead } = await handle.read(
        content,
        filled,
        Math.min(chunk, range.size - filled),
        range.start + filled,
      );
      if (bytesRead === 0)
        throw this.#changed(`it ends at ${range.start + filled} bytes, listed with ${this.#options.size}`);
      const read = content.subarray(filled, filled + bytesRead);
      md5.update(read);
      this.#sha.update(read);
      filled += bytesRead;
    }
    this.#next = range.start + range.size;
    const digest = md5.digest('base64');
    const expected = this.#options.expectedMd5?.[range.partNumber - 1];
    if (expected !== undefined && expected !== digest) {
      throw this.#changed(`part ${range.partNumber} has other bytes than when it was hashed`);
    }
    return { range, content, md5: digest };
  }

  /** A buffer of `size` bytes: a given-back one when it is large enough, else a new one. */
  #buffer(size: number): Buffer {
    const index = this.#free.findIndex((free) => free.length >= size);
    const whole = index === -1 ? Buffer.allocUnsafeSlow(size) : this.#free.splice(index, 1)[0]!;
    const content = whole.subarray(0, size);
    this.#whole.set(content, whole);
    return content;
  }

  #changed(what: string): StorageError {
    return new StorageError(`file changed while uploading: ${what}`, {
      method: 'read',
      url: this.#options.uri,
      reason: 'changed',
    });
  }
}
