/**
 * Feeds: the SDK's streams for other reactive systems — `for await` (async
 * iterables), WHATWG `ReadableStream`s with pull-based backpressure, NDJSON and
 * Server-Sent Events encoders with `Last-Event-ID` resume, and an OpenTelemetry
 * metrics bridge. Runtime-neutral (Node, Deno, Bun, browsers).
 * @module
 */
export { type AsyncIterableOptions, toAsyncIterable } from './asyncIterable.js';
export { createDemand, type Demand, withDemand } from './demand.js';
export { FeedOverflowError } from './errors.js';
export { NDJSON_CONTENT_TYPE, ndjsonLine, toNdjson } from './ndjson.js';
export { type FeedOptions, OVERFLOW_POLICIES, type OverflowPolicy } from './options.js';
export {
  DEFAULT_TELEMETRY_PREFIX,
  type GaugeCallback,
  type GaugeResult,
  type MeterLike,
  metricInstrumentName,
  type ObservableGaugeLike,
  recordTrainingMetrics,
  TELEMETRY_ATTRIBUTES,
  type TelemetryAttributes,
  type TelemetryOptions,
} from './otel.js';
export { logPosition } from './position.js';
export {
  FEED_CHUNK_CHARS,
  type FeedEncoder,
  type ReadableStreamOptions,
  toReadableStream,
} from './readableStream.js';
export { type TrainingReadings, type TrainingStreams, trainingReadings } from './readings.js';
export { FEED_START, type FeedCursor, LAST_EVENT_ID_QUOTE_CHARS, resumeCursor } from './resume.js';
export {
  type ServerSentEventId,
  type ServerSentEventsOptions,
  SSE_CONTENT_TYPE,
  SSE_HEARTBEAT_FRAME,
  serverSentEvent,
  toServerSentEvents,
} from './sse.js';
