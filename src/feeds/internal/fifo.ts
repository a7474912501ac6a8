/**
 * A first-in first-out queue on a growable ring: constant-time push and shift.
 * @module
 */

/** The smallest ring a {@link Fifo} starts with. */
const INITIAL_RING = 16;

/** FIFO queue; its ring grows by doubling and never holds more than its longest run. */
export class Fifo<T> {
  #ring: (T | undefined)[] = new Array<T | undefined>(INITIAL_RING);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#size) % this.#ring.length] = item;
    this.#size++;
  }

  /** The oldest item, removed; `undefined` when empty (check `size` for queues of `undefined`). */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#ring[this.#head];
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#size--;
    return item;
  }

  clear(): void {
    this.#ring = new Array<T | undefined>(INITIAL_RING);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const ring = new Array<T | undefined>(this.#ring.length * 2);
    for (let i = 0; i < this.#size; i++) ring[i] = this.#ring[(this.#head + i) % this.#ring.length];
    this.#ring = ring;
    this.#head = 0;
  }
}
