/**
 * Phase 2 of a training run, launch and follow: report TRAINING and the launch
 * plan's notes, start `instance` processes (ranks 0…N−1, environment as in
 * `environment.ts`, commands as in `launch.ts`), relay their output lines as they come
 * and a resource sample per instance every `resourceSampleMs`. The first failure — an
 * instance that cannot start, one that exits non-zero or is killed, `maxRuntime`
 * passing — or the user's stop ends every instance still running (SIGTERM, SIGKILL
 * after the grace period). The phase ends once every instance has exited: the run goes
 * on when all exited 0, else it ends with the {@link Verdict}.
 * @module
 */
import { constants } from 'node:os';
import {
  concat,
  defer,
  EMPTY,
  filter,
  ignoreElements,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  ReplaySubject,
  range,
  tap,
  timer,
} from 'rxjs';
import { platformVariables, trainingEnvironment } from './environment.js';
import { type InstanceEvent, instanceProcess } from './instanceProcess.js';
import type { LaunchPlan } from './launch.js';
import { alongside, continueWith, endRun, type PhaseEvent } from './phase.js';
import { noteEvent, type RunContext, statusEvent } from './runContext.js';
import type { RunEvent } from './types.js';
import { GOING, type Judged, judge, type RunFailure, type Verdict } from './verdict.js';

/** The reason of a run ended by `maxRuntime`. */
export const MAX_RUNTIME_REASON = 'maxRuntime exceeded';

/** 128 + the signal's number, as shells report a process killed by a signal. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + ((constants.signals as Record<string, number | undefined>)[signal] ?? 0);
}

/** The failure an instance event means, if any. Instance numbers in reasons are ranks. */
function failureOf(rank: number, event: InstanceEvent): RunFailure | undefined {
  if (event.kind === 'spawn-error') {
    return { status: 'STARTING_FAIL', reason: `instance ${rank} could not start: ${event.error.message}` };
  }
  if (event.kind !== 'exit' || event.code === 0) return undefined;
  return event.code !== null
    ? {
        status: 'TRAINING_FAIL',
        reason: `instance ${rank} exited with code ${event.code}`,
        exitCode: event.code,
      }
    : {
        status: 'TRAINING_FAIL',
        reason: `instance ${rank} was killed by ${event.signal}`,
        exitCode: signalExitCode(event.signal ?? 'SIGKILL'),
      };
}

/** The run event an instance event is reported as, if any (lines and resource samples). */
function reportOf(rank: number, event: InstanceEvent): RunEvent | undefined {
  switch (event.kind) {
    case 'line':
      return { kind: 'log', instance: rank, stream: event.stream, content: event.content, time: event.time };
    case 'usage':
      return { kind: 'resource', instance: rank, time: event.time, cpu: event.cpu, memory: event.memory };
    default:
      return undefined;
  }
}

/** Launches instance `rank` (its environment and command), ended gracefully when `terminate$` emits. */
function launchInstance(
  context: RunContext,
  plan: LaunchPlan,
  rank: number,
  terminate$: Observable<void>,
): Observable<InstanceEvent> {
  const { body, dirs, count } = context;
  const variables = platformVariables(dirs, body.parameters ?? [], rank, count);
  const env = trainingEnvironment(process.env, body.envs ?? [], variables);
  const command = plan.instance(rank, env, Object.keys(variables));
  return instanceProcess({
    ...command,
    sampleMs: context.sampleMs,
    graceMs: context.graceMs,
    now: context.now,
    terminate$,
  });
}

/** The launch-and-follow phase (see the module doc). `stop$` emits when the user stops the run. */
export function followInstances(
  context: RunContext,
  plan: LaunchPlan,
  stop$: Observable<unknown>,
): Observable<PhaseEvent<void>> {
  return defer(() => {
    const { body, count } = context;
    let verdict: Verdict = GOING;
    const terminate$ = new ReplaySubject<void>(1);
    /** Folds `event` into the verdict; the moment the run is over, every instance is told to end. */
    const record = (event: Judged) => {
      const before = verdict;
      verdict = judge(verdict, event);
      if (before.kind === 'going' && verdict.kind !== 'going') terminate$.next();
    };

    const instances$ = range(0, count).pipe(
      mergeMap((rank) =>
        // An earlier instance could not even start: the later ones never do.
        defer(() =>
          verdict.kind === 'going' ? launchInstance(context, plan, rank, terminate$) : EMPTY,
        ).pipe(
          tap((event) => {
            const failure = failureOf(rank, event);
            if (failure) record({ kind: 'failure', failure });
          }),
          map((event) => reportOf(rank, event)),
          filter((event): event is RunEvent => event !== undefined),
        ),
      ),
    );
    const deadline$ =
      body.maxRuntime === undefined
        ? EMPTY
        : timer(body.maxRuntime * 1000).pipe(
            map(() =>
              noteEvent(context, `maxRuntime of ${body.maxRuntime} s exceeded: stopping the instances`),
            ),
            tap(() =>
              record({ kind: 'failure', failure: { status: 'TRAINING_FAIL', reason: MAX_RUNTIME_REASON } }),
            ),
          );
    const stops$ = stop$.pipe(
      tap(() => record({ kind: 'stop' })),
      ignoreElements(),
    );

    return concat(
      of(statusEvent('TRAINING'), ...plan.notes.map((line) => noteEvent(context, line))),
      alongside<RunEvent>(instances$, merge(deadline$, stops$)),
      defer(() => of(verdict.kind === 'going' ? continueWith(undefined) : endRun(verdict))),
    );
  });
}
