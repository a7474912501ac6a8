/**
 * The platform's error body `{ errorCode, message? }`, which a server may send with
 * any HTTP status (even 200), and the error codes the SDK reacts to.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Integer, optionalFields } from './common.js';

/** Error codes with a meaning for the client (platform) or the local platform (extension). */
export const ERROR_CODES = {
  /** Extension: wrong username or password. */
  BAD_CREDENTIALS: 1001,
  /** Platform: the token is not valid; get a new one and retry once. */
  TOKEN_INVALID: 1002,
  /** Platform: the token expired; get a new one and retry once. */
  TOKEN_EXPIRED: 1003,
  /** Extension: no `Auth-Token` header. */
  MISSING_TOKEN: 1004,
  /** Platform: a model with this name exists; create a new version of it instead. */
  MODEL_EXISTS: 101009,
  /** Platform: a training job with this name exists; create a new version of it instead. */
  JOB_EXISTS: 102009,
  /** Extension: the request failed validation; `message` names the field. */
  VALIDATION: 4000,
  /** Extension: no such resource. */
  NOT_FOUND: 4004,
  /** Extension: the resource is in a state that forbids the call (e.g. deleting a running service). */
  CONFLICT: 4009,
  /** Extension: too many failed logins lately (HTTP 429); try again later. */
  TOO_MANY_ATTEMPTS: 4029,
  /** Extension: the server failed. */
  INTERNAL: 5000,
} as const;

/** One of the known error codes. */
export type KnownErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** `{ errorCode, message? }`. Unknown fields are tolerated; a `null` message decodes as absent. */
export const ErrorBody = t.intersection([
  t.type({ errorCode: Integer }),
  optionalFields({ message: t.string }),
]);
/** `{ errorCode, message? }`. */
export type ErrorBody = t.TypeOf<typeof ErrorBody>;

/** The code some APIs put in successful bodies; never an error. */
const SUCCESS_CODE = 0;

/**
 * The error body inside a parsed JSON body, or `undefined` when it is not one: an
 * object with an integer, non-zero `errorCode`. Zero is excluded because APIs of this
 * family send `errorCode: 0` with successful results. Apply it to every JSON body,
 * whatever the HTTP status. A `null` message comes back as absent.
 */
export function toErrorBody(json: unknown): ErrorBody | undefined {
  const result = ErrorBody.decode(json);
  return E.isRight(result) && result.right.errorCode !== SUCCESS_CODE ? result.right : undefined;
}

/**
 * True when a parsed JSON body is an error body (see {@link toErrorBody}). The guard
 * promises only `errorCode`: `message` may still be `null` on the raw value, so read
 * it through {@link toErrorBody}.
 */
export function isErrorBody(json: unknown): json is { errorCode: number; message?: unknown } {
  return toErrorBody(json) !== undefined;
}
