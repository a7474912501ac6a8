/**
 * `Model`: the seed's model handle — register a model without a training job,
 * deploy it, list and delete models and services. Remembers the ids of what it
 * created, as the seed's `get_model_id` / `get_model_version_id` / `get_service_id` do.
 * @module
 */
import { defer, type Observable, of, tap, throwError } from 'rxjs';
import { listFrameworks, listPresetModels, listResources } from '../client/catalog.js';
import type { CallOptions } from '../client/endpointCall.js';
import { deleteModel, deleteModelVersion, getModel, listModels } from '../client/models.js';
import { deleteService } from '../client/services.js';
import type { Session } from '../client/session.js';
import type { FrameworkList, PresetModelList, ResourceList } from '../codecs/catalog.js';
import type { Ack } from '../codecs/common.js';
import type { ModelDetail, ModelList } from '../codecs/models.js';
import type { DeployParams, ModelParams } from '../codecs/params/index.js';
import { ValidationError } from '../errors.js';
import { type CreateModelOptions, createModel, type RegisteredModel } from '../streams/createModel.js';
import type { DeployOptions } from '../streams/deploy.js';
import { type DeployEvent, deploy } from './deploy.js';

function missing(field: string, hint: string): ValidationError {
  return new ValidationError([{ field, message: hint }]);
}

function known(value: number | undefined, field: string, hint: string): Observable<number> {
  return defer(() => (value === undefined ? throwError(() => missing(field, hint)) : of(value)));
}

/** The model kind the parameters imply, for a caller that did not name one. */
export function inferModelType(params: Partial<ModelParams>): ModelParams['modelFrameworkType'] {
  if (params.modelMirrorUrl != null) return 'CUSTOM';
  if (params.modelBootFile != null || params.modelCodeDir != null || params.modelGitInfo != null)
    return 'BASIC_FRAMEWORK';
  return 'PRESET_MODEL';
}

/**
 * The seed's `Model` in TypeScript.
 *
 * @example
 * ```ts
 * const model = new Model(session);
 * model.createModel({ modelName: 'basic-model', modelVersion: '1.1.1', modelFrameworkType: 'BASIC_FRAMEWORK',
 *   modelFramework: 500160, modelCodeDir: './predict', modelBootFile: 'predict.mjs', modelPath: 's3://modelmaker/out/' })
 *   .pipe(switchMap(() => model.deployPredictor({ serviceName: 'basic-predict',
 *     serviceModels: [{ weight: 100, resourceId: 500151, instanceCount: 1 }] })), deployed())
 *   .subscribe((predictor) => …);
 * ```
 */
export class Model {
  #model: RegisteredModel | undefined;
  #serviceId: number | undefined;

  constructor(readonly session: Session) {}

  /**
   * Registers a model version (the seed's `create_model`); a name that exists gets a new
   * version. Without `modelFrameworkType` (the seed's example leaves it out) the type is
   * inferred: `modelMirrorUrl` → CUSTOM, a boot file or code → BASIC_FRAMEWORK, else PRESET_MODEL.
   */
  createModel(params: ModelParams, options?: CreateModelOptions): Observable<RegisteredModel> {
    const withType = { ...params, modelFrameworkType: params.modelFrameworkType ?? inferModelType(params) };
    return createModel(this.session, withType, undefined, options).pipe(
      tap((model) => (this.#model = model)),
    );
  }

  /**
   * Deploys (the seed's `deploy_predictor`): `serviceModels[i].modelVersionId` defaults to
   * the model registered last. Follows the service to RUNNING; pipe `deployed()` for the `Predictor`.
   */
  deployPredictor(params: DeployParams, options?: DeployOptions): Observable<DeployEvent> {
    return deploy(this.session, params, this.#model, options).pipe(
      tap((event) => {
        if (event.type === 'created') this.#serviceId = event.serviceId;
      }),
    );
  }

  /** Preset models (the seed's `preset_model`). */
  presetModel(options?: CallOptions): Observable<PresetModelList> {
    return listPresetModels(this.session, options);
  }

  /** Serving frameworks (the seed's `predict_framework`). */
  predictFramework(options?: CallOptions): Observable<FrameworkList> {
    return listFrameworks(this.session, 'PREDICT', options);
  }

  /** Machines for serving (the seed's `predict_machine`). */
  predictMachine(options?: CallOptions): Observable<ResourceList> {
    return listResources(this.session, 'PREDICT', options);
  }

  /** Every model (the seed's `model_info`). */
  modelInfo(options?: CallOptions): Observable<ModelList> {
    return listModels(this.session, options);
  }

  /** One model with its versions (the seed's `get_model_info`). */
  getModelInfo(modelId: number, options?: CallOptions): Observable<ModelDetail> {
    return getModel(this.session, modelId, options);
  }

  /** The service created by the last `deployPredictor` (the seed's `get_service_id`). */
  getServiceId(): Observable<number> {
    return known(this.#serviceId, 'serviceId', 'no service yet: call deployPredictor() first');
  }

  /** The model registered last (the seed's `get_model_id`). */
  getModelId(): Observable<number> {
    return known(this.#model?.modelId, 'modelId', 'no model yet: call createModel() first');
  }

  /** The model version registered last (the seed's `get_model_version_id`). */
  getModelVersionId(): Observable<number> {
    return known(this.#model?.versionId, 'modelVersionId', 'no model version yet: call createModel() first');
  }

  /** Deletes a model and all its versions (the seed's `destory_model`). */
  destroyModel(modelId: number, options?: CallOptions): Observable<Ack> {
    return deleteModel(this.session, modelId, options);
  }

  /** Deletes one model version (the seed's `destory_model_version`). */
  destroyModelVersion(modelVersionId: number, options?: CallOptions): Observable<Ack> {
    return deleteModelVersion(this.session, modelVersionId, options);
  }

  /** Deletes a model version, by default the one registered last (the seed's `delete_model`). */
  deleteModel(modelVersionId?: number, options?: CallOptions): Observable<Ack> {
    return defer(() => {
      const id = modelVersionId ?? this.#model?.versionId;
      if (id === undefined)
        return throwError(() => missing('modelVersionId', 'give an id or call createModel() first'));
      return deleteModelVersion(this.session, id, options);
    });
  }

  /** Deletes a service, by default the one deployed last (the seed's `delete_service`). */
  deleteService(serviceId?: number, options?: CallOptions): Observable<Ack> {
    return defer(() => {
      const id = serviceId ?? this.#serviceId;
      if (id === undefined)
        return throwError(() => missing('serviceId', 'give an id or call deployPredictor() first'));
      return deleteService(this.session, id, options);
    });
  }
}
