/**
 * The processes of one training instance and what they use. A training process is
 * spawned as the leader of its own session and process group (`detached: true`), so
 * its tree is every process in that session or group, plus any descendant that left
 * both. Read from `/proc` on Linux; elsewhere from `ps`.
 * @module
 */
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One process as the scan sees it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** CPU time used so far, in seconds. */
  readonly cpuSeconds: number;
  /** Resident memory, in bytes. */
  readonly rss: number;
}

/** CPU (cores, averaged since the previous sample) and RSS (bytes) of a tree. */
export interface TreeUsage {
  readonly cpu: number;
  readonly memory: number;
}

const HAS_PROC =
  process.platform === 'linux' &&
  (() => {
    try {
      readdirSync('/proc/self');
      return true;
    } catch {
      return false;
    }
  })();

function sysconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

let procUnits: { ticks: number; page: number } | undefined;
/** Clock ticks per second and page size, asked once (the usual Linux values if `getconf` fails). */
function units(): { ticks: number; page: number } {
  procUnits ??= { ticks: sysconf('CLK_TCK', 100), page: sysconf('PAGESIZE', 4096) };
  return procUnits;
}

function scanProc(): ProcessInfo[] {
  const { ticks, page } = units();
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp session … utime stime … rss …"; comm may hold spaces and parens.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') continue; // exited, not yet reaped: uses nothing
    out.push({
      pid: Number(name),
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      sid: Number(fields[3]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticks,
      rss: Number(fields[21]) * page,
    });
  }
  return out;
}

/** `[[dd-]hh:]mm:ss[.ff]` to seconds. */
function parseCpuTime(text: string): number {
  const [days, rest] = text.includes('-') ? text.split('-') : ['0', text];
  return (rest ?? '').split(':').reduce((s, part) => s * 60 + Number(part), 0) + Number(days) * 86_400;
}

/** Every process as `ps` lists it (the fallback where `/proc` is absent; exported for its test). */
export function scanPs(): Promise<ProcessInfo[]> {
  return new Promise((resolve) => {
    execFile(
      'ps',
      ['-A', '-o', 'pid=,ppid=,pgid=,sess=,rss=,time=,state='],
      { timeout: 5000 },
      (error, stdout) => {
        if (error) return resolve([]);
        const out: ProcessInfo[] = [];
        for (const line of stdout.split('\n')) {
          const [pid, ppid, pgid, sid, rss, time, state] = line.trim().split(/\s+/);
          if (!pid || !time || state?.startsWith('Z')) continue;
          out.push({
            pid: Number(pid),
            ppid: Number(ppid),
            pgid: Number(pgid),
            sid: Number(sid),
            cpuSeconds: parseCpuTime(time),
            rss: Number(rss) * 1024,
          });
        }
        resolve(out);
      },
    );
  });
}

/** Every process of the system, or `[]` when they cannot be listed. */
export function listProcesses(): Promise<ProcessInfo[]> {
  if (HAS_PROC) {
    try {
      return Promise.resolve(scanProc());
    } catch {
      return Promise.resolve([]);
    }
  }
  return scanPs();
}

/** The members of `root`'s tree among `all`: its session, its group, and its descendants. */
function treeOf(root: number, all: readonly ProcessInfo[]): ProcessInfo[] {
  const members = new Map<number, ProcessInfo>();
  for (const p of all) if (p.pid === root || p.sid === root || p.pgid === root) members.set(p.pid, p);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!members.has(p.pid) && members.has(p.ppid)) {
        members.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...members.values()];
}

/** Pids of `root`'s tree now (the root included while it lives). */
export async function treePids(root: number): Promise<number[]> {
  return treeOf(root, await listProcesses()).map((p) => p.pid);
}

/**
 * A sampler of one tree's usage. CPU is the CPU time the tree's processes used since
 * the previous sample (a process first seen counts from its start) over the wall time
 * between samples; processes that ended between two samples lose their last slice.
 * Resolves undefined when the tree has no live process (it just ended).
 */
export function treeSampler(
  root: number,
  now: () => number = Date.now,
): () => Promise<TreeUsage | undefined> {
  let previousTime = now();
  let previous = new Map<number, number>();
  return async () => {
    const members = treeOf(root, await listProcesses());
    if (members.length === 0) return undefined;
    const time = now();
    let used = 0;
    const current = new Map<number, number>();
    for (const p of members) {
      current.set(p.pid, p.cpuSeconds);
      used += Math.max(0, p.cpuSeconds - (previous.get(p.pid) ?? 0));
    }
    const seconds = Math.max(1e-3, (time - previousTime) / 1000);
    previous = current;
    previousTime = time;
    return { cpu: used / seconds, memory: members.reduce((s, p) => s + p.rss, 0) };
  };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Signals `root`'s process group, and — for `SIGKILL` — every other member of its
 * tree found by a scan (a process that moved to its own group is not spared).
 * Never throws: a tree that is already gone is fine.
 */
export function signalTree(root: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-root, signal);
  } catch {}
  if (signal !== 'SIGKILL' || !HAS_PROC) return;
  try {
    for (const p of treeOf(root, scanProc())) {
      try {
        process.kill(p.pid, signal);
      } catch {}
    }
  } catch {}
}
