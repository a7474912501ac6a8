/**
 * `deployService`: the seed's `deploy_predictor` as an Observable — create the service
 * and follow it to RUNNING, ending with the running service's id and detail. The API
 * layer's `deploy` adds a `Predictor` to that last event.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { concat, concatMap, defer, type Observable, of, switchMap, throwError } from 'rxjs';
import { createService } from '../client/services.js';
import type { Session } from '../client/session.js';
import { type DeployParams, toServiceCreate } from '../codecs/params/deploy.js';
import { SERVICE_WIRE_NAMES } from '../codecs/params/wireNames.js';
import type { ServiceDetail, ServiceStatus } from '../codecs/services.js';
import type { RegisteredModel } from './createModel.js';
import { ServiceFailed } from './failures.js';
import { seedTermsOnError } from './internal/seedTerms.js';
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

/**
 * The service is RUNNING: the last event, with the detail read with that status (its
 * `accessAddress` is where predictions go). Plain data: the API layer's `deploy` adds
 * a `Predictor` on it.
 */
export interface ServiceRunningEvent {
  readonly type: 'running';
  readonly serviceId: number;
  readonly detail: ServiceDetail;
}

/** What {@link deployService} emits. Switch on `type`. */
export type ServiceDeployEvent = DeployCreatedEvent | DeployStatusEvent | ServiceRunningEvent;

/** What {@link deployService} needs of a session: the API calls and the logger. */
export type DeploySession = Pick<Session, 'call' | 'logger'>;

/** Options of {@link deployService}, beside the polling engine's (which pace the status reads). */
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
 * created status(DEPLOYING) … status(RUNNING) running(serviceId, detail)|
 * ```
 *
 * A service that settles in FAILED (or STOPPED) instead errors the feed with
 * `ServiceFailed` (its `reason`) after the status event. A server whose service
 * detail has no `status` cannot be followed: `running` is emitted after the first
 * read, as the seed's SDK would return its predictor.
 *
 * This is the streams layer's deploy: its events are plain data (the CLI prints them
 * as JSON). For a `Predictor` at the end, use the API layer's `deploy` / `toService`
 * and `deployed()`.
 *
 * Cold: **each subscription creates a service** (share it to watch and compose on the
 * same one). Unsubscribing stops the polls; the service stays.
 *
 * Fails with `ValidationError` (also the platform's refusal, `name` told as
 * `serviceName`), `ServiceFailed`, and the calls' errors.
 *
 * @example
 * ```ts
 * deployService(session, { serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }] }, model)
 *   .subscribe((event) => event.type === 'running' && console.log(event.detail.accessAddress));
 * ```
 */
export function deployService(
  session: DeploySession,
  params: DeployParams,
  model?: RegisteredModel,
  options: DeployOptions = {},
): Observable<ServiceDeployEvent> {
  return defer(() => {
    const body = toServiceCreate(params, model === undefined ? {} : { modelVersionId: model.versionId });
    if (E.isLeft(body)) return throwError(() => body.left);
    return createService(session, body.right).pipe(
      seedTermsOnError(SERVICE_WIRE_NAMES),
      switchMap(({ id }) => {
        session.logger.info(`service ${body.right.name}: ${id} created`);
        const created = of<ServiceDeployEvent>({ type: 'created', serviceId: id });
        return options.wait === false ? created : concat(created, follow(session, id, options));
      }),
    );
  });
}

function follow(
  session: DeploySession,
  serviceId: number,
  options: PollOptions,
): Observable<ServiceDeployEvent> {
  return serviceStatus$(session, serviceId, options).pipe(
    concatMap((change): Observable<ServiceDeployEvent> => {
      const event = of<ServiceDeployEvent>({ type: 'status', status: change.status, detail: change.detail });
      if (!change.final) return event;
      if (change.status === 'RUNNING' || change.status === undefined) {
        if (change.status === undefined) {
          session.logger.warn(`service ${serviceId} reports no status: not waiting for it to run`);
        }
        const running: ServiceRunningEvent = { type: 'running', serviceId, detail: change.detail };
        return concat(event, of(running));
      }
      return concat(
        event,
        throwError(() => new ServiceFailed(serviceId, change.detail)),
      );
    }),
  );
}
