/**
 * The session's `Auth-Token`: fetched lazily on first need, shared by every call,
 * renewed once for all concurrent callers when the server refuses it (single
 * flight), renewed ahead of time when the server said when it expires, cancelled
 * when nobody waits for it any more, and not asked again and again from a server
 * that keeps refusing.
 * @module
 */
import {
  DEFAULT_AUTH_BACKOFF_BASE_MS,
  DEFAULT_AUTH_BACKOFF_CAP_MS,
  DEFAULT_MIN_TOKEN_LIFETIME_MS,
  DEFAULT_TOKEN_REFRESH_MARGIN_MS,
} from '../defaults.js';
import { AuthError, hasTag } from '../errors.js';
import { SharedFlight } from './kernel/sharedFlight.js';

/** What `POST /v1/auth-token` gave: the token and, when the server says, its lifetime in seconds. */
export interface TokenGrant {
  readonly token: string;
  readonly expiresIn?: number | undefined;
}

/** Options of a {@link TokenManager}. */
export interface TokenManagerOptions {
  /** Clock in ms; default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Renew this long before a known expiry; default {@link DEFAULT_TOKEN_REFRESH_MARGIN_MS}. */
  readonly refreshMarginMs?: number | undefined;
  /**
   * Shortest lifetime believed, ms: an `expiresIn` below it (`1e-9`, `0.5`) is taken as
   * this, so a token is not fetched again for every call. Default {@link DEFAULT_MIN_TOKEN_LIFETIME_MS}.
   */
  readonly minLifetimeMs?: number | undefined;
  /** First wait after a refusal (bad credentials, a fresh token refused), ms; doubles per refusal in a row. Default {@link DEFAULT_AUTH_BACKOFF_BASE_MS}. */
  readonly refusalBackoffMs?: number | undefined;
  /** Longest wait after refusals, ms. Default {@link DEFAULT_AUTH_BACKOFF_CAP_MS}. */
  readonly refusalBackoffCapMs?: number | undefined;
  /** Called with each new token (the session adds it to the secrets scrubbed from logs). */
  readonly onToken?: ((grant: TokenGrant) => void) | undefined;
  /** Called when a grant's `expiresIn` was raised to the minimum lifetime (the session warns once). */
  readonly onClamped?: ((expiresIn: number, usedMs: number) => void) | undefined;
}

/** A refusal the manager remembers: until `until`, no login is tried. */
interface Refusal {
  readonly until: number;
  readonly streak: number;
  readonly cause: unknown;
}

/**
 * Holds one token. `fetchToken` runs at most once at a time whatever the number of
 * callers; its failure reaches every waiting caller and is not cached, so a later
 * call tries again.
 *
 * **Cancellable.** Each caller may pass an `AbortSignal`: it stops that caller's
 * wait, and when every caller waiting for a login has gone, the login's own signal
 * aborts (the request, its retries and timers end at once; nothing is sent later).
 *
 * **Refusals back off.** When the server refuses the credentials (`AuthError` with
 * reason `credentials`) or refuses a token it has just issued ({@link reject}), no
 * login is tried for a while: 1 s after the first refusal, doubling per refusal in a
 * row up to 60 s (the options change both). Meanwhile {@link get} and {@link renew}
 * fail at once with `AuthError` (reason `backoff`, the last refusal as `cause`),
 * without a request. A token the server accepts ({@link accepted}) ends the streak.
 */
export class TokenManager {
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #minLifetimeMs: number;
  readonly #backoffMs: number;
  readonly #backoffCapMs: number;
  readonly #onToken: ((grant: TokenGrant) => void) | undefined;
  readonly #onClamped: ((expiresIn: number, usedMs: number) => void) | undefined;
  readonly #login: SharedFlight<string>;
  #current: { token: string; renewAt: number } | undefined;
  #refusal: Refusal | undefined;

  constructor(fetchToken: (signal: AbortSignal) => Promise<TokenGrant>, options: TokenManagerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_TOKEN_REFRESH_MARGIN_MS;
    this.#minLifetimeMs = options.minLifetimeMs ?? DEFAULT_MIN_TOKEN_LIFETIME_MS;
    this.#backoffMs = options.refusalBackoffMs ?? DEFAULT_AUTH_BACKOFF_BASE_MS;
    this.#backoffCapMs = options.refusalBackoffCapMs ?? DEFAULT_AUTH_BACKOFF_CAP_MS;
    this.#onToken = options.onToken;
    this.#onClamped = options.onClamped;
    this.#login = new SharedFlight((signal) =>
      fetchToken(signal).then(
        (grant) => {
          this.#current = { token: grant.token, renewAt: this.#renewAt(grant.expiresIn) };
          this.#onToken?.(grant);
          return grant.token;
        },
        (error: unknown) => {
          if (hasTag(error, 'AuthError') && error.reason === 'credentials') this.#refused(error);
          throw error;
        },
      ),
    );
  }

  /** How many times a token was requested from the server (for tests and diagnostics). */
  get fetchCount(): number {
    return this.#login.runs;
  }

  /**
   * A usable token: the current one unless it is about to expire, else a fresh one
   * (single flight). Rejects with `AuthError` (reason `backoff`) while refusals back off.
   */
  get(signal?: AbortSignal): Promise<string> {
    const current = this.#current;
    if (current !== undefined && this.#now() < current.renewAt) return Promise.resolve(current.token);
    return this.#fetchOnce(signal);
  }

  /**
   * A token to use after the server refused `rejected`. If another caller has already
   * replaced it (or is replacing it), that token is shared: N callers refused at once
   * cause one fetch. During a streak of refusals (no token accepted since the last
   * one), a refused token is itself a refusal: no login, the wait doubles, and this
   * rejects with `AuthError` (reason `backoff`).
   */
  renew(rejected: string, signal?: AbortSignal, cause?: unknown): Promise<string> {
    if (this.#login.running) return this.#login.join(signal);
    const current = this.#current;
    if (current !== undefined && current.token !== rejected && this.#now() < current.renewAt) {
      return Promise.resolve(current.token);
    }
    if (this.#refusal !== undefined) this.reject(rejected, cause);
    this.#current = undefined;
    return this.#fetchOnce(signal);
  }

  /**
   * The server refused `token` although it was just obtained for this very call: the
   * token is dropped and logins back off (see the class doc). Counted once per login
   * however many calls saw it refused: a report about a token that is no longer the
   * current one (already dropped, or replaced) changes nothing.
   */
  reject(token: string, cause: unknown): void {
    if (this.#current?.token !== token) return;
    this.#current = undefined;
    this.#refused(cause);
  }

  /** The server accepted `token`: a streak of refusals is over. */
  accepted(token: string): void {
    if (this.#refusal !== undefined && this.#current?.token === token) this.#refusal = undefined;
  }

  /** Forgets the current token; the next {@link get} fetches a new one. */
  invalidate(): void {
    this.#current = undefined;
  }

  #fetchOnce(signal: AbortSignal | undefined): Promise<string> {
    if (this.#login.running) return this.#login.join(signal);
    const refusal = this.#refusal;
    const now = this.#now();
    if (refusal !== undefined && now < refusal.until) {
      return Promise.reject(
        new AuthError(
          `the server refused ${refusal.streak === 1 ? 'the last login' : `the last ${refusal.streak} logins`}; not logging in again for ${refusal.until - now} ms`,
          { reason: 'backoff', cause: refusal.cause },
        ),
      );
    }
    return this.#login.join(signal);
  }

  #refused(cause: unknown): void {
    const streak = (this.#refusal?.streak ?? 0) + 1;
    const waitMs = Math.min(this.#backoffCapMs, this.#backoffMs * 2 ** (streak - 1));
    this.#refusal = { until: this.#now() + waitMs, streak, cause };
  }

  /**
   * When to renew: never without `expiresIn`; else expiry minus the margin (at most half
   * the lifetime), the lifetime raised to the minimum when the server gave less.
   */
  #renewAt(expiresIn: number | undefined): number {
    if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0)
      return Number.POSITIVE_INFINITY;
    let lifetimeMs = expiresIn * 1000;
    if (lifetimeMs < this.#minLifetimeMs) {
      lifetimeMs = this.#minLifetimeMs;
      this.#onClamped?.(expiresIn, lifetimeMs);
    }
    return this.#now() + lifetimeMs - Math.min(this.#marginMs, lifetimeMs / 2);
  }
}
