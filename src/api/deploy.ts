/**
 * `deploy` and `toService`: the seed's `deploy_predictor` as an Observable whose last
 * event carries a `Predictor` on the running service. The streams layer's
 * `deployService` does the work; this layer only builds the handle, so the layers
 * stay one-way (api → streams).
 * @module
 */
import { map, type Observable } from 'rxjs';
import type { DeployParams } from '../codecs/params/deploy.js';
import type { RegisteredModel } from '../streams/createModel.js';
import {
  type DeployCreatedEvent,
  type DeployOptions,
  type DeployStatusEvent,
  deployService,
  type ServiceRunningEvent,
} from '../streams/deploy.js';
import { Predictor, type PredictorSession } from './predictor.js';

/** The service is RUNNING: the last event, with its id, its detail and a handle to predict through. */
export interface DeployRunningEvent extends ServiceRunningEvent {
  readonly predictor: Predictor;
}

/** What {@link deploy} emits. Switch on `type`. */
export type DeployEvent = DeployCreatedEvent | DeployStatusEvent | DeployRunningEvent;

/**
 * Deploys: validates `params` (the seed's `deploy_predictor` arguments; each
 * `serviceModels[i].modelVersionId` left out is `model.versionId`) — a
 * `ValidationError` before any request —, creates the service, and follows it:
 *
 * ```
 * created status(DEPLOYING) … status(RUNNING) running(predictor)|
 * ```
 *
 * The events are `deployService`'s, the `running` one with a `Predictor` on the
 * service (built with the detail read with RUNNING, so the first prediction needs no
 * read). A service that settles in FAILED (or STOPPED) errors the feed with
 * `ServiceFailed` after its status event.
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
  options?: DeployOptions,
): Observable<DeployEvent> {
  return deployService(session, params, model, options).pipe(
    map(
      (event): DeployEvent =>
        event.type === 'running'
          ? { ...event, predictor: new Predictor(session, event.serviceId, event.detail) }
          : event,
    ),
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
