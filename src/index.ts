/**
 * modelmaker — the reactive TypeScript SDK for the ModelMaker AI platform.
 * @module
 */

export { Estimator, type EstimatorParams, type FitArgs } from './api/estimator.js';
export { Model } from './api/model.js';
export { Predictor, type PredictorSession } from './api/predictor.js';
export * from './client/index.js';
export * from './codecs/index.js';
export type { DeployParams, ModelParams, ServiceModelParams, TrainParams } from './codecs/params/index.js';
export { toModelCreate, toServiceCreate, toTrainCreate } from './codecs/params/index.js';
export * from './defaults.js';
export * from './errors.js';
export { createModel } from './streams/createModel.js';
export * from './streams/index.js';
