/**
 * A service's log (the serving processes' output, extension `GET /v1/service/{id}/log`)
 * as a stream, with the training log's cursor machinery: `logs$` over an adapter that
 * reads service pages and says the log has ended once the service has.
 * @module
 */
import { map, type Observable, throwError } from 'rxjs';
import type { Caller } from '../client/endpointCall.js';
import { getService, getServiceLog } from '../client/services.js';
import { ValidationError } from '../errors.js';
import { POLL_READ } from './internal/pollRead.js';
import { type LogEvent, type LogsOptions, logs$ } from './logs.js';
import { type TrainingSource, toLogQuery } from './source.js';

/** Service statuses after which no serving process writes to the log until someone acts. */
const LOG_ENDED: ReadonlySet<string> = new Set(['STOPPED', 'FAILED']);

const sources = new WeakMap<Caller, TrainingSource>();

function unsupported(what: string): Observable<never> {
  return throwError(() => new ValidationError([{ field: 'source', message: `a service has no ${what}` }]));
}

/**
 * `session`'s services seen as a log source for `logs$`: `logPage(id, …)` reads
 * `GET /v1/service/{id}/log`, and `version(id)` reads the service and answers a
 * terminal status (`STOPPED`) once the service is STOPPED or FAILED, `RUNNING`
 * otherwise — the one fact `logs$` asks of it. Each read makes one attempt: `logs$`
 * retries it (see `poll`). The same session gives the same object.
 *
 * @example
 * ```ts
 * logs$(serviceLogSource(session), serviceId, { from: 0 }).pipe(lines())
 * ```
 */
export function serviceLogSource(session: Caller): TrainingSource {
  const known = sources.get(session);
  if (known !== undefined) return known;
  const source: TrainingSource = {
    version: (serviceId) =>
      getService(session, serviceId, POLL_READ).pipe(
        map((detail) => ({ status: LOG_ENDED.has(detail.status ?? '') ? 'STOPPED' : 'RUNNING' })),
      ),
    logPage: (serviceId, request) => getServiceLog(session, serviceId, toLogQuery(request), POLL_READ),
    performance: () => unsupported('performance monitor'),
    resources: () => unsupported('resource monitor'),
  };
  sources.set(session, source);
  return source;
}

/**
 * Follows the log of service `serviceId` from `options.from` (default 0): every line
 * once, in order, gaps reported, across retries and restarts — exactly as `logs$` does
 * for training. While the service is DEPLOYING, RUNNING or STOPPING the stream goes on
 * (unsubscribe to leave); once it is STOPPED or FAILED the remaining lines are drained
 * and the stream completes. Cold: each subscription has its own cursor.
 *
 * Fails like `logs$`; against a server without the extension, with `HttpError` 404.
 *
 * @example
 * ```ts
 * serviceLogs$(session, 3).pipe(lines()).subscribe((line) => console.log(line.content));
 * ```
 */
export function serviceLogs$(
  session: Caller,
  serviceId: number,
  options: LogsOptions = {},
): Observable<LogEvent> {
  return logs$(serviceLogSource(session), serviceId, options);
}
