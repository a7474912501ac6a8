/**
 * The live feed of one service, as the service page reads it: its detail
 * (status, models, instances) and its log (resumable).
 * @module
 */
import { type Caller, getService, type LogEvent, type PollOptions, serviceLogs$ } from 'modelmaker';
import { catchError, concat, defer, map, merge, type Observable, of, repeat, tap, timer } from 'rxjs';
import { DEFAULT_FEED_CEILING_MS } from '../defaults.js';
import { describeFailure } from '../failure.js';
import { mask } from '../mask.js';
import type { ServerSentEvent } from '../sse.js';
import { snapshots } from './snapshots.js';
import { type LogFeedOptions, logEvents } from './version.js';

/**
 * A service's log followed for as long as the feed is open: the SDK's
 * `serviceLogs$` completes once the service has stopped; here it is followed
 * again (from where it left off) after a pause, so a service started again
 * shows its new lines.
 */
function followServiceLog(session: Caller, serviceId: number, options: LogFeedOptions): Observable<LogEvent> {
  let next = options.from ?? 0;
  const pauseMs = options.ceilingMs ?? DEFAULT_FEED_CEILING_MS;
  return defer(() => serviceLogs$(session, serviceId, { ...options, from: next })).pipe(
    tap((event) => {
      next = (event.type === 'line' ? event.line.id : event.to) + 1;
    }),
    repeat({ delay: () => timer(pauseMs, options.scheduler) }),
  );
}

/** Options of {@link serviceFeed}: the log's, and the polling of the detail. */
export interface ServiceFeedOptions extends LogFeedOptions {
  /** Polling of the detail (status, instances); default the log's polling options. */
  readonly detailPoll?: PollOptions | undefined;
}

/**
 * The feed of service `serviceId`:
 * - `hello` `{ serviceId, from }`;
 * - `service` with the detail (masked) whenever it changes (status, instances, weights);
 * - `log` `[line | gap, …]` with `id` the last line id, from `options.from`;
 * - `failure` `{ tag, message }` when the service cannot be read (deleted…), then the end.
 */
export function serviceFeed(
  session: Caller,
  serviceId: number,
  options: ServiceFeedOptions = {},
): Observable<ServerSentEvent> {
  const detail = snapshots(() => getService(session, serviceId), options.detailPoll ?? options);
  return concat(
    of({ event: 'hello', data: { serviceId, from: options.from ?? 0 } }),
    merge(
      detail.pipe(map((value): ServerSentEvent => ({ event: 'service', data: mask(value) }))),
      logEvents(followServiceLog(session, serviceId, options), options.batchLines),
    ),
  ).pipe(catchError((error: unknown) => of({ event: 'failure', data: describeFailure(error) })));
}
