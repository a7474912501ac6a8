/**
 * Persists what a run reports: status changes (with their time), log lines
 * (with ids, and the metric points the version's monitors find in them) and
 * resource samples. Log lines are buffered and written in one transaction at
 * the end of the event-loop turn (or sooner when many pile up); a status change
 * first writes the lines before it, so whoever sees a terminal status can read
 * every line. After each write the `onStored` callback names the versions that
 * changed, which wakes long-polling readers.
 * @module
 */
import { applyMonitors, type CompiledMonitor } from 'modelmaker';
import { DEFAULT_LOCAL_LOG_BATCH_LINES } from '../defaults.js';
import type { NewLogLine } from './logs.js';
import type { MetricPoint } from './metrics.js';
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
}

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

  constructor(
    private readonly store: Store,
    private readonly options: RunRecorderOptions = {},
  ) {
    this.batchLines = options.batchLines ?? DEFAULT_LOCAL_LOG_BATCH_LINES;
    this.now = options.now ?? Date.now;
  }

  /** Sets the monitors applied to a version's lines from now on. */
  track(versionId: number, monitors: readonly CompiledMonitor[]): void {
    this.monitors.set(versionId, monitors);
  }

  /** Records one event of a version's run. */
  record(versionId: number, event: RecordedEvent): void {
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
        this.store.resources.append(versionId, [
          {
            instance: event.instance,
            time: toMillis(event.time),
            cpu: event.cpu,
            memory: event.memory,
            gpu: event.gpu,
          },
        ]);
        return;
      case 'status':
        this.status(versionId, event.status, { reason: event.reason, exitCode: event.exitCode });
        return;
    }
  }

  /**
   * Records a status change after writing the version's buffered lines. Returns
   * false when the version is gone or already terminal. A terminal status ends tracking.
   */
  status(
    versionId: number,
    status: string,
    details: { reason?: string | undefined; exitCode?: number | undefined } = {},
  ): boolean {
    this.flush();
    const changed = this.store.training.setStatus(versionId, { status, time: this.now(), ...details });
    const version = this.store.training.getVersion(versionId);
    if (!version || version.finishedAt !== undefined) this.monitors.delete(versionId);
    if (changed) this.options.onStored?.(new Set([versionId]));
    return changed;
  }

  /** Writes every buffered line now, in one transaction. */
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
    const { db, trainLogs, metrics } = this.store;
    try {
      db.transaction(() => {
        for (const [versionId, lines] of batches) {
          // A version deleted while running: its late lines have nowhere to go.
          if (!this.store.training.getVersion(versionId)) continue;
          const stored = trainLogs.append(versionId, lines);
          const monitors = this.monitors.get(versionId);
          if (monitors && monitors.length > 0) {
            const points: MetricPoint[] = [];
            for (const line of stored) {
              for (const match of applyMonitors(monitors, line.content)) {
                points.push({ name: match.name, value: match.value, time: line.time, lineId: line.id });
              }
            }
            metrics.append(versionId, points);
          }
          touched.add(versionId);
        }
      })();
    } catch (error) {
      // The ids handed out in the failed transaction were not written: recount from the table.
      trainLogs.forgetAll();
      throw error;
    }
    if (touched.size > 0) this.options.onStored?.(touched);
  }

  /** Forgets a version (after its deletion): drops buffered lines and monitors. */
  forget(versionId: number): void {
    const lines = this.pending.get(versionId);
    if (lines) {
      this.pendingCount -= lines.length;
      this.pending.delete(versionId);
    }
    this.monitors.delete(versionId);
    this.store.trainLogs.forget(versionId);
  }

  /** Writes what is buffered and stops the pending timer. */
  close(): void {
    this.flush();
  }
}
