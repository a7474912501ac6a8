/**
 * Parameter validation before any network call: the seed's parameters (in camelCase)
 * for training, model creation and deployment, checked per framework type and turned
 * into wire bodies. Failures are values — `Left(ValidationError)` listing every problem,
 * each naming the parameter the user wrote (`trainInstanceCount`,
 * `serviceModels[1].weight`, `gitInfo.branch`) — and never echo a secret.
 * @module
 */
export type { CodeDir, GitInfo } from './code.js';
export type { DeployDefaults, DeployParams, ServiceModelParams, ServiceType } from './deploy.js';
export { SERVICE_TYPES, toServiceCreate } from './deploy.js';
export type { ModelFrameworkType, ModelParams, ModelRequest } from './model.js';
export { MODEL_FRAMEWORK_TYPES, toModelCreate } from './model.js';
export type { NameValue } from './pairs.js';
export type { CustomResource, ResourcePoolType } from './resources.js';
export { DEFAULT_RESOURCE_POOL_TYPE, RESOURCE_POOL_TYPES } from './resources.js';
export type { BootType, InputFile, TrainFrameworkType, TrainParams, TrainRequest } from './train.js';
export { BOOT_TYPES, TRAIN_FRAMEWORK_TYPES, toTrainCreate } from './train.js';
