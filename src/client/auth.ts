/**
 * Row functions of the auth endpoints. Sessions obtain tokens and S3 access by
 * themselves (`Session.s3Access()`); these exist for completeness and tools.
 * @module
 */
import type { Observable } from 'rxjs';
import type { AuthAccess, AuthTokenRequest, AuthTokenResponse } from '../codecs/auth.js';
import { endpoints } from '../codecs/endpoints.js';
import type { Caller, CallOptions } from './endpointCall.js';

/**
 * `POST /v1/auth-token`: a token for the given credentials (sent without a token).
 * The session's own token is not affected. Errors: `ApiError` (e.g. 1001), `HttpError`, …
 */
export function authToken(
  session: Caller,
  body: AuthTokenRequest,
  options?: CallOptions,
): Observable<AuthTokenResponse> {
  return session.call(endpoints.authToken, { body }, options);
}

/** `GET /v1/account/auth-access`: temporary S3 credentials `{ s3: { ak, sk, url, region }, mirror }`. */
export function authAccess(session: Caller, options?: CallOptions): Observable<AuthAccess> {
  return session.call(endpoints.authAccess, {}, options);
}
