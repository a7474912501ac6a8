/**
 * Writes what serving instances print to a service's log (`service_logs`, read
 * by `GET /v1/service/{id}/log`): lines are buffered and written in one
 * transaction at the end of the event-loop turn (or sooner when many pile up),
 * then `onStored` names the services that got lines, which wakes long-polling
 * readers. Platform notes carry the runner's `[modelmaker] ` prefix. Lines of a
 * service deleted meanwhile are dropped.
 * @module
 */
import { DEFAULT_LOCAL_LOG_BATCH_LINES } from '../defaults.js';
import { PLATFORM_LOG_PREFIX } from '../runner/types.js';
import type { NewLogLine } from '../store/logs.js';
import type { Store } from '../store/store.js';

/** Buffered writer of service log lines. One per platform. */
export class ServiceLogWriter {
  private readonly pending = new Map<number, NewLogLine[]>();
  private count = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly store: Store,
    private readonly onStored: (serviceIds: ReadonlySet<number>) => void = () => {},
    private readonly batchLines = DEFAULT_LOCAL_LOG_BATCH_LINES,
  ) {}

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

  /** Writes every buffered line now. */
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
    const { db, serviceLogs, services } = this.store;
    try {
      db.transaction(() => {
        for (const [serviceId, lines] of batches) {
          if (!services.exists(serviceId)) continue;
          serviceLogs.append(serviceId, lines);
          touched.add(serviceId);
        }
      })();
    } catch (error) {
      serviceLogs.forgetAll();
      throw error;
    }
    if (touched.size > 0) this.onStored(touched);
  }

  /** Drops a deleted service's buffered lines and cached line id. */
  forget(serviceId: number): void {
    const lines = this.pending.get(serviceId);
    if (lines) {
      this.count -= lines.length;
      this.pending.delete(serviceId);
    }
    this.store.serviceLogs.forget(serviceId);
  }

  /** Writes what is buffered. */
  close(): void {
    this.flush();
  }
}
