/**
 * Every codec of the wire contract and the config file, the endpoint table, and the
 * helpers around them (`decode`, `endpoint`/`buildPath`/`matchPath`, monitors, s3 URIs).
 * @module
 */
export * from './auth.js';
export * from './catalog.js';
export * from './common.js';
export * from './config.js';
export * from './decode.js';
export * from './endpoint.js';
export * from './endpoints.js';
export * from './errorBody.js';
export * from './fastPath.js';
export * from './models.js';
export * from './monitors.js';
export * from './s3uri.js';
export * from './services.js';
export * from './training.js';
