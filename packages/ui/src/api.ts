/**
 * The dashboard's API: what the page reads (JSON), follows (event streams) and
 * asks for (POSTs), each a thin layer over one SDK call or stream.
 * @module
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import {
  deleteModel,
  deleteModelVersion,
  deleteTrain,
  deleteTrainVersion,
  deploy,
  downloadFile,
  getModel,
  getTrain,
  getTrainOutput,
  getTrainVersion,
  listFrameworks,
  listModels,
  listPresetAlgorithms,
  listPresetModels,
  listResources,
  listServices,
  type PollOptions,
  Predictor,
  type ServiceUpdate,
  type Session,
  stopTrain,
  type TrainingSource,
  toServiceCreate,
} from 'modelmaker';
import { catchError, filter, lastValueFrom, map, type Observable, of } from 'rxjs';
import { describeFailure, RequestError } from './failure.js';
import { type JobRow, jobRows } from './feeds/jobs.js';
import { serviceFeed } from './feeds/service.js';
import { SharedFeeds } from './feeds/shared.js';
import { snapshots } from './feeds/snapshots.js';
import { versionFeed } from './feeds/version.js';
import type { EventStreams } from './http.js';
import { mask } from './mask.js';
import { resumeFrom, type ServerSentEvent } from './sse.js';

/** What the routes work with. */
export interface ApiContext {
  readonly session: Session;
  readonly source: TrainingSource;
  /** Polling of lists and details (jobs, services). */
  readonly feedPoll: PollOptions;
  /** Polling of a version's or service's streams (status, log, metrics, resources). */
  readonly streamPoll: PollOptions;
  /** The long-poll wait asked of the platform for logs, s (undefined: the SDK's default). */
  readonly logWaitSeconds?: number | undefined;
  readonly streams: EventStreams;
}

/** What a route answers: a JSON value, or nothing when it answered itself (a stream, a file). */
type Answer = unknown | typeof ANSWERED;

/** A route's marker that it has written its answer itself. */
export const ANSWERED = Symbol('answered');

/** One route: method, path pattern (named groups are its parameters), handler. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  readonly handle: (request: RouteRequest) => Promise<Answer>;
}

/** A matched request. */
export interface RouteRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The path's numeric ids, by group name. */
  readonly ids: Readonly<Record<string, number>>;
  /** The JSON body of a POST (read by the server before the handler runs). */
  readonly body: unknown;
}

/** An object body, or a 400. */
function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError(400, 'request body: expected a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A positive integer field of a body, or a 400 naming it. */
function positiveInt(body: Record<string, unknown>, field: string, fallback?: number): number {
  const value = body[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RequestError(
      400,
      `${field}: expected a positive integer, got ${JSON.stringify(value ?? null)}`,
    );
  }
  return value;
}

/** A non-empty string field of a body, or a 400 naming it. */
function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RequestError(400, `${field}: expected a non-empty string`);
  }
  return value.trim();
}

const ok = { ok: true } as const;

/** Every route of the API. */
export function apiRoutes(context: ApiContext): Route[] {
  const { session, source, streams } = context;
  const lists = new SharedFeeds<ServerSentEvent>();
  const live = <T>(read: () => Observable<T>) => snapshots(read, context.feedPoll);
  const stream = (request: RouteRequest, events: Observable<ServerSentEvent>) => {
    streams.open(request.req, request.res, events);
    return ANSWERED;
  };
  const from = (request: RouteRequest) => resumeFrom(request.req.headers['last-event-id']);
  const logOptions = (request: RouteRequest) => ({
    ...context.streamPoll,
    from: from(request),
    waitSeconds: context.logWaitSeconds,
  });
  const named = <T>(event: string, values: Observable<T>): Observable<ServerSentEvent> =>
    values.pipe(map((data) => ({ event, data })));
  const failures = (events: Observable<ServerSentEvent>): Observable<ServerSentEvent> =>
    events.pipe(catchError((error: unknown) => of({ event: 'failure', data: describeFailure(error) })));

  return [
    {
      method: 'GET',
      path: /^\/api\/info$/,
      handle: async () => {
        const settings = await session.resolved();
        return { baseUrl: settings.baseUrl, username: settings.username, projectId: settings.projectId };
      },
    },
    // ── training ──────────────────────────────────────────────────────────────
    {
      method: 'GET',
      path: /^\/api\/jobs\/events$/,
      handle: async (r) =>
        stream(
          r,
          failures(lists.get('jobs', () => named<JobRow[]>('jobs', jobRows(session, context.feedPoll)))),
        ),
    },
    {
      method: 'GET',
      path: /^\/api\/jobs\/(?<jobId>\d+)\/events$/,
      handle: async (r) =>
        stream(
          r,
          failures(
            lists.get(`job:${r.ids.jobId}`, () =>
              named(
                'job',
                live(() => getTrain(session, r.ids.jobId!).pipe(map(mask))),
              ),
            ),
          ),
        ),
    },
    {
      method: 'POST',
      path: /^\/api\/jobs\/(?<jobId>\d+)\/delete$/,
      handle: async (r) => {
        await lastValueFrom(deleteTrain(session, r.ids.jobId!));
        return ok;
      },
    },
    {
      method: 'GET',
      path: /^\/api\/versions\/(?<versionId>\d+)$/,
      handle: async (r) => mask(await lastValueFrom(getTrainVersion(session, r.ids.versionId!))),
    },
    {
      method: 'GET',
      path: /^\/api\/versions\/(?<versionId>\d+)\/events$/,
      handle: async (r) => stream(r, versionFeed(source, r.ids.versionId!, logOptions(r))),
    },
    {
      method: 'GET',
      path: /^\/api\/versions\/(?<versionId>\d+)\/output$/,
      handle: async (r) => lastValueFrom(getTrainOutput(session, r.ids.versionId!)),
    },
    {
      method: 'GET',
      path: /^\/api\/versions\/(?<versionId>\d+)\/output\/file$/,
      handle: async (r) => {
        await sendArtifact(session, r);
        return ANSWERED;
      },
    },
    {
      method: 'POST',
      path: /^\/api\/versions\/(?<versionId>\d+)\/stop$/,
      handle: async (r) => {
        await lastValueFrom(stopTrain(session, r.ids.versionId!));
        return ok;
      },
    },
    {
      method: 'POST',
      path: /^\/api\/versions\/(?<versionId>\d+)\/delete$/,
      handle: async (r) => {
        await lastValueFrom(deleteTrainVersion(session, r.ids.versionId!));
        return ok;
      },
    },
    // ── models ────────────────────────────────────────────────────────────────
    {
      method: 'GET',
      path: /^\/api\/models$/,
      handle: async () => lastValueFrom(listModels(session)),
    },
    {
      method: 'GET',
      path: /^\/api\/models\/(?<modelId>\d+)$/,
      handle: async (r) => mask(await lastValueFrom(getModel(session, r.ids.modelId!))),
    },
    {
      method: 'POST',
      path: /^\/api\/models\/(?<modelId>\d+)\/delete$/,
      handle: async (r) => {
        await lastValueFrom(deleteModel(session, r.ids.modelId!));
        return ok;
      },
    },
    {
      method: 'POST',
      path: /^\/api\/model-versions\/(?<versionId>\d+)\/delete$/,
      handle: async (r) => {
        await lastValueFrom(deleteModelVersion(session, r.ids.versionId!));
        return ok;
      },
    },
    // ── services ──────────────────────────────────────────────────────────────
    {
      method: 'GET',
      path: /^\/api\/services\/events$/,
      handle: async (r) =>
        stream(
          r,
          failures(
            lists.get('services', () =>
              named(
                'services',
                live(() => listServices(session)),
              ),
            ),
          ),
        ),
    },
    {
      method: 'GET',
      path: /^\/api\/services\/(?<serviceId>\d+)\/events$/,
      handle: async (r) =>
        stream(r, serviceFeed(session, r.ids.serviceId!, { ...logOptions(r), detailPoll: context.feedPoll })),
    },
    {
      method: 'POST',
      path: /^\/api\/services$/,
      handle: async (r) => {
        const body = objectBody(r.body);
        const created = await lastValueFrom(
          deploy(
            session,
            {
              serviceName: text(body, 'name'),
              serviceModels: [
                {
                  modelVersionId: positiveInt(body, 'modelVersionId'),
                  resourceId: positiveInt(body, 'resourceId'),
                  instanceCount: positiveInt(body, 'instanceCount', 1),
                  weight: 100,
                },
              ],
            },
            undefined,
            { wait: false },
          ).pipe(filter((event) => event.type === 'created')),
        );
        return { serviceId: created.serviceId };
      },
    },
    ...(['start', 'stop', 'delete'] as const).map(
      (verb): Route => ({
        method: 'POST',
        path: new RegExp(`^/api/services/(?<serviceId>\\d+)/${verb}$`),
        handle: async (r) => {
          await lastValueFrom(new Predictor(session, r.ids.serviceId!)[verb]());
          return ok;
        },
      }),
    ),
    {
      method: 'POST',
      path: /^\/api\/services\/(?<serviceId>\d+)\/update$/,
      handle: async (r) => {
        const body = objectBody(r.body);
        let update: ServiceUpdate = body.name === undefined ? {} : { name: text(body, 'name') };
        if (body.serviceModels !== undefined) {
          // The same checks as a deploy (weights add up to 100, counts, ids).
          const checked = toServiceCreate({
            serviceName: 'unchanged',
            serviceModels: body.serviceModels as never,
          });
          if (E.isLeft(checked)) throw checked.left;
          update = { ...update, serviceModels: checked.right.serviceModels };
        }
        if (Object.keys(update).length === 0)
          throw new RequestError(400, 'nothing to update: give name and/or serviceModels');
        await lastValueFrom(new Predictor(session, r.ids.serviceId!).update(update));
        return ok;
      },
    },
    {
      method: 'POST',
      path: /^\/api\/services\/(?<serviceId>\d+)\/predict$/,
      handle: async (r) => {
        const predictor = new Predictor(session, r.ids.serviceId!);
        await lastValueFrom(predictor.info());
        const started = performance.now();
        const answer = await lastValueFrom(predictor.predict(r.body ?? null), { defaultValue: null });
        return { answer, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      },
    },
    // ── catalogs ──────────────────────────────────────────────────────────────
    {
      method: 'GET',
      path: /^\/api\/catalog$/,
      handle: async () => {
        const settle = async <T>(read: Observable<T>) =>
          lastValueFrom(read).then(
            (value) => ({ value }),
            (error: unknown) => ({ error: (error as Error).message }),
          );
        const [trainMachines, predictMachines, trainFrameworks, predictFrameworks, algorithms, presetModels] =
          await Promise.all([
            settle(listResources(session, 'TRAIN')),
            settle(listResources(session, 'PREDICT')),
            settle(listFrameworks(session, 'TRAIN')),
            settle(listFrameworks(session, 'PREDICT')),
            settle(listPresetAlgorithms(session)),
            settle(listPresetModels(session)),
          ]);
        return {
          trainMachines,
          predictMachines,
          trainFrameworks,
          predictFrameworks,
          algorithms,
          presetModels,
        };
      },
    },
  ];
}

/**
 * Sends one output file of a version as a download: only a key the version's
 * output lists, fetched through the SDK's storage (checked whole) into a temp
 * file, streamed, then removed.
 */
async function sendArtifact(session: Session, r: RouteRequest): Promise<void> {
  const key = r.url.searchParams.get('key') ?? '';
  const output = await lastValueFrom(getTrainOutput(session, r.ids.versionId!));
  const file = output.files.find((f) => f.key === key);
  if (file === undefined)
    throw new RequestError(404, `no output file ${JSON.stringify(key)} in version ${r.ids.versionId}`);
  const uri = output.output.endsWith('/') ? `${output.output}${key}` : `${output.output}/${key}`;
  const dir = await mkdtemp(join(tmpdir(), 'mm-ui-download-'));
  try {
    const path = join(dir, 'file');
    await lastValueFrom(downloadFile(session, uri, path), { defaultValue: undefined });
    const name = basename(key).replace(/[^\w.\- ]/g, '_') || 'download';
    r.res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    await new Promise<void>((resolve, reject) => {
      const input = createReadStream(path);
      input.once('error', reject);
      r.res.once('close', () => resolve());
      input.pipe(r.res);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
