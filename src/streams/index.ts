/**
 * Long-running reads of a training version as Observables: the polling engine,
 * `status$`, `logs$`, `metrics$`, `resources$`, their operators and sharing.
 * @module
 */
export type { IntervalBounds, NextInterval, Pace, RetryBounds } from './backoff.js';
export { nextInterval, retryDelay } from './backoff.js';
export { LogGapError } from './errors.js';
export type { LinesOptions } from './lines.js';
export { lines } from './lines.js';
export type { LogEvent, LogGapEvent, LogLineEvent, LogsOptions } from './logs.js';
export { logs$ } from './logs.js';
export type { MetricSample, MetricsOptions } from './metrics.js';
export { metrics$ } from './metrics.js';
export { metricsFromLogs } from './metricsFromLogs.js';
export type { PollOptions, PollRequest, PollStep, ResolvedPollOptions, RetryNotice } from './poll.js';
export { poll, resolvePollOptions } from './poll.js';
export type { ResourcesOptions } from './resources.js';
export { resources$ } from './resources.js';
export { sourceFromSession } from './sessionSource.js';
export type { TrainingWatch, TrainingWatchOptions } from './share.js';
export { trainingWatch } from './share.js';
export type { LogPageRequest, TrainingSource } from './source.js';
export type { StatusChange, StatusOptions } from './status.js';
export { status$ } from './status.js';
