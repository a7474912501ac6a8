/**
 * The HTTP client as a {@link TrainingSource}.
 * @module
 */

import type { Caller } from '../client/endpointCall.js';
import {
  getTrainLog,
  getTrainPerformanceMonitor,
  getTrainResourceMonitor,
  getTrainVersion,
} from '../client/training.js';
import { POLL_READ } from './internal/pollRead.js';
import { type TrainingSource, toLogQuery } from './source.js';

/** One source per session, held weakly. */
const sources = new WeakMap<Caller, TrainingSource>();

/**
 * Reads training versions through `session` (a `Session`, or any `Caller`): each
 * read is the row function's cold Observable, so unsubscribing aborts the HTTP
 * request, and tokens and deadlines are the session's. Each read makes one attempt
 * (`maxAttempts: 1`): the streams' polling engine retries it, and nothing else does
 * (at most `maxFailures` requests per read, see `poll`). A log
 * request with `wait` gets its timeouts extended by the wait (see `getTrainLog`).
 * The same session always gives the same source object, so `trainingWatch`
 * shares pollers between calls made with `sourceFromSession(session)`.
 *
 * @example
 * ```ts
 * const source = sourceFromSession(new Session());
 * logs$(source, versionId).pipe(lines()).subscribe((l) => console.log(l.content));
 * ```
 */
export function sourceFromSession(session: Caller): TrainingSource {
  const known = sources.get(session);
  if (known !== undefined) return known;
  const source: TrainingSource = {
    version: (versionId) => getTrainVersion(session, versionId, POLL_READ),
    logPage: (versionId, request) => getTrainLog(session, versionId, toLogQuery(request), POLL_READ),
    performance: (versionId) => getTrainPerformanceMonitor(session, versionId, POLL_READ),
    resources: (versionId) => getTrainResourceMonitor(session, versionId, POLL_READ),
  };
  sources.set(session, source);
  return source;
}
