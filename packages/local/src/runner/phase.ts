/**
 * A training run is a chain of phases (prepare → launch and follow → upload). A phase
 * is a cold Observable of {@link PhaseEvent}s: the run's events as they happen, then
 * one outcome — go on to the next phase with a value, or end the run — and it
 * completes. This module chains phases and makes one cancellable by the user's stop.
 * @module
 */
import {
  concatMap,
  connect,
  endWith,
  filter,
  ignoreElements,
  map,
  merge,
  type Observable,
  switchMap,
  take,
  takeUntil,
  takeWhile,
} from 'rxjs';
import type { InFlight } from './inFlight.js';
import type { RunEvent } from './types.js';
import type { RunEnd } from './verdict.js';

/** The phase is done and the next one starts with `value`. */
export interface Continue<T> {
  readonly kind: 'continue';
  readonly value: T;
}

/** The run ends here. */
export interface EndRun {
  readonly kind: 'end';
  readonly end: RunEnd;
}

/** What a phase emits: run events, then its outcome. */
export type PhaseEvent<T> = RunEvent | Continue<T> | EndRun;

/** What the last phase emits: it can only end the run. */
export type LastPhaseEvent = RunEvent | EndRun;

/** The outcome that starts the next phase with `value`. */
export function continueWith<T>(value: T): Continue<T> {
  return { kind: 'continue', value };
}

/** The outcome that ends the run. */
export function endRun(end: RunEnd): EndRun {
  return { kind: 'end', end };
}

function isContinue<T>(event: PhaseEvent<T>): event is Continue<T> {
  return event.kind === 'continue';
}

function isOutcome(event: PhaseEvent<unknown>): boolean {
  return event.kind === 'continue' || event.kind === 'end';
}

/**
 * Runs `phase$`, then — when it continues — the phase `next` makes of its value. The
 * first phase's events and an `end` pass through as they come.
 */
export function andThen<A, E extends PhaseEvent<unknown>>(
  phase$: Observable<PhaseEvent<A>>,
  next: (value: A) => Observable<E>,
): Observable<RunEvent | EndRun | E> {
  return phase$.pipe(
    connect((events$) =>
      merge(
        events$.pipe(filter((event): event is RunEvent | EndRun => !isContinue(event))),
        events$.pipe(
          filter(isContinue),
          take(1),
          switchMap((event) => next(event.value)),
        ),
      ),
    ),
  );
}

/**
 * `work$` until its outcome; a stop (`stop$` emitting) before that cancels it
 * (unsubscribing aborts its transfers) and ends the run as stopped — once the run's
 * promise steps still going have settled (`inFlight`).
 */
export function cancelOnStop<E extends PhaseEvent<unknown>>(
  work$: Observable<E>,
  stop$: Observable<unknown>,
  inFlight: InFlight,
): Observable<E | EndRun> {
  const stopped$ = stop$.pipe(
    take(1),
    concatMap(() => inFlight.settled()),
    map(() => endRun({ kind: 'stopped' })),
  );
  return merge(work$.pipe(takeUntil(stop$)), stopped$).pipe(takeWhile((event) => !isOutcome(event), true));
}

/** `main$`, with `sidecar$` running beside it until `main$` completes. */
export function alongside<T>(main$: Observable<T>, sidecar$: Observable<T>): Observable<T> {
  return main$.pipe(
    connect((shared$) =>
      merge(shared$, sidecar$.pipe(takeUntil(shared$.pipe(ignoreElements(), endWith(undefined))))),
    ),
  );
}
