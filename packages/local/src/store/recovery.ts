/**
 * What a start after a crash does to versions the dead process left running:
 * none of their processes survived it (or they are killed by the runner's
 * guard), so each is ended with a reason a user can read. Versions still waiting
 * in the queue had nothing to lose: they are queued again, in order. Services are the
 * other way round: one that was RUNNING (or DEPLOYING) when the platform
 * stopped, for whatever reason, is deployed again.
 * @module
 */
import { LIVE_SERVICE_STATUSES, type ServiceRecord, type ServiceStore } from './services.js';
import type { TrainingStore, VersionRecord } from './training.js';

/** The `reason` of a version that was running when the platform died. */
export const RESTARTED_REASON = 'platform restarted while running';

/** What a start found unfinished. */
export interface RecoveredVersions {
  /** Versions that had started (or were stopping): ended, as they were before. */
  readonly ended: VersionRecord[];
  /** Versions still queued (STARTING, never admitted): left STARTING, to be queued again in this order. */
  readonly queued: VersionRecord[];
}

/**
 * True for a version that never started: still STARTING, never admitted by the scheduler.
 * The runner reports DOWNLOAD_DATA, synchronously written, before any work of a run, so a
 * version without a start time has no process, no download and no work dir.
 */
export function isQueued(version: VersionRecord): boolean {
  return version.status === 'STARTING' && version.startedAt === undefined;
}

/**
 * Ends every unfinished version that had started: STOPPING → STOPPED, anything else
 * (DOWNLOAD_DATA, TRAINING, unknown) → TRAINING_FAIL, each with {@link RESTARTED_REASON}.
 * Versions still queued ({@link isQueued}) are left STARTING and returned in
 * submission order: queued work survives a restart and runs.
 */
export function recoverUnfinishedVersions(training: TrainingStore, now = Date.now()): RecoveredVersions {
  const ended: VersionRecord[] = [];
  const queued: VersionRecord[] = [];
  for (const version of training.unfinished()) {
    if (isQueued(version)) {
      queued.push(version);
      continue;
    }
    training.setStatus(version.id, {
      status: version.status === 'STOPPING' ? 'STOPPED' : 'TRAINING_FAIL',
      time: now,
      reason: RESTARTED_REASON,
    });
    ended.push(version);
  }
  return { ended, queued };
}

/**
 * Finds the services to deploy again after a start: those RUNNING or DEPLOYING
 * (returned, oldest first); a service left STOPPING becomes STOPPED.
 */
export function recoverServices(services: ServiceStore, now = Date.now()): ServiceRecord[] {
  const resume: ServiceRecord[] = [];
  for (const service of services.list()) {
    if (LIVE_SERVICE_STATUSES.has(service.status)) resume.push(service);
    else if (service.status === 'STOPPING') services.setStatus(service.id, 'STOPPED', undefined, now);
  }
  return resume;
}
