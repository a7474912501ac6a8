/**
 * The platform's subsystems are opened in order and closed in reverse: each
 * `open…()` returns something with a `close()`, and this stack remembers them. A
 * start that fails half-way closes what it had opened (latest first) before it
 * rethrows, so it leaves no port, process or lock behind.
 * @module
 */

/** Something opened that has to be closed. */
export interface Closable {
  /** Releases what it holds (ports, processes, files). */
  close(): Promise<void> | void;
}

/** Opened subsystems, closed in reverse order of opening. */
export class SubsystemStack {
  readonly #opened: Closable[] = [];
  #closing: Promise<void> | undefined;

  /** `onError` is told about a close that fails; the others are closed all the same. */
  constructor(private readonly onError: (error: unknown) => void) {}

  /**
   * Records `subsystem` as open (to be closed before everything opened earlier) and returns it.
   *
   * @throws Error when the stack is closing or closed (the subsystem is closed at once).
   */
  add<T extends Closable>(subsystem: T): T {
    if (this.#closing) {
      void this.#closeOne(subsystem);
      throw new Error('the platform is closing: no subsystem can open');
    }
    this.#opened.push(subsystem);
    return subsystem;
  }

  /** Closes every subsystem, latest first, each once (idempotent: later calls get the same promise). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const subsystem of this.#opened.splice(0).reverse()) await this.#closeOne(subsystem);
    })();
    return this.#closing;
  }

  async #closeOne(subsystem: Closable): Promise<void> {
    try {
      await subsystem.close();
    } catch (error) {
      this.onError(error);
    }
  }
}

/**
 * Opens subsystems with `open` (which adds each to the stack as it opens it); when it
 * fails, closes what was opened, in reverse, then rethrows.
 *
 * @example
 * ```ts
 * const platform = await openInOrder(stack, async () => {
 *   const store = stack.add(openState(dir));
 *   const http = stack.add(await openServer(store));
 *   return { store, http };
 * });
 * ```
 */
export async function openInOrder<T>(stack: SubsystemStack, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    await stack.close();
    throw error;
  }
}
