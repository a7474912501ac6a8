/**
 * What a model is made from: the finished training version it serves, as the server
 * reports it — the job's name, the training kind, the algorithm or framework, the
 * output and the image. Read from the version's detail, never assumed.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { map, type Observable } from 'rxjs';
import type { Caller, CallOptions } from '../client/endpointCall.js';
import { getTrainVersion } from '../client/training.js';
import type { OpenTrainType, TrainCreate, TrainVersionDetail } from '../codecs/training.js';
import { DecodeError } from '../errors.js';
import { TrainingNotFinished } from './errors.js';

/**
 * The finished training version a model is made from: what `createModel` takes its
 * defaults from (see `modelDefaults`). Field names are the version detail's.
 */
export interface ModelSource {
  /** The training version. */
  readonly versionId: number;
  /** The job's name: the model's default name. */
  readonly name: string;
  /** The training kind: it decides the model kind (PRESET_ALGORITHM serves as PRESET_MODEL). */
  readonly type: OpenTrainType;
  /** The preset algorithm it trained (PRESET_ALGORITHM): the preset model is found by its name. */
  readonly algorithmId?: number | undefined;
  /** The TRAIN framework it ran on (BASIC_FRAMEWORK): the PREDICT framework is found by its name. */
  readonly frameworkId?: number | undefined;
  /** Where it wrote the model files: the model's default path. */
  readonly output: string;
  /** The image it trained in (CUSTOM): the model's default image. */
  readonly mirrorUrl?: string | undefined;
}

/** The version detail's fields a model source needs, with what each is for (for the error). */
const REQUIRED = [
  ['name', 'the job name'],
  ['type', 'the training kind'],
  ['output', 'the output path'],
] as const;

/**
 * The model source of training version `versionId` from its `detail` as read from the
 * server. `created`, the body the version was created with (known to `fit`), fills
 * what a server's detail leaves out — the contract makes those detail fields an
 * extension; the detail wins where both say something.
 *
 * Left with `TrainingNotFinished` (naming the version and its status) unless the
 * status is `FINISH`, and with a `DecodeError` naming each of `name`, `type`,
 * `output` that neither says.
 *
 * @example
 * ```ts
 * modelSource(12, { status: 'FINISH', name: 'iris', type: 'PRESET_ALGORITHM', algorithmId: 500001, output: 's3://b/out/' })
 * // right({ versionId: 12, name: 'iris', type: 'PRESET_ALGORITHM', algorithmId: 500001, output: 's3://b/out/' })
 * ```
 */
export function modelSource(
  versionId: number,
  detail: TrainVersionDetail,
  created?: TrainCreate,
): E.Either<TrainingNotFinished | DecodeError, ModelSource> {
  if (detail.status !== 'FINISH') return E.left(new TrainingNotFinished(versionId, detail.status));
  const name = detail.name ?? created?.name;
  const type = detail.type ?? created?.type;
  const output = detail.output ?? created?.output;
  if (name === undefined || type === undefined || output === undefined) {
    const given = { name, type, output };
    return E.left(
      new DecodeError(
        REQUIRED.filter(([field]) => given[field] === undefined).map(
          ([field, what]) => `${field}: expected ${what} of training version ${versionId}, got nothing`,
        ),
      ),
    );
  }
  const algorithmId = detail.algorithmId ?? created?.algorithmId;
  const frameworkId = detail.frameworkId ?? created?.frameworkId;
  const mirrorUrl = detail.mirrorUrl ?? created?.mirrorUrl;
  return E.right({
    versionId,
    name,
    type,
    output,
    ...(algorithmId === undefined ? {} : { algorithmId }),
    ...(frameworkId === undefined ? {} : { frameworkId }),
    ...(mirrorUrl === undefined ? {} : { mirrorUrl }),
  });
}

/**
 * Reads training version `versionId` (one `GET /v1/train/version/{id}`) and emits its
 * {@link modelSource}: for a version made elsewhere (another process, the CLI's
 * `--from-job`, `Estimator.attach`). Cold.
 *
 * Fails with `TrainingNotFinished` when the version has not finished, a `DecodeError`
 * when its detail does not say its name, kind or output, and the call's errors.
 *
 * @example
 * ```ts
 * finishedVersion(session, 12).pipe(switchMap((source) => createModel(session, { modelVersion: '1.0.0' }, source)))
 * ```
 */
export function finishedVersion(
  session: Caller,
  versionId: number,
  options?: CallOptions,
): Observable<ModelSource> {
  return getTrainVersion(session, versionId, options).pipe(
    map((detail) => {
      const source = modelSource(versionId, detail);
      if (E.isLeft(source)) throw source.left;
      return source.right;
    }),
  );
}
