/**
 * Temporary data dirs of embedded platforms (`openSession()` without a `dataDir`) never
 * outlive their process: whatever ends it — `close()`, the script's end, an uncaught
 * error, Ctrl-C (SIGINT) or SIGTERM — the dir (with its credentials and database) is
 * removed, and the processes the platform started under it (training and serving
 * instances, leaders of their own process groups) are killed.
 *
 * - **Exit** (the end of the script, `process.exit()`, an uncaught error or rejection):
 *   an `exit` listener kills the leftover processes and removes the dir, synchronously.
 * - **SIGINT / SIGTERM** with no other listener (Node would end the process): the same
 *   clean-up, then the signal is raised again, so the process ends as it would have (by
 *   that signal, exit status 130 / 143 in a shell). A program that listens for the
 *   signal itself decides what happens; its dirs are still removed when it exits.
 *
 * One `exit` and one listener per signal serve every open dir; they are removed once no
 * dir is left, so a closed session leaves no listener behind.
 * @module
 */
import { rmSync } from 'node:fs';
import { killLeftoverProcesses } from './store/leftovers.js';

/** The signals that end a process by default and get a clean-up first. */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const open = new Set<string>();

/** Kills what runs under `dir` and removes it; never throws (the process is ending). */
function removeNow(dir: string): void {
  try {
    killLeftoverProcesses(dir);
  } catch {}
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {}
}

function onExit(): void {
  for (const dir of open) removeNow(dir);
  open.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // another listener handles the signal: the process goes on, and `exit` cleans up later
  if (process.listenerCount(signal) > 1) return;
  onExit();
  release();
  process.kill(process.pid, signal);
}

function hook(): void {
  if (process.listeners('exit').includes(onExit)) return;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function release(): void {
  process.removeListener('exit', onExit);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/** Registers a temporary data dir: from now on it is removed when the process ends (see the module doc). */
export function guardTemporaryDir(dir: string): void {
  open.add(dir);
  hook();
}

/** Forgets a dir its owner removed itself (`close()`); the listeners go with the last one. */
export function releaseTemporaryDir(dir: string): void {
  open.delete(dir);
  if (open.size === 0) release();
}
