/**
 * Listening to `AbortSignal`s without leaking listeners: the one place where the
 * SDK adds an `abort` listener, always paired with its removal.
 * @module
 */

const noop = (): void => undefined;

/**
 * Calls `listener` with the signal's reason once it aborts — at once (synchronously)
 * when it already has. Returns a function that removes the listener; call it as soon
 * as the signal no longer matters, or a long-lived signal keeps every listener (and
 * what it holds) alive.
 *
 * @example
 * ```ts
 * const stop = onAbort(signal, () => rmSync(temp, { force: true }));
 * try { await work(); } finally { stop(); }
 * ```
 */
export function onAbort(signal: AbortSignal, listener: (reason: unknown) => void): () => void {
  if (signal.aborted) {
    listener(signal.reason);
    return noop;
  }
  const onEvent = (): void => listener(signal.reason);
  signal.addEventListener('abort', onEvent, { once: true });
  return () => signal.removeEventListener('abort', onEvent);
}

/** A signal following several others, and how to let go of them. */
export interface LinkedSignal {
  /** Aborts when the first of the linked signals does, with its reason. */
  readonly signal: AbortSignal;
  /** Removes what links `signal` to the others (idempotent). Call it when done with `signal`. */
  release(): void;
}

type AnyOf = (signals: AbortSignal[]) => AbortSignal;

/**
 * The fallback of {@link anySignal} for runtimes without `AbortSignal.any`: a
 * controller aborted by the first linked signal through listeners that are all
 * removed on that first abort or on `release()`, whichever comes first.
 */
export function anySignalByListeners(signals: readonly AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const removers: Array<() => void> = [];
  const release = (): void => {
    for (const remove of removers.splice(0)) remove();
  };
  for (const signal of signals) {
    removers.push(
      onAbort(signal, (reason) => {
        release();
        controller.abort(reason);
      }),
    );
    if (controller.signal.aborted) break;
  }
  if (controller.signal.aborted) release();
  return { signal: controller.signal, release };
}

/**
 * A signal that aborts when any of `signals` aborts, with that one's reason (already
 * aborted if one is). Uses the runtime's `AbortSignal.any` (Node ≥ 20.3, Deno, Bun,
 * browsers), which holds the result weakly, so `release()` has nothing to do; elsewhere
 * {@link anySignalByListeners}, whose `release()` removes its listeners.
 *
 * @example
 * ```ts
 * const bodyFailed = new AbortController();
 * const linked = anySignal([signal, bodyFailed.signal]);
 * try { await client.send(command, { abortSignal: linked.signal }); } finally { linked.release(); }
 * ```
 */
export function anySignal(signals: readonly AbortSignal[]): LinkedSignal {
  const native = (AbortSignal as { any?: AnyOf }).any;
  if (typeof native !== 'function') return anySignalByListeners(signals);
  return { signal: native.call(AbortSignal, [...signals]), release: noop };
}
