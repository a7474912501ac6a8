/**
 * Small files read and hashed beside the event loop: a worker thread opens, reads,
 * hashes (SHA-256 and MD5) and closes each file with synchronous calls, many files per
 * message, and hands the bytes back without copying them. Reading a 4 KiB file through
 * promises costs four thread-pool round trips (open, stat, read, close) and their
 * promises on the event loop — more than the hashing; here it costs the event loop one
 * message per batch, and the hashing runs on another core.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { defer, finalize, type Observable } from 'rxjs';
import type { FileDigest } from './hash.js';
import { digestSmallFile, READ_NOFOLLOW } from './hash.js';

/** Reads and digests whole small files. */
export interface SmallFileDigests {
  /** The digest of the file at `path`, its content kept (as `digestSmallFile`). Fails with Node's error (its `code`). */
  digest(path: string, signal?: AbortSignal): Promise<FileDigest>;
  /** Stops the worker (requests still waiting fail). */
  close(): void;
}

/** The worker: CommonJS evaluated as is (no module of ours to load, so it runs from sources and from dist alike). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const FLAGS = workerData.flags;
function readWhole(path) {
  const fd = openSync(path, FLAGS);
  try {
    let buffer = Buffer.allocUnsafeSlow(Math.max(fstatSync(fd).size, 1));
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        const grown = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return { buffer, size: filled };
  } finally {
    closeSync(fd);
  }
}
parentPort.on('message', (batch) => {
  const results = [];
  const transfer = [];
  for (const { id, path } of batch) {
    try {
      const { buffer, size } = readWhole(path);
      const content = buffer.subarray(0, size);
      results.push({
        id,
        size,
        sha256: createHash('sha256').update(content).digest('hex'),
        md5: createHash('md5').update(content).digest('base64'),
        buffer: buffer.buffer,
      });
      transfer.push(buffer.buffer);
    } catch (error) {
      results.push({ id, error: { message: String(error && error.message), code: error && error.code } });
    }
  }
  parentPort.postMessage(results, transfer);
});
`;

interface Request {
  readonly id: number;
  readonly path: string;
}

type Result =
  | {
      readonly id: number;
      readonly size: number;
      readonly sha256: string;
      readonly md5: string;
      readonly buffer: ArrayBuffer;
    }
  | { readonly id: number; readonly error: { readonly message: string; readonly code: string | undefined } };

interface Waiting {
  readonly path: string;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (digest: FileDigest) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A worker that digests small files, started on the first request; requests made in
 * the same turn of the event loop (its I/O callbacks and their microtasks) go in one
 * message. Should the worker fail, its requests and all later ones are read on the
 * event loop (`digestSmallFile`).
 * {@link SmallFileDigests.close} stops it; a transfer closes its pool when it ends. The
 * worker does not keep the process alive.
 */
export function digestPool(): SmallFileDigests {
  let worker: Worker | undefined;
  let broken = false;
  let closed = false;
  let nextId = 0;
  const waiting = new Map<number, Waiting>();
  let batch: Request[] = [];

  /** The worker is gone: what it still had is read here (or, once closed, dropped: nobody waits). */
  const fallBack = () => {
    broken = true;
    worker = undefined;
    for (const entry of waiting.values()) {
      if (closed) entry.reject(new Error('the file digest pool is closed'));
      else digestSmallFile(entry.path, entry.signal).then(entry.resolve, entry.reject);
    }
    waiting.clear();
  };
  const start = (): Worker => {
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { flags: READ_NOFOLLOW } });
    started.unref();
    started.on('message', (results: Result[]) => {
      for (const result of results) {
        const entry = waiting.get(result.id);
        if (!entry) continue;
        waiting.delete(result.id);
        if ('error' in result) {
          entry.reject(Object.assign(new Error(result.error.message), { code: result.error.code }));
        } else {
          const content = Buffer.from(result.buffer, 0, result.size);
          entry.resolve({ size: result.size, sha256: result.sha256, md5: result.md5, partMd5: [], content });
        }
      }
    });
    started.on('error', fallBack);
    started.on('exit', fallBack);
    return started;
  };
  const flush = () => {
    const sending = batch;
    batch = [];
    if (broken || closed) return;
    worker ??= start();
    worker.postMessage(sending);
  };

  return {
    digest(path, signal) {
      if (broken || closed) return digestSmallFile(path, signal);
      signal?.throwIfAborted();
      return new Promise<FileDigest>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { path, signal, resolve, reject });
        batch.push({ id, path });
        // Flushed after this turn of the event loop: the files asked for while its answers (e.g. the
        // responses of the uploads in flight) were handled go in one message.
        if (batch.length === 1) setImmediate(flush);
      });
    },
    close() {
      closed = true;
      const stopping = worker;
      worker = undefined;
      void stopping?.terminate();
      for (const entry of waiting.values()) entry.reject(new Error('the file digest pool is closed'));
      waiting.clear();
    },
  };
}

/** Runs `work` with a fresh {@link digestPool}, closed when the subscription ends (completion, error or unsubscribe). */
export function withDigests<T>(work: (digests: SmallFileDigests) => Observable<T>): Observable<T> {
  return defer(() => {
    const pool = digestPool();
    return work(pool).pipe(finalize(() => pool.close()));
  });
}
