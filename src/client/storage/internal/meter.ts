/**
 * A pass-through stream for request bodies: reports bytes as S3 pulls them and
 * checks that what was sent is what was digested before.
 * @module
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { StorageError } from '../errors.js';

/** What the body must be. */
export interface MeterExpectation {
  readonly size: number;
  /** MD5, base64, of the expected content. */
  readonly md5: string;
  /** Named in the error when the content differs, e.g. `s3://bucket/key part 3`. */
  readonly uri: string;
  readonly operation: string;
}

/**
 * Counts bytes (calling `onBytes` with each chunk's length) and fails the stream
 * with a `StorageError` (reason `changed`) when the file no longer has the size or
 * MD5 it had when it was digested, i.e. it changed during the upload. The failure
 * happens before the last byte is passed on, so S3 never completes such a request.
 */
export class Meter extends Transform {
  readonly #expected: MeterExpectation;
  readonly #onBytes: (bytes: number) => void;
  readonly #md5 = createHash('md5');
  #seen = 0;
  #held: Buffer | undefined;

  constructor(expected: MeterExpectation, onBytes: (bytes: number) => void) {
    super();
    this.#expected = expected;
    this.#onBytes = onBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#expected.size) {
      callback(this.#changed(`more than ${this.#expected.size} bytes`));
      return;
    }
    this.#md5.update(chunk);
    if (this.#seen < this.#expected.size) {
      this.#onBytes(chunk.length);
      callback(null, chunk);
      return;
    }
    // The last chunk: hold its last byte back until the content is known to be right.
    if (this.#md5.digest('base64') !== this.#expected.md5) {
      callback(this.#changed('different content'));
      return;
    }
    const pass = chunk.subarray(0, chunk.length - 1);
    this.#held = chunk.subarray(chunk.length - 1);
    if (pass.length > 0) this.#onBytes(pass.length);
    callback(null, pass.length > 0 ? pass : undefined);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#seen !== this.#expected.size) {
      callback(this.#changed(`${this.#seen} bytes instead of ${this.#expected.size}`));
      return;
    }
    if (this.#held) {
      this.#onBytes(this.#held.length);
      this.push(this.#held);
    }
    callback();
  }

  #changed(what: string): StorageError {
    return new StorageError(`file changed while uploading: ${what}`, {
      method: this.#expected.operation,
      url: this.#expected.uri,
      reason: 'changed',
    });
  }
}
