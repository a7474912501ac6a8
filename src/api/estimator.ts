/**
 * `Estimator`: the seed's training handle. One estimator holds a job's parameters;
 * `fit` trains (each call a new version), and the instance methods act on the
 * version it last created or was attached to. The seed's class-level listings are
 * static methods taking the session.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { defer, type Observable, of, switchMap, tap, throwError } from 'rxjs';
import { listFrameworks, listPresetAlgorithms, listPresetModels, listResources } from '../client/catalog.js';
import type { CallOptions } from '../client/endpointCall.js';
import type { Session } from '../client/session.js';
import {
  deleteTrain,
  deleteTrainVersion,
  getTrain,
  getTrainLog,
  getTrainOutput,
  getTrainPerformanceMonitor,
  getTrainResourceMonitor,
  getTrainVersion,
  listTrain,
  stopTrain,
} from '../client/training.js';
import type { FrameworkList, PresetAlgorithmList, PresetModelList, ResourceList } from '../codecs/catalog.js';
import type { Ack } from '../codecs/common.js';
import type { DeployParams, ModelParams, TrainParams } from '../codecs/params/index.js';
import { type Problems, parameters } from '../codecs/params/rules.js';
import type {
  LogPage,
  PerformanceMonitor,
  ResourceMonitor,
  TrainJobDetail,
  TrainJobList,
  TrainOutput,
  TrainVersionDetail,
} from '../codecs/training.js';
import { ValidationError } from '../errors.js';
import { type CreateModelOptions, createModel, type RegisteredModel } from '../streams/createModel.js';
import type { DeployOptions } from '../streams/deploy.js';
import { type FitEvent, type FitOptions, fit, type TrainedJob } from '../streams/fit.js';
import { type LogEvent, type LogsOptions, logs$ } from '../streams/logs.js';
import { finishedVersion, type ModelSource, modelSource } from '../streams/modelSource.js';
import { sourceFromSession } from '../streams/sessionSource.js';
import { type DeployEvent, deploy } from './deploy.js';

/** The estimator's parameters: the seed's constructor arguments (`inputs` and `jobName` may wait for `fit`). */
export type EstimatorParams = Omit<TrainParams, 'inputs' | 'jobName'> & {
  readonly jobName?: string | undefined;
  readonly inputs?: string | null | undefined;
};

/** The seed's `fit(inputs, wait, logs, job_name)` arguments, plus the feed's options. */
export interface FitArgs extends FitOptions {
  /** Training data, `s3://…` (the seed's `inputs`). */
  readonly inputs?: string | null | undefined;
  /** Job name; overrides the constructor's. */
  readonly jobName?: string | undefined;
  /** Whether the data is streamed in (sent as `isFlowInput` 0/1); overrides the constructor's. */
  readonly flowInput?: boolean | 0 | 1 | undefined;
}

/** Every key of {@link FitArgs} (the compiler checks the list is whole), to name a mistyped one. */
const FIT_ARG_KEYS = Object.keys({
  inputs: true,
  jobName: true,
  flowInput: true,
  wait: true,
  logs: true,
  metrics: true,
  resources: true,
  stopOnUnsubscribe: true,
  attach: true,
  from: true,
  limit: true,
  waitSeconds: true,
  failureLogLines: true,
  upload: true,
  floorMs: true,
  ceilingMs: true,
  idleFactor: true,
  retryBaseMs: true,
  retryCapMs: true,
  maxFailures: true,
  maxOutageMs: true,
  retryable: true,
  random: true,
  scheduler: true,
  onRetry: true,
  preflight: true,
} satisfies Record<keyof FitArgs, true>);

function noVersion(): ValidationError {
  return new ValidationError([
    {
      field: 'versionId',
      message: 'no training version yet: call fit() first, or Estimator.attach(session, versionId)',
    },
  ]);
}

/**
 * The seed's `Estimator` in TypeScript.
 *
 * @example
 * ```ts
 * const estimator = new Estimator(session, { frameworkType: 'BASIC_FRAMEWORK', framework: 500101, bootFile: 'train.mjs',
 *   codeDir: './code', outputPath: 's3://modelmaker/out/', trainInstanceType: 500050, trainInstanceCount: 1, volumeSize: 1 });
 * const job$ = estimator.fit({ inputs: 's3://modelmaker/data/iris.csv', jobName: 'iris' }).pipe(share());
 * job$.subscribe((e) => e.type === 'line' && console.log(e.line.content));
 * job$.pipe(trained(), switchMap(() => estimator.createModel({ modelVersion: '1.0.0' })),
 *   switchMap(() => estimator.deployPredictor({ serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 500151, instanceCount: 1 }] })),
 *   deployed());
 * ```
 */
export class Estimator {
  #jobId: number | undefined;
  #versionId: number | undefined;
  #trained: TrainedJob | undefined;
  #model: RegisteredModel | undefined;
  #serviceId: number | undefined;

  constructor(
    readonly session: Session,
    readonly params: EstimatorParams,
  ) {}

  /**
   * An estimator on an existing training version (started elsewhere, e.g. by another
   * process): its instance methods act on `versionId`. Does no I/O. Its
   * {@link createModel} reads the version from the server and refuses one that has not
   * finished (`TrainingNotFinished`, naming the version and its status); `params` are
   * only for a later `fit`.
   *
   * @example
   * ```ts
   * Estimator.attach(session, 12).createModel({ modelVersion: '1.0.0' }) // name, path, kind, framework from version 12
   * ```
   */
  static attach(
    session: Session,
    versionId: number,
    params: EstimatorParams = {} as EstimatorParams,
  ): Estimator {
    const estimator = new Estimator(session, params);
    estimator.#versionId = versionId;
    return estimator;
  }

  /** The job id of the last `fit` (or `undefined`). */
  get jobId(): number | undefined {
    return this.#jobId;
  }

  /** The version id of the last `fit` or `attach` (or `undefined`). */
  get versionId(): number | undefined {
    return this.#versionId;
  }

  /** The last model registered by {@link createModel}. */
  get model(): RegisteredModel | undefined {
    return this.#model;
  }

  /** The service created by the last {@link deployPredictor}. */
  get serviceId(): number | undefined {
    return this.#serviceId;
  }

  /**
   * Trains: the seed's `fit`. Cold; **each subscription creates a new version** —
   * `share()` it to watch logs and compose on the same job. See `fit` in
   * `modelmaker` streams for the events and errors.
   */
  fit(args: FitArgs = {}): Observable<FitEvent> {
    const problems: Problems = [];
    parameters(problems, args, FIT_ARG_KEYS);
    if (problems.length > 0) return throwError(() => new ValidationError(problems));
    const { inputs, jobName, flowInput, ...options } = args;
    const params = {
      ...this.params,
      inputs: inputs ?? this.params.inputs,
      jobName: jobName ?? this.params.jobName,
      ...(flowInput === undefined ? {} : { flowInput }),
    } as TrainParams;
    return fit(this.session, params, options).pipe(
      tap((event) => {
        if (event.type === 'created') {
          this.#jobId = event.jobId;
          this.#versionId = event.versionId;
          this.#trained = undefined;
        } else if (event.type === 'completed') {
          this.#trained = event.job;
        }
      }),
    );
  }

  /** Resource usage of the version (the seed's `resource()`). */
  resource(options?: CallOptions): Observable<ResourceMonitor> {
    return this.#withVersion((id) => getTrainResourceMonitor(this.session, id, options));
  }

  /** The version's detail (the seed's `info()`). */
  info(options?: CallOptions): Observable<TrainVersionDetail> {
    return this.#withVersion((id) => getTrainVersion(this.session, id, options));
  }

  /** The version's metrics (the seed's `metric()`). */
  metric(options?: CallOptions): Observable<PerformanceMonitor> {
    return this.#withVersion((id) => getTrainPerformanceMonitor(this.session, id, options));
  }

  /** One page of log lines from `logId` (the seed's `log(log_id)`). */
  log(logId = 0, options?: CallOptions): Observable<LogPage> {
    return this.#withVersion((id) => getTrainLog(this.session, id, { lastId: logId }, options));
  }

  /** The version's whole log from `from`, followed live until the job ends. */
  logs$(from = 0, options: LogsOptions = {}): Observable<LogEvent> {
    return this.#withVersion((id) => logs$(sourceFromSession(this.session), id, { ...options, from }));
  }

  /** The version's output location and files (the seed's `artifacts()`). */
  artifacts(options?: CallOptions): Observable<TrainOutput> {
    return this.#withVersion((id) => getTrainOutput(this.session, id, options));
  }

  /** Stops the version (the seed's `stop()`). */
  stop(options?: CallOptions): Observable<Ack> {
    return this.#withVersion((id) => stopTrain(this.session, id, options));
  }

  /** Deletes the version (the seed's `delete()`). */
  delete(options?: CallOptions): Observable<Ack> {
    return this.#withVersion((id) => deleteTrainVersion(this.session, id, options));
  }

  /**
   * Registers the trained model (the seed's `create_model`): `modelPath`, `modelName`,
   * `modelFrameworkType` and `modelFramework` default from the finished version — the
   * one `fit` followed to its end, or else the version of the last `fit` or `attach`,
   * read from the server first. Fails with `TrainingNotFinished` when that version has
   * not finished. Without any version, every model parameter must be given.
   */
  createModel(params: Partial<ModelParams>, options?: CreateModelOptions): Observable<RegisteredModel> {
    return this.#source().pipe(
      switchMap((source) => createModel(this.session, params, source, options)),
      tap((model) => (this.#model = model)),
    );
  }

  /**
   * Deploys the last registered model (the seed's `deploy_predictor`): each
   * `serviceModels[i].modelVersionId` defaults to it. Follows the service to RUNNING;
   * pipe `deployed()` for the `Predictor`.
   */
  deployPredictor(params: DeployParams, options?: DeployOptions): Observable<DeployEvent> {
    return deploy(this.session, params, this.#model, options).pipe(
      tap((event) => {
        if (event.type === 'created') this.#serviceId = event.serviceId;
      }),
    );
  }

  /** Machines for training (the seed's `train_machine`). */
  static trainMachine(session: Session, options?: CallOptions): Observable<ResourceList> {
    return listResources(session, 'TRAIN', options);
  }

  /** Machines for development (the seed's `development_machine`). */
  static developmentMachine(session: Session, options?: CallOptions): Observable<ResourceList> {
    return listResources(session, 'DEVELOPMENT', options);
  }

  /** Machines for serving (the seed's `predict_machine`). */
  static predictMachine(session: Session, options?: CallOptions): Observable<ResourceList> {
    return listResources(session, 'PREDICT', options);
  }

  /** Preset algorithms (the seed's `preset_algorithm`). */
  static presetAlgorithm(session: Session, options?: CallOptions): Observable<PresetAlgorithmList> {
    return listPresetAlgorithms(session, options);
  }

  /** Training frameworks (the seed's `train_framework`). */
  static trainFramework(session: Session, options?: CallOptions): Observable<FrameworkList> {
    return listFrameworks(session, 'TRAIN', options);
  }

  /** Preset models (the seed's `preset_model`). */
  static presetModel(session: Session, options?: CallOptions): Observable<PresetModelList> {
    return listPresetModels(session, options);
  }

  /** Serving frameworks (the seed's `predict_framework`). */
  static predictFramework(session: Session, options?: CallOptions): Observable<FrameworkList> {
    return listFrameworks(session, 'PREDICT', options);
  }

  /** Every training job (the seed's `Info(session)`). */
  static jobs(session: Session, options?: CallOptions): Observable<TrainJobList> {
    return listTrain(session, options);
  }

  /** One job with its versions (the seed's `Info(session, job_id)`). */
  static jobInfo(session: Session, jobId: number, options?: CallOptions): Observable<TrainJobDetail> {
    return getTrain(session, jobId, options);
  }

  /** One version (the seed's `version_info`). */
  static versionInfo(
    session: Session,
    versionId: number,
    options?: CallOptions,
  ): Observable<TrainVersionDetail> {
    return getTrainVersion(session, versionId, options);
  }

  /** Deletes a job and all its versions (the seed's `destory_job`). */
  static destroyJob(session: Session, jobId: number, options?: CallOptions): Observable<Ack> {
    return deleteTrain(session, jobId, options);
  }

  /** Deletes one version (the seed's `destory_job_version`). */
  static destroyJobVersion(session: Session, versionId: number, options?: CallOptions): Observable<Ack> {
    return deleteTrainVersion(session, versionId, options);
  }

  #withVersion<T>(call: (versionId: number) => Observable<T>): Observable<T> {
    return defer(() =>
      this.#versionId === undefined ? throwError(() => noVersion()) : call(this.#versionId),
    );
  }

  /** What a model is made from: the job `fit` followed to FINISH, else the version read from the server. */
  #source(): Observable<ModelSource | undefined> {
    return defer(() => {
      if (this.#trained !== undefined) {
        const { versionId, detail, body } = this.#trained;
        const source = modelSource(versionId, detail, body);
        return E.isLeft(source) ? throwError(() => source.left) : of(source.right);
      }
      if (this.#versionId !== undefined) return finishedVersion(this.session, this.#versionId);
      return of(undefined);
    });
  }
}
