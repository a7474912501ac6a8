/**
 * Subsystem 1, the data dir: created (mode 0700) and locked for this process, so
 * no second platform runs on it. Closing releases the lock.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { lockDataDir } from '../store/dataDirLock.js';
import type { Closable } from './stack.js';

/** A data dir this process holds. */
export interface OpenedDataDir extends Closable {
  /** The absolute path. */
  readonly path: string;
}

/**
 * Creates and locks `path` (absolute).
 *
 * @throws DataDirBusyError when another live platform holds it.
 */
export function openDataDir(path: string): OpenedDataDir {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(path);
  return { path, close: () => lock.release() };
}
