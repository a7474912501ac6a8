/**
 * Prediction: `POST {accessAddress}/ModelMaker/predict`, JSON in and out, through a
 * session's HTTP pipeline (logging with redaction, timeouts, retry rule).
 * @module
 */
import { defer, type Observable, throwError } from 'rxjs';
import { DecodeError } from '../errors.js';
import type { CallOptions } from './endpointCall.js';
import type { HttpRequest, RequestOptions } from './transport.js';

/** The path below a service's access address that answers predictions. */
export const PREDICT_PATH = '/ModelMaker/predict';

/** What {@link predict} needs of a session: requests to an address outside the API (a `Session` has it). */
export interface OutsideCaller {
  requestAt(baseUrl: string, request: HttpRequest, options?: RequestOptions): Observable<unknown>;
}

/** Options of {@link predict}: the call options (deadline, timeouts, attempts, signal), plus `auth`. */
export interface PredictOptions extends CallOptions {
  /**
   * Send the session's `Auth-Token` with the prediction (for a gateway that checks it).
   * Default false: the contract's predict call carries no token, and the address may be
   * a model server that has no business seeing it.
   */
  readonly auth?: boolean | undefined;
}

const HTTP_URL = /^https?:\/\/[^/\s]+/i;

/**
 * Posts `body` as JSON to `{accessAddress}/ModelMaker/predict` and emits the JSON
 * answer (`undefined` for an empty one). Cold: one request per subscription;
 * unsubscribing aborts it.
 *
 * A prediction is a POST the SDK cannot know to be safe to repeat, so it is resent
 * only when it cannot have reached the server (connection refused, DNS failure);
 * never after a reset, a timeout or a 5xx. The session's deadline bounds the whole
 * call (override with `deadlineMs` / `attemptTimeoutMs`).
 *
 * Errors: `DecodeError` (`accessAddress` is not an http(s) URL, or a 2xx answer that
 * is not JSON), `HttpError` (e.g. 503 while no instance is ready), `ApiError` (a JSON
 * answer with `errorCode`), `NetworkError`, `TimeoutError`.
 *
 * @example
 * ```ts
 * predict(session, 'http://127.0.0.1:9950/services/3', { instances: [[5.1, 3.5, 1.4, 0.2]] })
 *   .subscribe((answer) => console.log(answer));
 * ```
 */
export function predict(
  session: OutsideCaller,
  accessAddress: string,
  body: unknown,
  options: PredictOptions = {},
): Observable<unknown> {
  return defer(() => {
    const base = accessAddress.trim().replace(/\/+$/, '');
    if (!HTTP_URL.test(base)) {
      return throwError(
        () =>
          new DecodeError([`accessAddress: expected an http(s) URL, got ${JSON.stringify(accessAddress)}`], {
            method: 'POST',
          }),
      );
    }
    const { auth, ...callOptions } = options;
    return session.requestAt(
      base,
      { method: 'POST', path: PREDICT_PATH, body, auth: auth ?? false, idempotent: false },
      callOptions,
    );
  });
}
