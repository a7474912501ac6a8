/**
 * From a `deploy` feed to the running service's `Predictor`, for composition.
 * @module
 */
import { filter, map, type OperatorFunction, pipe, throwIfEmpty } from 'rxjs';
import { ValidationError } from '../errors.js';
import type { DeployEvent, DeployRunningEvent } from './deploy.js';
import type { Predictor } from './predictor.js';

/**
 * Keeps the `running` event of a {@link DeployEvent} feed and emits its `Predictor`:
 * one value, once the service runs. `ServiceFailed` passes through as the error; a
 * feed that completes without the service running (`wait: false`) errors with a
 * `ValidationError` naming `wait`.
 *
 * ```
 * deploy:     created--status(DEPLOYING)--status(RUNNING)--running(p)|
 * deployed(): -----------------------------------------------p|
 * ```
 *
 * @example
 * ```ts
 * const predictor = await lastValueFrom(deploy(session, params, model).pipe(deployed()));
 * ```
 */
export function deployed(): OperatorFunction<DeployEvent, Predictor> {
  return pipe(
    filter((event): event is DeployRunningEvent => event.type === 'running'),
    map((event) => event.predictor),
    throwIfEmpty(
      () =>
        new ValidationError([
          {
            field: 'wait',
            message: 'the deploy feed ended before the service ran (was it made with wait: false?)',
          },
        ]),
    ),
  );
}
