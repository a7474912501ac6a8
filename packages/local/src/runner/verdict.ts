/**
 * How a training run ends, decided in one place. While it runs, what happens is
 * folded into a {@link Verdict} by {@link judge}:
 *
 * - the user's stop wins over everything (a run stopped after an instance failed
 *   still ends STOPPED: the user asked for it);
 * - otherwise the first failure wins (the instances it brings down fail after it);
 *
 * and {@link finalStatus} turns the end of a run into its last status event.
 * @module
 */
import { statusEvent } from './runContext.js';
import type { StatusEvent } from './types.js';

/** The `reason` of a run the user stopped. */
export const STOPPED_BY_USER_REASON = 'stopped by the user';

/** Why a run failed. */
export interface RunFailure {
  readonly status: 'TRAINING_FAIL' | 'STARTING_FAIL';
  readonly reason: string;
  /** The failing process's exit code (128 + the signal's number when a signal killed it). */
  readonly exitCode?: number;
}

/** What has happened so far that decides how the run ends. */
export type Verdict =
  /** Nothing has ended the run: it goes on to its next phase. */
  | { readonly kind: 'going' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly failure: RunFailure };

/** How a run ends: stopped, failed, or finished (every phase done). */
export type RunEnd = Exclude<Verdict, { kind: 'going' }> | { readonly kind: 'finished' };

/** Something that can end a run. */
export type Judged = { readonly kind: 'stop' } | { readonly kind: 'failure'; readonly failure: RunFailure };

/** A run nothing has ended yet. */
export const GOING: Verdict = { kind: 'going' };

/** A failed run's end. */
export function failed(
  status: RunFailure['status'],
  reason: string,
  exitCode?: number,
): Extract<RunEnd, { kind: 'failed' }> {
  return {
    kind: 'failed',
    failure: exitCode === undefined ? { status, reason } : { status, reason, exitCode },
  };
}

/** The verdict once `event` happened (see the module doc for who wins). */
export function judge(verdict: Verdict, event: Judged): Verdict {
  if (verdict.kind === 'stopped') return verdict;
  if (event.kind === 'stop') return { kind: 'stopped' };
  return verdict.kind === 'failed' ? verdict : { kind: 'failed', failure: event.failure };
}

/** The run's last status: FINISH (exit code 0), STOPPED (stopped by the user), or the failure's status and reason. */
export function finalStatus(end: RunEnd): StatusEvent {
  switch (end.kind) {
    case 'finished':
      return statusEvent('FINISH', { exitCode: 0 });
    case 'stopped':
      return statusEvent('STOPPED', { reason: STOPPED_BY_USER_REASON });
    case 'failed': {
      const { status, reason, exitCode } = end.failure;
      return statusEvent(status, exitCode === undefined ? { reason } : { reason, exitCode });
    }
  }
}
