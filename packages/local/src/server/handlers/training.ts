/**
 * The training routes: create jobs and versions (queued on the scheduler),
 * list and read them, page and long-poll their logs, read their resource and
 * performance monitors and their output files, stop and delete them.
 *
 * Decisions a client can see:
 * - a name clash on `POST /v1/train` is errorCode 102009 with HTTP 200, as the real
 *   platform answers it (its Python client then sends `POST /v1/train/{jobId}/version`);
 * - `stop` is idempotent: stopping a finished version answers `{}`; a version
 *   still waiting for capacity becomes STOPPED without running;
 * - deleting a version (or a job with a version) that has not reached a
 *   terminal status is refused with 409 / 4009: stop it first;
 * - a new version takes its job's name (the body's `name` is not checked);
 * - times are ISO 8601 text.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  abortWith,
  ERROR_CODES,
  formatS3Uri,
  parseS3Uri,
  TrainCreate,
  type TrainJobSummary,
  type TrainVersionDetail,
  type TrainVersionSummary,
} from 'modelmaker';
import { listObjects, type S3AccessProvider, StorageError } from 'modelmaker/storage';
import { catchError, EMPTY, lastValueFrom, map, throwError, toArray } from 'rxjs';
import { publicGitInfo } from '../../runner/gitClone.js';
import type { Scheduler } from '../../scheduler.js';
import type { RunRecorder } from '../../store/recorder.js';
import type { Store } from '../../store/store.js';
import { isTerminalTrainStatus, type VersionRecord } from '../../store/training.js';
import type { ChangeHub } from '../changeHub.js';
import { type LogLimits, logAnswer, logQueryOf, longPollLog, pageAt } from '../longPoll.js';
import { conflict, notFound, platformError } from '../problem.js';
import type { Handlers } from '../router.js';
import { checkTrain, type TrainCatalog } from './trainRules.js';

/** The `reason` of a version stopped while it waited for capacity. */
export const STOPPED_WAITING_REASON = 'stopped before it started';

/** What the training routes work with. */
export interface TrainingDeps {
  readonly store: Store;
  readonly recorder: RunRecorder;
  readonly scheduler: Scheduler;
  readonly hub: ChangeHub;
  readonly catalog: TrainCatalog;
  /** The embedded S3, as the SDK's storage reaches it (output listings). */
  readonly s3: S3AccessProvider;
  readonly logLimits?: LogLimits;
}

/** Epoch ms → ISO text, `undefined` kept. */
export function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The stored body as TrainCreate, for echoing in details and for the runner. */
export function storedTrainCreate(version: VersionRecord): TrainCreate {
  const decoded = TrainCreate.decode(version.spec);
  // Stored bodies were validated with this codec; a failure means a hand-edited database.
  if (E.isLeft(decoded)) throw new Error(`version ${version.id}: stored body no longer decodes`);
  return decoded.right;
}

function versionDetail(version: VersionRecord): TrainVersionDetail {
  const spec = storedTrainCreate(version);
  // Never echo the git password (nor one written in the repository's address).
  const gitInfo = spec.gitInfo ? publicGitInfo(spec.gitInfo) : undefined;
  return {
    ...spec,
    gitInfo,
    status: version.status,
    id: version.id,
    jobId: version.jobId,
    name: version.jobName,
    type: spec.type,
    createdAt: iso(version.createdAt),
    startedAt: iso(version.startedAt),
    finishedAt: iso(version.finishedAt),
    exitCode: version.exitCode,
    reason: version.reason,
    output: spec.output,
  };
}

function versionSummary(version: VersionRecord): TrainVersionSummary {
  return {
    id: version.id,
    name: version.jobName,
    status: version.status,
    createdAt: iso(version.createdAt),
    finishedAt: iso(version.finishedAt),
  };
}

/** One file of a version's output, as `GET /v1/train/version/{id}/output` lists it. */
interface OutputFile {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string;
  readonly etag?: string;
}

/**
 * The files under the output prefix (keys relative to it), listed with the SDK's
 * storage. Empty for an address that does not parse or a missing bucket. ETags keep
 * S3's quotes, as S3 lists them.
 */
async function outputFiles(s3: S3AccessProvider, output: string, signal: AbortSignal): Promise<OutputFile[]> {
  const location = parseS3Uri(output, 'output');
  if (E.isLeft(location)) return [];
  const { bucket, key } = location.right;
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const files = await lastValueFrom(
    listObjects(s3, formatS3Uri({ bucket, key: prefix })).pipe(
      map(
        (object): OutputFile => ({
          key: object.key.slice(prefix.length),
          size: object.size,
          lastModified: (object.lastModified ?? new Date(0)).toISOString(),
          etag: object.etag === undefined ? undefined : `"${object.etag}"`,
        }),
      ),
      catchError((error: unknown) =>
        error instanceof StorageError && error.reason === 'NoSuchBucket' ? EMPTY : throwError(() => error),
      ),
      toArray(),
      abortWith(signal),
    ),
  );
  return files;
}

/** Handlers of the training endpoints. */
export function trainingHandlers(
  deps: TrainingDeps,
): Pick<
  Handlers,
  | 'createTrain'
  | 'createTrainVersion'
  | 'listTrain'
  | 'getTrain'
  | 'getTrainVersion'
  | 'getTrainLog'
  | 'getTrainResourceMonitor'
  | 'getTrainPerformanceMonitor'
  | 'getTrainOutput'
  | 'stopTrain'
  | 'deleteTrainVersion'
  | 'deleteTrain'
> {
  const { store, recorder, scheduler, hub, catalog } = deps;

  const version = (id: number): VersionRecord => {
    const found = store.training.getVersion(id);
    if (!found) throw notFound(`training version ${id}`);
    return found;
  };

  const check = (body: TrainCreate) => {
    const { demand, monitors } = checkTrain(body, catalog);
    return { demand, monitors, spec: TrainCreate.encode(body) as Record<string, unknown> };
  };

  return {
    createTrain({ body }) {
      const checked = check(body);
      const created = store.training.createJob(body.name, body.description, {
        spec: checked.spec,
        cpu: checked.demand.cpu,
        memory: checked.demand.memory,
      });
      if (!created) {
        throw platformError(ERROR_CODES.JOB_EXISTS, `a training job named ${body.name} exists`, 409);
      }
      recorder.track(created.versionId, checked.monitors);
      scheduler.submit(created.versionId, checked.demand);
      return { id: created.jobId, versionId: created.versionId };
    },

    createTrainVersion({ params, body }) {
      const job = store.training.getJob(params.jobId);
      if (!job) throw notFound(`training job ${params.jobId}`);
      const checked = check({ ...body, name: job.name });
      const versionId = store.training.createVersion(job.id, {
        spec: checked.spec,
        cpu: checked.demand.cpu,
        memory: checked.demand.memory,
      });
      if (versionId === undefined) throw notFound(`training job ${params.jobId}`);
      recorder.track(versionId, checked.monitors);
      scheduler.submit(versionId, checked.demand);
      return { id: job.id, versionId };
    },

    listTrain() {
      const trainTasks: TrainJobSummary[] = store.training.listJobs().map((job) => {
        const latest = store.training.listVersions(job.id).at(-1);
        return {
          id: job.id,
          name: job.name,
          type: latest ? storedTrainCreate(latest).type : undefined,
          description: job.description,
          createdAt: iso(job.createdAt),
          latestVersionId: latest?.id,
          status: latest?.status,
        };
      });
      return { trainTasks };
    },

    getTrain({ params }) {
      const job = store.training.getJob(params.jobId);
      if (!job) throw notFound(`training job ${params.jobId}`);
      const versions = store.training.listVersions(job.id);
      const latest = versions.at(-1);
      return {
        id: job.id,
        name: job.name,
        type: latest ? storedTrainCreate(latest).type : undefined,
        description: job.description,
        createdAt: iso(job.createdAt),
        versions: versions.map(versionSummary),
      };
    },

    getTrainVersion({ params }) {
      return versionDetail(version(params.versionId));
    },

    async getTrainLog({ params, query, signal }) {
      const id = params.versionId;
      const wanted = logQueryOf(query);
      version(id);
      const page = await longPollLog(
        {
          id,
          hub,
          page: (cursor, count) => pageAt(store.trainLogs, id, cursor, count),
          quiet: () => {
            const current = store.training.getVersion(id);
            return !current || isTerminalTrainStatus(current.status);
          },
        },
        wanted,
        deps.logLimits,
        signal,
      );
      return logAnswer(page, (stream) => stream);
    },

    getTrainResourceMonitor({ params }) {
      version(params.versionId);
      return {
        samples: store.resources.list(params.versionId).map((sample) => ({
          time: iso(sample.time)!,
          instance: sample.instance,
          cpu: sample.cpu,
          memory: sample.memory,
          gpu: sample.gpu,
        })),
      };
    },

    getTrainPerformanceMonitor({ params }) {
      version(params.versionId);
      return {
        metrics: store.metrics.series(params.versionId).map((series) => ({
          name: series.name,
          points: series.points.map((point) => ({ time: iso(point.time)!, value: point.value })),
        })),
      };
    },

    async getTrainOutput({ params, signal }) {
      const output = storedTrainCreate(version(params.versionId)).output;
      return { output, files: await outputFiles(deps.s3, output, signal) };
    },

    stopTrain({ params }) {
      const current = version(params.versionId);
      if (isTerminalTrainStatus(current.status)) return {};
      if (scheduler.running().includes(current.id)) {
        // Recorded first, so a runner that stops at once records STOPPED after it.
        recorder.status(current.id, 'STOPPING');
        scheduler.stop(current.id);
      } else {
        const outcome = scheduler.stop(current.id);
        recorder.status(current.id, 'STOPPED', {
          reason: outcome === 'waiting' ? STOPPED_WAITING_REASON : 'stopped',
        });
      }
      return {};
    },

    deleteTrainVersion({ params }) {
      const current = version(params.versionId);
      if (!isTerminalTrainStatus(current.status)) {
        throw conflict(`training version ${current.id} is ${current.status}: stop it first`);
      }
      store.training.deleteVersion(current.id);
      recorder.forget(current.id);
      hub.notify([current.id]);
      return {};
    },

    deleteTrain({ params }) {
      const job = store.training.getJob(params.jobId);
      if (!job) throw notFound(`training job ${params.jobId}`);
      const versions = store.training.listVersions(job.id);
      const running = versions.find((v) => !isTerminalTrainStatus(v.status));
      if (running) {
        throw conflict(`training version ${running.id} of job ${job.id} is ${running.status}: stop it first`);
      }
      store.training.deleteJob(job.id);
      for (const v of versions) recorder.forget(v.id);
      hub.notify(versions.map((v) => v.id));
      return {};
    },
  };
}
