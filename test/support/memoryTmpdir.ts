/**
 * Global setup of a test run (see `vitest.config.ts`): temporary files in memory. The
 * tests put their platforms' data directories, S3 stores, SQLite files and fixtures
 * under `os.tmpdir()`; on Linux the run points `TMPDIR` at a fresh directory on the
 * memory file system (`/dev/shm`, a tmpfs) for its workers and every process they
 * start, and removes it at the end. The code runs the same on it — a real file system,
 * with its renames, directories and errors — but a flush to disk (`fsync`, which the
 * platform does at every durable write and commit) returns at once: on the 2-core test
 * machine the platform tests took a third less wall time and a tenth less CPU.
 *
 * A `TMPDIR` set by whoever runs the tests is kept as it is; so is `os.tmpdir()` where
 * there is no tmpfs, or too little room on it.
 *
 * A run that was killed never reaches its teardown, so each directory records the
 * process that made it (`owner.pid`), and a new run first removes the directories whose
 * owner is gone.
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../packages/local/src/runner/processTree.js';

/** Where Linux mounts its shared-memory tmpfs. */
const MEMORY_DIRECTORY = '/dev/shm';
/** `statfs` type of a tmpfs (TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;
/** Free room the run wants on it: the tests' files are small, but several platforms run at once. */
const MIN_FREE_BYTES = 2 * 1024 ** 3;

/** Prefix of the runs' directories in {@link MEMORY_DIRECTORY}. */
const RUN_PREFIX = 'modelmaker-tests-';
/** File in a run's directory holding the process id of the run that made it. */
const OWNER_FILE = 'owner.pid';

/** Removes the directories of earlier runs whose process is gone (killed before its teardown). */
function removeAbandonedRuns(): void {
  for (const name of readdirSync(MEMORY_DIRECTORY)) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const directory = join(MEMORY_DIRECTORY, name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(directory, OWNER_FILE), 'utf8'));
    } catch {
      continue; // made by a run that records no owner, or being made right now: not ours to judge
    }
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner))
      rmSync(directory, { recursive: true, force: true });
  }
}

/** A fresh directory on a tmpfs with room to spare, or undefined. */
function memoryDirectory(): string | undefined {
  try {
    const stats = statfsSync(MEMORY_DIRECTORY);
    if (stats.type !== TMPFS_MAGIC || stats.bavail * stats.bsize < MIN_FREE_BYTES) return undefined;
    removeAbandonedRuns();
    const directory = mkdtempSync(join(MEMORY_DIRECTORY, RUN_PREFIX));
    writeFileSync(join(directory, OWNER_FILE), String(process.pid));
    return directory;
  } catch {
    return undefined;
  }
}

/** Points `TMPDIR` at a memory directory for the run; the teardown removes it. */
export default function setup(): () => void {
  if (process.env.TMPDIR) return () => {};
  const directory = memoryDirectory();
  if (directory === undefined) return () => {};
  process.env.TMPDIR = directory;
  return () => {
    delete process.env.TMPDIR;
    try {
      rmSync(directory, { recursive: true, force: true });
    } catch (error) {
      // e.g. a file system a test mounted there and left mounted
      console.warn(`could not remove the tests' temporary directory ${directory}: ${String(error)}`);
    }
  };
}
