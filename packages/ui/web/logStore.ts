/**
 * A log kept in the page: columnar (typed arrays and one array of strings), so
 * 200,000 lines cost little more than their text, with an incremental filter
 * (search text, instance) for the view.
 * @module
 */

/** A line or a gap as the server sends it. */
export type LogItem =
  | {
      readonly type: 'line';
      readonly id: number;
      readonly content: string;
      readonly instance?: number;
      readonly stream?: string;
    }
  | { readonly type: 'gap'; readonly from: number; readonly to: number };

/** A row's kind: a line on stdout, on stderr, or a gap marker. */
export const RowKind = { Stdout: 0, Stderr: 1, Gap: 2 } as const;
/** `0` stdout, `1` stderr, `2` gap. */
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

const INITIAL_CAPACITY = 1024;
/** Instance number of a line that names none. */
const NO_INSTANCE = -1;

/** The rows of one log, appended in arrival order. */
export class LogStore {
  #ids = new Float64Array(INITIAL_CAPACITY);
  #ends = new Float64Array(INITIAL_CAPACITY);
  #instances = new Int32Array(INITIAL_CAPACITY);
  #kinds = new Uint8Array(INITIAL_CAPACITY);
  readonly #contents: string[] = [];
  #length = 0;
  /** Grows with every append: a cheap "changed" signal for the view. */
  version = 0;
  /** The instance numbers seen, for the instance filter. */
  readonly instances = new Set<number>();
  /** Lines (not gaps) held. */
  lines = 0;
  /** Gap markers held. */
  gaps = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends lines and gaps, in the order given. */
  append(items: readonly LogItem[]): void {
    this.#reserve(this.#length + items.length);
    for (const item of items) {
      const row = this.#length++;
      if (item.type === 'gap') {
        this.#ids[row] = item.from;
        this.#ends[row] = item.to;
        this.#instances[row] = NO_INSTANCE;
        this.#kinds[row] = RowKind.Gap;
        this.#contents.push('');
        this.gaps++;
      } else {
        this.#ids[row] = item.id;
        this.#ends[row] = item.id;
        const instance = item.instance ?? NO_INSTANCE;
        this.#instances[row] = instance;
        if (instance !== NO_INSTANCE) this.instances.add(instance);
        this.#kinds[row] = item.stream === 'stderr' ? RowKind.Stderr : RowKind.Stdout;
        this.#contents.push(item.content);
        this.lines++;
      }
    }
    this.version++;
  }

  id(row: number): number {
    return this.#ids[row]!;
  }

  /** The last id a gap row covers (the id itself for a line). */
  end(row: number): number {
    return this.#ends[row]!;
  }

  kind(row: number): RowKind {
    return this.#kinds[row] as RowKind;
  }

  /** The instance of a line, or `undefined`. */
  instance(row: number): number | undefined {
    const value = this.#instances[row]!;
    return value === NO_INSTANCE ? undefined : value;
  }

  content(row: number): string {
    return this.#contents[row]!;
  }

  /** The whole log as text, one line per row (a gap as a note). */
  text(rows?: Int32Array | undefined, count = rows?.length ?? this.#length): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const row = rows === undefined ? i : rows[i]!;
      out.push(
        this.kind(row) === RowKind.Gap
          ? `[lines ${this.id(row)}..${this.end(row)} are missing]`
          : this.content(row),
      );
    }
    return `${out.join('\n')}\n`;
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#ids.length) return;
    let size = this.#ids.length;
    while (size < capacity) size *= 2;
    const grow = <A extends Float64Array | Int32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.#ids = grow(this.#ids, (n) => new Float64Array(n));
    this.#ends = grow(this.#ends, (n) => new Float64Array(n));
    this.#instances = grow(this.#instances, (n) => new Int32Array(n));
    this.#kinds = grow(this.#kinds, (n) => new Uint8Array(n));
  }
}

/** What the view shows: rows matching a search text and an instance. */
export interface LogFilter {
  readonly search: string;
  /** `undefined`: every instance. */
  readonly instance: number | undefined;
}

/**
 * The rows of a store that match a filter, extended incrementally as lines
 * arrive (only new rows are scanned). Gaps always match: a missing stretch
 * stays visible whatever the search.
 */
export class FilteredRows {
  #rows = new Int32Array(INITIAL_CAPACITY);
  #count = 0;
  #scanned = 0;
  readonly #needle: string;

  constructor(
    readonly store: LogStore,
    readonly filter: LogFilter,
  ) {
    this.#needle = filter.search.toLowerCase();
  }

  /** True when every row matches (no filter): the view indexes the store directly. */
  get all(): boolean {
    return this.#needle === '' && this.filter.instance === undefined;
  }

  /** Scans rows added since the last call. */
  update(): void {
    if (this.all) return;
    const { store } = this;
    for (let row = this.#scanned; row < store.length; row++) {
      const gap = store.kind(row) === RowKind.Gap;
      const matches =
        gap ||
        ((this.filter.instance === undefined || store.instance(row) === this.filter.instance) &&
          (this.#needle === '' || store.content(row).toLowerCase().includes(this.#needle)));
      if (!matches) continue;
      if (this.#count === this.#rows.length) {
        const next = new Int32Array(this.#rows.length * 2);
        next.set(this.#rows);
        this.#rows = next;
      }
      this.#rows[this.#count++] = row;
    }
    this.#scanned = store.length;
  }

  get length(): number {
    return this.all ? this.store.length : this.#count;
  }

  /** The store row of the `i`-th shown row. */
  row(i: number): number {
    return this.all ? i : this.#rows[i]!;
  }

  /** The shown rows as text. */
  text(): string {
    return this.all ? this.store.text() : this.store.text(this.#rows, this.#count);
  }
}
