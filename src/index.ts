/**
 * modelmaker — the reactive TypeScript SDK for the ModelMaker AI platform.
 * @module
 */

export { type DeployEvent, type DeployRunningEvent, deploy, toService } from './api/deploy.js';
export { deployed } from './api/deployed.js';
export { Estimator, type EstimatorParams, type FitArgs } from './api/estimator.js';
export { Model } from './api/model.js';
export { Predictor, type PredictorSession } from './api/predictor.js';
export * from './client/index.js';
export type { S3Access as S3Credentials, S3AccessProvider } from './client/storage/access.js';
export type {
  DownloadOptions,
  FileAction,
  FileTransferred,
  LeftOut,
  ListOptions,
  ObjectInfo,
  StorageOptions,
  TransferDirection,
  TransferEvent,
  TransferOptions,
  TransferProgress,
  TransferSummary,
  UploadOptions,
  Verification,
} from './client/storage/index.js';
export * from './codecs/index.js';
export type {
  BootType,
  CodeDir,
  CustomResource as CustomResourceParams,
  DeployDefaults,
  DeployParams,
  GitInfo as GitInfoParams,
  InputFile as InputFileParams,
  ModelFrameworkType,
  ModelParams,
  ModelRequest,
  NameValue as NameValueParams,
  ResourcePoolType,
  ServiceModelParams,
  ServiceType,
  TrainFrameworkType,
  TrainParams,
  TrainRequest,
} from './codecs/params/index.js';
export {
  BOOT_TYPES,
  DEFAULT_RESOURCE_POOL_TYPE,
  MODEL_FRAMEWORK_TYPES,
  RESOURCE_POOL_TYPES,
  SERVICE_TYPES,
  TRAIN_FRAMEWORK_TYPES,
  toModelCreate,
  toServiceCreate,
  toTrainCreate,
} from './codecs/params/index.js';
export * from './defaults.js';
export * from './errors.js';
export * from './feeds/index.js';
export { createModel } from './streams/createModel.js';
export * from './streams/index.js';
