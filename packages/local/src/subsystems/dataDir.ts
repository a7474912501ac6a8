/**
 * Subsystem 1, the data dir: created (mode 0700) — or closed to other users (0700)
 * when it exists, whatever mode an older build gave it — and locked for this
 * process, so no second platform runs on it. Closing releases the lock.
 * @module
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { PRIVATE_DIRECTORY_MODE } from '../s3/durableStore.js';
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
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  // An existing dir keeps the mode it was made with: objects, logs and keys live below.
  if (process.platform !== 'win32') chmodSync(path, PRIVATE_DIRECTORY_MODE);
  const lock = lockDataDir(path);
  return { path, close: () => lock.release() };
}
