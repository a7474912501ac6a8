/**
 * A fake ModelMaker platform for msw with the training, catalog, model and service
 * rows and a prediction gateway, for the pipeline tests (fit → createModel → deploy →
 * predict). Jobs advance one scripted step per read of their version (whoever reads
 * it), so runs are deterministic without clocks; every request is recorded.
 */
import { type HttpHandler, HttpResponse, http } from 'msw';
import { Session, type SessionOptions } from '../../src/client/session.js';

/** The S3 endpoint of a fake platform without a store: nothing listens there. */
export const NO_S3 = 'http://127.0.0.1:1';

export const BASE = 'http://pipeline.test/mmr';
export const GATEWAY = 'http://gateway.test';

/** What one read of a version does: the status it moves to, the lines the job prints first. */
export interface Step {
  readonly status: string;
  readonly lines?: readonly string[];
  readonly reason?: string;
  readonly exitCode?: number;
}

/** The `n`-th read of a version (0-based) → the step it takes, or `undefined` to stay put. */
export type Plan = (n: number) => Step | undefined;

/** A plan from a list of steps, then staying in the last. */
export function steps(...list: Step[]): Plan {
  return (n) => list[n];
}

/** A service read → its status (and reason). */
export type ServicePlan = (n: number) => { readonly status?: string; readonly reason?: string } | undefined;

/** One request the platform saw. */
export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly at: number;
}

interface Version {
  readonly id: number;
  readonly jobId: number;
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly plan: Plan;
  reads: number;
  status: string;
  reason?: string;
  exitCode?: number;
  stopped: boolean;
  readonly lines: string[];
}

interface Service {
  readonly id: number;
  readonly body: Record<string, unknown>;
  reads: number;
  status: string | undefined;
  reason?: string;
  readonly lines: string[];
}

export const CATALOG = {
  presetAlgorithms: [
    { id: 500000, name: 'linear-regression' },
    { id: 500001, name: 'logistic-regression' },
  ],
  // ids differ from the algorithms' and the order is reversed: only the name can match them
  presetModels: [
    { id: 600007, name: 'logistic-regression' },
    { id: 600003, name: 'linear-regression' },
  ],
  // the local catalog's numbering; the PREDICT list in reverse order: only the name can match them
  train: [
    { id: 500100, name: 'python3' },
    { id: 500101, name: 'node' },
  ],
  predict: [
    { id: 500160, name: 'node' },
    { id: 500150, name: 'python3' },
  ],
};

export class FakePlatform {
  readonly seen: Seen[] = [];
  readonly versions = new Map<number, Version>();
  readonly services = new Map<number, Service>();
  readonly models = new Map<string, { id: number; versions: number[] }>();
  readonly modelBodies: Record<string, unknown>[] = [];
  readonly predictions: Array<{ url: string; body: unknown; token: string | null }> = [];
  /** The plan of each new version, by job name. */
  plan: (name: string) => Plan = () =>
    steps({ status: 'TRAINING', lines: ['epoch 1 loss=0.5'] }, { status: 'FINISH' });
  /** The statuses each service goes through, one per read. */
  servicePlan: ServicePlan = (n) =>
    [{ status: 'DEPLOYING' }, { status: 'DEPLOYING' }, { status: 'RUNNING' }][n];
  /** S3 endpoint handed out by auth-access: by default {@link NO_S3}, a store that refuses connections. */
  s3Endpoint = NO_S3;
  /** Whether a service detail carries its `accessAddress`. */
  accessAddress = true;
  /** Whether the performance monitor is served (false: 404). */
  performanceMonitor = true;
  /** Whether a version detail echoes the body it was created with (an extension: false for a server without it). */
  versionEcho = true;
  #jobs = new Map<string, number>();
  #nextId = 100;

  /** The requests seen with `method` and a path matching `path`. */
  count(method: string, path: RegExp): number {
    return this.seen.filter((s) => s.method === method && path.test(s.path)).length;
  }

  /** The bodies of the training creates (`POST /v1/train` and new versions), in order. */
  trainBodies(): unknown[] {
    return this.seen
      .filter((s) => s.method === 'POST' && /^\/v1\/train(\/\d+\/version)?$/.test(s.path))
      .map((s) => s.body);
  }

  handlers(): HttpHandler[] {
    const at = (request: Request) => new URL(request.url).pathname.replace(/^\/mmr/, '');
    const seen = async (request: Request): Promise<unknown> => {
      const text =
        request.method === 'GET' || request.method === 'DELETE' ? '' : await request.clone().text();
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      this.seen.push({ method: request.method, path: at(request), body, at: Date.now() });
      return body;
    };
    const version = (id: string | readonly string[] | undefined) => this.versions.get(Number(id));
    const newVersion = (jobId: number, body: Record<string, unknown>): number => {
      const id = this.#nextId++;
      const name = String(body.name);
      this.versions.set(id, {
        id,
        jobId,
        name,
        body,
        plan: this.plan(name),
        reads: 0,
        status: 'STARTING',
        stopped: false,
        lines: [],
      });
      return id;
    };
    const linesOf = (lines: readonly string[], request: Request) => {
      const url = new URL(request.url);
      const lastId = Number(url.searchParams.get('lastId') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const end = Math.min(lines.length, lastId + limit);
      const logs = [];
      for (let id = Math.max(0, lastId); id < end; id++) logs.push({ id, content: lines[id]! });
      return HttpResponse.json(end < lines.length ? { logs, hasMore: 1 } : { logs });
    };

    return [
      http.post(`${BASE}/v1/auth-token`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ token: 'token-1' });
      }),
      http.get(`${BASE}/v1/account/auth-access`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({
          s3: { ak: 'S3RVER', sk: 'S3RVER', url: this.s3Endpoint, region: 'us-east-1' },
        });
      }),
      http.get(`${BASE}/v1/preset-algorithm`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ presetAlgorithms: CATALOG.presetAlgorithms });
      }),
      http.get(`${BASE}/v1/preset-model`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ presetModels: CATALOG.presetModels });
      }),
      http.get(`${BASE}/v1/basic-framework/:env`, async ({ request, params }) => {
        await seen(request);
        return HttpResponse.json({ frameWorks: params.env === 'TRAIN' ? CATALOG.train : CATALOG.predict });
      }),

      // ── training
      http.post(`${BASE}/v1/train`, async ({ request }) => {
        const body = (await seen(request)) as Record<string, unknown>;
        const name = String(body.name);
        if (this.#jobs.has(name)) return HttpResponse.json({ errorCode: 102009, message: 'job exists' });
        const jobId = this.#nextId++;
        this.#jobs.set(name, jobId);
        return HttpResponse.json({ id: jobId, versionId: newVersion(jobId, body) });
      }),
      http.get(`${BASE}/v1/train`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ trainTasks: [...this.#jobs].map(([name, id]) => ({ id, name })) });
      }),
      http.post(`${BASE}/v1/train/:jobId/version`, async ({ request, params }) => {
        const body = (await seen(request)) as Record<string, unknown>;
        const jobId = Number(params.jobId);
        return HttpResponse.json({ id: jobId, versionId: newVersion(jobId, body) });
      }),
      http.post(`${BASE}/v1/train/:versionId/stop`, async ({ request, params }) => {
        await seen(request);
        const v = version(params.versionId);
        if (v === undefined)
          return HttpResponse.json({ errorCode: 4004, message: 'no such version' }, { status: 404 });
        v.stopped = true;
        v.status = 'STOPPED';
        v.reason = 'stopped by the user';
        return HttpResponse.json({});
      }),
      http.get(`${BASE}/v1/train/version/:versionId`, async ({ request, params }) => {
        await seen(request);
        const v = version(params.versionId);
        if (v === undefined)
          return HttpResponse.json({ errorCode: 4004, message: 'no such version' }, { status: 404 });
        const step = v.stopped ? undefined : v.plan(v.reads++);
        if (step !== undefined) {
          v.lines.push(...(step.lines ?? []));
          v.status = step.status;
          if (step.reason !== undefined) v.reason = step.reason;
          if (step.exitCode !== undefined) v.exitCode = step.exitCode;
        }
        return HttpResponse.json({
          ...(this.versionEcho ? v.body : {}),
          id: v.id,
          jobId: v.jobId,
          status: v.status,
          ...(v.reason === undefined ? {} : { reason: v.reason }),
          ...(v.exitCode === undefined ? {} : { exitCode: v.exitCode }),
        });
      }),
      http.get(`${BASE}/v1/train/version/:versionId/log`, async ({ request, params }) => {
        await seen(request);
        return linesOf(version(params.versionId)?.lines ?? [], request);
      }),
      http.get(`${BASE}/v1/train/version/:versionId/performance-monitor`, async ({ request, params }) => {
        await seen(request);
        if (!this.performanceMonitor) return HttpResponse.json({ message: 'not found' }, { status: 404 });
        const lines = version(params.versionId)?.lines ?? [];
        const points = lines.flatMap((line, id) => {
          const match = /loss=([0-9.]+)/.exec(line);
          return match ? [{ time: id, value: Number(match[1]), step: id }] : [];
        });
        return HttpResponse.json({ metrics: points.length === 0 ? [] : [{ name: 'loss', points }] });
      }),
      http.get(`${BASE}/v1/train/version/:versionId/resource-monitor`, async ({ request, params }) => {
        await seen(request);
        const reads = version(params.versionId)?.reads ?? 0;
        return HttpResponse.json({
          samples: Array.from({ length: reads }, (_, time) => ({
            time,
            instance: 0,
            cpu: 0.5,
            memory: 1024,
          })),
        });
      }),

      // ── models
      http.post(`${BASE}/v1/model`, async ({ request }) => {
        const body = (await seen(request)) as Record<string, unknown>;
        this.modelBodies.push(body);
        const name = String(body.name);
        if (this.models.has(name)) return HttpResponse.json({ errorCode: 101009, message: 'model exists' });
        const id = this.#nextId++;
        const versionId = this.#nextId++;
        this.models.set(name, { id, versions: [versionId] });
        return HttpResponse.json({ id, versionId });
      }),
      http.get(`${BASE}/v1/model`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ models: [...this.models].map(([name, m]) => ({ id: m.id, name })) });
      }),
      http.post(`${BASE}/v1/model/:modelId/version/`, async ({ request, params }) => {
        const body = (await seen(request)) as Record<string, unknown>;
        this.modelBodies.push(body);
        const model = [...this.models.values()].find((m) => m.id === Number(params.modelId));
        const versionId = this.#nextId++;
        model?.versions.push(versionId);
        return HttpResponse.json({ versionId });
      }),

      // ── services
      http.post(`${BASE}/v1/service`, async ({ request }) => {
        const body = (await seen(request)) as Record<string, unknown>;
        const id = this.#nextId++;
        this.services.set(id, { id, body, reads: 0, status: 'DEPLOYING', lines: ['serving on :7001'] });
        return HttpResponse.json({ id });
      }),
      http.get(`${BASE}/v1/service/:id`, async ({ request, params }) => {
        await seen(request);
        const s = this.services.get(Number(params.id));
        if (s === undefined)
          return HttpResponse.json({ errorCode: 4004, message: 'no such service' }, { status: 404 });
        const step = this.servicePlan(s.reads++);
        if (step !== undefined) {
          s.status = step.status;
          if (step.reason !== undefined) s.reason = step.reason;
        }
        return HttpResponse.json({
          id: s.id,
          name: s.body.name,
          ...(s.status === undefined ? {} : { status: s.status }),
          ...(this.accessAddress ? { accessAddress: `${GATEWAY}/services/${s.id}/` } : {}),
          ...(s.reason === undefined ? {} : { reason: s.reason }),
        });
      }),
      http.post(`${BASE}/v1/service/:id/start`, async ({ request, params }) => {
        await seen(request);
        const s = this.services.get(Number(params.id));
        if (s) s.status = 'RUNNING';
        return HttpResponse.json({});
      }),
      http.post(`${BASE}/v1/service/:id/stop`, async ({ request, params }) => {
        await seen(request);
        const s = this.services.get(Number(params.id));
        if (s) s.status = 'STOPPING';
        return HttpResponse.json({});
      }),
      http.put(`${BASE}/v1/service/:id`, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({});
      }),
      http.delete(`${BASE}/v1/service/:id`, async ({ request, params }) => {
        await seen(request);
        this.services.delete(Number(params.id));
        return HttpResponse.json({});
      }),
      http.get(`${BASE}/v1/service/:id/log`, async ({ request, params }) => {
        await seen(request);
        return linesOf(this.services.get(Number(params.id))?.lines ?? [], request);
      }),

      // ── the gateway
      http.post(`${GATEWAY}/services/:id/ModelMaker/predict`, async ({ request, params }) => {
        const body = (await request.json()) as unknown;
        this.predictions.push({ url: request.url, body, token: request.headers.get('auth-token') });
        return HttpResponse.json({ service: Number(params.id), echo: body });
      }),

      // ── no S3 store unless a test gives one: its connections are refused (fit's checks go on)
      ...(this.s3Endpoint === NO_S3 ? [http.all(`${NO_S3}/*`, () => HttpResponse.error())] : []),
    ];
  }
}

/** A real `Session` on {@link BASE} with a bucket, fast retries, silent; poll options for quick tests. */
export function pipelineSession(options: SessionOptions = {}): Session {
  return new Session({
    baseUrl: BASE,
    username: 'alice',
    password: 'secret',
    bucket: 'test-bucket',
    configPath: false,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retryBaseMs: 1,
    retryCapMs: 4,
    retryBudget: { capacity: 1_000_000 },
    ...options,
  });
}

/** Poll options that make the fake's scripted jobs run in milliseconds. */
export const FAST = { floorMs: 2, ceilingMs: 8, waitSeconds: 0, retryBaseMs: 1, retryCapMs: 4 } as const;
