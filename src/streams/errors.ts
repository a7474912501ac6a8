/**
 * Errors the streams add to the core's tagged errors.
 * @module
 */
import { type ErrorFields, ModelMakerError } from '../errors.js';

/**
 * Log lines `from`..`to` (inclusive) are missing: the server no longer has them
 * (rotated, truncated) or never sent them. `logs$` reports this as a `gap`
 * event; `lines()` turns the event into this error unless told to skip gaps.
 */
export class LogGapError extends ModelMakerError {
  readonly _tag = 'LogGapError' as const;
  override readonly name = 'LogGapError';
  constructor(
    /** First missing id. */
    readonly from: number,
    /** Last missing id. */
    readonly to: number,
    fields: ErrorFields = {},
  ) {
    super(`log lines ${from}..${to} are missing`, { reason: 'gap', ...fields });
  }
}

/**
 * A model was to be made from training version `versionId`, which has not finished:
 * its `status` is not `FINISH` (still running, failed or stopped). Nothing was
 * registered.
 *
 * @example
 * ```ts
 * Estimator.attach(session, 12).createModel({ modelVersion: '1.0.0' }).pipe(catchError((e) =>
 *   hasTag(e, 'TrainingNotFinished') ? throwError(() => new Error(`wait for ${e.versionId}: ${e.status}`)) : throwError(() => e)))
 * ```
 */
export class TrainingNotFinished extends ModelMakerError {
  readonly _tag = 'TrainingNotFinished' as const;
  override readonly name = 'TrainingNotFinished';
  constructor(
    readonly versionId: number,
    /** The status the server reported. */
    readonly status: string,
    fields: ErrorFields = {},
  ) {
    super(`training version ${versionId} is ${status}, not FINISH: a model is made from a finished version`, {
      reason: 'not-finished',
      ...fields,
    });
  }
}
