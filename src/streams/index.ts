/**
 * Long-running reads of a training version as Observables: the polling engine,
 * `status$`, `logs$`, `metrics$`, `resources$`, their operators and sharing; and the
 * pipeline steps `fit` → `trained()` → `toModel` → `deployService` (the API layer's
 * `toService` and `deployed()` end it with a `Predictor`).
 *
 * `createModel` (the pipeline step) is not re-exported here: its name is the client's
 * `POST /v1/model` row function's, and both barrels are re-exported by the package root.
 * @module
 */
export type { CreateModelOptions, ModelSession, RegisteredModel } from './createModel.js';
export { modelDefaults, toModel } from './createModel.js';
export type {
  DeployCreatedEvent,
  DeployOptions,
  DeploySession,
  DeployStatusEvent,
  ServiceDeployEvent,
  ServiceRunningEvent,
} from './deploy.js';
export { deployService } from './deploy.js';
export { LogGapError, TrainingNotFinished } from './errors.js';
export type { TrainingFailure } from './failures.js';
export { ServiceFailed, TrainingFailed } from './failures.js';
export type {
  FitCompletedEvent,
  FitCreatedEvent,
  FitEvent,
  FitGapEvent,
  FitLogEvent,
  FitMetricEvent,
  FitOptions,
  FitResourceEvent,
  FitSession,
  FitStatusEvent,
  FitUploadEvent,
  TrainedJob,
} from './fit.js';
export { fit } from './fit.js';
export type { LinesOptions } from './lines.js';
export { lines } from './lines.js';
export type { LogEvent, LogGapEvent, LogLineEvent, LogsOptions } from './logs.js';
export { logs$ } from './logs.js';
export type { MetricSample, MetricsOptions } from './metrics.js';
export { metrics$ } from './metrics.js';
export { metricsFromLogs } from './metricsFromLogs.js';
export type { ModelSource } from './modelSource.js';
export { finishedVersion, modelSource } from './modelSource.js';
export type { IntervalBounds, NextInterval, Pace } from './pace.js';
export { nextInterval } from './pace.js';
export type { PollOptions, PollRequest, PollStep, ResolvedPollOptions, RetryNotice } from './poll.js';
export { poll, resolvePollOptions } from './poll.js';
export { isErrorLine, programError } from './programError.js';
export type { ResourcesOptions } from './resources.js';
export { resources$ } from './resources.js';
export { serviceLogSource, serviceLogs$ } from './serviceLogs.js';
export type { ServiceStatusChange, ServiceStatusOptions } from './serviceStatus.js';
export { serviceStatus$ } from './serviceStatus.js';
export { sourceFromSession } from './sessionSource.js';
export type { TrainingWatch, TrainingWatchOptions } from './share.js';
export { trainingWatch } from './share.js';
export type { LogPageRequest, TrainingSource } from './source.js';
export type { StatusChange, StatusOptions } from './status.js';
export { status$ } from './status.js';
export { trained } from './trained.js';
