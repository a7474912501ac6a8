/**
 * The endpoint table: every REST call of the contract, declared once. The SDK's
 * client functions and the local platform's routes are both built from it.
 *
 * Path parameters decode with id codecs that reject non-numeric text, so
 * `/v1/train/version/5` can only match `/v1/train/version/{versionId}`, never
 * `/v1/train/{jobId}`: a router may try the entries in any order, checking the
 * method, `matchPath` and the params codec.
 * @module
 */
import { AuthAccess, AuthTokenRequest, AuthTokenResponse } from './auth.js';
import { EnvParams, FrameworkList, PresetAlgorithmList, PresetModelList, ResourceList } from './catalog.js';
import { Ack, EmptyBody, NoParams } from './common.js';
import { endpoint } from './endpoint.js';
import {
  ModelCreate,
  ModelCreated,
  ModelDetail,
  ModelIdParams,
  ModelList,
  ModelVersionCreated,
  ModelVersionDetail,
  ModelVersionIdParams,
} from './models.js';
import {
  ServiceCreate,
  ServiceCreated,
  ServiceDetail,
  ServiceIdParams,
  ServiceList,
  ServiceUpdate,
} from './services.js';
import {
  JobIdParams,
  LogPage,
  LogQuery,
  PerformanceMonitor,
  ResourceMonitor,
  TrainCreate,
  TrainCreated,
  TrainJobDetail,
  TrainJobList,
  TrainOutput,
  TrainVersionDetail,
  VersionIdParams,
} from './training.js';

/** Every contract row, by the name of the client function built from it. */
export const endpoints = {
  // ── auth ──
  /** `POST /v1/auth-token`: no token needed; idempotent (a second token request is harmless). */
  authToken: endpoint({
    name: 'authToken',
    method: 'POST',
    path: '/v1/auth-token',
    params: NoParams,
    query: undefined,
    body: AuthTokenRequest,
    response: AuthTokenResponse,
    auth: false,
    idempotent: true,
  }),
  /** `GET /v1/account/auth-access`: temporary S3 credentials. */
  authAccess: endpoint({
    name: 'authAccess',
    method: 'GET',
    path: '/v1/account/auth-access',
    params: NoParams,
    query: undefined,
    body: undefined,
    response: AuthAccess,
  }),

  // ── catalog ──
  /** `GET /v1/resource/{env}`: machine specs. */
  listResources: endpoint({
    name: 'listResources',
    method: 'GET',
    path: '/v1/resource/{env}',
    params: EnvParams,
    query: undefined,
    body: undefined,
    response: ResourceList,
  }),
  /** `GET /v1/basic-framework/{env}`: basic frameworks. */
  listFrameworks: endpoint({
    name: 'listFrameworks',
    method: 'GET',
    path: '/v1/basic-framework/{env}',
    params: EnvParams,
    query: undefined,
    body: undefined,
    response: FrameworkList,
  }),
  /** `GET /v1/preset-algorithm`. */
  listPresetAlgorithms: endpoint({
    name: 'listPresetAlgorithms',
    method: 'GET',
    path: '/v1/preset-algorithm',
    params: NoParams,
    query: undefined,
    body: undefined,
    response: PresetAlgorithmList,
  }),
  /** `GET /v1/preset-model`. */
  listPresetModels: endpoint({
    name: 'listPresetModels',
    method: 'GET',
    path: '/v1/preset-model',
    params: NoParams,
    query: undefined,
    body: undefined,
    response: PresetModelList,
  }),

  // ── training ──
  /** `POST /v1/train`: a new job and its first version (errorCode 102009 when the name exists). */
  createTrain: endpoint({
    name: 'createTrain',
    method: 'POST',
    path: '/v1/train',
    params: NoParams,
    query: undefined,
    body: TrainCreate,
    response: TrainCreated,
  }),
  /** `POST /v1/train/{jobId}/version`: a new version of an existing job. */
  createTrainVersion: endpoint({
    name: 'createTrainVersion',
    method: 'POST',
    path: '/v1/train/{jobId}/version',
    params: JobIdParams,
    query: undefined,
    body: TrainCreate,
    response: TrainCreated,
  }),
  /** `GET /v1/train`: every job. */
  listTrain: endpoint({
    name: 'listTrain',
    method: 'GET',
    path: '/v1/train',
    params: NoParams,
    query: undefined,
    body: undefined,
    response: TrainJobList,
  }),
  /** `GET /v1/train/{jobId}`: a job with its versions. */
  getTrain: endpoint({
    name: 'getTrain',
    method: 'GET',
    path: '/v1/train/{jobId}',
    params: JobIdParams,
    query: undefined,
    body: undefined,
    response: TrainJobDetail,
  }),
  /** `GET /v1/train/version/{versionId}`: a version's status and detail. */
  getTrainVersion: endpoint({
    name: 'getTrainVersion',
    method: 'GET',
    path: '/v1/train/version/{versionId}',
    params: VersionIdParams,
    query: undefined,
    body: undefined,
    response: TrainVersionDetail,
  }),
  /**
   * `GET /v1/train/version/{versionId}/log?lastId=…[&wait=…&limit=…]`: a page of log lines;
   * or `?lastTime=…&lastNan=…`: the lines printed strictly after that instant (the time cursor).
   */
  getTrainLog: endpoint({
    name: 'getTrainLog',
    method: 'GET',
    path: '/v1/train/version/{versionId}/log',
    params: VersionIdParams,
    query: LogQuery,
    body: undefined,
    response: LogPage,
  }),
  /** `GET /v1/train/version/{versionId}/resource-monitor`: resource samples. */
  getTrainResourceMonitor: endpoint({
    name: 'getTrainResourceMonitor',
    method: 'GET',
    path: '/v1/train/version/{versionId}/resource-monitor',
    params: VersionIdParams,
    query: undefined,
    body: undefined,
    response: ResourceMonitor,
  }),
  /** `GET /v1/train/version/{versionId}/performance-monitor`: metric series. */
  getTrainPerformanceMonitor: endpoint({
    name: 'getTrainPerformanceMonitor',
    method: 'GET',
    path: '/v1/train/version/{versionId}/performance-monitor',
    params: VersionIdParams,
    query: undefined,
    body: undefined,
    response: PerformanceMonitor,
  }),
  /** `GET /v1/train/version/{versionId}/output`: output location and files. */
  getTrainOutput: endpoint({
    name: 'getTrainOutput',
    method: 'GET',
    path: '/v1/train/version/{versionId}/output',
    params: VersionIdParams,
    query: undefined,
    body: undefined,
    response: TrainOutput,
  }),
  /** `POST /v1/train/{versionId}/stop` (a VERSION id): idempotent by meaning. */
  stopTrain: endpoint({
    name: 'stopTrain',
    method: 'POST',
    path: '/v1/train/{versionId}/stop',
    params: VersionIdParams,
    query: undefined,
    body: EmptyBody,
    response: Ack,
    idempotent: true,
  }),
  /** `DELETE /v1/train/version/{versionId}`: one version. */
  deleteTrainVersion: endpoint({
    name: 'deleteTrainVersion',
    method: 'DELETE',
    path: '/v1/train/version/{versionId}',
    params: VersionIdParams,
    query: undefined,
    body: undefined,
    response: Ack,
  }),
  /** `DELETE /v1/train/{jobId}`: a job and all its versions. */
  deleteTrain: endpoint({
    name: 'deleteTrain',
    method: 'DELETE',
    path: '/v1/train/{jobId}',
    params: JobIdParams,
    query: undefined,
    body: undefined,
    response: Ack,
  }),

  // ── models ──
  /** `POST /v1/model`: a new model and its first version (errorCode 101009 when the name exists). */
  createModel: endpoint({
    name: 'createModel',
    method: 'POST',
    path: '/v1/model',
    params: NoParams,
    query: undefined,
    body: ModelCreate,
    response: ModelCreated,
  }),
  /** `POST /v1/model/{modelId}/version/` (with the trailing slash, as the platform has it). */
  createModelVersion: endpoint({
    name: 'createModelVersion',
    method: 'POST',
    path: '/v1/model/{modelId}/version/',
    params: ModelIdParams,
    query: undefined,
    body: ModelCreate,
    response: ModelVersionCreated,
  }),
  /** `GET /v1/model`: every model. */
  listModels: endpoint({
    name: 'listModels',
    method: 'GET',
    path: '/v1/model',
    params: NoParams,
    query: undefined,
    body: undefined,
    response: ModelList,
  }),
  /** `GET /v1/model/{modelId}`: a model with its versions. */
  getModel: endpoint({
    name: 'getModel',
    method: 'GET',
    path: '/v1/model/{modelId}',
    params: ModelIdParams,
    query: undefined,
    body: undefined,
    response: ModelDetail,
  }),
  /** `GET /v1/model/version/{versionId}`: a model version. */
  getModelVersion: endpoint({
    name: 'getModelVersion',
    method: 'GET',
    path: '/v1/model/version/{versionId}',
    params: ModelVersionIdParams,
    query: undefined,
    body: undefined,
    response: ModelVersionDetail,
  }),
  /** `DELETE /v1/model/{modelId}`: a model and its versions. */
  deleteModel: endpoint({
    name: 'deleteModel',
    method: 'DELETE',
    path: '/v1/model/{modelId}',
    params: ModelIdParams,
    query: undefined,
    body: undefined,
    response: Ack,
  }),
  /** `DELETE /v1/model/version/{versionId}`: one model version. */
  deleteModelVersion: endpoint({
    name: 'deleteModelVersion',
    method: 'DELETE',
    path: '/v1/model/version/{versionId}',
    params: ModelVersionIdParams,
    query: undefined,
    body: undefined,
    response: Ack,
  }),

  // ── services ──
  /** `POST /v1/service`: deploys a service. */
  createService: endpoint({
    name: 'createService',
    method: 'POST',
    path: '/v1/service',
    params: NoParams,
    query: undefined,
    body: ServiceCreate,
    response: ServiceCreated,
  }),
  /** `GET /v1/service`: every service. */
  listServices: endpoint({
    name: 'listServices',
    method: 'GET',
    path: '/v1/service',
    params: NoParams,
    query: undefined,
    body: undefined,
    response: ServiceList,
  }),
  /** `GET /v1/service/{id}`: a service with its access address. */
  getService: endpoint({
    name: 'getService',
    method: 'GET',
    path: '/v1/service/{id}',
    params: ServiceIdParams,
    query: undefined,
    body: undefined,
    response: ServiceDetail,
  }),
  /** `POST /v1/service/{id}/start`: idempotent by meaning. */
  startService: endpoint({
    name: 'startService',
    method: 'POST',
    path: '/v1/service/{id}/start',
    params: ServiceIdParams,
    query: undefined,
    body: EmptyBody,
    response: Ack,
    idempotent: true,
  }),
  /** `POST /v1/service/{id}/stop`: idempotent by meaning. */
  stopService: endpoint({
    name: 'stopService',
    method: 'POST',
    path: '/v1/service/{id}/stop',
    params: ServiceIdParams,
    query: undefined,
    body: EmptyBody,
    response: Ack,
    idempotent: true,
  }),
  /** `PUT /v1/service/{id}`: new name, weights or instance counts. */
  updateService: endpoint({
    name: 'updateService',
    method: 'PUT',
    path: '/v1/service/{id}',
    params: ServiceIdParams,
    query: undefined,
    body: ServiceUpdate,
    response: Ack,
  }),
  /** `DELETE /v1/service/{id}`. */
  deleteService: endpoint({
    name: 'deleteService',
    method: 'DELETE',
    path: '/v1/service/{id}',
    params: ServiceIdParams,
    query: undefined,
    body: undefined,
    response: Ack,
  }),
  /** Extension: `GET /v1/service/{id}/log?lastId=…[&wait=…&limit=…]`, the serving processes' log. */
  getServiceLog: endpoint({
    name: 'getServiceLog',
    method: 'GET',
    path: '/v1/service/{id}/log',
    params: ServiceIdParams,
    query: LogQuery,
    body: undefined,
    response: LogPage,
    origin: 'extension',
  }),
} as const;

/** The endpoint table's type. */
export type Endpoints = typeof endpoints;
/** The name of one endpoint (`'createTrain'`, `'getTrainLog'`, …). */
export type EndpointName = keyof Endpoints;

/** Every endpoint, as a list (for routers and tests). */
export const endpointList: ReadonlyArray<Endpoints[EndpointName]> = Object.values(endpoints);
