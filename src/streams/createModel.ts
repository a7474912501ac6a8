/**
 * `createModel`: the seed's `create_model` as an Observable — with the defaults the
 * Estimator takes from the finished training version it serves (a `ModelSource`), a
 * local model code directory uploaded first, and a new version when the model's name
 * exists.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  concat,
  defer,
  EMPTY,
  filter,
  forkJoin,
  map,
  type Observable,
  of,
  type SchedulerLike,
  switchMap,
  tap,
  throwError,
} from 'rxjs';
import { listFrameworks, listPresetAlgorithms, listPresetModels } from '../client/catalog.js';
import { registerModel } from '../client/models.js';
import type { TransferEvent } from '../client/storage/events.js';
import type { UploadOptions } from '../client/storage/upload.js';
import type { ModelCreate } from '../codecs/models.js';
import { type ModelFrameworkType, type ModelParams, toModelCreate } from '../codecs/params/model.js';
import { MODEL_WIRE_NAMES } from '../codecs/params/wireNames.js';
import { ValidationError } from '../errors.js';
import type { FitSession, TrainedJob } from './fit.js';
import { type CodeUploadStep, uploadCode } from './internal/codeUpload.js';
import { modelPreflight } from './internal/preflight.js';
import { seedTermsOnError } from './internal/seedTerms.js';
import { type ModelSource, modelSource } from './modelSource.js';

/** A registered model version and the body it was created with. */
export interface RegisteredModel {
  readonly modelId: number;
  readonly versionId: number;
  readonly body: ModelCreate;
}

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Options of the upload of a local `modelCodeDir` (ignore patterns, concurrency…). */
  readonly upload?: UploadOptions | undefined;
  /** Called with each transfer event of that upload (progress display). Default: none. */
  readonly onUpload?: ((event: TransferEvent) => void) | undefined;
  /** Clock of the upload's timestamp. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /**
   * Check before uploading a local `modelCodeDir` that `modelBootFile` is a file in it
   * that the upload takes along (default true): else a `ValidationError` naming
   * `modelBootFile`, before anything is uploaded. False skips the check.
   */
  readonly preflight?: boolean | undefined;
}

/** What `createModel` needs of a session: the same as `fit`. */
export type ModelSession = FitSession;

/** The model kind that serves each training kind. */
const SERVED_BY: Readonly<Record<string, ModelFrameworkType>> = {
  PRESET_ALGORITHM: 'PRESET_MODEL',
  BASIC_FRAMEWORK: 'BASIC_FRAMEWORK',
  CUSTOM: 'CUSTOM',
};

// Stands for the framework id still to be looked up, so the other parameters are checked before any request.
const PENDING_ID = 1;

/**
 * The defaults a finished training version gives a model without asking the catalog
 * (the seed's Estimator): `modelName` = the job's name, `modelPath` = its output,
 * `modelFrameworkType` = PRESET_MODEL for PRESET_ALGORITHM, BASIC_FRAMEWORK for
 * BASIC_FRAMEWORK, CUSTOM for CUSTOM, and for CUSTOM `modelMirrorUrl` = its image.
 * `modelFramework` needs the catalog: see {@link createModel}.
 *
 * @example
 * ```ts
 * modelDefaults(source) // { modelName: 'iris', modelPath: 's3://mm/out/', modelFrameworkType: 'PRESET_MODEL' }
 * ```
 */
export function modelDefaults(source: ModelSource): Partial<ModelParams> {
  const type = SERVED_BY[source.type];
  return {
    modelName: source.name,
    modelPath: source.output,
    ...(type === undefined ? {} : { modelFrameworkType: type }),
    ...(source.type === 'CUSTOM' && source.mirrorUrl !== undefined
      ? { modelMirrorUrl: source.mirrorUrl }
      : {}),
  };
}

function notFound(message: string): ValidationError {
  return new ValidationError([{ field: 'modelFramework', message: `${message}; give modelFramework` }]);
}

/**
 * The id of what serves the version's models, found by name as the seed does: the
 * preset model named like its preset algorithm, or the PREDICT framework named like
 * its TRAIN framework. Fails with `ValidationError` (field `modelFramework`) when the
 * version does not say which it used, or the catalog has no such entry.
 */
function servingFramework(session: ModelSession, source: ModelSource): Observable<number> {
  if (source.type === 'PRESET_ALGORITHM') {
    const { algorithmId } = source;
    if (algorithmId === undefined)
      return throwError(() =>
        notFound(`training version ${source.versionId} does not say its preset algorithm`),
      );
    return forkJoin([listPresetAlgorithms(session), listPresetModels(session)]).pipe(
      map(([algorithms, models]) => {
        const algorithm = algorithms.presetAlgorithms.find((entry) => entry.id === algorithmId);
        if (algorithm === undefined)
          throw notFound(`the job's preset algorithm ${algorithmId} is not in the catalog`);
        const model = models.presetModels.find((entry) => entry.name === algorithm.name);
        if (model === undefined)
          throw notFound(
            `no preset model is named ${JSON.stringify(algorithm.name)} like the job's preset algorithm`,
          );
        return model.id;
      }),
    );
  }
  const { frameworkId } = source;
  if (frameworkId === undefined)
    return throwError(() =>
      notFound(`training version ${source.versionId} does not say its TRAIN framework`),
    );
  return forkJoin([listFrameworks(session, 'TRAIN'), listFrameworks(session, 'PREDICT')]).pipe(
    map(([train, predict]) => {
      const framework = train.frameWorks.find((entry) => entry.id === frameworkId);
      if (framework === undefined)
        throw notFound(`the job's TRAIN framework ${frameworkId} is not in the catalog`);
      const serving = predict.frameWorks.find((entry) => entry.name === framework.name);
      if (serving === undefined)
        throw notFound(
          `no PREDICT framework is named ${JSON.stringify(framework.name)} like the job's TRAIN framework`,
        );
      return serving.id;
    }),
  );
}

/**
 * Registers a model version: `params` (the seed's `create_model` arguments) with, when
 * the finished training version it serves is given (`source`: see `modelSource`,
 * `finishedVersion`), the seed's defaults for what they leave out —
 * {@link modelDefaults}, and `modelFramework`: for a PRESET_ALGORITHM version the
 * preset model with the same `name` as its algorithm, for a BASIC_FRAMEWORK version
 * the PREDICT framework with the same `name` as its TRAIN framework (both looked up in
 * the catalog, only when needed). A default that does not fit the type the user chose is
 * not used. A local `modelCodeDir` is uploaded first (into
 * `s3://<bucket>/<timestamp>/<dirname>/`, sent as `codeUrl`). When a model of that
 * name exists (errorCode 101009), a new version of it is created.
 *
 * Parameters are validated before any request (the looked-up id aside). Cold: each
 * subscription registers a version — share the result, don't resubscribe.
 *
 * Fails with `ValidationError` (bad parameters; a `modelBootFile` not in the local
 * `modelCodeDir`, checked before the upload; a catalog without the serving preset model
 * or framework; the platform's refusal, its wire names told as the parameters),
 * `StorageError` (upload), and the calls' errors.
 *
 * @example
 * ```ts
 * finishedVersion(session, 12).pipe(switchMap((source) => createModel(session, { modelVersion: '1.0.0' }, source)))
 * ```
 */
export function createModel(
  session: ModelSession,
  params: Partial<ModelParams>,
  source?: ModelSource,
  options: CreateModelOptions = {},
): Observable<RegisteredModel> {
  return defer(() => {
    const base = source === undefined ? {} : modelDefaults(source);
    const type = params.modelFrameworkType ?? base.modelFrameworkType;
    const lookup =
      source !== undefined &&
      params.modelFramework == null &&
      type === base.modelFrameworkType &&
      (type === 'PRESET_MODEL' || type === 'BASIC_FRAMEWORK');
    const checked = toModelCreate(
      params as ModelParams,
      lookup ? { ...base, modelFramework: PENDING_ID } : base,
    );
    if (E.isLeft(checked)) return throwError(() => checked.left);

    const defaults$ =
      lookup && source !== undefined
        ? servingFramework(session, source).pipe(map((id) => ({ ...base, modelFramework: id })))
        : of(base);
    return defaults$.pipe(
      switchMap((defaults) => {
        const request = toModelCreate(params as ModelParams, defaults);
        if (E.isLeft(request)) return throwError(() => request.left);
        const { body, localCodeDir } = request.right;
        if (localCodeDir === undefined) return register(session, body);
        const checked$ =
          options.preflight === false
            ? EMPTY
            : modelPreflight(session, { body, localCodeDir }, { ignore: options.upload?.ignore });
        return concat(
          checked$,
          uploadCode(session, localCodeDir, options).pipe(
            tap((step) => {
              if (step.type === 'upload') options.onUpload?.(step.event);
            }),
            filter((step): step is Extract<CodeUploadStep, { type: 'uploaded' }> => step.type === 'uploaded'),
            switchMap((step) => register(session, { ...body, codeUrl: step.uri })),
          ),
        );
      }),
    );
  });
}

function register(session: ModelSession, body: ModelCreate): Observable<RegisteredModel> {
  return registerModel(session, body).pipe(
    seedTermsOnError(MODEL_WIRE_NAMES),
    map(({ id, versionId }) => {
      session.logger.info(`model ${body.name} (${id}): version ${body.version} registered as ${versionId}`);
      return { modelId: id, versionId, body };
    }),
  );
}

/**
 * {@link createModel} curried for pipelines: `switchMap(toModel(session, params))`
 * registers the model of each finished job, from its {@link modelSource} (the
 * version's final detail, the body it was created with filling what the detail
 * leaves out). A job whose detail is not FINISH errors with `TrainingNotFinished`.
 *
 * @example
 * ```ts
 * fit(session, trainParams).pipe(
 *   trained(),
 *   switchMap(toModel(session, { modelVersion: '1.0.0' })),
 *   switchMap(toService(session, { serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 3, instanceCount: 1 }] })),
 *   deployed(),
 * )
 * ```
 */
export function toModel(
  session: ModelSession,
  params: Partial<ModelParams>,
  options?: CreateModelOptions,
): (job: TrainedJob) => Observable<RegisteredModel> {
  return (job) =>
    defer(() => {
      const source = modelSource(job.versionId, job.detail, job.body);
      return E.isLeft(source)
        ? throwError(() => source.left)
        : createModel(session, params, source.right, options);
    });
}
