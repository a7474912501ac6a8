/**
 * The HTTP layer of a session: one ky instance (ky's retry and timeout off, HTTP
 * errors not thrown), and the pipeline every call goes through:
 *
 * ```
 * token ─▶ attempt (per-attempt timeout, abort on unsubscribe)
 *        ─▶ token refused? re-authenticate once (shared) and try again
 *        ─▶ transient? retry with jittered backoff, Retry-After and the budget
 *        ─▶ overall deadline ─▶ caller's AbortSignal
 * ```
 *
 * Responses are read as text and classified: any JSON body with a non-zero
 * `errorCode` is an `ApiError` whatever the status (real servers send errors with
 * 200); other non-2xx answers are `HttpError`; fetch failures are `NetworkError`.
 * Everything logged or put in an error is redacted, redaction last (after any cut).
 *
 * Against a faulty or hostile server (see `docs/security.md`):
 * - **Redirects** are followed by the transport itself, never by fetch: only for GET
 *   and HEAD, only to the same origin (scheme, host and port: so never https → http),
 *   at most `DEFAULT_MAX_REDIRECTS` hops, never for requests marked `followRedirects:
 *   false` (the login, the S3 credentials). Anything else is `RedirectRefused`,
 *   naming both addresses, and nothing is sent to the other address.
 * - **Body size** is counted while the body streams in, after decompression, and the
 *   request is aborted at the first byte past the call's limit (`ResponseTooLarge`,
 *   not transient): a gzip bomb or a 2 GB log page is never held.
 * @module
 */
import ky, { type KyInstance, type Options as KyOptions } from 'ky';
import {
  asyncScheduler,
  catchError,
  defer,
  map,
  Observable,
  type SchedulerLike,
  switchMap,
  throwError,
  timeout,
} from 'rxjs';
import { showValue } from '../codecs/decode.js';
import type { HttpMethod } from '../codecs/endpoint.js';
import { ERROR_CODES, toErrorBody } from '../codecs/errorBody.js';
import {
  DEFAULT_ERROR_BODY_MAX_CHARS,
  DEFAULT_LOG_BODY_MAX_CHARS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RESPONSE_BYTES,
} from '../defaults.js';
import {
  ApiError,
  AuthError,
  DecodeError,
  HttpError,
  hasTag,
  isModelMakerError,
  NetworkError,
  RedirectRefused,
  type RequestInfo,
  ResponseTooLarge,
  TimeoutError,
} from '../errors.js';
import { abortWith, fromAbortable } from './kernel/abortable.js';
import type { RetryBudget } from './kernel/budget.js';
import type { RetryPolicy } from './kernel/policy.js';
import { retryWithPolicy } from './kernel/retry.js';
import { parseRetryAfter } from './kernel/retryAfter.js';
import { isRetryable } from './kernel/transient.js';
import { LogLevel, type SdkLogger } from './logger.js';
import { redact, redactAndCut, safeUrl } from './redact.js';
import type { FetchExtras } from './tls.js';
import type { TokenManager } from './token.js';

/** One HTTP call, already encoded (path filled in, query as text, body as JSON-ready value). */
export interface HttpRequest {
  readonly method: HttpMethod;
  /** Path below the base URL, starting with `/`, e.g. `/v1/train/3`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  /** JSON body; `undefined` sends none. */
  readonly body?: unknown;
  /** Send `Auth-Token` (and re-authenticate when it is refused). */
  readonly auth: boolean;
  /** Safe to send twice; decides which errors are retried (see `isRetryable`). */
  readonly idempotent: boolean;
  /**
   * Follow a same-origin redirect of a GET/HEAD (default `true`). `false` refuses every
   * redirect: the login and the S3 credentials request never follow one.
   */
  readonly followRedirects?: boolean | undefined;
  /**
   * The answer carries secrets (a token, S3 keys): its debug log line shows the body's
   * shape only (keys and types), never a value.
   */
  readonly sensitive?: boolean | undefined;
}

/** Per-call overrides; anything not given comes from the session. */
export interface RequestOptions {
  /** Aborting it aborts the in-flight request; the call errors with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Time allowed for one attempt, in ms. */
  readonly attemptTimeoutMs?: number | undefined;
  /** Time allowed for the whole call, retries and waits included, in ms. */
  readonly deadlineMs?: number | undefined;
  /** Attempts, the first included (1 disables retries). */
  readonly maxAttempts?: number | undefined;
  /**
   * How long the server may hold the request before answering (a long poll such as
   * `log?wait=…`), in ms: added to the per-attempt timeout and to the deadline.
   */
  readonly serverHoldMs?: number | undefined;
  /**
   * Largest response body accepted, in bytes after decompression; a larger one fails
   * with `ResponseTooLarge` while it streams in. Default: the session's limit for the
   * kind of call (`maxResponseBytes`, `maxLogPageBytes` for log pages).
   */
  readonly maxResponseBytes?: number | undefined;
  /** The name of the limit in a `ResponseTooLarge` (`json`, `logPage`). Default `json`. */
  readonly responseKind?: string | undefined;
}

/** What a {@link Transport} is built from (the session resolves it). */
export interface TransportConfig {
  /** API base URL, e.g. `https://js01mmr.example.com:9948/mmr`. */
  readonly baseUrl: string;
  /** fetch to use; default the global one. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Extra fetch options (TLS dispatcher), see `tls.ts`. */
  readonly fetchExtras?: FetchExtras | undefined;
  readonly logger: SdkLogger;
  /** Secret values to scrub from logs and errors. */
  readonly secrets: Iterable<string>;
  /** Required for requests with `auth: true`. */
  readonly tokens?: TokenManager | undefined;
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;
  /** Largest response body, bytes after decompression; default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number | undefined;
  /** Redirects followed per request (same origin, GET/HEAD); default {@link DEFAULT_MAX_REDIRECTS}. */
  readonly maxRedirects?: number | undefined;
  /** Clock and timers of timeouts and retry waits; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

/** Header carrying the session token. */
export const AUTH_TOKEN_HEADER = 'Auth-Token';

const TOKEN_REFUSED_CODES: ReadonlySet<number> = new Set([
  ERROR_CODES.TOKEN_INVALID,
  ERROR_CODES.TOKEN_EXPIRED,
  ERROR_CODES.MISSING_TOKEN,
]);
const HTTP_UNAUTHORIZED = 401;

/** True when the server refused the token: errorCode 1002/1003/1004 or HTTP 401. */
export function isTokenRefused(error: unknown): boolean {
  if (hasTag(error, 'ApiError')) {
    const api = error as ApiError;
    return TOKEN_REFUSED_CODES.has(api.errorCode) || api.status === HTTP_UNAUTHORIZED;
  }
  return hasTag(error, 'HttpError') && (error as HttpError).status === HTTP_UNAUTHORIZED;
}

/** Error codes (in the `cause` chain) meaning no connection was made, so nothing was sent. */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Error codes meaning the connection broke after it was made: the request may have been sent. */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const MAX_CAUSE_DEPTH = 5;

/**
 * A fetch failure as a `NetworkError` whose `reason` tells whether the request can
 * have reached the server: `connect` (no connection: safe to resend any request),
 * `reset` (connection broke) or `unknown` — the last two are treated as "may have
 * been sent" by the retry rule.
 */
export function toNetworkError(cause: unknown, where: RequestInfo): NetworkError {
  let code: string | undefined;
  let current: unknown = cause;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const candidate = (current as { code?: unknown }).code;
    if (typeof candidate === 'string') {
      code = candidate;
      break;
    }
    current = (current as { cause?: unknown }).cause;
  }
  const reason =
    code !== undefined && CONNECT_CODES.has(code)
      ? 'connect'
      : code !== undefined && RESET_CODES.has(code)
        ? 'reset'
        : 'unknown';
  const message = cause instanceof Error ? cause.message : String(cause);
  return new NetworkError(code === undefined ? message : `${message} (${code})`, { ...where, reason, cause });
}

type Outcome = { readonly value: unknown } | { readonly error: Error };

/**
 * Turns status + body text into a value or a tagged error. Exported for tests and for
 * other HTTP users (prediction) that want the same rules. `where` names the request
 * and may carry the answer's `retryAfterMs`, which the errors keep for the retry engine.
 */
export function interpretResponse(
  status: number,
  statusText: string,
  text: string,
  where: RequestInfo & { readonly retryAfterMs?: number | undefined },
  secrets: Iterable<string> = [],
): Outcome {
  const trimmed = text.trim();
  let json: unknown;
  let isJson = false;
  if (trimmed !== '') {
    try {
      json = JSON.parse(trimmed);
      isJson = true;
    } catch {
      isJson = false;
    }
  }
  const errorBody = isJson ? toErrorBody(json) : undefined;
  // Redacted first, then cut: a secret cut in half would show its first part.
  const clean = (message: string) => redactAndCut(message, secrets, DEFAULT_ERROR_BODY_MAX_CHARS);
  if (errorBody !== undefined) {
    return {
      error: new ApiError(errorBody.errorCode, clean(errorBody.message ?? ''), status, where),
    };
  }
  if (status < 200 || status > 299) {
    const message =
      isJson && typeof (json as { message?: unknown })?.message === 'string'
        ? (json as { message: string }).message
        : trimmed !== ''
          ? trimmed
          : statusText;
    return { error: new HttpError(status, clean(message), where) };
  }
  if (trimmed === '') return { value: undefined };
  if (!isJson) {
    return { error: new DecodeError([`(root): expected a JSON body, got ${showValue(trimmed)}`], where) };
  }
  return { value: json };
}

function describe(error: unknown): string {
  if (hasTag(error, 'ApiError')) return `errorCode ${(error as ApiError).errorCode}`;
  if (hasTag(error, 'HttpError')) return `HTTP ${(error as HttpError).status}`;
  if (isModelMakerError(error)) return error._tag;
  return String(error);
}

/** Statuses fetch would follow: the transport decides itself (see the module doc). */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const FOLLOWED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Why a redirect from `from` to `to` is not followed, or `undefined` when it is. */
function redirectRefusal(
  request: HttpRequest,
  from: URL,
  to: URL | undefined,
  hops: number,
  maxRedirects: number,
): string | undefined {
  if (to === undefined) return 'no usable Location';
  if (request.followRedirects === false) return 'this request never follows redirects';
  if (!FOLLOWED_METHODS.has(request.method)) return `a ${request.method} is never redirected`;
  if (from.protocol === 'https:' && to.protocol !== 'https:') return 'from https to http';
  if (to.origin !== from.origin) return 'another origin';
  if (hops >= maxRedirects) return `more than ${maxRedirects} redirects`;
  return undefined;
}

/**
 * Reads a body as text, counting bytes as they arrive (after decompression) and
 * failing with {@link ResponseTooLarge} at the first byte past `limitBytes` — the
 * stream is cancelled then, so at most `limitBytes` are ever held. A declared
 * `Content-Length` above the limit (of an unencoded body) fails before any byte is read.
 */
async function readLimited(
  response: Response,
  limitBytes: number,
  kind: string,
  where: RequestInfo,
): Promise<string> {
  const tooLarge = () => new ResponseTooLarge(limitBytes, kind, where);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  if (!encoded && Number.isFinite(declared) && declared > limitBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const body = response.body;
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limitBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/**
 * A session's HTTP pipeline. `request` returns a cold Observable: nothing is sent
 * until subscription; one value (the parsed JSON body, `undefined` when empty) then
 * completion; unsubscribing aborts the request in flight.
 */
export class Transport {
  readonly #config: TransportConfig;
  readonly #ky: KyInstance;
  readonly #scheduler: SchedulerLike;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#scheduler = config.scheduler ?? asyncScheduler;
    this.#ky = ky.create({
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      // The transport follows redirects itself, after checking them (see the module doc).
      redirect: 'manual',
      headers: { accept: 'application/json' },
      ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
    });
  }

  /** The base URL every path is appended to. */
  get baseUrl(): string {
    return this.#config.baseUrl;
  }

  /** The full URL of a request (secrets not yet redacted). */
  urlOf(request: Pick<HttpRequest, 'path' | 'query'>): string {
    const query = Object.entries(request.query ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const search = query.length === 0 ? '' : `?${new URLSearchParams(query).toString()}`;
    const base = this.#config.baseUrl.replace(/\/+$/, '');
    return `${base}/${request.path.replace(/^\/+/, '')}${search}`;
  }

  /**
   * Sends `request` through the whole pipeline.
   *
   * Fails with `ApiError`, `HttpError`, `NetworkError`, `TimeoutError` (reason
   * `attempt` or `deadline`), `AuthError`, `DecodeError` (2xx body that is not JSON),
   * `ResponseTooLarge`, `RedirectRefused`, `ValidationError` (missing credentials), or
   * the signal's reason when aborted.
   */
  request(request: HttpRequest, options: RequestOptions = {}): Observable<unknown> {
    return defer(() => {
      const config = this.#config;
      const url = this.urlOf(request);
      const where: RequestInfo = { method: request.method, url: redact(url, config.secrets) };
      const holdMs = Math.max(0, options.serverHoldMs ?? 0);
      const deadlineMs = (options.deadlineMs ?? config.deadlineMs) + holdMs;
      const attemptTimeoutMs = (options.attemptTimeoutMs ?? config.attemptTimeoutMs) + holdMs;
      const maxAttempts = options.maxAttempts ?? config.policy.maxAttempts;
      const limit: BodyLimit = {
        bytes: options.maxResponseBytes ?? config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        kind: options.responseKind ?? 'json',
      };
      const deadlineAt = this.#scheduler.now() + deadlineMs;
      // The last failure of getting a token: that call retried itself, so it is not retried again here.
      let tokenFailure: unknown;
      let reauthenticated = false;

      const attempt = (token: string | undefined) =>
        this.#attempt(request, where, token, attemptTimeoutMs, limit);
      const refused = (cause: unknown) =>
        new AuthError('the server refused a freshly obtained token', { ...where, cause });
      // Unsubscribing (or the caller's signal) aborts the wait, and the login itself once nobody waits.
      const tokenStep = (obtain: (signal: AbortSignal) => Promise<string>) =>
        fromAbortable(obtain).pipe(
          catchError((error: unknown) => {
            tokenFailure = error;
            return throwError(() => error);
          }),
        );

      const once$ = !request.auth
        ? defer(() => attempt(undefined))
        : defer(() => {
            const tokens = config.tokens;
            if (tokens === undefined) throw new AuthError('no token source configured', where);
            const accepted = (token: string) => (value: unknown) => {
              tokens.accepted(token);
              return value;
            };
            return tokenStep((signal) => tokens.get(signal)).pipe(
              switchMap((token) =>
                attempt(token).pipe(
                  map(accepted(token)),
                  catchError((error: unknown) => {
                    if (!isTokenRefused(error)) return throwError(() => error);
                    if (reauthenticated) return throwError(() => refused(error));
                    reauthenticated = true;
                    config.logger.info(`token refused (${describe(error)}); re-authenticating`, where);
                    return tokenStep((signal) => tokens.renew(token, signal, error)).pipe(
                      switchMap((fresh) =>
                        attempt(fresh).pipe(
                          map(accepted(fresh)),
                          catchError((again: unknown) => {
                            if (!isTokenRefused(again)) return throwError(() => again);
                            // A token issued for this very call refused: logins back off (see TokenManager).
                            tokens.reject(fresh, again);
                            return throwError(() => refused(again));
                          }),
                        ),
                      ),
                    );
                  }),
                ),
              ),
            );
          });

      return once$.pipe(
        retryWithPolicy({
          policy: { ...config.policy, maxAttempts },
          budget: config.budget,
          retryable: (error) => error !== tokenFailure && isRetryable(error, request.idempotent),
          scheduler: this.#scheduler,
          deadlineAt: () => deadlineAt,
          onRetry: ({ error, nextAttempt, waitMs }) =>
            config.logger.info(
              `retrying ${request.method} ${where.url} after ${describe(error)} in ${waitMs} ms (attempt ${nextAttempt} of ${maxAttempts})`,
            ),
          onGiveUp: (why, error) =>
            config.logger.debug(
              `not retrying ${request.method} ${where.url} after ${describe(error)}: ${why}`,
            ),
        }),
        timeout({
          first: deadlineMs,
          scheduler: this.#scheduler,
          with: () => throwError(() => new TimeoutError(deadlineMs, { ...where, reason: 'deadline' })),
        }),
        abortWith(options.signal),
      );
    });
  }

  /**
   * fetch of `request` with `redirect: 'manual'`: same-origin redirects of GET/HEAD are
   * followed here (at most `maxRedirects`), any other fails with `RedirectRefused`
   * before anything is sent to the other address.
   */
  async #fetchFollowing(
    request: HttpRequest,
    headers: Record<string, string>,
    signal: AbortSignal,
    where: RequestInfo,
  ): Promise<Response> {
    const config = this.#config;
    const maxRedirects = config.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    let url = new URL(this.urlOf(request));
    for (let hops = 0; ; hops++) {
      const options = {
        ...config.fetchExtras,
        method: request.method,
        headers,
        signal,
        ...(request.body === undefined || hops > 0 ? {} : { json: request.body }),
      } as KyOptions;
      const response = await this.#ky(url.href, options);
      const opaque = response.type === 'opaqueredirect';
      if (!opaque && !REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.get('location');
      if (!opaque && location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      let target: URL | undefined;
      try {
        target = location === null ? undefined : new URL(location, url);
      } catch {
        target = undefined;
      }
      const why = redirectRefusal(request, url, target, hops, maxRedirects);
      const from = safeUrl(url.href, config.secrets);
      const to = target === undefined ? '(unknown)' : safeUrl(target.href, config.secrets);
      if (why !== undefined || target === undefined) {
        throw new RedirectRefused(response.status, from, to, why ?? 'no usable Location', where);
      }
      config.logger.debug(`↪ ${response.status} ${request.method} ${from} → ${to}`);
      url = target;
    }
  }

  /** One HTTP exchange: aborted on unsubscribe (timeout included), never retried here. */
  #attempt(
    request: HttpRequest,
    where: RequestInfo,
    token: string | undefined,
    attemptTimeoutMs: number,
    limit: BodyLimit,
  ): Observable<unknown> {
    const config = this.#config;
    const logger = config.logger;
    return new Observable<unknown>((subscriber) => {
      const controller = new AbortController();
      let done = false;
      const headers: Record<string, string> = token === undefined ? {} : { [AUTH_TOKEN_HEADER]: token };
      const started = Date.now();
      if (logger.enabled(LogLevel.debug)) {
        logger.debug(`→ ${request.method} ${where.url}`, {
          headers,
          ...(request.body === undefined ? {} : { body: request.body }),
        });
      }
      this.#fetchFollowing(request, headers, controller.signal, where)
        .then(async (response) => ({
          response,
          text: await readLimited(response, limit.bytes, limit.kind, where),
        }))
        .then(
          ({ response, text }) => {
            done = true;
            if (logger.enabled(LogLevel.debug)) {
              logger.debug(
                `← ${response.status} ${request.method} ${where.url} (${Date.now() - started} ms)`,
                { body: request.sensitive ? shapeForLog(text) : bodyForLog(text, config.secrets) },
              );
            }
            const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
            const outcome = interpretResponse(
              response.status,
              response.statusText,
              text,
              { ...where, retryAfterMs },
              config.secrets,
            );
            if ('error' in outcome) {
              subscriber.error(outcome.error);
            } else {
              subscriber.next(outcome.value);
              subscriber.complete();
            }
          },
          (cause: unknown) => {
            done = true;
            // Whatever is still open of this exchange (a body refused half-way) is closed now.
            controller.abort();
            if (subscriber.closed) return;
            // The SDK's own refusals (too large, redirect) stay what they are; the rest is the network's.
            const error = isModelMakerError(cause) ? cause : toNetworkError(cause, where);
            logger.debug(`✗ ${request.method} ${where.url} (${Date.now() - started} ms): ${error.message}`);
            subscriber.error(error);
          },
        )
        // Nothing above should throw; if it does, the call fails instead of hanging.
        .catch((unexpected: unknown) => subscriber.error(unexpected));
      return () => {
        if (!done) {
          done = true;
          controller.abort();
        }
      };
    }).pipe(
      timeout({
        first: attemptTimeoutMs,
        scheduler: this.#scheduler,
        with: () => throwError(() => new TimeoutError(attemptTimeoutMs, { ...where, reason: 'attempt' })),
      }),
    );
  }
}

/** The body limit of one call. */
interface BodyLimit {
  readonly bytes: number;
  readonly kind: string;
}

/**
 * A response body for a debug line: parsed JSON when it is JSON (the logger redacts it),
 * else the text redacted and then cut to `DEFAULT_LOG_BODY_MAX_CHARS`.
 */
function bodyForLog(text: string, secrets: Iterable<string>): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return redactAndCut(text, secrets, DEFAULT_LOG_BODY_MAX_CHARS);
  }
}

/** The body of a sensitive answer for a debug line: its shape only (`an object with keys token, expiresIn`). */
function shapeForLog(text: string): string {
  try {
    return showValue(JSON.parse(text) as unknown);
  } catch {
    return `a text of ${text.length} chars`;
  }
}
