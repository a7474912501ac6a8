/**
 * From a `fit` feed to the finished job, for composition.
 * @module
 */
import { filter, map, type OperatorFunction, pipe, throwIfEmpty } from 'rxjs';
import { ValidationError } from '../errors.js';
import type { FitCompletedEvent, FitEvent, TrainedJob } from './fit.js';

/**
 * Keeps the `completed` event of a {@link FitEvent} feed and emits its
 * {@link TrainedJob}: one value, when the job has finished and its streams are
 * drained. A failed job's `TrainingFailed` passes through as the error. A feed that
 * completes without finishing a job (`wait: false`) errors with a `ValidationError`
 * naming `wait`, rather than completing empty.
 *
 * ```
 * fit:       created--status--log--log--status(FINISH)--completed(job)|
 * trained(): ---------------------------------------------job|
 * ```
 *
 * @example
 * ```ts
 * fit(session, params).pipe(trained(), switchMap(toModel(session, { modelVersion: '1.0.0' })))
 * ```
 */
export function trained(): OperatorFunction<FitEvent, TrainedJob> {
  return pipe(
    filter((event): event is FitCompletedEvent => event.type === 'completed'),
    map((event) => event.job),
    throwIfEmpty(
      () =>
        new ValidationError([
          {
            field: 'wait',
            message: 'the fit feed ended before the job finished (was it made with wait: false?)',
          },
        ]),
    ),
  );
}
