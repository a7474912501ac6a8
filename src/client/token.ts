/**
 * The session's `Auth-Token`: fetched lazily on first need, shared by every call,
 * renewed once for all concurrent callers when the server refuses it (single
 * flight), and renewed ahead of time when the server said when it expires.
 * @module
 */
import { DEFAULT_TOKEN_REFRESH_MARGIN_MS } from '../defaults.js';

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
  /** Called with each new token (the session adds it to the secrets scrubbed from logs). */
  readonly onToken?: ((grant: TokenGrant) => void) | undefined;
}

/**
 * Holds one token. `fetchToken` runs at most once at a time whatever the number of
 * callers; its failure reaches every waiting caller and is not cached, so a later
 * call tries again.
 *
 * `fetchToken` is not cancelled when one caller goes away: others may be waiting
 * on it. It carries its own deadline (the transport's).
 */
export class TokenManager {
  readonly #fetchToken: () => Promise<TokenGrant>;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #onToken: ((grant: TokenGrant) => void) | undefined;
  #current: { token: string; renewAt: number } | undefined;
  #inflight: Promise<string> | undefined;
  #fetches = 0;

  constructor(fetchToken: () => Promise<TokenGrant>, options: TokenManagerOptions = {}) {
    this.#fetchToken = fetchToken;
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_TOKEN_REFRESH_MARGIN_MS;
    this.#onToken = options.onToken;
  }

  /** How many times a token was requested from the server (for tests and diagnostics). */
  get fetchCount(): number {
    return this.#fetches;
  }

  /** A usable token: the current one unless it is about to expire, else a fresh one (single flight). */
  get(): Promise<string> {
    const current = this.#current;
    if (current !== undefined && this.#now() < current.renewAt) return Promise.resolve(current.token);
    return this.#fetchOnce();
  }

  /**
   * A token to use after the server refused `rejected`. If another caller has already
   * replaced it (or is replacing it), that token is shared: N callers refused at once
   * cause one fetch.
   */
  renew(rejected: string): Promise<string> {
    if (this.#inflight !== undefined) return this.#inflight;
    const current = this.#current;
    if (current !== undefined && current.token !== rejected && this.#now() < current.renewAt) {
      return Promise.resolve(current.token);
    }
    this.#current = undefined;
    return this.#fetchOnce();
  }

  /** Forgets the current token; the next {@link get} fetches a new one. */
  invalidate(): void {
    this.#current = undefined;
  }

  #fetchOnce(): Promise<string> {
    if (this.#inflight !== undefined) return this.#inflight;
    this.#fetches += 1;
    const flight = this.#fetchToken().then(
      (grant) => {
        this.#inflight = undefined;
        this.#current = { token: grant.token, renewAt: this.#renewAt(grant.expiresIn) };
        this.#onToken?.(grant);
        return grant.token;
      },
      (error: unknown) => {
        this.#inflight = undefined;
        throw error;
      },
    );
    this.#inflight = flight;
    return flight;
  }

  /** When to renew: never without `expiresIn`; else expiry minus the margin (at most half the lifetime). */
  #renewAt(expiresIn: number | undefined): number {
    if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0)
      return Number.POSITIVE_INFINITY;
    const lifetimeMs = expiresIn * 1000;
    return this.#now() + lifetimeMs - Math.min(this.#marginMs, lifetimeMs / 2);
  }
}
