/**
 * The generic way to run any contract row: `call(session, endpoints.getTrain, { params: { jobId: 3 } })`.
 * The row functions (`getTrain(session, 3)`) are thin wrappers over it.
 * @module
 */
import type { Observable } from 'rxjs';
import type { AnyEndpoint, CallArgs, Caller, CallOptions, EndpointResponse } from './endpointCall.js';

/**
 * Runs one row of the endpoint table through `session`: a cold Observable that sends
 * the request on subscription, emits the decoded response once and completes;
 * unsubscribing aborts the request.
 *
 * Errors: `ValidationError`, `ApiError`, `HttpError`, `NetworkError`, `TimeoutError`,
 * `AuthError`, `DecodeError` (naming the path that did not match).
 *
 * @example
 * ```ts
 * call(session, endpoints.getTrainLog, { params: { versionId: 7 }, query: { lastId: 0 } })
 *   .subscribe((page) => page.logs.forEach((line) => console.log(line.content)));
 * ```
 */
export function call<E extends AnyEndpoint>(
  session: Caller,
  endpoint: E,
  args: CallArgs<E>,
  options?: CallOptions,
): Observable<EndpointResponse<E>> {
  return session.call(endpoint, args, options);
}
