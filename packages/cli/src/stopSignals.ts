/**
 * The signals that stop a long-running command — Ctrl-C (SIGINT) and a service
 * manager's stop (SIGTERM) — caught from the moment the command starts. A command that
 * announces it is ready (`listening`, `ready`) and only then installs its handlers
 * leaves a gap in which a signal sent right after the announcement still has its
 * default action: the process dies at once, without closing what it started.
 * @module
 */

/** The signals that stop a long-running command. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Stop signals caught for a command (see {@link catchStopSignals}). */
export interface StopSignals {
  /** Resolves with the first stop signal. */
  readonly first: Promise<NodeJS.Signals>;
  /**
   * What a signal after the first does (replacing the default: re-raise it with its
   * default action, i.e. stop at once — a second Ctrl-C is not ignored).
   */
  onLater(listener: (signal: NodeJS.Signals) => void): void;
  /** Stops catching: the signals have their default action again. */
  release(): void;
}

/**
 * Catches SIGINT and SIGTERM from now on, for a command that stops on them.
 *
 * @example
 * ```ts
 * const stop = catchStopSignals();
 * try {
 *   await server.listen(port);
 *   out.line('listening');
 *   await stop.first;
 * } finally {
 *   stop.release();
 * }
 * ```
 */
export function catchStopSignals(): StopSignals {
  let caught = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const release = () => {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  };
  let later = (signal: NodeJS.Signals) => {
    release();
    process.kill(process.pid, signal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (caught++ === 0) resolveFirst(signal);
    else later(signal);
  }
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    first,
    onLater: (listener) => {
      later = listener;
    },
    release,
  };
}

/**
 * Runs a command that stops on SIGINT/SIGTERM with the signals caught for its whole run
 * (from before it announces anything), and stops catching them when it ends.
 *
 * @example
 * ```ts
 * return withStopSignals(async (stop) => {
 *   out.line('listening');
 *   await stop.first;
 *   return EXIT.OK;
 * });
 * ```
 */
export async function withStopSignals<T>(run: (stop: StopSignals) => Promise<T>): Promise<T> {
  const stop = catchStopSignals();
  try {
    return await run(stop);
  } finally {
    stop.release();
  }
}
