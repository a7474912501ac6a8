/**
 * A platform's validation answer to a body the SDK built, told in the user's terms:
 * see `codecs/params/wireNames.ts` for the table and the decision.
 * @module
 */
import { catchError, type MonoTypeOperatorFunction, throwError } from 'rxjs';
import { ERROR_CODES } from '../../codecs/errorBody.js';
import { seedProblems, type WireNames } from '../../codecs/params/wireNames.js';
import { type ApiError, hasTag, ValidationError } from '../../errors.js';

/** The HTTP status of a request the platform refused as invalid. */
const BAD_REQUEST = 400;

/**
 * The error as the user's parameters name it: an `ApiError` refusing the request as
 * invalid (HTTP 400 or errorCode 4000) whose message lists `field: message` problems,
 * every field one of `names`, becomes a `ValidationError` with those problems on the
 * parameters (`framework: no TRAIN framework 999`), the request's method and URL, and
 * the `ApiError` as its cause. Anything else is returned unchanged.
 */
export function inSeedTerms(error: unknown, names: WireNames): unknown {
  if (!hasTag(error, 'ApiError')) return error;
  const apiError = error as ApiError;
  if (apiError.status !== BAD_REQUEST && apiError.errorCode !== ERROR_CODES.VALIDATION) return error;
  const problems = seedProblems(apiError.serverMessage, names);
  if (problems === undefined) return error;
  return new ValidationError(problems, { method: apiError.method, url: apiError.url, cause: apiError });
}

/** {@link inSeedTerms} on a stream's error. */
export function seedTermsOnError<T>(names: WireNames): MonoTypeOperatorFunction<T> {
  return catchError((error: unknown) => throwError(() => inSeedTerms(error, names)));
}
