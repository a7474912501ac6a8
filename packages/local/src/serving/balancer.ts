/**
 * The gateway's routing table: which instance serves the next request. A model
 * is chosen by smooth weighted round-robin (nginx's algorithm: over any window of
 * `sum(weights)` picks each model gets exactly its weight, interleaved rather than
 * in bursts), then an instance of that model by plain round-robin. Only targets
 * that are ready now (asked at each pick) and not excluded (already tried by this
 * request) count; a model without one is skipped, and its share goes to the
 * others until it has one again. A model with weight 0 gets no traffic.
 *
 * A table is immutable in its membership: changing weights or instances means
 * building a new table and swapping it in one assignment.
 * @module
 */

/** Something a request can be sent to. */
export interface RouteTarget {
  /** True while it accepts requests (read at each pick). */
  readonly ready: boolean;
}

/** One model's entry: its weight and its instances. */
export interface RouteEntry<T extends RouteTarget> {
  readonly weight: number;
  readonly targets: readonly T[];
}

interface EntryState<T extends RouteTarget> {
  readonly weight: number;
  readonly targets: readonly T[];
  current: number;
  cursor: number;
}

/** A routing table (see the module doc). */
export class Balancer<T extends RouteTarget> {
  private readonly entries: EntryState<T>[];

  constructor(entries: readonly RouteEntry<T>[]) {
    this.entries = entries.map((e) => ({ weight: e.weight, targets: [...e.targets], current: 0, cursor: 0 }));
  }

  /** Every target of the table. */
  targets(): T[] {
    return this.entries.flatMap((e) => e.targets);
  }

  /** True when some model with a positive weight has a ready target. */
  hasReady(): boolean {
    return this.entries.some((e) => e.weight > 0 && e.targets.some((t) => t.ready));
  }

  private eligible(entry: EntryState<T>, exclude: ReadonlySet<T> | undefined): boolean {
    return entry.weight > 0 && entry.targets.some((t) => t.ready && !exclude?.has(t));
  }

  /** The next target, or `undefined` when none is ready (or all ready ones are excluded). */
  pick(exclude?: ReadonlySet<T>): T | undefined {
    let total = 0;
    let best: EntryState<T> | undefined;
    for (const entry of this.entries) {
      if (!this.eligible(entry, exclude)) continue;
      entry.current += entry.weight;
      total += entry.weight;
      if (!best || entry.current > best.current) best = entry;
    }
    if (!best) return undefined;
    best.current -= total;
    const { targets } = best;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(best.cursor + i) % targets.length]!;
      if (target.ready && !exclude?.has(target)) {
        best.cursor = (best.cursor + i + 1) % targets.length;
        return target;
      }
    }
    return undefined;
  }
}
