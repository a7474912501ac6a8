/**
 * The client layer: the I/O kernel (retry, transient, abort), `Session`, the generic
 * `call`, one function per contract row, `predict`,
 * the session storage helpers (`uploadData`… loading storage lazily),
 * the create-or-version flows, config file helpers, logging and redaction.
 * @module
 */

export { authAccess, authToken } from './auth.js';
export type { BaseUrlInput } from './baseUrl.js';
export { deriveBaseUrl, isAddressHost } from './baseUrl.js';
export { call } from './call.js';
export { listFrameworks, listPresetAlgorithms, listPresetModels, listResources } from './catalog.js';
export type { ConfigLocation, WriteConfigOptions } from './config.js';
export {
  loadConfigFile,
  locateConfigFile,
  SECRET_DIR_MODE,
  SECRET_FILE_MODE,
  writeConfigFile,
} from './config.js';
export type {
  AnyEndpoint,
  CallArgs,
  Caller,
  CallOptions,
  Decoded,
  EndpointBody,
  EndpointParams,
  EndpointQuery,
  EndpointResponse,
} from './endpointCall.js';
export * from './kernel/index.js';
export type { LoggerOptions, SdkLogger } from './logger.js';
export {
  consoleLogger,
  createLogger,
  type Logger,
  LogLevel,
  levelFromEnv,
  parseLogLevel,
  silentLogger,
} from './logger.js';
export { checkedLogPages, checkLogPage } from './logPages.js';
export {
  createModel,
  createModelVersion,
  deleteModel,
  deleteModelVersion,
  getModel,
  getModelVersion,
  listModels,
  registerModel,
} from './models.js';
export type { OutsideCaller, PredictOptions } from './predict.js';
export { PREDICT_PATH, predict } from './predict.js';
export { isSecretKey, REDACTED, redact, redactAndCut, redactError, safeUrl, secretForms } from './redact.js';
export { s3EndpointUrl } from './s3Access.js';
export {
  createService,
  deleteService,
  getService,
  getServiceLog,
  listServices,
  startService,
  stopService,
  updateService,
} from './services.js';
export type { SessionOptions } from './session.js';
export { Session } from './session.js';
export type { StorageAccess } from './sessionStorage.js';
export {
  createDirectory,
  deleteDirectory,
  downloadData,
  downloadFile,
  listObjects,
  uploadData,
} from './sessionStorage.js';
export type { ConnectionOptions, SettingsFields } from './settings.js';
export { ResolvedSettings } from './settings.js';
export {
  createTrain,
  createTrainJob,
  createTrainVersion,
  deleteTrain,
  deleteTrainVersion,
  getTrain,
  getTrainLog,
  getTrainOutput,
  getTrainPerformanceMonitor,
  getTrainResourceMonitor,
  getTrainVersion,
  isErrorCode,
  listTrain,
  stopTrain,
} from './training.js';
export type { HttpRequest, RequestOptions } from './transport.js';
export { AUTH_TOKEN_HEADER } from './transport.js';
