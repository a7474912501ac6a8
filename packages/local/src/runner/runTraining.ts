/**
 * The training runner: one version, from its data to its output, as a cold Observable
 * of {@link RunEvent}s, in three phases:
 *
 * ```
 * DOWNLOAD_DATA ─ prepare (prepare.ts) ─┬─ data, code, init model fetched, launch planned ─→ TRAINING
 *                                       └─ fetch or plan fails ──────────────────────────→ STARTING_FAIL
 * TRAINING ─ launch and follow (follow.ts) ─┬─ all exit 0 ─→ upload the output (uploadOutput.ts) ─┬─→ FINISH
 *                                           │                                                     └─ fails → TRAINING_FAIL
 *                                           └─ an instance fails / cannot spawn / maxRuntime ─→ TRAINING_FAIL (or STARTING_FAIL)
 * stop (any time before the end) → STOPPING → downloads or upload aborted, processes ended
 *                                  (SIGTERM, SIGKILL after the grace) → STOPPED
 * ```
 *
 * Each phase reports its events and then either hands its result to the next or ends
 * the run (`phase.ts`); how the run ends becomes its last status in one place,
 * `verdict.ts`.
 * @module
 */
import { concat, defer, fromEvent, map, merge, type Observable, of, take, takeWhile } from 'rxjs';
import { followInstances } from './follow.js';
import { andThen, cancelOnStop, type LastPhaseEvent } from './phase.js';
import { prepareRun } from './prepare.js';
import { runContext, statusEvent } from './runContext.js';
import { type RunEvent, type RunnerDeps, TERMINAL_RUN_STATUSES, type TrainingRun } from './types.js';
import { uploadOutput } from './uploadOutput.js';
import { finalStatus } from './verdict.js';

export { runDirectories } from './runContext.js';

/** Emits once when `signal` aborts (at once when it already has), then completes. */
function stopRequests(signal: AbortSignal): Observable<unknown> {
  return defer(() => (signal.aborted ? of(undefined) : fromEvent(signal, 'abort').pipe(take(1))));
}

function isTerminal(event: RunEvent): boolean {
  return event.kind === 'status' && TERMINAL_RUN_STATUSES.includes(event.status);
}

/** A phase's events as the run reports them: the end of the run becomes its final status. */
function asRunEvent(event: LastPhaseEvent): RunEvent {
  return event.kind === 'end' ? finalStatus(event.end) : event;
}

/**
 * Runs one training version. Subscribing starts it: it reports DOWNLOAD_DATA, fetches
 * `dataUrl` (an object or a prefix), `codeUrl` and an `s3://` `modeUrl` into the work
 * directory, reports TRAINING, starts `instance` processes (ranks 0…N−1, environment as
 * in `environment.ts`, commands as in `launch.ts`), streams their output lines as they
 * come (never lost or reordered within an instance's stream; nothing held beyond the
 * current partial line) and a resource sample per instance every `resourceSampleMs`;
 * when all exit 0 it uploads the output directory to `output` and reports FINISH. It
 * completes right after the terminal status. Instance numbers in reasons are ranks.
 *
 * `deps.stop` aborting is the user's stop (→ STOPPING … STOPPED). Unsubscribing is the
 * platform going away: every process tree is killed with SIGKILL and transfers are
 * aborted, without further events. Subscribe once per version; share with `share()`.
 */
export function runTraining(run: TrainingRun, deps: RunnerDeps): Observable<RunEvent> {
  return defer(() => {
    const context = runContext(run, deps);
    const stop$ = stopRequests(deps.stop);
    const phases$ = andThen(cancelOnStop(prepareRun(context), stop$, context.inFlight), (plan) =>
      andThen(followInstances(context, plan, stop$), () =>
        cancelOnStop(uploadOutput(context), stop$, context.inFlight),
      ),
    );
    // STOPPING is subscribed before the phases, so it is reported before a phase reacts to the stop.
    const stopping$ = stop$.pipe(map(() => statusEvent('STOPPING')));
    return concat(of(statusEvent('DOWNLOAD_DATA')), merge(stopping$, phases$.pipe(map(asRunEvent)))).pipe(
      takeWhile((event) => !isTerminal(event), true),
    );
  });
}
