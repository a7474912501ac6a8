/**
 * A small file system for tests of a full disk: a tmpfs of the given size mounted on a
 * temp dir where the test may mount one (root, or a CI runner allowing it); elsewhere a
 * plain temp dir with the full disk faked inside a platform child at the same call sites
 * (see `fixtures/diskFaults.ts`). `method` says which one ran; both are driven the same
 * way: `fill` leaves about that many bytes free, `free` gives the space back.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small disk and the means to fill it. */
export interface SmallDisk {
  /** A directory on it (a platform's data dir goes below). */
  readonly path: string;
  readonly method: 'tmpfs' | 'injected';
  /** Environment a platform child needs (the fake's switches; empty for a real tmpfs). */
  readonly env: Record<string, string>;
  /** Leaves about `bytes` free on it. */
  fill(bytes: number): void;
  /** Gives back what `fill` took. */
  free(): void;
  /** Frees, unmounts and removes it. */
  release(): void;
}

const CHUNK = 1024 * 1024;

function tryMount(directory: string, sizeBytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', directory], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/** A disk of `sizeBytes` (see the module comment). */
export function smallDisk(sizeBytes: number): SmallDisk {
  const outer = mkdtempSync(join(tmpdir(), 'mm-small-disk-'));
  const path = join(outer, 'disk');
  mkdirSync(path);
  const filler = join(path, 'filler');
  if (process.env.MM_TEST_FAKE_FULL_DISK !== '1' && tryMount(path, sizeBytes)) {
    return {
      path,
      method: 'tmpfs',
      env: {},
      fill(bytes) {
        const fd = openSync(filler, 'w');
        try {
          const block = Buffer.alloc(CHUNK, 1);
          for (;;) {
            try {
              writeSync(fd, block);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
          // Give back what should stay free (rounded to whole pages by the file system).
          const { bavail, bsize } = statfsSync(path);
          const shortBy = bytes - bavail * bsize;
          if (shortBy > 0) {
            ftruncateSync(fd, Math.max(0, fstatSync(fd).size - shortBy));
          }
        } finally {
          closeSync(fd);
        }
      },
      free() {
        rmSync(filler, { force: true });
      },
      release() {
        rmSync(filler, { force: true });
        try {
          execFileSync('umount', [path], { stdio: 'ignore' });
        } catch {}
        rmSync(outer, { recursive: true, force: true });
      },
    };
  }
  const flag = join(outer, 'disk-full');
  return {
    path,
    method: 'injected',
    env: { MM_TEST_DISK_FULL_FLAG: flag, MM_TEST_DISK_ROOT: path },
    fill(bytes) {
      writeFileSync(flag, String(bytes));
    },
    free() {
      rmSync(flag, { force: true });
    },
    release() {
      rmSync(outer, { recursive: true, force: true });
    },
  };
}
