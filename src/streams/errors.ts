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
