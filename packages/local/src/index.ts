/**
 * `@modelmaker/local`: the embedded ModelMaker platform — a real HTTP server for
 * the REST contract, with SQLite state, an embedded S3 and training that really
 * runs — for development, tests and demos. Never imported by the SDK core.
 *
 * @example
 * ```ts
 * import { startLocalPlatform } from '@modelmaker/local';
 * const platform = await startLocalPlatform({ dataDir: './.mm' });
 * // point the SDK at platform.baseUrl with platform.username / platform.password
 * await platform.close();
 * ```
 * @module
 */

export { type OpenedSession, type OpenSessionOptions, openSession } from './connect.js';
export * from './defaults.js';
export type { HealthComponent, HealthFault, HealthReport } from './health.js';
export type { Credentials } from './iam.js';
export {
  defaultDataDir,
  type LocalConfigProfile,
  type LocalPlatform,
  type LocalPlatformOptions,
  type RunTraining,
  SHUTDOWN_REASON,
  startLocalPlatform,
} from './platform.js';
export type { GitCloneOptions } from './runner/gitClone.js';
export type {
  LogEvent as RunLogEvent,
  ResourceEvent as RunResourceEvent,
  RunEvent,
  RunnerDeps,
  RunStatus,
  StatusEvent as RunStatusEvent,
  TrainingRun,
} from './runner/types.js';
export { type Capacity, machineCapacity } from './scheduler.js';
export type { ConnectionLimits } from './server/connectionLimits.js';
export { STOPPED_WAITING_REASON } from './server/handlers/training.js';
export { HEALTH_PATH } from './server/healthRoute.js';
export type { LogLimits } from './server/longPoll.js';
export type { ServingOptions } from './serving/manager.js';
export { HOST_COMMAND_VARIABLE } from './serving/plan.js';
export { DataDirBusyError } from './store/dataDirLock.js';
export { RESTARTED_REASON } from './store/recovery.js';
export { PlatformUnreachable } from './unreachable.js';
