/**
 * What the platform knows is wrong with it right now. A part that hits a fault it
 * cannot fix by itself (a full disk under the object store, a database write that
 * fails) reports it under its own name; the part clears it when a later operation
 * of the same kind succeeds. The platform keeps serving meanwhile: the fault only
 * fails the requests and jobs it touches. `GET /v1/health` and `modelmaker local`
 * show the current faults.
 * @module
 */

/** A part of the platform that can be degraded. */
export type HealthComponent = 'storage' | 'database' | (string & {});

/** One current fault. */
export interface HealthFault {
  readonly component: HealthComponent;
  /** Names the cause, e.g. `disk full while writing logs of version 12 (SQLITE_FULL)`. */
  readonly reason: string;
  /** When it was first seen (ms since the epoch); repeats keep the first time. */
  readonly since: number;
}

/** The platform's health: `ok`, or `degraded` with the faults that make it so. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly faults: readonly HealthFault[];
}

/** Tracks faults by component and tells listeners when the report changes. */
export class PlatformHealth {
  private readonly faults = new Map<HealthComponent, HealthFault>();
  private readonly listeners = new Set<(report: HealthReport) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records that `component` is failing for `reason` (the latest reason wins; the first time stays). */
  fault(component: HealthComponent, reason: string): void {
    const previous = this.faults.get(component);
    if (previous?.reason === reason) return;
    this.faults.set(component, { component, reason, since: previous?.since ?? this.now() });
    this.changed();
  }

  /** Records that `component` works again. */
  recover(component: HealthComponent): void {
    if (this.faults.delete(component)) this.changed();
  }

  /** The current report. */
  report(): HealthReport {
    const faults = [...this.faults.values()];
    return { status: faults.length > 0 ? 'degraded' : 'ok', faults };
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: (report: HealthReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const report = this.report();
    for (const listener of this.listeners) listener(report);
  }
}
