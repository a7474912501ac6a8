/**
 * What the training runner is given and what it reports.
 * @module
 */
import type { TrainCreate } from 'modelmaker';
import type { S3AccessProvider } from 'modelmaker/storage';
import type { GitCloneOptions } from './gitClone.js';

/** One training version to run: its create body and a work directory the runner may fill. */
export interface TrainingRun {
  readonly versionId: number;
  readonly body: TrainCreate;
  /** Created when missing; the runner puts `data/`, `code/`, `output/` (and `model/`) in it and leaves them. */
  readonly workDir: string;
}

/** What the runner needs from the platform. */
export interface RunnerDeps {
  /**
   * The embedded S3 as the SDK's storage reaches it (endpoint and keys, e.g.
   * `staticS3Access(…)` from `modelmaker/storage`): data, code and the initial model
   * come from it, the output goes to it.
   */
  readonly s3: S3AccessProvider;
  /**
   * Where an interrupted multipart upload of the output keeps its resume state. Default:
   * the storage module's (`<os tmpdir>/modelmaker-uploads`); the platform puts it in its data dir.
   */
  readonly uploadStateDir?: string;
  /** Aborted when the user stops the version: STOPPING, SIGTERM, SIGKILL after the grace period, STOPPED. */
  readonly stop: AbortSignal;
  /**
   * Container engine for CUSTOM jobs: a program (`docker`, `podman`), `null` for none
   * (run on the host), or undefined to detect one (`docker info`, then `podman info`).
   */
  readonly containerEngine?: string | null;
  /** How `gitInfo` repositories are cloned (git program, time limits). Default: `git` from the PATH, the default limits. */
  readonly git?: GitCloneOptions;
  /** The clock of log and resource times (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
  /** Resource sampling period, in ms. Default `DEFAULT_RESOURCE_SAMPLE_MS`. */
  readonly resourceSampleMs?: number;
  /** Time between SIGTERM and SIGKILL on stop and on `maxRuntime`, in ms. Default `DEFAULT_STOP_GRACE_MS`. */
  readonly stopGraceMs?: number;
}

/** The statuses the runner reports (STARTING is the server's, before the run is admitted). */
export type RunStatus =
  | 'DOWNLOAD_DATA'
  | 'TRAINING'
  | 'STOPPING'
  | 'FINISH'
  | 'TRAINING_FAIL'
  | 'STARTING_FAIL'
  | 'STOPPED';

/** The terminal ones: the run's Observable completes right after one of these. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = [
  'FINISH',
  'TRAINING_FAIL',
  'STARTING_FAIL',
  'STOPPED',
];

/** A status change; `reason` says why a run failed or stopped, `exitCode` is the failing process's (or 0 on FINISH). */
export interface StatusEvent {
  readonly kind: 'status';
  readonly status: RunStatus;
  readonly reason?: string;
  readonly exitCode?: number;
}

/** One line a training process printed (without its line break), or a platform note (prefixed `[modelmaker] `). */
export interface LogEvent {
  readonly kind: 'log';
  /** 0-based rank of the instance. */
  readonly instance: number;
  readonly stream: 'stdout' | 'stderr';
  readonly content: string;
  /** ms since the epoch. */
  readonly time: number;
}

/** CPU (cores) and resident memory (bytes) of one instance's process tree at `time`. */
export interface ResourceEvent {
  readonly kind: 'resource';
  readonly instance: number;
  readonly time: number;
  readonly cpu: number;
  readonly memory: number;
  readonly gpu?: number;
}

/** What a run reports, in order. */
export type RunEvent = StatusEvent | LogEvent | ResourceEvent;

/** Prefix of the log lines the runner itself writes (downloads, image, host or container). */
export const PLATFORM_LOG_PREFIX = '[modelmaker] ';
