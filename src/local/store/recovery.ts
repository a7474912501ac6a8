/**
 * What a start after a crash does to versions the dead process left running:
 * none of their processes survived it (or they are killed by the runner's
 * guard), so each is ended with a reason a user can read.
 * @module
 */
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
