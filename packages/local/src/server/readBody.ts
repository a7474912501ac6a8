/**
 * The platform's one request-body reader, for every HTTP listener it runs (the API
 * server, the services' gateways, the built-in predictor server). Reading is done by
 * `raw-body` (the reader under Express's body parsers: limit, declared-length check,
 * listeners removed when done); this module adds the platform's rules:
 *
 * - a body over `limit` bytes — declared by `Content-Length` or counted as a chunked
 *   body arrives — fails with {@link BodyTooLargeError} (answer 413); the rest of the
 *   body is read and discarded, so the client finishes sending and can read the answer;
 * - a client that goes away in the middle of its body (or sends fewer bytes than it
 *   declared) fails the read with {@link BodyIncompleteError} at once: no read waits
 *   forever and no listener stays on the request.
 *
 * It imports nothing from the SDK, so the predictor child process loads it cheaply.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';

/** The body is larger than the listener accepts. */
export class BodyTooLargeError extends Error {
  readonly _tag = 'BodyTooLargeError' as const;
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`body: larger than ${limit} bytes`);
  }
}

/** The body ended early: the client went away, or sent fewer bytes than its `Content-Length`. */
export class BodyIncompleteError extends Error {
  readonly _tag = 'BodyIncompleteError' as const;
  override readonly name = 'BodyIncompleteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What {@link readBody} fails with (besides an unexpected stream error). */
export type BodyReadError = BodyTooLargeError | BodyIncompleteError;

/** raw-body's error types that mean the body did not arrive whole. */
const INCOMPLETE_TYPES = new Set(['request.aborted', 'request.size.invalid']);

function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) ? length : undefined;
}

/**
 * Reads the whole body of `request`, at most `limit` bytes (an empty body is an empty buffer).
 *
 * @throws BodyTooLargeError over `limit` (the request is left draining, so an answer can still be sent);
 *   BodyIncompleteError when the body ends early.
 *
 * @example
 * ```ts
 * const body = await readBody(request, 1024 * 1024).catch((error) =>
 *   error instanceof BodyTooLargeError ? undefined : Promise.reject(error));
 * ```
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(request, { limit, length: declaredLength(request) });
  } catch (error) {
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      // raw-body pauses the request; let the rest flow away so the socket can carry the 413.
      request.resume();
      throw new BodyTooLargeError(limit);
    }
    if (
      (typeof type === 'string' && INCOMPLETE_TYPES.has(type)) ||
      (error as NodeJS.ErrnoException).code === 'ECONNRESET'
    ) {
      throw new BodyIncompleteError(`body: ended early (${(error as Error).message})`, { cause: error });
    }
    throw error;
  }
}
