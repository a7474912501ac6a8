/**
 * A failure a handler reports on purpose: HTTP status, the contract's
 * `errorCode` and a message for the client. Anything else thrown becomes a
 * 500 with errorCode 5000 and a message that reveals nothing.
 *
 * Four codes are answered with HTTP 200, as the real platform does: 1002/1003 (token
 * invalid/expired) and 102009/101009 (job/model name taken). Its Python client raises on
 * any non-2xx status before it reads the body, and reads `errorCode` only from 2xx
 * bodies (log in again and retry; create a new version), so another status breaks its
 * recovery. Every other error keeps its real status.
 * @module
 */
import { ERROR_CODES } from 'modelmaker';

/** A deliberate error answer: `{ errorCode, message }` with `status`. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The codes the real platform answers with HTTP 200 (see the module comment). */
export const ANSWERED_WITH_HTTP_200: ReadonlySet<number> = new Set([
  ERROR_CODES.TOKEN_INVALID,
  ERROR_CODES.TOKEN_EXPIRED,
  ERROR_CODES.JOB_EXISTS,
  ERROR_CODES.MODEL_EXISTS,
]);

const HTTP_OK = 200;

/**
 * The answer to a platform error code: HTTP 200 for the codes in
 * {@link ANSWERED_WITH_HTTP_200}, `status` for any other.
 *
 * @example
 * ```ts
 * platformError(ERROR_CODES.JOB_EXISTS, 'a training job named iris exists', 409) // status 200
 * platformError(ERROR_CODES.MISSING_TOKEN, 'missing Auth-Token header', 401)       // status 401
 * ```
 */
export function platformError(errorCode: number, message: string, status: number): HttpProblem {
  return new HttpProblem(ANSWERED_WITH_HTTP_200.has(errorCode) ? HTTP_OK : status, errorCode, message);
}

/** 400 / 4000: the request failed validation; `message` names the field(s). */
export function invalid(message: string): HttpProblem {
  return new HttpProblem(400, ERROR_CODES.VALIDATION, message);
}

/** 404 / 4004: no such resource. */
export function notFound(what: string): HttpProblem {
  return new HttpProblem(404, ERROR_CODES.NOT_FOUND, `${what} not found`);
}

/** 409 / 4009: the resource's state forbids the call. */
export function conflict(message: string): HttpProblem {
  return new HttpProblem(409, ERROR_CODES.CONFLICT, message);
}

/** True for an {@link HttpProblem}, across realms. */
export function isHttpProblem(error: unknown): error is HttpProblem {
  return (
    error instanceof Error &&
    error.name === 'HttpProblem' &&
    typeof (error as HttpProblem).status === 'number'
  );
}
