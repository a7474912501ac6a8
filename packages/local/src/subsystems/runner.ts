/**
 * The runner as the scheduler starts it: a version id becomes a training run
 * (`runner/runTraining.ts`) of its stored body in its work dir, whose events the
 * recorder stores. While the platform closes, the stops it causes say so
 * ({@link SHUTDOWN_REASON}) rather than "stopped by the user".
 * @module
 */
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { compileMonitors, type TrainCreate } from 'modelmaker';
import type { S3AccessProvider } from 'modelmaker/storage';
import { defer, EMPTY, map, type Observable, tap } from 'rxjs';
import type { GitCloneOptions } from '../runner/gitClone.js';
import type { RunEvent } from '../runner/types.js';
import { storedTrainCreate } from '../server/handlers/training.js';
import type { RunRecorder } from '../store/recorder.js';
import type { Store } from '../store/store.js';
import { isTerminalTrainStatus } from '../store/training.js';
import { workDirOf } from './state.js';

/** The `reason` of versions ended by a graceful close. */
export const SHUTDOWN_REASON = 'platform shut down';

/** Starts a training run: the runner's signature (injectable for tests). */
export type RunTraining = (
  run: { versionId: number; body: TrainCreate; workDir: string },
  deps: { s3: S3AccessProvider; stop: AbortSignal; uploadStateDir?: string; git?: GitCloneOptions },
) => Observable<RunEvent>;

/** What {@link versionLauncher} works with. */
export interface LauncherDeps {
  readonly dataDir: string;
  readonly store: Store;
  readonly recorder: RunRecorder;
  readonly s3: S3AccessProvider;
  readonly run: RunTraining;
  /** How `gitInfo` repositories are cloned. */
  readonly git?: GitCloneOptions | undefined;
  /** True once the platform is closing. */
  readonly closing: () => boolean;
}

/** The scheduler's `launch`: the run of `versionId`, recorded; nothing for a version gone or already ended. */
export function versionLauncher(
  deps: LauncherDeps,
): (versionId: number, stop: AbortSignal) => Observable<RunEvent> {
  const uploadStateDir = join(deps.dataDir, 'run', 'uploads');
  return (versionId, stop) =>
    defer(() => {
      const version = deps.store.training.getVersion(versionId);
      if (!version || isTerminalTrainStatus(version.status)) return EMPTY;
      const body = storedTrainCreate(version);
      const monitors = compileMonitors(body.monitors ?? []);
      if (E.isRight(monitors)) deps.recorder.track(versionId, monitors.right);
      const run = { versionId, body, workDir: workDirOf(deps.dataDir, versionId) };
      const git = deps.git === undefined ? {} : { git: deps.git };
      return deps.run(run, { s3: deps.s3, stop, uploadStateDir, ...git }).pipe(
        // The runner sees a close as a stop; the version should say why it really stopped.
        map((event) =>
          deps.closing() &&
          event.kind === 'status' &&
          (event.status === 'STOPPING' || event.status === 'STOPPED')
            ? { ...event, reason: SHUTDOWN_REASON }
            : event,
        ),
        tap((event) => deps.recorder.record(versionId, event)),
      );
    });
}
