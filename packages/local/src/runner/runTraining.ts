/**
 * The training runner: one version, from its data to its output, as a cold Observable
 * of {@link RunEvent}s.
 *
 * ```
 * DOWNLOAD_DATA ─┬─ data, code, init model fetched, launch planned ─→ TRAINING ─┬─ all exit 0, output uploaded → FINISH
 *                └─ fetch or plan fails ──────────────────────────→ STARTING_FAIL ├─ an instance fails / cannot spawn / maxRuntime → TRAINING_FAIL (or STARTING_FAIL)
 * stop (any time before the end) → STOPPING → processes ended (SIGTERM, SIGKILL after the grace) → STOPPED
 * ```
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fromEvent, Observable, Subject, type Subscription, take, timer } from 'rxjs';
import { DEFAULT_RESOURCE_SAMPLE_MS, DEFAULT_STOP_GRACE_MS } from '../defaults.js';
import { detectContainerEngine } from './containerEngine.js';
import { platformVariables, type RunDirectories, trainingEnvironment } from './environment.js';
import { type InstanceEvent, instanceProcess } from './instanceProcess.js';
import { type LaunchPlan, planLaunch } from './launch.js';
import { downloadS3, uploadDirectory } from './transfer.js';
import {
  PLATFORM_LOG_PREFIX,
  type RunEvent,
  type RunnerDeps,
  type RunStatus,
  type TrainingRun,
} from './types.js';

/** The directories of a run inside its work directory. */
export function runDirectories(run: TrainingRun): RunDirectories {
  return {
    work: run.workDir,
    data: join(run.workDir, 'data'),
    code: join(run.workDir, 'code'),
    output: join(run.workDir, 'output'),
    initModel: run.body.modeUrl?.startsWith('s3://') ? join(run.workDir, 'model') : undefined,
  };
}

function describeBytes(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** 128 + the signal's number, as shells report a process killed by a signal. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + ((constants.signals as Record<string, number | undefined>)[signal] ?? 0);
}

interface Failure {
  readonly status: 'TRAINING_FAIL' | 'STARTING_FAIL';
  readonly reason: string;
  readonly exitCode?: number;
}

interface InstanceState {
  exited: boolean;
  readonly terminate$: Subject<void>;
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
  return new Observable<RunEvent>((subscriber) => {
    const now = deps.now ?? Date.now;
    const sampleMs = deps.resourceSampleMs ?? DEFAULT_RESOURCE_SAMPLE_MS;
    const graceMs = deps.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const body = run.body;
    const count = body.instance ?? 1;
    const dirs = runDirectories(run);
    const transfers = new AbortController();
    const subscriptions: Subscription[] = [];
    const instances: InstanceState[] = [];
    let phase: 'prepare' | 'training' | 'upload' | 'done' = 'prepare';
    let stopping = false;
    let failure: Failure | undefined;
    let deadline: Subscription | undefined;

    const status = (value: RunStatus, extra: { reason?: string; exitCode?: number } = {}) =>
      subscriber.next({ kind: 'status', status: value, ...extra });
    const note = (content: string, instance = 0) =>
      subscriber.next({
        kind: 'log',
        instance,
        stream: 'stdout',
        content: PLATFORM_LOG_PREFIX + content,
        time: now(),
      });
    const finish = (value: RunStatus, extra: { reason?: string; exitCode?: number } = {}) => {
      if (phase === 'done') return;
      phase = 'done';
      deadline?.unsubscribe();
      status(value, extra);
      subscriber.complete();
    };
    const terminateAll = () => {
      for (const instance of instances) if (!instance.exited) instance.terminate$.next();
    };
    const fail = (next: Failure) => {
      if (failure || stopping) return;
      failure = next;
      terminateAll();
    };

    const prepare = async (): Promise<LaunchPlan> => {
      const signal = transfers.signal;
      await mkdir(dirs.output, { recursive: true });
      await mkdir(dirs.code, { recursive: true });
      await mkdir(dirs.data, { recursive: true });
      const fetches: Array<[string | undefined, string, string]> = [
        [body.dataUrl, dirs.data, 'dataUrl'],
        [body.codeUrl, dirs.code, 'codeUrl'],
        [dirs.initModel ? body.modeUrl : undefined, dirs.initModel ?? '', 'modeUrl'],
      ];
      for (const [uri, directory, field] of fetches) {
        if (!uri) continue;
        const got = await downloadS3(deps.s3, uri, directory, signal, field);
        note(`${field}: ${got.files} file(s), ${describeBytes(got.bytes)} from ${uri}`);
      }
      if (!body.codeUrl && body.gitInfo && body.type !== 'PRESET_ALGORITHM') {
        throw new Error('gitInfo is not supported by the local platform: upload the code and give codeUrl');
      }
      const engine =
        body.type !== 'CUSTOM'
          ? null
          : deps.containerEngine !== undefined
            ? deps.containerEngine
            : await detectContainerEngine();
      return planLaunch(run, dirs, engine);
    };

    const onInstanceEvent = (rank: number, event: InstanceEvent) => {
      switch (event.kind) {
        case 'spawned':
          return;
        case 'line':
          subscriber.next({
            kind: 'log',
            instance: rank,
            stream: event.stream,
            content: event.content,
            time: event.time,
          });
          return;
        case 'usage':
          subscriber.next({
            kind: 'resource',
            instance: rank,
            time: event.time,
            cpu: event.cpu,
            memory: event.memory,
          });
          return;
        case 'spawn-error':
          fail({
            status: 'STARTING_FAIL',
            reason: `instance ${rank} could not start: ${event.error.message}`,
          });
          break;
        case 'exit':
          if (event.code !== 0) {
            fail(
              event.code !== null
                ? {
                    status: 'TRAINING_FAIL',
                    reason: `instance ${rank} exited with code ${event.code}`,
                    exitCode: event.code,
                  }
                : {
                    status: 'TRAINING_FAIL',
                    reason: `instance ${rank} was killed by ${event.signal}`,
                    exitCode: signalExitCode(event.signal ?? 'SIGKILL'),
                  },
            );
          }
          break;
      }
      instances[rank]!.exited = true;
      if (instances.every((i) => i.exited)) afterTraining();
    };

    const startTraining = (plan: LaunchPlan) => {
      phase = 'training';
      status('TRAINING');
      for (const line of plan.notes) note(line);
      if (body.maxRuntime !== undefined) {
        deadline = timer(body.maxRuntime * 1000).subscribe(() => {
          note(`maxRuntime of ${body.maxRuntime} s exceeded: stopping the instances`);
          fail({ status: 'TRAINING_FAIL', reason: 'maxRuntime exceeded' });
        });
      }
      for (let rank = 0; rank < count; rank++)
        instances.push({ exited: false, terminate$: new Subject<void>() });
      for (let rank = 0; rank < count; rank++) {
        if (failure || stopping) {
          // An earlier instance could not even start: the later ones never do.
          instances[rank]!.exited = true;
          continue;
        }
        const variables = platformVariables(dirs, body.parameters ?? [], rank, count);
        const env = trainingEnvironment(process.env, body.envs ?? [], variables);
        const command = plan.instance(rank, env, Object.keys(variables));
        subscriptions.push(
          instanceProcess({
            ...command,
            sampleMs,
            graceMs,
            now,
            terminate$: instances[rank]!.terminate$,
          }).subscribe((event) => onInstanceEvent(rank, event)),
        );
      }
      if (instances.every((i) => i.exited)) afterTraining();
    };

    const afterTraining = () => {
      if (phase !== 'training') return;
      deadline?.unsubscribe();
      if (stopping) return finish('STOPPED', { reason: 'stopped by the user' });
      if (failure) return finish(failure.status, { reason: failure.reason, exitCode: failure.exitCode });
      phase = 'upload';
      uploadDirectory(deps.s3, dirs.output, body.output, transfers.signal)
        .then((sent) => {
          note(`output: ${sent.files} file(s), ${describeBytes(sent.bytes)} to ${body.output}`);
          finish('FINISH', { exitCode: 0 });
        })
        .catch((error: unknown) => {
          if (stopping) finish('STOPPED', { reason: 'stopped by the user' });
          else if (!transfers.signal.aborted) finish('TRAINING_FAIL', { reason: (error as Error).message });
        });
    };

    const onStop = () => {
      if (stopping || phase === 'done') return;
      stopping = true;
      status('STOPPING');
      if (phase === 'training') terminateAll();
      else transfers.abort();
    };

    status('DOWNLOAD_DATA');
    subscriptions.push(fromEvent(deps.stop, 'abort').pipe(take(1)).subscribe(onStop));
    if (deps.stop.aborted) onStop();

    prepare()
      .then((plan) => {
        if (phase !== 'prepare') return;
        if (stopping) finish('STOPPED', { reason: 'stopped by the user' });
        else startTraining(plan);
      })
      .catch((error: unknown) => {
        if (phase !== 'prepare') return;
        if (stopping) finish('STOPPED', { reason: 'stopped by the user' });
        else if (!transfers.signal.aborted) finish('STARTING_FAIL', { reason: (error as Error).message });
      });

    return () => {
      if (phase !== 'done') phase = 'done';
      transfers.abort();
      deadline?.unsubscribe();
      for (const s of subscriptions) s.unsubscribe();
    };
  });
}
