/**
 * Row functions of the catalog: machine specs, frameworks, preset algorithms and
 * preset models. Each returns a cold Observable of one decoded value.
 * @module
 */
import type { Observable } from 'rxjs';
import type {
  Env,
  FrameworkList,
  PresetAlgorithmList,
  PresetModelList,
  ResourceList,
} from '../codecs/catalog.js';
import { endpoints } from '../codecs/endpoints.js';
import type { Caller, CallOptions } from './endpointCall.js';

/** `GET /v1/resource/{env}`: machine specs; an `id` is a `resourceId` / `train_instance_type`. */
export function listResources(session: Caller, env: Env, options?: CallOptions): Observable<ResourceList> {
  return session.call(endpoints.listResources, { params: { env } }, options);
}

/** `GET /v1/basic-framework/{env}`: `{ frameWorks }` (TRAIN frameworks train, PREDICT ones serve). */
export function listFrameworks(session: Caller, env: Env, options?: CallOptions): Observable<FrameworkList> {
  return session.call(endpoints.listFrameworks, { params: { env } }, options);
}

/** `GET /v1/preset-algorithm`: `{ presetAlgorithms }`. */
export function listPresetAlgorithms(
  session: Caller,
  options?: CallOptions,
): Observable<PresetAlgorithmList> {
  return session.call(endpoints.listPresetAlgorithms, {}, options);
}

/** `GET /v1/preset-model`: `{ presetModels }`. */
export function listPresetModels(session: Caller, options?: CallOptions): Observable<PresetModelList> {
  return session.call(endpoints.listPresetModels, {}, options);
}
