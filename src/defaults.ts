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
/** Tokens in a session's retry budget (AWS SDK v3 standard mode): retries stop when it is empty. */
export const DEFAULT_RETRY_BUDGET_CAPACITY = 500;
/** Budget tokens one retry costs. */
export const DEFAULT_RETRY_COST = 5;
/** Budget tokens one retry after a timeout costs (timeouts suggest an overloaded server). */
export const DEFAULT_TIMEOUT_RETRY_COST = 10;
/** Budget tokens a call that succeeded at once gives back (a call that needed retries refunds their cost). */
export const DEFAULT_RETRY_SUCCESS_REFUND = 1;
/** A token with a known `expiresIn` is renewed this long before it expires, in ms. */
export const DEFAULT_TOKEN_REFRESH_MARGIN_MS = 60_000;
/** Shortest token lifetime believed, in ms: a smaller `expiresIn` (`1e-9`) is raised to this, so tokens are not fetched per call. */
export const DEFAULT_MIN_TOKEN_LIFETIME_MS = 10_000;
/** After the server refuses the credentials or a fresh token, no login for this long, in ms (doubling per refusal in a row). */
export const DEFAULT_AUTH_BACKOFF_BASE_MS = 1_000;
/** Longest wait between logins after refusals in a row, in ms. */
export const DEFAULT_AUTH_BACKOFF_CAP_MS = 60_000;
/** Largest body of an API (JSON) response, in bytes after decompression; larger fails with `ResponseTooLarge`. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Largest body of one log page, in bytes after decompression; larger fails with `ResponseTooLarge`. */
export const DEFAULT_MAX_LOG_PAGE_BYTES = 32 * 1024 * 1024;
/** Redirects followed per request (same origin, GET/HEAD only); one more fails with `RedirectRefused`. */
export const DEFAULT_MAX_REDIRECTS = 5;
/** Log threshold when neither the `level` option nor `MODELMAKER_LEVEL` says (20 = info). */
export const DEFAULT_LOG_LEVEL = 20;
/** Longest response body text a debug log line shows, in characters. */
export const DEFAULT_LOG_BODY_MAX_CHARS = 4_000;
/** Longest non-JSON response text quoted in an `HttpError` message, in characters. */
export const DEFAULT_ERROR_BODY_MAX_CHARS = 300;
/** Scheme put before an S3 endpoint given without one (config `s3_protocol`). */
export const DEFAULT_S3_PROTOCOL = 'http';
/** The platform address when neither options nor the config file give one: the Python SDK's `host_base` default. */
export const DEFAULT_HOST_BASE = 'https://mmr.wangsucloud.com:9948/mmr';
/** The region when neither options nor the config file give one: the Python SDK's default. */
export const DEFAULT_REGION = 'js01';
/** The config file under the home directory when neither `configPath` nor `MODELMAKER_CONFIG` says. */
export const DEFAULT_CONFIG_RELATIVE_PATH = '.modelmaker/config.json';

// ── streams (src/streams) ───────────────────────────────────────────────────

/** Shortest wait between two polls, in ms: the pace while things change (interval floor). */
export const DEFAULT_POLL_FLOOR_MS = 1000;
/** Longest wait between two polls, in ms: where the idle interval stops growing (interval ceiling). */
export const DEFAULT_POLL_CEILING_MS = 10_000;
/** Each idle poll multiplies the wait before the next one by this, up to the ceiling. */
export const DEFAULT_POLL_IDLE_FACTOR = 2;
/** Base of the full-jitter wait between failed polls, in ms (the kernel's `retryWithPolicy`). */
export const DEFAULT_POLL_RETRY_BASE_MS = 500;
/** Cap of the full-jitter wait between failed polls, in ms. */
export const DEFAULT_POLL_RETRY_CAP_MS = 15_000;
/** A stream gives up (errors with the last error) after this many failed polls in a row... */
export const DEFAULT_POLL_MAX_FAILURES = 20;
/** ...or when failures have lasted this long, in ms, whichever comes first. */
export const DEFAULT_POLL_MAX_OUTAGE_MS = 300_000;
/** Log lines asked per page (`limit`, extension; a server without it sends what it sends). */
export const DEFAULT_LOG_PAGE_LIMIT = 1000;
/** How long a log request asks the server to hold while there is nothing new (`wait`, extension), in s. */
export const DEFAULT_LOG_WAIT_SECONDS = 20;
/**
 * An empty log page for a running job answered in less than this fraction of the asked `wait`
 * shows a server that does not long-poll; one held at least this long shows one that does.
 */
export const LONG_POLL_HELD_FRACTION = 0.5;
/** Last log lines a `TrainingFailed` error carries (a ring buffer kept while `fit` follows the log). */
export const DEFAULT_FIT_FAILURE_LOG_LINES = 20;
/**
 * Time the S3 checks made before a job is submitted (its output bucket, its data) may
 * take, in ms; past it the job goes on unchecked (the platform decides).
 */
export const DEFAULT_PREFLIGHT_TIMEOUT_MS = 5_000;

// ── feeds (src/feeds) ───────────────────────────────────────────────────────
/** Values a feed bridge (`toAsyncIterable`, `toReadableStream`) holds for a slow consumer before its overflow policy applies. */
export const DEFAULT_FEED_BUFFER = 4096;
/**
 * With a `Demand`, a bridge pauses its source when its buffer holds this fraction of `buffer`,
 * leaving the rest for the answer already on its way (a log page: `DEFAULT_LOG_PAGE_LIMIT` lines).
 */
export const DEFAULT_FEED_HIGH_WATER_FRACTION = 0.5;

// ── storage (src/client/storage) ────────────────────────────────────────────
/**
 * Files transferred at the same time by `upload` / `download`. A store that writes each
 * object durably spends most of a small file's time waiting for its disk, so more small
 * files in flight keep it busy (`bench/storage.ts`: 8 → 16 → 32 gave ×1.6 → ×2.0 the
 * sequential loop on the embedded S3); large files are bounded apart
 * (`DEFAULT_LARGE_FILE_CONCURRENCY`).
 */
export const DEFAULT_STORAGE_CONCURRENCY = 16;
/**
 * A `download` whose listing holds at most this many objects keeps it from its first pass
 * (keys checked, totals counted) for the transfer, instead of listing again: one listing
 * for a tree this size (≈ 2–3 MB of listed objects at most). Longer listings are listed
 * twice and never held whole.
 */
export const DEFAULT_DOWNLOAD_KEPT_LISTING_KEYS = 10_000;
/**
 * Files above the multipart threshold an upload sends at the same time (each holds
 * `DEFAULT_PART_CONCURRENCY` parts in memory while they are sent).
 */
export const DEFAULT_LARGE_FILE_CONCURRENCY = 2;
/**
 * Parts of one multipart upload sent at the same time: with {@link DEFAULT_PART_SIZE},
 * 32 MiB of one file in memory and in flight.
 */
export const DEFAULT_PART_CONCURRENCY = 2;
/** Files larger than this are uploaded in parts (multipart), in bytes. */
export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/**
 * Preferred part size of a multipart upload, in bytes; grown for huge files so no upload
 * needs more than {@link S3_MAX_PARTS}. 16 MiB × 2 in flight holds as many bytes as 8 MiB ×
 * 4 did, with half the requests: each request costs CPU on both ends (`bench/storage.ts`:
 * a 1 GiB upload ×0.79–0.87 → ×0.88–0.90 the plain PUT on the embedded store).
 */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** The smallest part S3 accepts (all parts but the last), in bytes. */
export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;
/** The most parts one S3 multipart upload may have. */
export const S3_MAX_PARTS = 10_000;
/** The largest object S3's `CopyObject` copies (5 GiB): a multipart upload writes its SHA-256 after the data by such a copy. */
export const S3_MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;
/** The most keys one S3 `DeleteObjects` call accepts. */
export const S3_MAX_DELETE_KEYS = 1_000;
/** Files up to this size are read once into memory (hash and body from one read), in bytes. */
export const DEFAULT_BUFFERED_FILE_BYTES = 256 * 1024;
/** Read size when hashing or streaming files, in bytes. */
export const DEFAULT_READ_CHUNK_BYTES = 1024 * 1024;
/** A transfer emits a progress event at least every this many bytes (and after each file), in bytes. */
export const DEFAULT_PROGRESS_STEP_BYTES = 1024 * 1024;
/** Attempts per S3 request (the first included) on transient failures; a credential refresh is not counted. */
export const DEFAULT_STORAGE_MAX_ATTEMPTS = 3;
/** Time allowed to open a connection to S3, in ms. */
export const DEFAULT_S3_CONNECT_TIMEOUT_MS = 10_000;
/** A connection to S3 idle this long (no byte either way) fails, and the request is retried, in ms. */
export const DEFAULT_S3_IDLE_TIMEOUT_MS = 120_000;
/** Time allowed for a whole storage operation (every request, retry and byte of it), in ms. */
export const DEFAULT_TRANSFER_DEADLINE_MS = 24 * 60 * 60 * 1000;
/**
 * Slowest S3 request tolerated, in bytes per second, measured over each
 * {@link DEFAULT_THROUGHPUT_WINDOW_MS}: a body moving slower (a 1 byte/s drip), or a request
 * without a body that takes a whole window, fails (reason `TooSlow`, retried like a reset).
 */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
/** The window of the minimum-throughput guard, in ms. */
export const DEFAULT_THROUGHPUT_WINDOW_MS = 60_000;
/** Patterns every upload leaves out, whatever the `ignore` option says. */
export const DEFAULT_UPLOAD_IGNORE: readonly string[] = ['.git'];
/** Object metadata key (`x-amz-meta-…`) holding the SHA-256 (hex) of the object's content, written by `upload`. */
export const SHA256_METADATA_KEY = 'sha256';

// ── parameters (src/codecs/params) ──────────────────────────────────────────

/** Fewest machines a training job or a service model runs on. */
export const MIN_INSTANCE_COUNT = 1;
/** Most machines a training job (`trainInstanceCount`) or a service model (`instanceCount`) runs on. */
export const MAX_INSTANCE_COUNT = 10;
/** Smallest extra volume of a training job (`volumeSize`). */
export const MIN_VOLUME_SIZE = 1;
/** Largest extra volume of a training job (`volumeSize`). */
export const MAX_VOLUME_SIZE = 10;
/** A service model's `weight` is a percentage of the traffic: 0..100, and a service's weights add up to this. */
export const SERVICE_WEIGHT_TOTAL = 100;
