/**
 * Persists what a run reports: status changes (with their time), log lines
 * (with ids, and the metric points the version's monitors find in them) and
 * resource samples. Log lines are buffered and written in one transaction at
 * the end of the event-loop turn (or sooner when many pile up); a status change
 * first writes the lines before it, so whoever sees a terminal status can read
 * every line. After each write the `onStored` callback names the versions that
 * changed, which wakes long-polling readers.
 *
 * A write that fails — a full disk (`SQLITE_FULL`), a failing one (`SQLITE_IOERR`) —
 * fails the version it was for, never the platform: the version ends TRAINING_FAIL
 * with a reason naming the cause ("disk full while writing logs of version 12
 * (SQLITE_FULL)"), `onFault` is told (the platform stops the run and reports itself
 * degraded), and its later events are dropped. A batch of several versions that fails
 * is retried one version at a time, so only the versions that cannot be written
 * fail. When even the failure cannot be written, it is retried every
 * {@link DEFAULT_LOCAL_RECORD_RETRY_MS} until it is. Monitors run within a time budget
 * (see `monitorBudget.ts`): a pattern that exceeds it is disabled, with a note in the
 * version's log.
 * @module
 */
import type { CompiledMonitor } from 'modelmaker';
import {
  DEFAULT_LOCAL_LOG_BATCH_LINES,
  DEFAULT_LOCAL_MONITOR_BUDGET_MS,
  DEFAULT_LOCAL_RECORD_RETRY_MS,
} from '../defaults.js';
import { describeFault } from '../faults.js';
import type { NewLogLine } from './logs.js';
import type { MetricPoint } from './metrics.js';
import { MonitorBudget } from './monitorBudget.js';
import type { Store } from './store.js';

/** A point in time as a run may report it. */
export type EventTime = number | string | Date;

/** What a run reports (structurally the runner's `RunEvent`). */
export type RecordedEvent =
  | {
      readonly kind: 'status';
      readonly status: string;
      readonly reason?: string | undefined;
      readonly exitCode?: number | undefined;
    }
  | {
      readonly kind: 'log';
      readonly instance: number;
      readonly stream: string;
      readonly content: string;
      readonly time: EventTime;
    }
  | {
      readonly kind: 'resource';
      readonly instance: number;
      readonly time: EventTime;
      readonly cpu: number;
      readonly memory: number;
      readonly gpu?: number | undefined;
    };

/** Options of {@link RunRecorder}. */
export interface RunRecorderOptions {
  /** Called after a write with the ids of the versions it touched. */
  readonly onStored?: (versionIds: ReadonlySet<number>) => void;
  /** Buffered lines that force a write at once. Default {@link DEFAULT_LOCAL_LOG_BATCH_LINES}. */
  readonly batchLines?: number;
  /** The clock for status times. */
  readonly now?: () => number;
  /**
   * Told when a version could not be recorded and was failed for it (`reason` names the
   * cause). The platform stops the run and reports itself degraded.
   */
  readonly onFault?: (versionId: number, reason: string) => void;
  /** Told when a write succeeds after a fault (the database works again). */
  readonly onRecovered?: () => void;
  /** Longest a monitor may hold the event loop on one batch, ms. Default {@link DEFAULT_LOCAL_MONITOR_BUDGET_MS}. */
  readonly monitorBudgetMs?: number;
  /** Time between tries to write a failure that could not be written, ms. Default {@link DEFAULT_LOCAL_RECORD_RETRY_MS}. */
  readonly retryMs?: number;
}

/** The prefix of the notes the platform writes into a version's log. */
const NOTE_PREFIX = '[modelmaker] ';

function toMillis(time: EventTime): number {
  if (typeof time === 'number') return time;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isFinite(ms) ? ms : Date.now();
}

/** Writes run events to a {@link Store}. One per platform. */
export class RunRecorder {
  private readonly pending = new Map<number, NewLogLine[]>();
  private readonly monitors = new Map<number, readonly CompiledMonitor[]>();
  private pendingCount = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private readonly batchLines: number;
  private readonly now: () => number;
  private readonly budget: MonitorBudget;
  /** Versions failed because they could not be recorded, with the reason. */
  private readonly failed = new Map<number, string>();
  /** Failures that could not be written yet (retried). */
  private readonly unwritten = new Map<number, string>();
  private retry: NodeJS.Timeout | undefined;
  /** True after a write failed, until one succeeds. */
  private faulty = false;

  constructor(
    private readonly store: Store,
    private readonly options: RunRecorderOptions = {},
  ) {
    this.batchLines = options.batchLines ?? DEFAULT_LOCAL_LOG_BATCH_LINES;
    this.now = options.now ?? Date.now;
    this.budget = new MonitorBudget(options.monitorBudgetMs ?? DEFAULT_LOCAL_MONITOR_BUDGET_MS);
  }

  /** Sets the monitors applied to a version's lines from now on. */
  track(versionId: number, monitors: readonly CompiledMonitor[]): void {
    this.monitors.set(versionId, monitors);
  }

  /** Records one event of a version's run (dropped once the version failed to be recorded). */
  record(versionId: number, event: RecordedEvent): void {
    if (this.failed.has(versionId)) return;
    switch (event.kind) {
      case 'log': {
        let lines = this.pending.get(versionId);
        if (!lines) {
          lines = [];
          this.pending.set(versionId, lines);
        }
        lines.push({
          instance: event.instance,
          stream: event.stream,
          content: event.content,
          time: toMillis(event.time),
        });
        this.pendingCount++;
        if (this.pendingCount >= this.batchLines) this.flush();
        else this.scheduled ??= setImmediate(() => this.flush());
        return;
      }
      case 'resource':
        try {
          this.store.resources.append(versionId, [
            {
              instance: event.instance,
              time: toMillis(event.time),
              cpu: event.cpu,
              memory: event.memory,
              gpu: event.gpu,
            },
          ]);
          this.wrote();
        } catch (error) {
          this.fail(versionId, describeFault(error, `writing resource samples of version ${versionId}`));
        }
        return;
      case 'status':
        this.status(versionId, event.status, { reason: event.reason, exitCode: event.exitCode });
        return;
    }
  }

  /**
   * Records a status change after writing the version's buffered lines. Returns
   * false when the version is gone or already terminal — or was failed because it
   * could not be recorded: that failure is its last status. A terminal status ends tracking.
   */
  status(
    versionId: number,
    status: string,
    details: { reason?: string | undefined; exitCode?: number | undefined } = {},
  ): boolean {
    this.flush();
    if (this.failed.has(versionId)) return false;
    let changed: boolean;
    try {
      changed = this.store.training.setStatus(versionId, { status, time: this.now(), ...details });
      this.wrote();
    } catch (error) {
      this.fail(versionId, describeFault(error, `recording status ${status} of version ${versionId}`));
      return false;
    }
    const version = this.store.training.getVersion(versionId);
    if (!version || version.finishedAt !== undefined) this.monitors.delete(versionId);
    if (changed) this.options.onStored?.(new Set([versionId]));
    return changed;
  }

  /** Writes every buffered line now, in one transaction (one per version when that fails). Never throws. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pendingCount === 0) return;
    const batches = [...this.pending];
    this.pending.clear();
    this.pendingCount = 0;
    const touched = new Set<number>();
    try {
      this.write(batches, touched);
    } catch {
      // Which version cannot be written? Each on its own: the others keep their lines.
      for (const batch of batches) {
        const [versionId] = batch;
        try {
          this.write([batch], touched);
        } catch (error) {
          this.fail(versionId, describeFault(error, `writing logs of version ${versionId}`));
        }
      }
    }
    if (touched.size > 0) {
      this.wrote();
      this.options.onStored?.(touched);
    }
  }

  /** Appends lines (and the points of their monitors) in one transaction; rolls the id cache back on failure. */
  private write(batches: ReadonlyArray<readonly [number, NewLogLine[]]>, touched: Set<number>): void {
    const { db, trainLogs, metrics } = this.store;
    const written: number[] = [];
    try {
      db.transaction(() => {
        for (const [versionId, lines] of batches) {
          // A version deleted while running: its late lines have nowhere to go.
          if (!this.store.training.getVersion(versionId)) continue;
          const stored = trainLogs.append(versionId, lines);
          const monitors = this.monitors.get(versionId);
          if (monitors && monitors.length > 0) {
            const outcome = this.budget.evaluate(
              monitors,
              stored.map((line) => line.content),
            );
            const points: MetricPoint[] = outcome.matches.map(({ line, match }) => ({
              name: match.name,
              value: match.value,
              time: stored[line]!.time,
              lineId: stored[line]!.id,
            }));
            metrics.append(versionId, points);
            if (outcome.disabled.length > 0) {
              const off = new Set(outcome.disabled.map((d) => d.monitor));
              this.monitors.set(
                versionId,
                monitors.filter((m) => !off.has(m)),
              );
              const time = this.now();
              trainLogs.append(
                versionId,
                outcome.disabled.map((d) => ({
                  instance: 0,
                  stream: 'stdout',
                  content: NOTE_PREFIX + d.reason,
                  time,
                })),
              );
            }
          }
          written.push(versionId);
        }
      })();
    } catch (error) {
      // The ids handed out in the failed transaction were not written: recount from the table.
      trainLogs.forgetAll();
      throw error;
    }
    for (const id of written) touched.add(id);
  }

  /**
   * Fails a version that could not be recorded: drops what it still had buffered, ends
   * it TRAINING_FAIL with `reason` (or retries that until it can be written), and tells `onFault`.
   */
  private fail(versionId: number, reason: string): void {
    if (this.failed.has(versionId)) return;
    this.faulty = true;
    this.failed.set(versionId, reason);
    const lines = this.pending.get(versionId);
    if (lines) {
      this.pendingCount -= lines.length;
      this.pending.delete(versionId);
    }
    this.monitors.delete(versionId);
    this.unwritten.set(versionId, reason);
    this.writeFailures();
    this.options.onFault?.(versionId, reason);
  }

  /** Writes the failures not written yet; schedules another try for those that still fail. */
  private writeFailures(): void {
    for (const [versionId, reason] of [...this.unwritten]) {
      try {
        const changed = this.store.training.setStatus(versionId, {
          status: 'TRAINING_FAIL',
          time: this.now(),
          reason,
        });
        this.unwritten.delete(versionId);
        this.wrote();
        if (changed) this.options.onStored?.(new Set([versionId]));
      } catch {
        // Still failing: the retry below tries again.
      }
    }
    if (this.unwritten.size > 0 && this.retry === undefined) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.writeFailures();
      }, this.options.retryMs ?? DEFAULT_LOCAL_RECORD_RETRY_MS);
      this.retry.unref();
    }
  }

  /** A write succeeded: tells `onRecovered` once after a fault (when no failure waits to be written). */
  private wrote(): void {
    if (this.faulty && this.unwritten.size === 0) {
      this.faulty = false;
      this.options.onRecovered?.();
    }
  }

  /** Forgets a version (after its deletion): drops buffered lines and monitors. */
  forget(versionId: number): void {
    const lines = this.pending.get(versionId);
    if (lines) {
      this.pendingCount -= lines.length;
      this.pending.delete(versionId);
    }
    this.monitors.delete(versionId);
    this.failed.delete(versionId);
    this.unwritten.delete(versionId);
    this.store.trainLogs.forget(versionId);
  }

  /** The reason a version was failed for not being recordable, if it was. */
  failure(versionId: number): string | undefined {
    return this.failed.get(versionId);
  }

  /** Writes what is buffered, tries the unwritten failures once more, and stops the timers. */
  close(): void {
    this.flush();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.unwritten.size > 0) this.writeFailures();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }
}
