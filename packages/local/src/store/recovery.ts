/**
 * What a start after a crash does to versions the dead process left running:
 * none of their processes survived it (or they are killed by the runner's
 * guard), so each is ended with a reason a user can read. Services are the
 * other way round: one that was RUNNING (or DEPLOYING) when the platform
 * stopped, for whatever reason, is deployed again.
 * @module
 */
import { LIVE_SERVICE_STATUSES, type ServiceRecord, type ServiceStore } from './services.js';
import type { TrainingStore, VersionRecord } from './training.js';

/** The `reason` of a version that was running when the platform died. */
export const RESTARTED_REASON = 'platform restarted while running';

/**
 * Ends every unfinished version: STOPPING → STOPPED, anything else (STARTING,
 * DOWNLOAD_DATA, TRAINING, unknown) → TRAINING_FAIL, each with
 * {@link RESTARTED_REASON}. Returns the versions it changed, as they were.
 */
export function recoverUnfinishedVersions(training: TrainingStore, now = Date.now()): VersionRecord[] {
  const unfinished = training.unfinished();
  for (const version of unfinished) {
    training.setStatus(version.id, {
      status: version.status === 'STOPPING' ? 'STOPPED' : 'TRAINING_FAIL',
      time: now,
      reason: RESTARTED_REASON,
    });
  }
  return unfinished;
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
