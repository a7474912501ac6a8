/**
 * What every phase of a training run works with: the run, its directories, the
 * runner's settings, and the events it reports (status changes and platform notes).
 * @module
 */
import { join } from 'node:path';
import type { TrainCreate } from 'modelmaker';
import { DEFAULT_RESOURCE_SAMPLE_MS, DEFAULT_STOP_GRACE_MS } from '../defaults.js';
import type { RunDirectories } from './environment.js';
import { InFlight } from './inFlight.js';
import {
  type LogEvent,
  PLATFORM_LOG_PREFIX,
  type RunnerDeps,
  type RunStatus,
  type StatusEvent,
  type TrainingRun,
} from './types.js';

/** One run and its settings, resolved once. */
export interface RunContext {
  readonly run: TrainingRun;
  readonly body: TrainCreate;
  readonly dirs: RunDirectories;
  readonly deps: RunnerDeps;
  /** Instances to start (`instance`, default 1). */
  readonly count: number;
  readonly now: () => number;
  readonly sampleMs: number;
  readonly graceMs: number;
  /** The run's promise steps still going (a stopped run ends once they settled). */
  readonly inFlight: InFlight;
}

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

/** The context of `run`, defaults applied. */
export function runContext(run: TrainingRun, deps: RunnerDeps): RunContext {
  return {
    run,
    body: run.body,
    dirs: runDirectories(run),
    deps,
    count: run.body.instance ?? 1,
    now: deps.now ?? Date.now,
    sampleMs: deps.resourceSampleMs ?? DEFAULT_RESOURCE_SAMPLE_MS,
    graceMs: deps.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    inFlight: new InFlight(),
  };
}

/** A status change. */
export function statusEvent(
  status: RunStatus,
  extra: { reason?: string; exitCode?: number } = {},
): StatusEvent {
  return { kind: 'status', status, ...extra };
}

/** A line the platform writes into the run's log (prefixed {@link PLATFORM_LOG_PREFIX}). */
export function noteEvent(context: RunContext, content: string, instance = 0): LogEvent {
  return {
    kind: 'log',
    instance,
    stream: 'stdout',
    content: PLATFORM_LOG_PREFIX + content,
    time: context.now(),
  };
}

/** `123 B`, `4.5 KiB`, `6.7 MiB`. */
export function describeBytes(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
