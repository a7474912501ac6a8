/**
 * The local platform's training runner: {@link runTraining} and its types.
 * @module
 */
export { detectContainerEngine } from './containerEngine.js';
export { hyperparameterVariable } from './environment.js';
export {
  cloneRepository,
  type GitCloned,
  GitCloneError,
  type GitCloneOptions,
  type GitSource,
  publicGitInfo,
  publicGitUrl,
} from './gitClone.js';
export { LaunchError, splitWords } from './launch.js';
export { runDirectories, runTraining } from './runTraining.js';
export { downloadAs, downloadTo, TransferError, uploadDirectory } from './transfer.js';
export {
  type LogEvent,
  PLATFORM_LOG_PREFIX,
  type ResourceEvent,
  type RunEvent,
  type RunnerDeps,
  type RunStatus,
  type StatusEvent,
  TERMINAL_RUN_STATUSES,
  type TrainingRun,
} from './types.js';
