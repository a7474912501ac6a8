/**
 * What a crashed platform may leave running: training processes are leaders of
 * their own process groups, so a SIGKILLed platform does not take them along
 * (most die at their next write to the broken output pipe, but a silent one
 * would not). A start after a crash kills every process whose working
 * directory or `MODELMAKER_*_DIR` environment lies under the data dir's
 * `work/`. Linux only (read from `/proc`); elsewhere a no-op.
 * @module
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';

const DIR_VARIABLES = ['MODELMAKER_OUTPUT_DIR=', 'MODELMAKER_DATA_DIR=', 'MODELMAKER_CODE_DIR='];

function under(root: string, path: string): boolean {
  return `${path}${sep}`.startsWith(root);
}

function belongs(pid: number, root: string): boolean {
  try {
    if (under(root, readlinkSync(`/proc/${pid}/cwd`))) return true;
  } catch {
    // Gone, or not ours to read.
  }
  try {
    const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return environment.some((entry) => {
      const variable = DIR_VARIABLES.find((name) => entry.startsWith(name));
      return variable !== undefined && under(root, entry.slice(variable.length));
    });
  } catch {
    return false;
  }
}

/** Kills (SIGKILL) the processes left running under `workRoot`; returns their pids. */
export function killLeftoverProcesses(workRoot: string): number[] {
  if (process.platform !== 'linux') return [];
  const root = `${resolve(workRoot)}${sep}`;
  const killed: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || !belongs(pid, root)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Exited meanwhile.
    }
  }
  return killed;
}
