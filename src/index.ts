/**
 * modelmaker — the reactive TypeScript SDK for the ModelMaker AI platform.
 * @module
 */

export { decode, report, showValue } from './codecs/decode.js';
export type { BodyOf, Endpoint, HttpMethod, ParamsOf, QueryOf, ResponseOf } from './codecs/endpoint.js';
export { buildPath, endpoint, matchPath } from './codecs/endpoint.js';
export * from './defaults.js';
export * from './errors.js';
