/**
 * Subsystem 4, training: the change hub that wakes log long polls, the recorder
 * that stores what runs report, and the scheduler that starts runs (through the
 * runner, `runner.ts`) as capacity allows. A run that ends has its work dir removed.
 *
 * Closing stops the running versions gracefully (STOPPED, reason "platform shut
 * down"; killed after the grace time), marks the waiting ones STOPPED, waits for
 * the work dirs to be removed, and flushes the recorder.
 * @module
 */
import { rm } from 'node:fs/promises';
import type { S3AccessProvider } from 'modelmaker/storage';
import { DEFAULT_LOCAL_CLOSE_GRACE_MS } from '../defaults.js';
import type { PlatformHealth } from '../health.js';
import type { GitCloneOptions } from '../runner/gitClone.js';
import { type Capacity, Scheduler } from '../scheduler.js';
import { ChangeHub } from '../server/changeHub.js';
import { RunRecorder } from '../store/recorder.js';
import type { Store } from '../store/store.js';
import { isTerminalTrainStatus } from '../store/training.js';
import { type RunTraining, SHUTDOWN_REASON, versionLauncher } from './runner.js';
import type { Closable } from './stack.js';
import { workDirOf } from './state.js';

/**
 * Attempts at removing a run's work dir when files still appear in it (ENOTEMPTY):
 * a run stopped during a download ends at once, while the cancelled download's last
 * file-system calls may still land; Node's `rm` retries with a linear back-off.
 */
const WORK_DIR_REMOVE_RETRIES = 5;

/** Options of {@link openTraining}. */
export interface TrainingSettings {
  readonly dataDir: string;
  readonly store: Store;
  readonly s3: S3AccessProvider;
  readonly run: RunTraining;
  /** How `gitInfo` repositories are cloned. */
  readonly git?: GitCloneOptions | undefined;
  readonly capacity?: Capacity | undefined;
  /** Time runs get to stop on close, in ms. Default {@link DEFAULT_LOCAL_CLOSE_GRACE_MS}. */
  readonly closeGraceMs?: number | undefined;
  readonly onError: (error: unknown) => void;
  /** Where a version that cannot be recorded (a full disk) is reported, and cleared by the next write that succeeds. */
  readonly health: PlatformHealth;
}

/** The training subsystem. */
export interface OpenedTraining extends Closable {
  /** Woken when a version stores lines or changes status. */
  readonly hub: ChangeHub;
  readonly recorder: RunRecorder;
  readonly scheduler: Scheduler;
}

/** Opens the training subsystem (see the module doc). */
export function openTraining(settings: TrainingSettings): OpenedTraining {
  const { store, dataDir, onError } = settings;
  const hub = new ChangeHub();
  const recorder = new RunRecorder(store, {
    onStored: (ids) => hub.notify(ids),
    // The version could not be recorded (a full disk): it has failed, its run stops, the platform goes on.
    onFault: (versionId, reason) => {
      settings.health.fault('database', reason);
      scheduler.stop(versionId);
    },
    onRecovered: () => settings.health.recover('database'),
  });
  let closing = false;
  const removals = new Set<Promise<void>>();

  const removeWorkDir = (versionId: number) => {
    // The output is in S3 and the lines in the store: the work dir has served its purpose.
    const removal = rm(workDirOf(dataDir, versionId), {
      recursive: true,
      force: true,
      maxRetries: WORK_DIR_REMOVE_RETRIES,
    }).catch(onError);
    removals.add(removal);
    removal.finally(() => removals.delete(removal));
  };

  const scheduler = new Scheduler({
    capacity: settings.capacity,
    launch: versionLauncher({
      dataDir,
      store,
      recorder,
      s3: settings.s3,
      run: settings.run,
      git: settings.git,
      closing: () => closing,
    }),
    onRunError: (versionId, error) => {
      onError(error);
      recorder.status(versionId, 'TRAINING_FAIL', {
        reason: `runner failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    },
    onRunEnd: (versionId) => {
      const version = store.training.getVersion(versionId);
      if (version && !isTerminalTrainStatus(version.status)) {
        if (closing) recorder.status(versionId, 'STOPPED', { reason: SHUTDOWN_REASON });
        else recorder.status(versionId, 'TRAINING_FAIL', { reason: 'the run ended without a final status' });
      }
      removeWorkDir(versionId);
    },
  });

  return {
    hub,
    recorder,
    scheduler,
    async close() {
      closing = true;
      try {
        const dropped = await scheduler.close(settings.closeGraceMs ?? DEFAULT_LOCAL_CLOSE_GRACE_MS);
        for (const versionId of dropped) recorder.status(versionId, 'STOPPED', { reason: SHUTDOWN_REASON });
        await Promise.all(removals);
      } finally {
        recorder.close();
      }
    },
  };
}
