/**
 * `Predictor`: a handle on one online service — the seed's `Predictor(session,
 * service_id)` — whose every operation is an Observable.
 * @module
 */
import { catchError, defer, last, map, type Observable, of, switchMap, tap, throwError } from 'rxjs';
import type { CallOptions } from '../client/endpointCall.js';
import { type PredictOptions, predict } from '../client/predict.js';
import {
  deleteService,
  getService,
  listServices,
  startService,
  stopService,
  updateService,
} from '../client/services.js';
import type { Session } from '../client/session.js';
import type { Ack } from '../codecs/common.js';
import type { ServiceDetail, ServiceList, ServiceStatus, ServiceUpdate } from '../codecs/services.js';
import { DecodeError, hasTag } from '../errors.js';
import { ServiceFailed } from '../streams/failures.js';
import type { LogEvent, LogsOptions } from '../streams/logs.js';
import type { PollOptions } from '../streams/poll.js';
import { serviceLogs$ } from '../streams/serviceLogs.js';
import { serviceStatus$ } from '../streams/serviceStatus.js';

/** What a `Predictor` needs of a session: the API calls, requests to the access address, the logger. */
export type PredictorSession = Pick<Session, 'call' | 'requestAt' | 'logger'>;

/**
 * A handle on service `serviceId`. Construction does no I/O; each method returns a
 * cold Observable that does its work on subscription (one request, unless said
 * otherwise) and aborts it on unsubscription.
 *
 * The service's `accessAddress` is read once (from the detail given to the
 * constructor, or on the first `predict`) and kept; `info()` and `waitUntil()`
 * refresh it, and `start`, `stop`, `update`, `delete` and a refused connection forget
 * it, so the next prediction reads it again.
 *
 * @example
 * ```ts
 * const predictor = new Predictor(session, 1000);
 * predictor.predict({ instances: [[5.1, 3.5, 1.4, 0.2]] }).subscribe((answer) => console.log(answer));
 * predictor.logs$().pipe(lines()).subscribe((line) => console.log(line.content));
 * ```
 */
export class Predictor {
  readonly #session: PredictorSession;
  #detail: ServiceDetail | undefined;

  /** `detail`, when known (e.g. from `deploy`), spares the first prediction a read of the service. */
  constructor(
    session: PredictorSession,
    readonly serviceId: number,
    detail?: ServiceDetail,
  ) {
    this.#session = session;
    this.#detail = detail;
  }

  /** The service detail last read (`undefined` before any), without a request. */
  get detail(): ServiceDetail | undefined {
    return this.#detail;
  }

  /** `GET /v1/service/{id}`: the service's status, access address, models and instances. */
  info(options?: CallOptions): Observable<ServiceDetail> {
    return getService(this.#session, this.serviceId, options).pipe(tap((detail) => this.#remember(detail)));
  }

  /**
   * `GET /v1/service`: every service of the account, not only this one (the seed's
   * `info_list()`). One request; changes nothing this handle remembers.
   *
   * Fails with `ApiError`, `HttpError`, `NetworkError`, `TimeoutError`, `AuthError`,
   * `DecodeError`.
   *
   * @example
   * ```ts
   * predictor.infoList().pipe(map(({ services }) => services.find((s) => s.id === predictor.serviceId)?.status))
   * ```
   */
  infoList(options?: CallOptions): Observable<ServiceList> {
    return listServices(this.#session, options);
  }

  /** `POST /v1/service/{id}/start`. Follow with `waitUntil('RUNNING')` to wait for it. */
  start(options?: CallOptions): Observable<Ack> {
    return startService(this.#session, this.serviceId, options).pipe(tap(() => this.#forget()));
  }

  /** `POST /v1/service/{id}/stop`. Follow with `waitUntil('STOPPED')` to wait for it. */
  stop(options?: CallOptions): Observable<Ack> {
    return stopService(this.#session, this.serviceId, options).pipe(tap(() => this.#forget()));
  }

  /** `DELETE /v1/service/{id}`: stops the service's instances and removes it. */
  delete(options?: CallOptions): Observable<Ack> {
    return deleteService(this.#session, this.serviceId, options).pipe(tap(() => this.#forget()));
  }

  /** `PUT /v1/service/{id}`: a new name and/or service models (weights, instance counts). */
  update(body: ServiceUpdate, options?: CallOptions): Observable<Ack> {
    return updateService(this.#session, this.serviceId, body, options).pipe(tap(() => this.#forget()));
  }

  /**
   * `POST {accessAddress}/ModelMaker/predict` with `body` as JSON; emits the JSON
   * answer. Reads the service first when its access address is not known. Sent once
   * (resent only when the connection was refused before anything was sent), within
   * the session's deadline. See the client's `predict`.
   *
   * Fails with `DecodeError` (the service has no `accessAddress`), `HttpError` (e.g.
   * 503 while no instance is ready), `ApiError`, `NetworkError`, `TimeoutError`.
   */
  predict(body: unknown, options?: PredictOptions): Observable<unknown> {
    return defer(() => {
      const known = this.#detail?.accessAddress;
      const address$ =
        known !== undefined ? of(known) : this.info().pipe(map((detail) => this.#addressOf(detail)));
      return address$.pipe(
        switchMap((address) => predict(this.#session, address, body, options)),
        catchError((error: unknown) => {
          if (hasTag(error, 'NetworkError') && error.reason === 'connect') this.#forget();
          return throwError(() => error);
        }),
      );
    });
  }

  /**
   * The service's log (extension), from line `from` (default 0): every line once, in
   * order; goes on while the service runs and completes once it is STOPPED or FAILED
   * and the log is drained. See `serviceLogs$`.
   */
  logs$(from?: number, options: LogsOptions = {}): Observable<LogEvent> {
    return serviceLogs$(this.#session, this.serviceId, from === undefined ? options : { ...options, from });
  }

  /**
   * Polls the service until its status is `status` and emits that detail. Errors with
   * `ServiceFailed` when the service is FAILED instead (unless FAILED is what is
   * awaited), and with a `DecodeError` when the server reports no status at all.
   * Unsubscribe (or pipe `timeout`) to stop waiting.
   *
   * @example
   * ```ts
   * predictor.stop().pipe(switchMap(() => predictor.waitUntil('STOPPED')))
   * ```
   */
  waitUntil(status: ServiceStatus, options: PollOptions = {}): Observable<ServiceDetail> {
    return serviceStatus$(this.#session, this.serviceId, {
      ...options,
      until: (current) => current === status || current === 'FAILED',
    }).pipe(
      last(),
      map((change) => {
        this.#remember(change.detail);
        if (change.status === status) return change.detail;
        if (change.status === undefined) {
          throw new DecodeError([`status: expected the status of service ${this.serviceId}, got nothing`]);
        }
        throw new ServiceFailed(this.serviceId, change.detail);
      }),
    );
  }

  #addressOf(detail: ServiceDetail): string {
    if (detail.accessAddress === undefined || detail.accessAddress === '') {
      throw new DecodeError([
        `accessAddress: expected the address of service ${this.serviceId}, got nothing`,
      ]);
    }
    return detail.accessAddress;
  }

  #remember(detail: ServiceDetail): void {
    this.#detail = detail;
  }

  #forget(): void {
    this.#detail = undefined;
  }
}
