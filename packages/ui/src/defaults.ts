/**
 * The dashboard's named defaults: where it listens, how its event streams pace
 * themselves, and the limits of what it accepts.
 * @module
 */

/** The address the dashboard binds unless told otherwise: this machine only. */
export const DEFAULT_UI_HOST = '127.0.0.1';

/** The port `modelmaker ui` listens on by default (0 picks a free one). */
export const DEFAULT_UI_PORT = 9950;

/** A comment line on every open event stream this often, ms, so proxies and browsers keep it open. */
export const DEFAULT_SSE_HEARTBEAT_MS = 15_000;

/** What a browser waits before reconnecting a dropped event stream, ms (the SSE `retry` field). */
export const DEFAULT_SSE_RETRY_MS = 1_000;

/** Most log lines in one event: a burst larger than this is sent as several events. */
export const DEFAULT_LOG_BATCH_LINES = 2_000;

/** Polling of the lists (jobs, services) and details the dashboard keeps live: shortest wait, ms. */
export const DEFAULT_FEED_FLOOR_MS = 1_000;

/** Polling of the lists and details while nothing changes: longest wait, ms. */
export const DEFAULT_FEED_CEILING_MS = 5_000;

/** Job versions whose details (times, reason) are read at once when the job list changes. */
export const DEFAULT_DETAIL_CONCURRENCY = 4;

/** Largest request body accepted (a predict request, a deploy form), bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** The header a page sends its per-server token in on every POST. */
export const TOKEN_HEADER = 'x-modelmaker-ui-token';

/** The cookie that carries the same token (SameSite=Strict: never sent by another site's page). */
export const TOKEN_COOKIE = 'modelmaker_ui';
