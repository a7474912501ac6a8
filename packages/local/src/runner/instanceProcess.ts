/**
 * One training (or serving) instance as a cold Observable: subscribing spawns the
 * process as the leader of its own process group; it emits its pid once spawned,
 * every output line (in order per stream, as they come), periodic resource samples,
 * and finally how it exited.
 * Unsubscribing before the end kills the whole tree with SIGKILL, silently.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  defer,
  exhaustMap,
  interval,
  type Observable,
  Observable as RxObservable,
  type Subscription,
  take,
  timer,
} from 'rxjs';
import { lineSplitter } from './lines.js';
import { signalTree, treeSampler } from './processTree.js';

/** What to run. */
export interface InstanceSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Resource sampling period, in ms; 0 samples nothing (serving instances). */
  readonly sampleMs: number;
  /** Time between SIGTERM and SIGKILL after `terminate$` emits, in ms. */
  readonly graceMs: number;
  /** Emits (once is enough) to end the process gracefully: SIGTERM to the group, SIGKILL after `graceMs`. */
  readonly terminate$: Observable<unknown>;
  readonly now: () => number;
  /** Called when the process is killed (e.g. to remove a container the engine CLI started). */
  readonly onKill?: () => void;
}

/** What an instance reports. */
export type InstanceEvent =
  | {
      readonly kind: 'line';
      readonly stream: 'stdout' | 'stderr';
      readonly content: string;
      readonly time: number;
    }
  | { readonly kind: 'usage'; readonly time: number; readonly cpu: number; readonly memory: number }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'spawn-error'; readonly error: Error }
  | { readonly kind: 'spawned'; readonly pid: number };

/**
 * Runs one instance. The events end with `exit` (after both output streams ended, so
 * no line comes after it) or `spawn-error` (the program could not be started), then
 * complete. When the process exits, whatever it left running in its group is killed.
 */
export function instanceProcess(spec: InstanceSpec): Observable<InstanceEvent> {
  return new RxObservable<InstanceEvent>((subscriber) => {
    let child: ChildProcess;
    try {
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      subscriber.next({ kind: 'spawn-error', error: error as Error });
      subscriber.complete();
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) subscriber.next({ kind: 'spawned', pid });
    let exited = false;
    let closed = false;
    let failed = false;
    const inner: Subscription[] = [];

    const kill = (signal: NodeJS.Signals) => {
      if (pid === undefined) return;
      signalTree(pid, signal);
      if (signal === 'SIGKILL') spec.onKill?.();
    };

    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream]!;
      const splitter = lineSplitter((content) =>
        subscriber.next({ kind: 'line', stream, content, time: spec.now() }),
      );
      source.on('data', (chunk: Buffer) => splitter.push(chunk));
      source.on('end', () => splitter.end());
      source.on('error', () => splitter.end());
    }

    child.once('error', (error) => {
      if (pid === undefined && !failed) {
        failed = true;
        subscriber.next({ kind: 'spawn-error', error });
        subscriber.complete();
      }
    });
    child.once('exit', () => {
      exited = true;
      for (const s of inner) s.unsubscribe();
      // The leader is gone: nothing it left behind may outlive it (or hold its pipes open).
      kill('SIGKILL');
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      closed = true;
      if (failed) return;
      subscriber.next({ kind: 'exit', code, signal });
      subscriber.complete();
    });

    if (pid !== undefined) {
      if (spec.sampleMs > 0) {
        const sample = treeSampler(pid, spec.now);
        inner.push(
          interval(spec.sampleMs)
            .pipe(exhaustMap(() => defer(sample)))
            .subscribe((usage) => {
              if (usage && !exited) subscriber.next({ kind: 'usage', time: spec.now(), ...usage });
            }),
        );
      }
      inner.push(
        spec.terminate$.pipe(take(1)).subscribe(() => {
          if (exited) return;
          kill('SIGTERM');
          inner.push(timer(spec.graceMs).subscribe(() => !exited && kill('SIGKILL')));
        }),
      );
    }

    return () => {
      for (const s of inner) s.unsubscribe();
      if (!closed) {
        kill('SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
    };
  });
}
