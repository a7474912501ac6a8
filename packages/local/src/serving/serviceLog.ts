/**
 * Writes what serving instances print to a service's log (`service_logs`, read
 * by `GET /v1/service/{id}/log`): lines are buffered and written in one
 * transaction at the end of the event-loop turn (or sooner when many pile up),
 * then `onStored` names the services that got lines, which wakes long-polling
 * readers. Platform notes carry the runner's `[modelmaker] ` prefix. Lines of a
 * service deleted meanwhile are dropped.
 *
 * A write that fails — a full disk (`SQLITE_FULL`), a failing one (`SQLITE_IOERR`) —
 * fails only the logging of the services it was for, never the platform nor the
 * services themselves (they go on answering predictions): a batch of several
 * services that fails is retried one service at a time; the lines of a service that
 * still cannot be written are dropped and counted, and `onFault` is told once, with a
 * reason naming the cause ("disk full while writing logs of service 3 (SQLITE_FULL)";
 * the platform reports itself degraded). Later lines are tried again: the first
 * write that succeeds for that service starts with a note saying how many lines were
 * lost and why, and once no service is failing `onRecovered` is told.
 * @module
 */
import { DEFAULT_LOCAL_LOG_BATCH_LINES } from '../defaults.js';
import { describeFault } from '../faults.js';
import { PLATFORM_LOG_PREFIX } from '../runner/types.js';
import type { NewLogLine } from '../store/logs.js';
import type { Store } from '../store/store.js';

/** Options of {@link ServiceLogWriter}. */
export interface ServiceLogWriterOptions {
  /** Called after a write with the ids of the services that got lines. */
  readonly onStored?: (serviceIds: ReadonlySet<number>) => void;
  /** Buffered lines that force a write at once. Default {@link DEFAULT_LOCAL_LOG_BATCH_LINES}. */
  readonly batchLines?: number;
  /** Told once when a service's lines cannot be written (`reason` names the cause). */
  readonly onFault?: (serviceId: number, reason: string) => void;
  /** Told when the last failing service's lines can be written again. */
  readonly onRecovered?: () => void;
}

/** A service whose lines could not be written: why, and how many were dropped. */
interface Failing {
  readonly reason: string;
  lost: number;
}

/** Buffered writer of service log lines. One per platform. */
export class ServiceLogWriter {
  private readonly pending = new Map<number, NewLogLine[]>();
  private readonly failing = new Map<number, Failing>();
  private count = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private readonly batchLines: number;

  constructor(
    private readonly store: Store,
    private readonly options: ServiceLogWriterOptions = {},
  ) {
    this.batchLines = options.batchLines ?? DEFAULT_LOCAL_LOG_BATCH_LINES;
  }

  /** Queues a line of instance `instance` of a service. */
  line(serviceId: number, instance: number, stream: string, content: string, time = Date.now()): void {
    let lines = this.pending.get(serviceId);
    if (!lines) {
      lines = [];
      this.pending.set(serviceId, lines);
    }
    lines.push({ instance, stream, content, time });
    this.count++;
    if (this.count >= this.batchLines) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Queues a platform note (stdout, prefixed `[modelmaker] `). */
  note(serviceId: number, instance: number, text: string): void {
    this.line(serviceId, instance, 'stdout', PLATFORM_LOG_PREFIX + text);
  }

  /** Writes every buffered line now, in one transaction (one per service when that fails). Never throws. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.count === 0) return;
    const batches = [...this.pending];
    this.pending.clear();
    this.count = 0;
    const touched = new Set<number>();
    try {
      this.write(batches, touched);
    } catch {
      // Which service cannot be written? Each on its own: the others keep their lines.
      for (const batch of batches) {
        try {
          this.write([batch], touched);
        } catch (error) {
          this.fail(batch[0], batch[1].length, error);
        }
      }
    }
    if (touched.size > 0) this.options.onStored?.(touched);
  }

  /** Appends the lines in one transaction (a failing service's first with its note of what was lost). */
  private write(batches: ReadonlyArray<readonly [number, NewLogLine[]]>, touched: Set<number>): void {
    const { db, serviceLogs, services } = this.store;
    const written: number[] = [];
    try {
      db.transaction(() => {
        for (const [serviceId, lines] of batches) {
          if (!services.exists(serviceId)) continue;
          const failing = this.failing.get(serviceId);
          const note = failing && {
            instance: 0,
            stream: 'stdout',
            content: `${PLATFORM_LOG_PREFIX}${failing.lost} log line(s) were lost: ${failing.reason}`,
            time: lines[0]?.time ?? Date.now(),
          };
          serviceLogs.append(serviceId, note ? [note, ...lines] : lines);
          written.push(serviceId);
        }
      })();
    } catch (error) {
      // The ids handed out in the failed transaction were not written: recount from the table.
      serviceLogs.forgetAll();
      throw error;
    }
    for (const serviceId of written) {
      touched.add(serviceId);
      this.recovered(serviceId);
    }
  }

  /** `lost` lines of a service could not be written: counted, and `onFault` told the first time. */
  private fail(serviceId: number, lost: number, error: unknown): void {
    const failing = this.failing.get(serviceId);
    if (failing) {
      failing.lost += lost;
      return;
    }
    const reason = describeFault(error, `writing logs of service ${serviceId}`);
    this.failing.set(serviceId, { reason, lost });
    this.options.onFault?.(serviceId, reason);
  }

  /** A service's lines were written: it is no longer failing; `onRecovered` once none is. */
  private recovered(serviceId: number): void {
    if (!this.failing.delete(serviceId)) return;
    if (this.failing.size === 0) this.options.onRecovered?.();
  }

  /** Why a service's lines cannot be written right now, if they cannot. */
  failure(serviceId: number): string | undefined {
    return this.failing.get(serviceId)?.reason;
  }

  /** Drops a deleted service's buffered lines, failure and cached line id. */
  forget(serviceId: number): void {
    const lines = this.pending.get(serviceId);
    if (lines) {
      this.count -= lines.length;
      this.pending.delete(serviceId);
    }
    this.store.serviceLogs.forget(serviceId);
    this.recovered(serviceId);
  }

  /** Writes what is buffered. */
  close(): void {
    this.flush();
  }
}
