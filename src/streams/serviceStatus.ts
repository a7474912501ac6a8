/**
 * A service's status as a stream of changes, until a status the caller waits for.
 * @module
 */
import { map, type Observable } from 'rxjs';
import type { Caller } from '../client/endpointCall.js';
import { getService } from '../client/services.js';
import { isSettledServiceStatus, type ServiceDetail, type ServiceStatus } from '../codecs/services.js';
import { POLL_READ } from './internal/pollRead.js';
import { type PollOptions, type PollStep, poll } from './poll.js';

/** One status change of a service, with the detail it was read from. */
export interface ServiceStatusChange {
  /** The new status; `undefined` when the server's detail carries none (then it is the last change). */
  readonly status: ServiceStatus | undefined;
  /** True for the last value of the stream: a status `until` accepts, or none at all. */
  readonly final: boolean;
  readonly detail: ServiceDetail;
}

/** Options of {@link serviceStatus$}, beside the polling engine's. */
export interface ServiceStatusOptions extends PollOptions {
  /** The statuses to stop at (emitted, then complete). Default `isSettledServiceStatus`: RUNNING, STOPPED, FAILED. */
  readonly until?: ((status: ServiceStatus) => boolean) | undefined;
}

const FIRST = Symbol('first read');

/**
 * Emits each distinct status of service `serviceId`, and completes after the first
 * one `until` accepts (emitted). A status the contract does not name is emitted and
 * waited past. A detail without `status` (a server without that extension) cannot be
 * followed: it is emitted as `status: undefined`, `final: true`, and the stream
 * completes. Polls at the floor while the status changes, backing off while it stays;
 * transient failures are retried by the poll alone (each read makes one attempt, see
 * `poll`). Cold; unsubscribing stops polling.
 *
 * ```
 * server:          DEPLOYING  DEPLOYING  DEPLOYING  RUNNING
 * serviceStatus$:  D--------------------------------R|
 * ```
 *
 * Fails like `poll`: with the last error when giving up, at once with a non-transient one.
 *
 * @example
 * ```ts
 * serviceStatus$(session, 3, { until: (s) => s === 'STOPPED' }).subscribe((c) => console.log(c.status));
 * ```
 */
export function serviceStatus$(
  session: Caller,
  serviceId: number,
  options: ServiceStatusOptions = {},
): Observable<ServiceStatusChange> {
  const until = options.until ?? isSettledServiceStatus;
  return poll<string | typeof FIRST, ServiceStatusChange>(
    FIRST,
    (last) =>
      getService(session, serviceId, POLL_READ).pipe(
        map((detail): PollStep<string | typeof FIRST, ServiceStatusChange> => {
          const status = detail.status;
          if (status === undefined)
            return { state: last, emit: [{ status, final: true, detail }], pace: 'done' };
          if (status === last) return { state: last, pace: 'idle' };
          const final = until(status);
          return { state: status, emit: [{ status, final, detail }], pace: final ? 'done' : 'progress' };
        }),
      ),
    options,
  );
}
