/**
 * `deploy`: the seed's `deploy_predictor` as an Observable — create the service and
 * follow it to RUNNING, ending with a `Predictor` on it.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { concat, concatMap, defer, type Observable, of, switchMap, throwError } from 'rxjs';
import { Predictor, type PredictorSession } from '../api/predictor.js';
import { createService } from '../client/services.js';
import { type DeployParams, toServiceCreate } from '../codecs/params/deploy.js';
import type { ServiceDetail, ServiceStatus } from '../codecs/services.js';
import type { RegisteredModel } from './createModel.js';
import { ServiceFailed } from './failures.js';
import type { PollOptions } from './poll.js';
import { serviceStatus$ } from './serviceStatus.js';

/** The service exists: from here on it is deploying on the platform. */
export interface DeployCreatedEvent {
  readonly type: 'created';
  readonly serviceId: number;
}

/** The service's status changed (each distinct status once). */
export interface DeployStatusEvent {
  readonly type: 'status';
  /** `undefined` when the server's detail carries no status (then `running` follows at once). */
  readonly status: ServiceStatus | undefined;
  readonly detail: ServiceDetail;
}

/** The service is RUNNING: the last event, with a handle to predict through. */
export interface DeployRunningEvent {
  readonly type: 'running';
  readonly predictor: Predictor;
}

/** What {@link deploy} emits. Switch on `type`. */
export type DeployEvent = DeployCreatedEvent | DeployStatusEvent | DeployRunningEvent;

/** Options of {@link deploy}, beside the polling engine's (which pace the status reads). */
export interface DeployOptions extends PollOptions {
  /** Follow the service to RUNNING. Default true; false emits `created` and completes. */
  readonly wait?: boolean | undefined;
}

/**
 * Deploys: validates `params` (the seed's `deploy_predictor` arguments; each
 * `serviceModels[i].modelVersionId` left out is `model.versionId`) — a
 * `ValidationError` before any request —, creates the service, and follows it:
 *
 * ```
 * created status(DEPLOYING) … status(RUNNING) running(predictor)|
 * ```
 *
 * A service that settles in FAILED (or STOPPED) instead errors the feed with
 * `ServiceFailed` (its `reason`) after the status event. A server whose service
 * detail has no `status` cannot be followed: `running` is emitted after the first
 * read, as the seed's SDK would return its predictor.
 *
 * Cold: **each subscription creates a service** (share it to watch and compose on the
 * same one). Unsubscribing stops the polls; the service stays.
 *
 * Fails with `ValidationError`, `ServiceFailed`, and the calls' errors.
 *
 * @example
 * ```ts
 * deploy(session, { serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }] }, model)
 *   .pipe(deployed())
 *   .subscribe((predictor) => predictor.predict({ instances: [[5.1, 3.5, 1.4, 0.2]] }).subscribe(console.log));
 * ```
 */
export function deploy(
  session: PredictorSession,
  params: DeployParams,
  model?: RegisteredModel,
  options: DeployOptions = {},
): Observable<DeployEvent> {
  return defer(() => {
    const body = toServiceCreate(params, model === undefined ? {} : { modelVersionId: model.versionId });
    if (E.isLeft(body)) return throwError(() => body.left);
    return createService(session, body.right).pipe(
      switchMap(({ id }) => {
        session.logger.info(`service ${body.right.name}: ${id} created`);
        const created = of<DeployEvent>({ type: 'created', serviceId: id });
        return options.wait === false ? created : concat(created, follow(session, id, options));
      }),
    );
  });
}

function follow(session: PredictorSession, serviceId: number, options: PollOptions): Observable<DeployEvent> {
  return serviceStatus$(session, serviceId, options).pipe(
    concatMap((change): Observable<DeployEvent> => {
      const event = of<DeployEvent>({ type: 'status', status: change.status, detail: change.detail });
      if (!change.final) return event;
      if (change.status === 'RUNNING' || change.status === undefined) {
        if (change.status === undefined) {
          session.logger.warn(`service ${serviceId} reports no status: not waiting for it to run`);
        }
        const running: DeployEvent = {
          type: 'running',
          predictor: new Predictor(session, serviceId, change.detail),
        };
        return concat(event, of(running));
      }
      return concat(
        event,
        throwError(() => new ServiceFailed(serviceId, change.detail)),
      );
    }),
  );
}

/**
 * {@link deploy} curried for pipelines: `switchMap(toService(session, params))`
 * deploys each registered model.
 *
 * @example
 * ```ts
 * model$.pipe(switchMap(toService(session, { serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }] })), deployed())
 * ```
 */
export function toService(
  session: PredictorSession,
  params: DeployParams,
  options?: DeployOptions,
): (model: RegisteredModel) => Observable<DeployEvent> {
  return (model) => deploy(session, params, model, options);
}
