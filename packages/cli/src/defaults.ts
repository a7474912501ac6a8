/**
 * Every tunable number of the command line, named and documented in one place
 * (the SDK's own are in `src/defaults.ts`).
 * @module
 */

// ── output ──────────────────────────────────────────────────────────────────

/** Width assumed when stdout is not a terminal (tables are not cut there anyway). */
export const TERMINAL_FALLBACK_COLUMNS = 100;
/** Height assumed when stdout is not a terminal. */
export const TERMINAL_FALLBACK_ROWS = 40;
/** Spaces between two table columns. */
export const TABLE_COLUMN_GAP = 2;
/** A column is never shrunk below this many characters to fit the terminal. */
export const TABLE_MIN_COLUMN_WIDTH = 6;

// ── jobs watch ──────────────────────────────────────────────────────────────

/** The live view redraws at most this often, in ms (events in between are merged into one frame). */
export const WATCH_REDRAW_MS = 100;
/** The live view redraws at least this often, in ms, so the elapsed time moves. */
export const WATCH_TICK_MS = 1000;
/** Rows of one metric chart, when the terminal is tall enough. */
export const WATCH_CHART_HEIGHT = 8;
/** The smallest chart drawn; with less room, the metric is shown as one line. */
export const WATCH_MIN_CHART_HEIGHT = 3;
/** Log lines the live view keeps (and shows, when there is room). */
export const WATCH_LOG_TAIL_LINES = 10;
/** Log lines shown at least, when the terminal is short. */
export const WATCH_MIN_LOG_LINES = 3;
/** Instances whose resource usage is listed; more are summarised as "+N more". */
export const WATCH_MAX_INSTANCE_LINES = 4;
/** Width of the value labels left of a chart's axis. */
export const WATCH_CHART_LABEL_WIDTH = 12;
/** Without a terminal, a resource line per instance is printed at most this often, in ms. */
export const WATCH_PLAIN_RESOURCE_EVERY_MS = 5000;
/** Longest wait between two polls of `jobs watch` while nothing changes, in ms (the SDK's default backs off further). */
export const WATCH_POLL_CEILING_MS = 2000;
/** Points kept per metric by the live view; beyond it, every other point is dropped (the chart keeps its shape). */
export const WATCH_MAX_METRIC_POINTS = 2000;

// ── transfers ───────────────────────────────────────────────────────────────

/** Without a terminal, a progress line is printed at most this often, in ms (and at the end). */
export const PLAIN_PROGRESS_EVERY_MS = 2000;

// ── feed prometheus ─────────────────────────────────────────────────────────

/** Port `modelmaker feed prometheus` listens on without `--port` (the one OpenTelemetry's Prometheus exporter uses). */
export const PROMETHEUS_DEFAULT_PORT = 9464;
/** Address it listens on without `--host`: this machine only. */
export const PROMETHEUS_DEFAULT_HOST = '127.0.0.1';
/** How often the list of training jobs is read to find running ones, in s. */
export const PROMETHEUS_DISCOVERY_SECONDS = 10;
/** Longest wait between two polls of a running job's streams, in ms (a scrape should see recent values). */
export const PROMETHEUS_POLL_CEILING_MS = 5000;
