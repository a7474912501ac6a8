/**
 * How a followed job or service ends badly: `TrainingFailed` for a training version
 * that ends in a status other than `FINISH`, `ServiceFailed` for a service that
 * settles in `FAILED` (or `STOPPED`) while it was being brought up.
 * @module
 */
import type { ServiceDetail } from '../codecs/services.js';
import type { LogLine, TrainVersionDetail } from '../codecs/training.js';
import { ModelMakerError } from '../errors.js';

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
 * is the server's (or the status in lower case when it sent none); the message ends
 * with the last log line, where the traceback usually is.
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

  constructor(failure: TrainingFailure) {
    const { detail } = failure;
    const reason = detail.reason ?? detail.status.toLowerCase();
    const last = failure.lastLines[failure.lastLines.length - 1];
    super(
      `training version ${failure.versionId} ended ${detail.status}: ${reason}` +
        (detail.exitCode === undefined ? '' : ` (exit code ${detail.exitCode})`) +
        (last === undefined ? '' : `; last log line: ${last.content}`),
      { reason },
    );
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
