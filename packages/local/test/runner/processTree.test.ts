import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  isAlive,
  listProcesses,
  scanPs,
  signalTree,
  treePids,
  treeSampler,
} from '../../src/runner/processTree.js';
import { eventually, processGone } from './harness.js';

describe('process trees', () => {
  it('lists this process with its memory, from /proc and from ps alike', async () => {
    const fromProc = (await listProcesses()).find((p) => p.pid === process.pid);
    const fromPs = (await scanPs()).find((p) => p.pid === process.pid);
    for (const self of [fromProc, fromPs]) expect(self?.rss).toBeGreaterThan(1024 * 1024);
    expect(fromProc?.cpuSeconds).toBeGreaterThan(0);
    // `ps time=` counts whole seconds (truncated): a young process may say 0; never more than /proc.
    expect(fromPs?.cpuSeconds).toBeGreaterThanOrEqual(Math.floor(fromProc!.cpuSeconds));
    expect(fromPs?.cpuSeconds).toBeLessThanOrEqual(Math.ceil(fromProc!.cpuSeconds) + 1);
  });

  it('finds a detached process and its child as one tree, samples it, and kills it whole', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }); setTimeout(() => {}, 60000)",
      ],
      { detached: true, stdio: 'ignore' },
    );
    const root = child.pid!;
    try {
      expect(await eventually(() => isAlive(root))).toBe(true);
      // The grandchild appears once the child has started it.
      let pids = await treePids(root);
      for (let i = 0; i < 100 && pids.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
        pids = await treePids(root);
      }
      expect(pids).toHaveLength(2);
      const usage = await treeSampler(root)();
      expect(usage?.memory).toBeGreaterThan(2 * 1024 * 1024);
      signalTree(root, 'SIGKILL');
      for (const pid of pids) expect(await eventually(() => processGone(pid))).toBe(true);
    } finally {
      signalTree(root, 'SIGKILL');
    }
  });
});
