/**
 * `Session`: the connection to a ModelMaker platform — settings, token, retry budget,
 * logger and S3 access — shared by every call made through it. Construction does no
 * I/O: the config file is read, the token fetched and the S3 credentials obtained
 * when a call first needs them.
 * @module
 */
import {
  catchError,
  defer,
  lastValueFrom,
  type MonoTypeOperatorFunction,
  map,
  type Observable,
  type SchedulerLike,
  switchMap,
  tap,
  throwError,
} from 'rxjs';
import { endpoints } from '../codecs/endpoints.js';
import { type Problems, parameters } from '../codecs/params/rules.js';
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_LOG_PAGE_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES,
} from '../defaults.js';
import { type ApiError, AuthError, type HttpError, hasTag, ValidationError } from '../errors.js';
import {
  type AnyEndpoint,
  type CallArgs,
  type Caller,
  type CallOptions,
  decodeResponse,
  type EndpointResponse,
  toHttpRequest,
} from './endpointCall.js';
import { RetryBudget, type RetryBudgetOptions } from './kernel/budget.js';
import { retryPolicy } from './kernel/policy.js';
import { isTransient } from './kernel/transient.js';
import {
  createLogger,
  type Logger,
  type LogLevel,
  levelFromEnv,
  parseLogLevel,
  type SdkLogger,
} from './logger.js';
import { redact, redactError, SecretSet, secretValuesIn } from './redact.js';
import { CachedS3Access, toS3Access } from './s3Access.js';
import * as storage from './sessionStorage.js';
import { type ConnectionOptions, type ResolvedSettings, resolveSettings } from './settings.js';
import type { S3AccessProvider } from './storage/access.js';
import type { DownloadOptions } from './storage/download.js';
import type { TransferEvent } from './storage/events.js';
import type { ObjectInfo } from './storage/list.js';
import type { ListOptions, StorageOptions, TransferOptions } from './storage/options.js';
import type { UploadOptions } from './storage/upload.js';
import { tlsFetchExtras } from './tls.js';
import { type TokenGrant, TokenManager } from './token.js';
import { type HttpRequest, type RequestOptions, Transport } from './transport.js';

/**
 * Options of a {@link Session}. Connection settings (see {@link ConnectionOptions})
 * override the config file's; everything else tunes the transport.
 */
export interface SessionOptions extends ConnectionOptions {
  /**
   * Config file to read. Default `$MODELMAKER_CONFIG`, else `~/.modelmaker/config.json`
   * (skipped when absent). An explicit path (here or in the env) must exist. `false`: read none.
   */
  readonly configPath?: string | false | undefined;
  /** Where log lines go (redacted first); default the console. */
  readonly logger?: Logger | undefined;
  /** Log threshold: 10/20/30/40 or `'debug'`…; default `$MODELMAKER_LEVEL`, else 20 (info). */
  readonly level?: LogLevel | string | undefined;
  /** fetch implementation (tests, custom TLS, other runtimes); default the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Time for one HTTP attempt, ms; default `DEFAULT_ATTEMPT_TIMEOUT_MS`. */
  readonly attemptTimeoutMs?: number | undefined;
  /** Time for a whole call, retries included, ms; default `DEFAULT_DEADLINE_MS`. */
  readonly deadlineMs?: number | undefined;
  /** Attempts per call, the first included; default `DEFAULT_MAX_ATTEMPTS` (3). */
  readonly maxAttempts?: number | undefined;
  /** Backoff base, ms; default `DEFAULT_RETRY_BASE_MS`. */
  readonly retryBaseMs?: number | undefined;
  /** Backoff cap, ms; default `DEFAULT_RETRY_CAP_MS`. */
  readonly retryCapMs?: number | undefined;
  /** Longest `Retry-After` obeyed, ms; default `DEFAULT_RETRY_AFTER_CAP_MS`. */
  readonly retryAfterCapMs?: number | undefined;
  /** The retry budget: a shared {@link RetryBudget} (several sessions, one budget) or its options. */
  readonly retryBudget?: RetryBudget | RetryBudgetOptions | undefined;
  /** Renew a token this long before its known expiry, ms; default `DEFAULT_TOKEN_REFRESH_MARGIN_MS`. */
  readonly tokenRefreshMarginMs?: number | undefined;
  /** Shortest token lifetime believed, ms (a smaller `expiresIn` is raised to it); default `DEFAULT_MIN_TOKEN_LIFETIME_MS`. */
  readonly minTokenLifetimeMs?: number | undefined;
  /**
   * No login for this long after the server refused the credentials or a fresh token,
   * ms, doubling per refusal in a row (calls fail at once with `AuthError` meanwhile);
   * default `DEFAULT_AUTH_BACKOFF_BASE_MS`.
   */
  readonly authBackoffMs?: number | undefined;
  /** Longest such wait, ms; default `DEFAULT_AUTH_BACKOFF_CAP_MS`. */
  readonly authBackoffCapMs?: number | undefined;
  /**
   * Largest API response body, bytes after decompression, counted while it streams in;
   * larger fails with `ResponseTooLarge`. Default `DEFAULT_MAX_RESPONSE_BYTES` (32 MiB).
   */
  readonly maxResponseBytes?: number | undefined;
  /** Largest log page (`…/log`), bytes after decompression; default `DEFAULT_MAX_LOG_PAGE_BYTES` (32 MiB). */
  readonly maxLogPageBytes?: number | undefined;
  /** Same-origin redirects of a GET followed per request; default `DEFAULT_MAX_REDIRECTS` (5). 0 follows none. */
  readonly maxRedirects?: number | undefined;
  /** Jitter source in [0, 1); default `Math.random`. */
  readonly random?: (() => number) | undefined;
  /** Scheduler of timeouts and retry waits; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** Clock of token expiry, ms; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** Every key of {@link SessionOptions} (the compiler checks the list is whole), to name a mistyped one. */
const SESSION_OPTION_KEYS = Object.keys({
  username: true,
  password: true,
  hostBase: true,
  region: true,
  baseUrl: true,
  bucket: true,
  verifySsl: true,
  s3Protocol: true,
  accessKey: true,
  secretKey: true,
  projectId: true,
  configPath: true,
  logger: true,
  level: true,
  fetch: true,
  attemptTimeoutMs: true,
  deadlineMs: true,
  maxAttempts: true,
  retryBaseMs: true,
  retryCapMs: true,
  retryAfterCapMs: true,
  retryBudget: true,
  tokenRefreshMarginMs: true,
  minTokenLifetimeMs: true,
  authBackoffMs: true,
  authBackoffCapMs: true,
  maxResponseBytes: true,
  maxLogPageBytes: true,
  maxRedirects: true,
  random: true,
  scheduler: true,
  now: true,
} satisfies Record<keyof SessionOptions, true>);

/**
 * The options' unknown keys as a {@link ValidationError} — each named, with the option
 * it probably meant (`host_base` → `hostBase`) — or `undefined` when all are known.
 */
function unknownOptions(options: SessionOptions): ValidationError | undefined {
  const problems: Problems = [];
  parameters(problems, options, SESSION_OPTION_KEYS);
  return problems.length > 0 ? new ValidationError(problems) : undefined;
}

/**
 * The connection to a platform.
 *
 * @example
 * ```ts
 * const session = new Session({ username: 'me', password: 's3cret', hostBase: 'https://mmr.example.com/mmr', region: 'js01' });
 * session.call(endpoints.listTrain, {}).subscribe((list) => console.log(list.trainTasks));
 * // or with the row functions: listTrain(session)
 * ```
 */
export class Session implements Caller {
  /** The session's logger: level-filtered, every message and field redacted. */
  readonly logger: SdkLogger;
  readonly #options: SessionOptions;
  readonly #secrets = new SecretSet();
  readonly #budget: RetryBudget;
  readonly #tokens: TokenManager;
  #settings: Promise<ResolvedSettings> | undefined;
  #transport: Promise<Transport> | undefined;
  #s3: S3AccessProvider | undefined;
  readonly #outside = new Map<string, Promise<Transport>>();

  /** Stores the options (copied, never mutated). No I/O happens here. */
  constructor(options: SessionOptions = {}) {
    this.#options = Object.freeze({ ...options });
    this.#secrets.add(options.password);
    this.#secrets.add(options.secretKey);
    this.logger = createLogger({
      logger: options.logger,
      level: parseLogLevel(options.level) ?? levelFromEnv(),
      secrets: this.#secrets,
    });
    this.#budget =
      options.retryBudget instanceof RetryBudget ? options.retryBudget : new RetryBudget(options.retryBudget);
    this.#tokens = new TokenManager((signal) => this.#fetchToken(signal), {
      now: options.now,
      refreshMarginMs: options.tokenRefreshMarginMs,
      minLifetimeMs: options.minTokenLifetimeMs,
      refusalBackoffMs: options.authBackoffMs,
      refusalBackoffCapMs: options.authBackoffCapMs,
      onToken: (grant: TokenGrant) => this.#secrets.add(grant.token),
      onClamped: (expiresIn, usedMs) =>
        this.logger.warnOnce(
          'token-lifetime',
          `the server gave a token expiresIn of ${expiresIn} s; using ${usedMs / 1000} s (minTokenLifetimeMs)`,
        ),
    });
  }

  /**
   * The effective settings (options over config file over env), resolved once. The
   * object masks `password` and `secretKey` in `toJSON`/`toString`/inspection.
   *
   * Rejects with `ValidationError` (an unknown option, named with the one it probably
   * meant — `host_base: unknown parameter (did you mean hostBase?)` —, a missing explicit
   * config file, a bad s3_protocol) or `DecodeError` (malformed config file); a failure
   * is not cached.
   */
  resolved(): Promise<ResolvedSettings> {
    if (this.#settings === undefined) {
      const unknown = unknownOptions(this.#options);
      if (unknown !== undefined) return Promise.reject(unknown);
      const settings = resolveSettings(this.#options, this.logger).then((resolved) => {
        this.#secrets.add(resolved.password);
        this.#secrets.add(resolved.secretKey);
        return resolved;
      });
      settings.catch(() => {
        if (this.#settings === settings) this.#settings = undefined;
      });
      this.#settings = settings;
    }
    return this.#settings;
  }

  /** The default bucket. Rejects with `ValidationError` (field `bucket`) when none is configured. */
  async bucket(): Promise<string> {
    const { bucket } = await this.resolved();
    if (bucket === undefined || bucket === '') {
      throw new ValidationError([
        {
          field: 'bucket',
          message: 'no default bucket: give the bucket option or set it in the config file',
        },
      ]);
    }
    return bucket;
  }

  /**
   * Runs one contract row: a cold Observable that, on subscription, sends the request
   * (token, retries, deadline included) and emits the decoded response once.
   * Unsubscribing aborts the request in flight.
   *
   * Errors: `ValidationError` (bad params, missing settings), `ApiError`, `HttpError`,
   * `NetworkError`, `TimeoutError`, `AuthError`, `DecodeError` (with the path),
   * `ResponseTooLarge` (a body past `maxResponseBytes`, or `maxLogPageBytes` for a log
   * page), `RedirectRefused`. Every error is redacted with the session's secrets before
   * it is emitted.
   */
  call<E extends AnyEndpoint>(
    endpoint: E,
    args: CallArgs<E>,
    options?: CallOptions,
  ): Observable<EndpointResponse<E>> {
    return defer(() => {
      const sensitive = SENSITIVE_ENDPOINTS.has(endpoint.name);
      const request = {
        ...toHttpRequest(endpoint, args),
        ...(sensitive ? { sensitive: true, followRedirects: false } : {}),
      };
      return defer(() => this.#transportOnce()).pipe(
        switchMap((transport) =>
          transport.request(request, this.#withLimit(endpoint, options)).pipe(
            map((value) => {
              // The secrets of an answer are known before it is decoded (or fails to be).
              if (sensitive) for (const secret of secretValuesIn(value)) this.#secrets.add(secret);
              try {
                return decodeResponse(endpoint, value, {
                  method: request.method,
                  url: redact(transport.urlOf(request), this.#secrets),
                });
              } catch (error) {
                if (sensitive) for (const secret of secretValuesIn(value, true)) this.#secrets.add(secret);
                throw error;
              }
            }),
          ),
        ),
      );
    }).pipe(this.#redacted());
  }

  /** The call's options with the response limit of its kind (log page or JSON), unless the caller set one. */
  #withLimit(endpoint: AnyEndpoint, options: CallOptions | undefined): CallOptions {
    if (options?.maxResponseBytes !== undefined) return options;
    if (LOG_PAGE_ENDPOINTS.has(endpoint.name)) {
      return {
        ...options,
        maxResponseBytes: this.#options.maxLogPageBytes ?? DEFAULT_MAX_LOG_PAGE_BYTES,
        responseKind: 'logPage',
      };
    }
    return { ...options, maxResponseBytes: this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES };
  }

  /** Logs each warning of a transfer's summary (files checked by size only, keys skipped) at warning level. */
  #warned(): MonoTypeOperatorFunction<TransferEvent> {
    return tap((event) => {
      if (event.type === 'summary') for (const warning of event.warnings) this.logger.warn(warning);
    });
  }

  /** Redacts every error with this session's secrets: the last step before it leaves the SDK. */
  #redacted<T>(): MonoTypeOperatorFunction<T> {
    return catchError((error: unknown) => throwError(() => redactError(error, this.#secrets)));
  }

  /**
   * S3 credentials and endpoint for storage, from `GET /v1/account/auth-access`: fetched
   * on first `get()`, cached, refetched by `refresh()`. An endpoint without a scheme gets
   * `s3Protocol` (default `http`). Static `accessKey` + `secretKey`, when both are
   * configured, replace the temporary keys.
   */
  s3Access(): S3AccessProvider {
    if (this.#s3 === undefined) {
      this.#s3 = new CachedS3Access(async (signal) => {
        const settings = await this.resolved();
        // `call` registers the S3 secret before decoding (a sensitive endpoint).
        const access = await lastValueFrom(this.call(endpoints.authAccess, {}, { signal }));
        this.#secrets.add(access.s3.sk);
        return toS3Access(access, settings);
      });
    }
    return this.#s3;
  }

  /** The retry budget shared by this session's calls. */
  get retryBudget(): RetryBudget {
    return this.#budget;
  }

  #transportOnce(): Promise<Transport> {
    if (this.#transport === undefined) {
      const transport = this.resolved().then((settings) => this.#newTransport(settings.baseUrl, settings));
      transport.catch(() => {
        if (this.#transport === transport) this.#transport = undefined;
      });
      this.#transport = transport;
    }
    return this.#transport;
  }

  /** A transport to `baseUrl` with this session's fetch, TLS setting, logger, secrets, tokens, policy and budget. */
  async #newTransport(baseUrl: string, settings: ResolvedSettings): Promise<Transport> {
    const options = this.#options;
    return new Transport({
      baseUrl,
      fetch: options.fetch,
      fetchExtras: await tlsFetchExtras(settings.verifySsl, baseUrl, this.logger),
      logger: this.logger,
      secrets: this.#secrets,
      tokens: this.#tokens,
      policy: retryPolicy({
        maxAttempts: options.maxAttempts,
        baseMs: options.retryBaseMs,
        capMs: options.retryCapMs,
        retryAfterCapMs: options.retryAfterCapMs,
        random: options.random,
      }),
      budget: this.#budget,
      attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
      deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxRedirects: options.maxRedirects,
      scheduler: options.scheduler,
    });
  }

  /**
   * Sends one request to `baseUrl` + `request.path`, an address outside the API (a
   * service's `accessAddress`), through the same pipeline as {@link call}: this
   * session's fetch and TLS setting, debug logging with redaction, timeouts and
   * deadline, retry policy and budget (a request not `idempotent` is resent only when
   * it cannot have been sent: connection refused). `Auth-Token` is sent only when
   * `request.auth` is true. Cold: one value (the parsed JSON body, `undefined` when
   * empty), then completion; unsubscribing aborts the request in flight.
   *
   * Errors: `ApiError` (a JSON body with `errorCode`), `HttpError`, `NetworkError`,
   * `TimeoutError`, `DecodeError` (a 2xx body that is not JSON), `AuthError`.
   *
   * @example
   * ```ts
   * session.requestAt('http://127.0.0.1:7001/svc/3', { method: 'POST', path: '/ModelMaker/predict',
   *   body: { x: [1, 2] }, auth: false, idempotent: false })
   * ```
   */
  requestAt(baseUrl: string, request: HttpRequest, options?: RequestOptions): Observable<unknown> {
    return defer(() => this.#transportTo(baseUrl)).pipe(
      switchMap((transport) => transport.request(request, options)),
      this.#redacted(),
    );
  }

  /** One transport per outside base URL (kept, so keep-alive connections are reused). */
  #transportTo(baseUrl: string): Promise<Transport> {
    let transport = this.#outside.get(baseUrl);
    if (transport === undefined) {
      const made = this.resolved().then((settings) => this.#newTransport(baseUrl, settings));
      made.catch(() => {
        if (this.#outside.get(baseUrl) === made) this.#outside.delete(baseUrl);
      });
      this.#outside.set(baseUrl, made);
      transport = made;
    }
    return transport;
  }

  /**
   * Uploads a local file or directory tree to `s3Uri` (the seed's `upload_data`): progress,
   * one event per file, a summary; unchanged files skipped. Each storage helper is cold and
   * loads the Node-only storage module on subscription. See `sessionStorage.ts`.
   *
   * @example
   * ```ts
   * session.uploadData('./data', 's3://modelmaker/datasets/iris/').pipe(filter(isSummary)).subscribe(console.log);
   * ```
   */
  uploadData(local: string, s3Uri: string, options?: UploadOptions): Observable<TransferEvent> {
    return storage.uploadData(this, local, s3Uri, options).pipe(this.#warned(), this.#redacted());
  }

  /** Downloads the object or "directory" `s3Uri` into the directory `localDir` (the seed's `download_data`). See `downloadData` in `sessionStorage.ts`. */
  downloadData(s3Uri: string, localDir: string, options?: DownloadOptions): Observable<TransferEvent> {
    return storage.downloadData(this, s3Uri, localDir, options).pipe(this.#warned(), this.#redacted());
  }

  /** Downloads the object `s3Uri` to the file `localPath`. See `downloadFile` in `sessionStorage.ts`. */
  downloadFile(s3Uri: string, localPath: string, options?: TransferOptions): Observable<TransferEvent> {
    return storage.downloadFile(this, s3Uri, localPath, options).pipe(this.#warned(), this.#redacted());
  }

  /** Creates the empty "directory" `s3Uri` (a `dir/` marker object); emits its URI. See `createDirectory` in `sessionStorage.ts`. */
  createDirectory(s3Uri: string, options?: StorageOptions): Observable<string> {
    return storage.createDirectory(this, s3Uri, options).pipe(this.#redacted());
  }

  /** Deletes every object below the "directory" `s3Uri`; emits how many. See `deleteDirectory` in `sessionStorage.ts`. */
  deleteDirectory(s3Uri: string, options?: ListOptions): Observable<number> {
    return storage.deleteDirectory(this, s3Uri, options).pipe(this.#redacted());
  }

  /** Emits every object whose key starts with the key of `s3Uri`. See `listObjects` in `sessionStorage.ts`. */
  listObjects(s3Uri: string, options?: ListOptions): Observable<ObjectInfo> {
    return storage.listObjects(this, s3Uri, options).pipe(this.#redacted());
  }

  /**
   * `POST /v1/auth-token` with the configured credentials. A refusal (any errorCode
   * that is not transient, HTTP 401/403) becomes `AuthError`: not retried, so bad
   * credentials cost one request per token fetch, shared by all waiting calls.
   */
  async #fetchToken(signal: AbortSignal): Promise<TokenGrant> {
    const settings = await this.resolved();
    const missing = (['username', 'password'] as const)
      .filter((field) => settings[field] === undefined || settings[field] === '')
      .map((field) => ({ field, message: 'required to authenticate (option or config file)' }));
    if (missing.length > 0) throw new ValidationError(missing);
    const body = { username: settings.username!, password: settings.password! };
    this.logger.debug(`authenticating as ${body.username}`);
    return lastValueFrom(
      this.call(endpoints.authToken, { body }, { signal }).pipe(
        catchError((error: unknown) => throwError(() => toAuthFailure(error))),
      ),
    );
  }
}

const HTTP_UNAUTHORIZED = 401;
const HTTP_FORBIDDEN = 403;

/**
 * Rows whose answers carry secrets (the token, the S3 keys): never redirected, logged as
 * a shape only, and their secret values registered for scrubbing before decoding.
 */
const SENSITIVE_ENDPOINTS: ReadonlySet<string> = new Set([
  endpoints.authToken.name,
  endpoints.authAccess.name,
]);
/** Rows answering log pages: their bodies are limited by `maxLogPageBytes`. */
const LOG_PAGE_ENDPOINTS: ReadonlySet<string> = new Set([
  endpoints.getTrainLog.name,
  endpoints.getServiceLog.name,
]);

/** The error an auth-token failure surfaces as. */
function toAuthFailure(error: unknown): unknown {
  if (hasTag(error, 'ApiError') && !isTransient(error)) {
    const api = error as ApiError;
    return new AuthError(`errorCode ${api.errorCode}${api.serverMessage ? `: ${api.serverMessage}` : ''}`, {
      method: api.method,
      url: api.url,
      reason: 'credentials',
      cause: error,
    });
  }
  if (hasTag(error, 'HttpError')) {
    const http = error as HttpError;
    if (http.status === HTTP_UNAUTHORIZED || http.status === HTTP_FORBIDDEN) {
      return new AuthError(`HTTP ${http.status}${http.serverMessage ? `: ${http.serverMessage}` : ''}`, {
        method: http.method,
        url: http.url,
        reason: 'credentials',
        cause: error,
      });
    }
  }
  return error;
}
