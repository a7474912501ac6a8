/**
 * The local platform's settings: every default of the embedded platform, named and documented in
 * one place (the SDK's own defaults live in the SDK's `defaults.ts`).
 * @module
 */

// ── platform ──────────────────────────────────────────────

/** Address the local platform binds and advertises: the literal IPv4 loopback (`localhost` may be `::1`). */
export const DEFAULT_LOCAL_HOST = '127.0.0.1';
/** API port of `modelmaker local` (stable, so a written config profile stays valid across restarts). */
export const DEFAULT_LOCAL_CLI_PORT = 9948;
/** Embedded S3 port of `modelmaker local`. */
export const DEFAULT_LOCAL_CLI_S3_PORT = 9949;
/** The local platform's data dir, relative to the user's home directory. */
export const DEFAULT_LOCAL_DATA_SUBDIR = '.modelmaker/local';
/** The user a fresh local data dir gets (with a random password). */
export const DEFAULT_LOCAL_USERNAME = 'modelmaker';
/** The bucket a fresh local data dir gets. */
export const DEFAULT_LOCAL_BUCKET = 'modelmaker';
/** Lifetime of a token issued by the local platform, in seconds. */
export const DEFAULT_LOCAL_TOKEN_TTL_SECONDS = 3600;
/** How long an expired token is remembered (answered 1003, not 1002), in seconds. */
export const DEFAULT_LOCAL_EXPIRED_TOKEN_MEMORY_SECONDS = 86_400;
/** Failed logins per username before each further attempt must wait (see `loginThrottle.ts`). */
export const DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_USER = 5;
/** Failed logins per client address before each further attempt must wait. */
export const DEFAULT_LOCAL_LOGIN_FREE_ATTEMPTS_PER_ADDRESS = 20;
/** First wait after the free failed logins, in ms; doubled per further failure. */
export const DEFAULT_LOCAL_LOGIN_BASE_DELAY_MS = 1000;
/** Longest wait between two login attempts of a throttled username or address, in ms. */
export const DEFAULT_LOCAL_LOGIN_MAX_DELAY_MS = 60_000;
/** A failed-login count is forgotten this long after its last failure, in ms. */
export const DEFAULT_LOCAL_LOGIN_FORGET_MS = 15 * 60 * 1000;
/** Most failed-login counts kept in memory (the oldest are dropped first). */
export const DEFAULT_LOCAL_LOGIN_MAX_ENTRIES = 10_000;
/** Most connections one listener (API, embedded S3) keeps open at once; further ones are closed on arrival. */
export const DEFAULT_LOCAL_MAX_CONNECTIONS = 500;
/** A connection without a byte either way for this long (and no request being answered) is closed, in ms. */
export const DEFAULT_LOCAL_IDLE_CONNECTION_MS = 20_000;
/** Longest wait for a request's headers, in ms (then 408). */
export const DEFAULT_LOCAL_HEADERS_TIMEOUT_MS = 10_000;
/** Longest wait for a whole API request (headers and JSON body), in ms (then 408). Never limits the answer (long polls). */
export const DEFAULT_LOCAL_REQUEST_TIMEOUT_MS = 30_000;
/** How often connections are checked against the limits above, in ms. */
export const DEFAULT_LOCAL_CONNECTION_SWEEP_MS = 1000;
/** Longest the start waits for an external S3 to answer the check of its bucket, in ms. */
export const DEFAULT_LOCAL_EXTERNAL_S3_CHECK_MS = 15_000;
/** Largest request body the local platform reads, in bytes; larger ones get 413. */
export const DEFAULT_LOCAL_MAX_BODY_BYTES = 1024 * 1024;
/**
 * Largest XML request body the embedded S3 reads whole (DeleteObjects,
 * CompleteMultipartUpload), in bytes; larger ones get 413. Room for S3's own limits —
 * 1,000 keys of 1,024 bytes fully escaped, or 10,000 parts with their checksums.
 */
export const DEFAULT_LOCAL_S3_XML_BODY_BYTES = 10 * 1024 * 1024;
/**
 * Largest plain PutObject body (by its declared Content-Length) the embedded S3's guard
 * receives into memory and writes to the store in one go, in bytes; larger ones are
 * spooled to a file first. Small objects skip a file and its streams; at 16 uploads in
 * flight this bounds the memory to 16 MiB.
 */
export const DEFAULT_LOCAL_S3_BUFFERED_PUT_BYTES = 1024 * 1024;
/** Longest `wait` a log long-poll may ask for, in seconds; longer asks are capped. */
export const DEFAULT_LOCAL_LOG_WAIT_CAP_SECONDS = 30;
/** Log lines per page when `limit` is not given. */
export const DEFAULT_LOCAL_LOG_PAGE_SIZE = 1000;
/** Most log lines one page may carry; larger `limit`s are capped. */
export const MAX_LOCAL_LOG_PAGE_SIZE = 10_000;
/** Buffered log lines that force a write before the end of the event-loop turn. */
export const DEFAULT_LOCAL_LOG_BATCH_LINES = 5000;
/**
 * Longest a version's monitors may hold the event loop on one batch of log lines, in ms;
 * a pattern that takes longer on a single line (twice) is disabled for the run.
 */
export const DEFAULT_LOCAL_MONITOR_BUDGET_MS = 100;
/** Time between tries to record a version's failure when the database refused it (a full disk), in ms. */
export const DEFAULT_LOCAL_RECORD_RETRY_MS = 1000;
/** Time runs get to stop (and record STOPPED) when the platform closes, in ms, before they are killed: the runner's SIGTERM→SIGKILL grace plus a margin. */
export const DEFAULT_LOCAL_CLOSE_GRACE_MS = 7000;
/** How long `openSession()` waits for a configured platform to answer its first call before saying it does not, in ms. */
export const DEFAULT_CONFIGURED_PLATFORM_CHECK_MS = 10_000;
/** How long a SQLite statement waits for a lock held by another connection, in ms. */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5000;
/** Serving: how long a new instance may take to accept connections on its `PORT` before it counts as failed, in ms. */
export const DEFAULT_SERVING_READY_TIMEOUT_MS = 30_000;
/** Serving: time between two readiness probes of a starting instance, in ms. */
export const DEFAULT_SERVING_PROBE_INTERVAL_MS = 50;
/** Serving: first delay before a crashed instance is restarted, in ms; doubled per consecutive crash. */
export const DEFAULT_SERVING_RESTART_BACKOFF_MS = 200;
/** Serving: longest delay before a crashed instance is restarted, in ms. */
export const DEFAULT_SERVING_MAX_RESTART_BACKOFF_MS = 10_000;
/** Serving: an instance ready this long before it crashes restarts with the first delay again, in ms. */
export const DEFAULT_SERVING_STABLE_MS = 10_000;
/** Serving: time an instance gets between SIGTERM and SIGKILL when it is stopped, in ms. */
export const DEFAULT_SERVING_STOP_GRACE_MS = 3000;
/** Serving: longest wait for a removed instance's requests to finish before it is stopped, in ms. */
export const DEFAULT_SERVING_DRAIN_TIMEOUT_MS = 30_000;
/** Serving: largest prediction body the gateway forwards, in bytes; larger ones get 413. */
export const DEFAULT_SERVING_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Serving: longest wait for an instance's answer to a forwarded request, in ms (then 504). */
export const DEFAULT_SERVING_UPSTREAM_TIMEOUT_MS = 60_000;
/** Serving: most instances one request is tried on when instances refuse or drop it unanswered. */
export const DEFAULT_SERVING_MAX_ATTEMPTS = 3;

// local platform: embedded S3, runner, preset algorithms (s3/, runner/, algorithms/)

/** Region the embedded S3 reports and signs its internal requests for. */
export const DEFAULT_EMBEDDED_S3_REGION = 'us-east-1';
/** How far a signed request's `x-amz-date` may be from the embedded S3's clock, in ms (S3's own limit). */
export const S3_MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** Longest validity of a presigned URL, in seconds: a week, S3's own cap. */
export const S3_MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 60 * 60;
/** How often the runner samples CPU and memory of each training process tree, in ms. */
export const DEFAULT_RESOURCE_SAMPLE_MS = 1000;
/** Time a stopped (or timed-out) training process group gets between SIGTERM and SIGKILL, in ms. */
export const DEFAULT_STOP_GRACE_MS = 5000;
/** How long `docker info` / `podman info` may take to count as a working container engine, in ms. */
export const CONTAINER_ENGINE_PROBE_TIMEOUT_MS = 5000;
/** A log line longer than this many characters (no newline yet) is emitted in pieces, so one line cannot grow without bound. */
export const DEFAULT_MAX_LOG_LINE_CHARS = 1024 * 1024;
/** Longest a `git clone` of a job's or a model's `gitInfo` may take, in ms, before it is ended (and the run fails). */
export const DEFAULT_GIT_CLONE_TIMEOUT_MS = 10 * 60 * 1000;
/** A `git clone` over HTTP(S) slower than 1 byte/s for this many seconds is aborted by git (a stalled server). */
export const DEFAULT_GIT_STALL_SECONDS = 60;
/** SSH connect timeout of a `git clone` over SSH, in seconds (when the host sets no `GIT_SSH_COMMAND` of its own). */
export const DEFAULT_GIT_SSH_CONNECT_TIMEOUT_SECONDS = 30;
/** Time a timed-out `git clone` gets between SIGTERM and SIGKILL, in ms. */
export const GIT_CLONE_KILL_GRACE_MS = 1000;
/** Longest `git rev-parse HEAD` (naming the cloned commit in the log) may take, in ms. */
export const GIT_REV_PARSE_TIMEOUT_MS = 10_000;
/** Preset algorithms: gradient passes of logistic regression (`epochs`). */
export const DEFAULT_PRESET_EPOCHS = 100;
/** Preset algorithms: gradient steps per epoch of logistic regression (`stepsPerEpoch`). */
export const DEFAULT_PRESET_STEPS_PER_EPOCH = 10;
/** Preset algorithms: step size of logistic regression's mean gradient on standardized features (`learningRate`). */
export const DEFAULT_PRESET_LEARNING_RATE = 0.5;
/** Preset algorithms: clusters of k-means (`k`). */
export const DEFAULT_PRESET_KMEANS_K = 3;
/** Preset algorithms: most iterations of k-means (`maxIterations`). */
export const DEFAULT_PRESET_KMEANS_MAX_ITERATIONS = 100;
/** Preset algorithms: trees of a random forest (`trees`). */
export const DEFAULT_PRESET_TREES = 20;
/** Preset algorithms: seed of the random choices (k-means initialization, forest bagging) (`seed`). */
export const DEFAULT_PRESET_SEED = 42;
