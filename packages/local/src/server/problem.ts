/**
 * A failure a handler reports on purpose: HTTP status, the contract's
 * `errorCode` and a message for the client. Anything else thrown becomes a
 * 500 with errorCode 5000 and a message that reveals nothing.
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
