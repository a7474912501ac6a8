/**
 * Every failure the SDK reports is a value of one of these classes. Each has a
 * `_tag` equal to its class name, so code can switch on it across realms (two
 * copies of the package, a worker) where `instanceof` would lie.
 *
 * @example
 * ```ts
 * catchError((e) => isModelMakerError(e) && e._tag === 'ApiError' && e.errorCode === 4004 ? of(null) : throwError(() => e))
 * ```
 * @module
 */

/** Where a request failed: method and URL, never secrets (query tokens are stripped by the transport). */
export interface RequestInfo {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
}

/** Fields every tagged error accepts. */
export interface ErrorFields extends RequestInfo {
  /** A short machine-friendly reason, when one is known (e.g. `deadline`, `budget`). */
  readonly reason?: string | undefined;
  /** The underlying error, kept for `--debug` and for logs. */
  readonly cause?: unknown;
  /**
   * How long the server asked to wait before trying again (its `Retry-After`), in ms.
   * The retry engine waits this instead of its backoff.
   */
  readonly retryAfterMs?: number | undefined;
}

function where(info: RequestInfo): string {
  return info.method || info.url ? ` (${[info.method, info.url].filter(Boolean).join(' ')})` : '';
}

/** The common base of every tagged error. */
export abstract class ModelMakerError extends Error {
  abstract readonly _tag: string;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly reason: string | undefined;
  /** The server's `Retry-After`, in ms, when the answer carried one (see {@link ErrorFields.retryAfterMs}). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, fields: ErrorFields = {}) {
    super(message + where(fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.method = fields.method;
    this.url = fields.url;
    this.reason = fields.reason;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** The server answered with an HTTP status that is not a success and no `errorCode` body. */
export class HttpError extends ModelMakerError {
  readonly _tag = 'HttpError' as const;
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly serverMessage: string,
    fields: ErrorFields = {},
  ) {
    super(`HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`, fields);
  }
}

/** The server answered with a `{ errorCode, message }` body (whatever the HTTP status). */
export class ApiError extends ModelMakerError {
  readonly _tag = 'ApiError' as const;
  override readonly name = 'ApiError';
  constructor(
    readonly errorCode: number,
    readonly serverMessage: string,
    readonly status: number,
    fields: ErrorFields = {},
  ) {
    super(`errorCode ${errorCode}${serverMessage ? `: ${serverMessage}` : ''}`, fields);
  }
}

/** A response (or the config file) did not match its codec. `path` names where, e.g. `trainTasks[3].id`. */
export class DecodeError extends ModelMakerError {
  readonly _tag = 'DecodeError' as const;
  override readonly name = 'DecodeError';
  constructor(
    /** One line per problem: `path: expected T, got V`. */
    readonly problems: readonly string[],
    fields: ErrorFields = {},
  ) {
    super(`cannot decode: ${problems.join('; ')}`, fields);
  }
}

/** One invalid parameter: the field (seed name) and what was expected. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Parameters were rejected before any network call. Lists every problem, each naming its field. */
export class ValidationError extends ModelMakerError {
  readonly _tag = 'ValidationError' as const;
  override readonly name = 'ValidationError';
  constructor(
    readonly problems: readonly FieldProblem[],
    fields: ErrorFields = {},
  ) {
    super(`invalid parameters: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, fields);
  }
}

/** The request never got an answer: connection refused or reset, DNS, TLS. */
export class NetworkError extends ModelMakerError {
  readonly _tag = 'NetworkError' as const;
  override readonly name = 'NetworkError';
  constructor(message: string, fields: ErrorFields = {}) {
    super(`network error: ${message}`, fields);
  }
}

/** The request (or a whole call, retries included) ran past its deadline. */
export class TimeoutError extends ModelMakerError {
  readonly _tag = 'TimeoutError' as const;
  override readonly name = 'TimeoutError';
  constructor(
    readonly timeoutMs: number,
    fields: ErrorFields = {},
  ) {
    super(`timed out after ${timeoutMs} ms`, fields);
  }
}

/** Authentication failed: bad credentials, or a token the server keeps refusing. */
export class AuthError extends ModelMakerError {
  readonly _tag = 'AuthError' as const;
  override readonly name = 'AuthError';
  constructor(message: string, fields: ErrorFields = {}) {
    super(`authentication failed: ${message}`, fields);
  }
}

/**
 * A response body was larger than the limit for its kind of call (`kind`: `json` for
 * API calls, `logPage` for log pages). Counted while the body streams in, after
 * decompression, so the body was never held whole: the request was aborted at the
 * first byte past the limit. Not transient: asking again gets the same body. The
 * limits are Session options (`maxResponseBytes`, `maxLogPageBytes`).
 */
export class ResponseTooLarge extends ModelMakerError {
  readonly _tag = 'ResponseTooLarge' as const;
  override readonly name = 'ResponseTooLarge';
  constructor(
    /** The limit that was passed, in bytes. */
    readonly limitBytes: number,
    /** Which limit: `json` or `logPage`. */
    readonly kind: string,
    fields: ErrorFields = {},
  ) {
    super(`response body larger than the ${kind} limit of ${limitBytes} bytes (refused while streaming)`, {
      reason: 'too-large',
      ...fields,
    });
  }
}

/**
 * The server answered with a redirect the SDK does not follow: to another origin (a
 * host, port or scheme other than the request's, so `https` to `http` too), for a
 * method other than GET/HEAD, for a request that never follows (the login, the S3
 * credentials), or past the hop limit. Names both addresses (query strings and user
 * info removed). Nothing was sent to `location`.
 */
export class RedirectRefused extends ModelMakerError {
  readonly _tag = 'RedirectRefused' as const;
  override readonly name = 'RedirectRefused';
  constructor(
    readonly status: number,
    /** The address that answered with the redirect. */
    readonly from: string,
    /** Where it pointed (`(unknown)` when the runtime hides it). */
    readonly location: string,
    /** Why it was not followed, e.g. `another origin`. */
    why: string,
    fields: ErrorFields = {},
  ) {
    super(`redirect refused (${why}): HTTP ${status} from ${from} to ${location}`, {
      reason: 'redirect',
      ...fields,
    });
  }
}

/**
 * A paging loop (an S3 listing, log pages) stopped because the server's cursor did not
 * move forward: the same or an earlier marker again, or a page that says there is more
 * without any way to ask for it. Ends the loop instead of asking forever.
 */
export class PagingError extends ModelMakerError {
  readonly _tag = 'PagingError' as const;
  override readonly name = 'PagingError';
  constructor(
    message: string,
    /** How many pages had been read when the loop stopped (the stuck one included). */
    readonly pages: number,
    fields: ErrorFields = {},
  ) {
    super(message, { reason: 'cursor-stuck', ...fields });
  }
}

/** The union of the core's error values. Streams, storage and the API add their own tags. */
export type CoreError =
  | HttpError
  | ApiError
  | DecodeError
  | ValidationError
  | NetworkError
  | TimeoutError
  | AuthError
  | ResponseTooLarge
  | RedirectRefused
  | PagingError;

/** True for any tagged error of this package, across realms. */
export function isModelMakerError(value: unknown): value is ModelMakerError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { _tag?: unknown })._tag === 'string' &&
    value instanceof Error
  );
}

/** True when `value` is a tagged error with the given tag. */
export function hasTag<T extends string>(value: unknown, tag: T): value is ModelMakerError & { _tag: T } {
  return isModelMakerError(value) && value._tag === tag;
}
