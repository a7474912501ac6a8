/**
 * Slows password guessing at `POST /v1/auth-token`: failed logins are counted per
 * username and per client address; past a few free attempts, each further one must
 * wait for a delay that doubles per failure (capped), and an attempt that comes too
 * early is refused without checking the password at all. Unknown usernames are counted
 * exactly like known ones, so the throttle does not tell which users exist. A
 * success clears the username's count; counts are forgotten after a quiet while, and
 * the table is bounded (the oldest entries go first).
 * @module
 */
import {
  DEFAULT_LOCAL_LOGIN_BASE_DELAY_MS,
  DEFAULT_LOCAL_LOGIN_FORGET_MS,
  DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_ADDRESS,
  DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_USER,
  DEFAULT_LOCAL_LOGIN_MAX_DELAY_MS,
  DEFAULT_LOCAL_LOGIN_MAX_ENTRIES,
} from './defaults.js';

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failures per username before delays start. Default {@link DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_USER}. */
  readonly freeAttemptsPerUser?: number;
  /** Failures per client address before delays start. Default {@link DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_ADDRESS}. */
  readonly freeAttemptsPerAddress?: number;
  /** First delay, ms; doubled per further failure. Default {@link DEFAULT_LOCAL_LOGIN_BASE_DELAY_MS}. */
  readonly baseDelayMs?: number;
  /** Longest delay, ms. Default {@link DEFAULT_LOCAL_LOGIN_MAX_DELAY_MS}. */
  readonly maxDelayMs?: number;
  /** A count is forgotten this long after its last failure, ms. Default {@link DEFAULT_LOCAL_LOGIN_FORGET_MS}. */
  readonly forgetMs?: number;
  /** Most counts kept. Default {@link DEFAULT_LOCAL_LOGIN_MAX_ENTRIES}. */
  readonly maxEntries?: number;
  /** The clock (ms). */
  readonly now?: () => number;
}

/** Who is trying: the username asked for and, when known, the client's address. */
export interface LoginAttempt {
  readonly username: string;
  readonly address?: string | undefined;
}

/** A login refused before its password was checked: too many failures. */
export class LoginThrottledError extends Error {
  readonly _tag = 'LoginThrottled' as const;
  override readonly name = 'LoginThrottledError';
  constructor(
    /** Seconds until the next attempt is accepted (rounded up). */
    readonly retryAfterSeconds: number,
  ) {
    super(`too many failed logins; try again in ${retryAfterSeconds} s`);
  }
}

interface Count {
  failures: number;
  last: number;
}

/** Counts failed logins and says when the next attempt may come. One per platform. */
export class LoginThrottle {
  private readonly counts = new Map<string, Count>();
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  private keys(attempt: LoginAttempt): Array<{ key: string; free: number }> {
    const keys = [
      {
        key: `user:${attempt.username}`,
        free: this.options.freeAttemptsPerUser ?? DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_USER,
      },
    ];
    if (attempt.address) {
      keys.push({
        key: `address:${attempt.address}`,
        free: this.options.freeAttemptsPerAddress ?? DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_ADDRESS,
      });
    }
    return keys;
  }

  private delayAfter(failures: number, free: number): number {
    if (failures < free) return 0;
    const base = this.options.baseDelayMs ?? DEFAULT_LOCAL_LOGIN_BASE_DELAY_MS;
    const max = this.options.maxDelayMs ?? DEFAULT_LOCAL_LOGIN_MAX_DELAY_MS;
    return Math.min(max, base * 2 ** Math.min(failures - free, 30));
  }

  private current(key: string): Count | undefined {
    const count = this.counts.get(key);
    if (count && this.now() - count.last > (this.options.forgetMs ?? DEFAULT_LOCAL_LOGIN_FORGET_MS)) {
      this.counts.delete(key);
      return undefined;
    }
    return count;
  }

  /** @throws LoginThrottledError when this attempt comes before its delay has passed. */
  check(attempt: LoginAttempt): void {
    let waitMs = 0;
    for (const { key, free } of this.keys(attempt)) {
      const count = this.current(key);
      if (count) waitMs = Math.max(waitMs, count.last + this.delayAfter(count.failures, free) - this.now());
    }
    if (waitMs > 0) throw new LoginThrottledError(Math.ceil(waitMs / 1000));
  }

  /** Counts a failed attempt. */
  failed(attempt: LoginAttempt): void {
    for (const { key } of this.keys(attempt)) {
      const count = this.current(key) ?? { failures: 0, last: 0 };
      count.failures++;
      count.last = this.now();
      // Re-inserted, so the map's order is least recently failed first.
      this.counts.delete(key);
      this.counts.set(key, count);
    }
    const max = this.options.maxEntries ?? DEFAULT_LOCAL_LOGIN_MAX_ENTRIES;
    for (const key of this.counts.keys()) {
      if (this.counts.size <= max) break;
      this.counts.delete(key);
    }
  }

  /** Clears the username's count after a successful login (the address keeps its count). */
  succeeded(attempt: LoginAttempt): void {
    this.counts.delete(`user:${attempt.username}`);
  }
}
