/**
 * Request bodies read from a local file as S3 reads them: metered (progress, and a
 * check that the bytes are still those that were hashed), and a failing body
 * aborting its request.
 * @module
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DEFAULT_READ_CHUNK_BYTES } from '../../../defaults.js';
import { anySignal } from '../../kernel/signals.js';
import { READ_NOFOLLOW } from './hash.js';
import { Meter } from './meter.js';

/** Called with the bytes of a body read so far by S3, and whether they moved (false: reused). */
export type OnBytes = (bytes: number, moved: boolean) => void;

/** The bytes of a file a body is made of, with the MD5 (base64) they must have. */
export interface BodyRange {
  readonly path: string;
  readonly start: number;
  readonly size: number;
  readonly md5: string;
}

/** What a body failure names: the object and the S3 operation. */
export interface BodyLabel {
  readonly uri: string;
  readonly operation: string;
}

/**
 * Reports the bytes of one request body once, however many attempts it takes: each
 * attempt calls the result with its running total; only what goes past the highest
 * total so far is reported.
 */
export function highWater(onBytes: OnBytes): (attemptTotal: number) => void {
  let reported = 0;
  return (attemptTotal) => {
    if (attemptTotal > reported) {
      onBytes(attemptTotal - reported, true);
      reported = attemptTotal;
    }
  };
}

/** Opens `range` of the file as a metered body; the meter fails the stream if the bytes changed. */
async function meteredBody(
  range: BodyRange,
  label: BodyLabel,
  progress: (attemptTotal: number) => void,
  fail: (error: unknown) => void,
  meter: (bytes: number) => void,
): Promise<{ body: Readable; close: () => void }> {
  let total = 0;
  const handle = await open(range.path, READ_NOFOLLOW);
  // The stream closes the handle when it ends or is destroyed.
  const source = handle.createReadStream({
    start: range.start,
    end: range.start + range.size - 1,
    highWaterMark: DEFAULT_READ_CHUNK_BYTES,
  });
  const checker = new Meter({ size: range.size, md5: range.md5, ...label }, (bytes) => {
    total += bytes;
    meter(bytes);
    progress(total);
  });
  source.on('error', fail);
  checker.on('error', fail);
  const body = source.pipe(checker);
  return {
    body,
    close: () => {
      source.destroy();
      checker.destroy();
    },
  };
}

/**
 * Runs `send` with `range` of the file as a metered body and a signal that aborts
 * when `signal` does or when the body fails (a read error, or bytes that changed
 * since they were hashed: then that failure, not the abort, is what rejects). The
 * body is closed and the signals unlinked when `send` settles. `meter` is told each
 * chunk's size as S3 reads it (the request's throughput guard).
 */
export async function sendMetered<T>(
  range: BodyRange,
  label: BodyLabel,
  progress: (attemptTotal: number) => void,
  signal: AbortSignal,
  send: (body: Readable, signal: AbortSignal) => Promise<T>,
  meter: (bytes: number) => void = () => undefined,
): Promise<T> {
  const bodyFailed = new AbortController();
  let bodyError: unknown;
  const { body, close } = await meteredBody(
    range,
    label,
    progress,
    (error) => {
      bodyError ??= error;
      bodyFailed.abort();
    },
    meter,
  );
  const linked = anySignal([signal, bodyFailed.signal]);
  try {
    return await send(body, linked.signal);
  } catch (error) {
    throw bodyError ?? error;
  } finally {
    close();
    linked.release();
  }
}
