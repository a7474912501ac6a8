/**
 * Admission of training runs against a capacity. Versions are admitted in
 * submission order while the cpu and memory they ask for (resource spec ×
 * instance count) fit in what is left; the rest wait (in STARTING) and no later
 * version overtakes an earlier one. A version that asks for more than the whole
 * capacity runs alone rather than never. When a run ends its share is released
 * and the next are admitted.
 *
 * A run is an Observable from `launch`: subscribing starts it, its completion
 * (or error) ends it, unsubscribing kills it. `stop` asks a run to stop through
 * the AbortSignal `launch` received, so it can record STOPPING → STOPPED itself.
 * @module
 */
import { availableParallelism, totalmem } from 'node:os';
import type { Observable, Subscription } from 'rxjs';
import { DEFAULT_LOCAL_CLOSE_GRACE_MS } from './defaults.js';

/** Cores and bytes of memory. */
export interface Capacity {
  readonly cpu: number;
  readonly memory: number;
}

/** This machine: all its cores and all its memory. */
export function machineCapacity(): Capacity {
  return { cpu: availableParallelism(), memory: totalmem() };
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** What runs may use at once. Default {@link machineCapacity}. */
  readonly capacity?: Capacity;
  /** Starts a run when subscribed; `stop` aborts when the run should stop gracefully. */
  readonly launch: (id: number, stop: AbortSignal) => Observable<unknown>;
  /** Called when a run's Observable errors (the run has ended; its share is released). */
  readonly onRunError?: (id: number, error: unknown) => void;
  /** Called after a run ended, whatever the way. */
  readonly onRunEnd?: (id: number) => void;
}

interface Waiting {
  readonly id: number;
  readonly demand: Capacity;
}

interface Running extends Waiting {
  readonly stop: AbortController;
  subscription: Subscription | undefined;
  readonly ended: Promise<void>;
  end: () => void;
}

/** Result of {@link Scheduler.stop}. */
export type StopOutcome = 'waiting' | 'running' | 'unknown';

/** The admission queue and the runs it started. */
export class Scheduler {
  private readonly queue: Waiting[] = [];
  private readonly runs = new Map<number, Running>();
  private readonly capacity: Capacity;
  private used: Capacity = { cpu: 0, memory: 0 };
  private pumping = false;
  private pumpAgain = false;
  private closed = false;

  constructor(private readonly options: SchedulerOptions) {
    this.capacity = options.capacity ?? machineCapacity();
  }

  /** Queues a version; it starts at once if it fits and nothing is ahead of it. */
  submit(id: number, demand: Capacity): void {
    if (this.closed) throw new Error('scheduler is closed');
    this.queue.push({ id, demand });
    this.pump();
  }

  /**
   * Stops a version: a waiting one leaves the queue without running (`'waiting'`;
   * the caller records STOPPED), a running one is asked to stop (`'running'`).
   */
  stop(id: number): StopOutcome {
    const index = this.queue.findIndex((item) => item.id === id);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.pump();
      return 'waiting';
    }
    const run = this.runs.get(id);
    if (run) {
      run.stop.abort();
      return 'running';
    }
    return 'unknown';
  }

  /** Ids of running versions, in admission order. */
  running(): number[] {
    return [...this.runs.keys()];
  }

  /** Ids of waiting versions, in order. */
  waiting(): number[] {
    return this.queue.map((item) => item.id);
  }

  /** True while the version is queued or running. */
  has(id: number): boolean {
    return this.runs.has(id) || this.queue.some((item) => item.id === id);
  }

  /**
   * Stops admitting, empties the queue (returns the ids it held), asks every run
   * to stop and waits up to `graceMs` for them to end; runs still going are then
   * unsubscribed (killed). Resolves when every run has ended.
   */
  async close(graceMs = DEFAULT_LOCAL_CLOSE_GRACE_MS): Promise<number[]> {
    this.closed = true;
    const dropped = this.queue.splice(0).map((item) => item.id);
    const runs = [...this.runs.values()];
    for (const run of runs) run.stop.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(runs.map((run) => run.ended)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const run of [...this.runs.values()]) this.finish(run);
    return dropped;
  }

  private fits(demand: Capacity): boolean {
    if (this.runs.size === 0) return true;
    return (
      this.used.cpu + demand.cpu <= this.capacity.cpu &&
      this.used.memory + demand.memory <= this.capacity.memory
    );
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (!this.closed && this.queue.length > 0 && this.fits(this.queue[0]!.demand)) {
          this.admit(this.queue.shift()!);
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private admit(item: Waiting): void {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const run: Running = { ...item, stop: new AbortController(), subscription: undefined, ended, end };
    this.runs.set(item.id, run);
    this.used = { cpu: this.used.cpu + item.demand.cpu, memory: this.used.memory + item.demand.memory };
    const subscription = this.options.launch(item.id, run.stop.signal).subscribe({
      error: (error: unknown) => {
        this.options.onRunError?.(item.id, error);
        this.finish(run);
      },
      complete: () => this.finish(run),
    });
    // A run that ended during subscribe was finished already; drop the dead subscription.
    if (this.runs.get(item.id) === run) run.subscription = subscription;
    else subscription.unsubscribe();
  }

  private finish(run: Running): void {
    if (this.runs.get(run.id) !== run) return;
    this.runs.delete(run.id);
    this.used = { cpu: this.used.cpu - run.demand.cpu, memory: this.used.memory - run.demand.memory };
    run.subscription?.unsubscribe();
    run.end();
    this.options.onRunEnd?.(run.id);
    this.pump();
  }
}
