/**
 * The full-disk tests' small disk cleans up after itself: `release` runs in `finally`
 * blocks, so it must neither throw (hiding the test's own failure) nor leave a tmpfs
 * mounted while a process just killed still holds it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallDisk } from './smallDisk.js';

const mounted = (path: string) =>
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === path);

describe('smallDisk', () => {
  it('release waits for a process still holding the disk, then leaves no mount and no dir behind', async () => {
    const disk = smallDisk(4 * 1024 * 1024);
    // Holds the disk (its working directory) for a moment after release starts, as a killed child does.
    const holder = spawn('sleep', ['0.5'], { cwd: disk.path, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
    await new Promise((resolve) => holder.once('spawn', resolve));
    disk.fill(1024 * 1024);

    await expect(disk.release()).resolves.toBeUndefined();

    expect(mounted(disk.path)).toBe(false);
    expect(existsSync(dirname(disk.path))).toBe(false);
    expect(await exited).toBe(0);
  });
});
