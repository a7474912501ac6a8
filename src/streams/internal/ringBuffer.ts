/**
 * The last `capacity` items of a stream, in constant memory.
 * @module
 */

/** Keeps the last `capacity` items pushed (0 keeps none). */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array<T | undefined>(Math.max(0, Math.floor(capacity)));
  }

  push(item: T): void {
    const length = this.#items.length;
    if (length === 0) return;
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % length;
    this.#size = Math.min(length, this.#size + 1);
  }

  /** The kept items, oldest first (a copy). */
  toArray(): T[] {
    const length = this.#items.length;
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++)
      out.push(this.#items[(this.#next - this.#size + i + length) % length] as T);
    return out;
  }
}
