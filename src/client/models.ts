/**
 * Row functions of models, and {@link registerModel}, which creates a model or, when
 * one with that name exists (errorCode 101009), a new version of it.
 *
 * Each returns a cold Observable of one decoded value; subscribing to a create
 * function creates on the platform each time (share the result, don't resubscribe).
 * @module
 */
import { catchError, map, type Observable, switchMap, throwError } from 'rxjs';
import type { Ack } from '../codecs/common.js';
import { endpoints } from '../codecs/endpoints.js';
import { ERROR_CODES } from '../codecs/errorBody.js';
import type {
  ModelCreate,
  ModelCreated,
  ModelDetail,
  ModelList,
  ModelVersionCreated,
  ModelVersionDetail,
} from '../codecs/models.js';
import type { Caller, CallOptions } from './endpointCall.js';
import { isErrorCode } from './training.js';

/** `POST /v1/model`: a new model and its first version. Fails with `ApiError` 101009 when the name exists. */
export function createModel(
  session: Caller,
  body: ModelCreate,
  options?: CallOptions,
): Observable<ModelCreated> {
  return session.call(endpoints.createModel, { body }, options);
}

/** `POST /v1/model/{modelId}/version/`: a new version of model `modelId` (the answer may lack `id`). */
export function createModelVersion(
  session: Caller,
  modelId: number,
  body: ModelCreate,
  options?: CallOptions,
): Observable<ModelVersionCreated> {
  return session.call(endpoints.createModelVersion, { params: { modelId }, body }, options);
}

/** `GET /v1/model`: `{ models }`. */
export function listModels(session: Caller, options?: CallOptions): Observable<ModelList> {
  return session.call(endpoints.listModels, {}, options);
}

/** `GET /v1/model/{modelId}`: a model with its versions. */
export function getModel(session: Caller, modelId: number, options?: CallOptions): Observable<ModelDetail> {
  return session.call(endpoints.getModel, { params: { modelId } }, options);
}

/** `GET /v1/model/version/{versionId}`: a model version. */
export function getModelVersion(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<ModelVersionDetail> {
  return session.call(endpoints.getModelVersion, { params: { versionId } }, options);
}

/** `DELETE /v1/model/{modelId}`: a model and its versions. */
export function deleteModel(session: Caller, modelId: number, options?: CallOptions): Observable<Ack> {
  return session.call(endpoints.deleteModel, { params: { modelId } }, options);
}

/** `DELETE /v1/model/version/{versionId}`: one model version. */
export function deleteModelVersion(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<Ack> {
  return session.call(endpoints.deleteModelVersion, { params: { versionId } }, options);
}

/**
 * Registers a model, or a new version of the model with the same `name`: `POST
 * /v1/model`; on errorCode 101009 the model is looked up by name (`GET /v1/model`) and
 * `POST /v1/model/{modelId}/version/` is sent with the same body. Emits
 * `{ id, versionId }` (`id` filled with the model's id when the answer lacks it).
 *
 * Errors: those of the calls; the original `ApiError` 101009 when no model of that
 * name is listed.
 */
export function registerModel(
  session: Caller,
  body: ModelCreate,
  options?: CallOptions,
): Observable<ModelCreated> {
  return createModel(session, body, options).pipe(
    catchError((error: unknown) => {
      if (!isErrorCode(error, ERROR_CODES.MODEL_EXISTS)) return throwError(() => error);
      return listModels(session, options).pipe(
        switchMap((list) => {
          const model = list.models.find((candidate) => candidate.name === body.name);
          if (model === undefined) return throwError(() => error);
          return createModelVersion(session, model.id, body, options).pipe(
            map((created) => ({ id: created.id ?? model.id, versionId: created.versionId })),
          );
        }),
      );
    }),
  );
}
