/**
 * How a followed job or service ends badly: `TrainingFailed` for a training version
 * that ends in a status other than `FINISH`, `ServiceFailed` for a service that
 * settles in `FAILED` (or `STOPPED`) while it was being brought up.
 * @module
 */
import { seedReason, TRAIN_WIRE_NAMES } from '../codecs/params/wireNames.js';
import type { ServiceDetail } from '../codecs/services.js';
import type { LogLine, TrainVersionDetail } from '../codecs/training.js';
import { ModelMakerError } from '../errors.js';
import { programError } from './programError.js';

/** What a {@link TrainingFailed} carries. */
export interface TrainingFailure {
  readonly jobId: number;
  readonly versionId: number;
  /** The version's detail read with its final status (`reason`, `exitCode`, times…). */
  readonly detail: TrainVersionDetail;
  /** The job's last log lines, oldest first (at most the ring buffer's size; empty when logs were not followed). */
  readonly lastLines: readonly LogLine[];
}

/**
 * A training version ended in `STARTING_FAIL`, `TRAINING_FAIL` or `STOPPED`. `reason`
 * is the server's (or the status in lower case when it sent none); the message names
 * a wire field the reason starts with as the parameter it came from (`dataUrl: nothing
 * found at …` → `inputs: nothing found at …`, see `wireNames.ts`); `programError` is
 * the program's own error found in the last log lines (see `programError`), and the
 * message ends with it:
 *
 * ```
 * training version 12 ended TRAINING_FAIL: instance 0 exited with code 1; the program's error: Error: boom
 * ```
 *
 * @example
 * ```ts
 * fit(session, params).pipe(catchError((e) => {
 *   if (hasTag(e, 'TrainingFailed')) for (const line of e.lastLines) console.error(line.content);
 *   return EMPTY;
 * }))
 * ```
 */
export class TrainingFailed extends ModelMakerError {
  readonly _tag = 'TrainingFailed' as const;
  override readonly name = 'TrainingFailed';
  readonly jobId: number;
  readonly versionId: number;
  /** The final status. */
  readonly status: string;
  /** The training process's exit code, when the server sends it. */
  readonly exitCode: number | undefined;
  readonly detail: TrainVersionDetail;
  readonly lastLines: readonly LogLine[];
  /** The program's own error from the last lines (`Error: boom`, `ValueError: bad label`), when one is there. */
  readonly programError: string | undefined;

  constructor(failure: TrainingFailure) {
    const { detail } = failure;
    const reason = detail.reason ?? detail.status.toLowerCase();
    // a stop or a start that failed says nothing of the program's own
    const said = detail.status === 'TRAINING_FAIL' ? programError(failure.lastLines) : undefined;
    // the platform's reason often says the exit code already ("exited with code 1")
    const exit =
      detail.exitCode === undefined || reason.includes(`code ${detail.exitCode}`)
        ? ''
        : ` (exit code ${detail.exitCode})`;
    super(
      `training version ${failure.versionId} ended ${detail.status}: ${seedReason(reason, TRAIN_WIRE_NAMES)}${exit}` +
        (said === undefined ? '' : `; the program's error: ${said}`),
      { reason },
    );
    this.programError = said;
    this.jobId = failure.jobId;
    this.versionId = failure.versionId;
    this.status = detail.status;
    this.exitCode = detail.exitCode;
    this.detail = detail;
    this.lastLines = failure.lastLines;
  }
}

/**
 * A service settled in a status other than the one awaited: `FAILED` (its `reason`
 * says why), or `STOPPED` while it was being deployed.
 *
 * @example
 * ```ts
 * deploy(session, params, model).pipe(deployed(), catchError((e) =>
 *   hasTag(e, 'ServiceFailed') ? throwError(() => new Error(`deploy failed: ${e.reason}`)) : throwError(() => e)))
 * ```
 */
export class ServiceFailed extends ModelMakerError {
  readonly _tag = 'ServiceFailed' as const;
  override readonly name = 'ServiceFailed';
  /** The status it settled in. */
  readonly status: string;

  constructor(
    readonly serviceId: number,
    readonly detail: ServiceDetail,
  ) {
    const status = detail.status ?? 'UNKNOWN';
    const reason = detail.reason ?? status.toLowerCase();
    super(`service ${serviceId} is ${status}: ${reason}`, { reason });
    this.status = status;
  }
}
