/**
 * One platform per data dir: two would both run the queued versions, and the
 * second one's crash recovery would fail the first one's running versions. A
 * lock file holds the owner's pid; a lock whose process is gone (after a
 * SIGKILL or a power cut) is taken over.
 * @module
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../runner/processTree.js';

/** The lock file's name in the data dir. */
export const LOCK_FILE = 'platform.lock';

/** Another live process holds the data dir. */
export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`data dir ${dataDir} is in use by process ${pid}; stop it or choose another --data-dir`);
  }
}

/** A held lock. */
export interface DataDirLock {
  /** Removes the lock file (idempotent). */
  release(): void;
}

/**
 * Takes the data dir's lock for this process.
 *
 * @throws DataDirBusyError when a live process holds it.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isSafeInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) {
        throw new DataDirBusyError(dataDir, pid);
      }
      rmSync(file, { force: true });
    }
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
      } catch {
        // Already gone.
      }
    },
  };
}
