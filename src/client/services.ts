/**
 * Row functions of online services. Each returns a cold Observable of one decoded
 * value; subscribing to `createService` deploys a service each time.
 * @module
 */
import type { Observable } from 'rxjs';
import type { Ack } from '../codecs/common.js';
import { endpoints } from '../codecs/endpoints.js';
import type {
  ServiceCreate,
  ServiceCreated,
  ServiceDetail,
  ServiceList,
  ServiceUpdate,
} from '../codecs/services.js';
import type { LogPage, LogQuery } from '../codecs/training.js';
import type { Caller, CallOptions } from './endpointCall.js';
import { checkedLogPages } from './logPages.js';
import { withHold } from './training.js';

/** `POST /v1/service`: deploys a service; emits `{ id }`. Not retried once sent (it creates). */
export function createService(
  session: Caller,
  body: ServiceCreate,
  options?: CallOptions,
): Observable<ServiceCreated> {
  return session.call(endpoints.createService, { body }, options);
}

/** `GET /v1/service`: `{ services }`. */
export function listServices(session: Caller, options?: CallOptions): Observable<ServiceList> {
  return session.call(endpoints.listServices, {}, options);
}

/** `GET /v1/service/{id}`: a service with its status and access address. */
export function getService(session: Caller, id: number, options?: CallOptions): Observable<ServiceDetail> {
  return session.call(endpoints.getService, { params: { id } }, options);
}

/** `POST /v1/service/{id}/start` with `{}` (idempotent). */
export function startService(session: Caller, id: number, options?: CallOptions): Observable<Ack> {
  return session.call(endpoints.startService, { params: { id }, body: {} }, options);
}

/** `POST /v1/service/{id}/stop` with `{}` (idempotent). */
export function stopService(session: Caller, id: number, options?: CallOptions): Observable<Ack> {
  return session.call(endpoints.stopService, { params: { id }, body: {} }, options);
}

/** `PUT /v1/service/{id}`: a new name and/or service models. */
export function updateService(
  session: Caller,
  id: number,
  body: ServiceUpdate,
  options?: CallOptions,
): Observable<Ack> {
  return session.call(endpoints.updateService, { params: { id }, body }, options);
}

/** `DELETE /v1/service/{id}`. */
export function deleteService(session: Caller, id: number, options?: CallOptions): Observable<Ack> {
  return session.call(endpoints.deleteService, { params: { id } }, options);
}

/**
 * Extension: `GET /v1/service/{id}/log?lastId=…[&wait=…&limit=…]`, the serving
 * processes' log; `wait` extends the timeouts as for training logs. Pages are checked
 * as for training logs (sorted by `id`; a cut page that cannot move the cursor fails).
 */
export function getServiceLog(
  session: Caller,
  id: number,
  query: LogQuery,
  options?: CallOptions,
): Observable<LogPage> {
  return session
    .call(endpoints.getServiceLog, { params: { id }, query }, withHold(query, options))
    .pipe(checkedLogPages(query, { method: 'GET', url: `/v1/service/${id}/log` }));
}
