/**
 * Every tunable number of the SDK, named and documented in one place. Options
 * that accept these fall back to them when not given.
 * @module
 */

// ── transport (src/client) ──────────────────────────────────────────────────

/** Attempts per idempotent call, the first included. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Base of the full-jitter backoff between attempts, in ms. */
export const DEFAULT_RETRY_BASE_MS = 100;
/** Cap of the backoff between attempts, in ms. */
export const DEFAULT_RETRY_CAP_MS = 20_000;
/** The longest `Retry-After` the SDK honours, in ms; longer waits give up instead. */
export const DEFAULT_RETRY_AFTER_CAP_MS = 30_000;
/** Time allowed for one HTTP attempt, in ms. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;
/** Time allowed for a whole call (all attempts and waits), in ms. */
export const DEFAULT_DEADLINE_MS = 60_000;

// ── streams (src/streams) ───────────────────────────────────────────────────

// ── storage (src/client/storage) ────────────────────────────────────────────

// ── local platform (src/local) ──────────────────────────────────────────────
