/**
 * A small file system for tests of a full disk: a tmpfs of the given size mounted on a
 * temp dir where the test may mount one (root, or a CI runner allowing it); elsewhere a
 * plain temp dir with the full disk faked inside a platform child at the same call sites
 * (see `fixtures/diskFaults.ts`). `method` says which one ran; both are driven the same
 * way: `fill` leaves about that many bytes free, `free` gives the space back.
 *
 * `release` never throws (it runs in `finally` blocks: a failure there would hide the
 * test's own error) and leaves no mount behind: a process just killed may still hold
 * the tmpfs (`umount` answers EBUSY until it has exited), so it retries until the
 * holders are gone, and detaches the mount lazily (`umount -l`) as a last resort.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
  /**
   * Frees, unmounts and removes it, once whatever still holds it has exited (see the
   * module doc). Never rejects: a failure is a warning on stderr.
   */
  release(): Promise<void>;
}

const CHUNK = 1024 * 1024;
/** How long `release` waits for the processes holding the mount to exit before a lazy unmount. */
const UNMOUNT_WAIT_MS = 10_000;
/** Pause between two unmount attempts. */
const UNMOUNT_RETRY_MS = 50;

/** True while `directory` is a mount point (Linux: `/proc/self/mounts`). */
function isMounted(directory: string): boolean {
  try {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[1] === directory);
  } catch {
    return false;
  }
}

/** Processes with a file, a working directory or a root under `directory` (for the warning). */
function holdersOf(directory: string): number[] {
  const under = (link: string) => link === directory || link.startsWith(`${directory}/`);
  const holders: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const links = ['cwd', 'root'].map((name) => readlinkSync(`/proc/${entry}/${name}`));
      for (const fd of readdirSync(`/proc/${entry}/fd`)) links.push(readlinkSync(`/proc/${entry}/fd/${fd}`));
      if (links.some(under)) holders.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
  return holders;
}

function umount(args: readonly string[]): boolean {
  try {
    execFileSync('umount', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Unmounts `directory` once nothing holds it (retrying until then), lazily after {@link UNMOUNT_WAIT_MS}. */
async function unmountWhenFree(directory: string): Promise<void> {
  const deadline = Date.now() + UNMOUNT_WAIT_MS;
  while (isMounted(directory)) {
    if (umount([directory])) return;
    if (Date.now() >= deadline) {
      const holders = holdersOf(directory);
      // Detached now, freed by the kernel once the last holder lets go.
      const detached = umount(['-l', directory]);
      console.warn(
        `smallDisk: ${directory} still busy after ${UNMOUNT_WAIT_MS} ms (held by pids ${holders.join(', ') || 'unknown'}): ${detached ? 'detached lazily' : 'could not unmount'}`,
      );
      return;
    }
    await sleep(UNMOUNT_RETRY_MS);
  }
}

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
      async release() {
        try {
          rmSync(filler, { force: true });
          await unmountWhenFree(path);
          rmSync(outer, { recursive: true, force: true });
        } catch (error) {
          console.warn(`smallDisk: could not release ${outer}: ${(error as Error).message}`);
        }
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
    async release() {
      try {
        rmSync(outer, { recursive: true, force: true });
      } catch (error) {
        console.warn(`smallDisk: could not release ${outer}: ${(error as Error).message}`);
      }
    },
  };
}
