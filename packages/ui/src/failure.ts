/**
 * How a failure reaches the page: a small JSON object with the SDK error's tag,
 * its message (redacted), and the HTTP status the dashboard answers with.
 * @module
 */
import type { ApiError, ValidationError } from 'modelmaker';
import { hasTag, isModelMakerError, redact } from 'modelmaker';

/** The platform's "no such job / model / service" error code. */
const NOT_FOUND_CODE = 4004;

/** A failure as sent to the page. */
export interface Failure {
  /** The SDK error's `_tag` (`ApiError`, `ValidationError`…), or `Error`. */
  readonly tag: string;
  readonly message: string;
  /** The platform's `errorCode`, for an `ApiError`. */
  readonly errorCode?: number | undefined;
  /** Field problems, for a `ValidationError`. */
  readonly problems?: readonly { readonly field: string; readonly message: string }[] | undefined;
}

/** A page-side failure: not from the SDK (a bad request to the dashboard itself). */
export class RequestError extends Error {
  readonly _tag = 'RequestError' as const;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The {@link Failure} of any thrown value. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof RequestError) return { tag: 'RequestError', message: error.message };
  if (isModelMakerError(error)) {
    const failure: Failure = {
      tag: error._tag,
      message: error.message,
      errorCode: hasTag(error, 'ApiError') ? (error as ApiError).errorCode : undefined,
      problems: hasTag(error, 'ValidationError') ? (error as ValidationError).problems : undefined,
    };
    return redact(failure) as Failure;
  }
  return { tag: 'Error', message: redact(error instanceof Error ? error.message : String(error)) };
}

/** The HTTP status the dashboard answers a failure with. */
export function statusOf(error: unknown): number {
  if (error instanceof RequestError) return error.status;
  if (hasTag(error, 'ApiError')) return (error as ApiError).errorCode === NOT_FOUND_CODE ? 404 : 409;
  if (hasTag(error, 'ValidationError')) return 400;
  return 502;
}

/** True for the platform's "no such thing" answer. */
export function isNotFound(error: unknown): boolean {
  return hasTag(error, 'ApiError') && (error as ApiError).errorCode === NOT_FOUND_CODE;
}
