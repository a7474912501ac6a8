/**
 * A fake training platform for msw: one version whose job prints lines as
 * requests come (so runs are deterministic without clocks), an auth endpoint
 * with revocable tokens, optional long polling, and a fault queue applied to
 * the training requests in arrival order.
 */
import { delay, type HttpHandler, HttpResponse, http } from 'msw';
import { Session, type SessionOptions } from '../../src/client/session.js';
import type { LogLine } from '../../src/codecs/training.js';

export const BASE = 'http://streams.test/mmr';
export const VERSION_ID = 7;

/**
 * How one training request fails: `503` (HTTP 503), `reset` (connection
 * reset before an answer), `midbody` (the connection breaks halfway through the
 * body), `expired` (the tokens issued so far expire just before: errorCode 1003
 * with HTTP 200, as a real server sends it; a token that has not served an
 * answer yet is too young to expire), `slow` (a correct answer, late).
 */
export type Fault = 'none' | '503' | 'reset' | 'midbody' | 'expired' | 'slow';

export interface FakeTrainingOptions {
  /** Lines the job prints in all; it finishes when the last is printed. */
  readonly total: number;
  /** Lines the job prints on the n-th training request (0-based), before it is answered. Default: all at once. */
  readonly burst?: ((request: number) => number) | undefined;
  /** Whether `wait` holds a log request. Default false (a platform without the extension). */
  readonly longPoll?: boolean | undefined;
  /** Whether `limit` is honoured. Default true. */
  readonly honoursLimit?: boolean | undefined;
  /** Content of line `id`. */
  readonly content?: ((id: number) => string) | undefined;
  /** Training instances; line `id` is printed by instance `id % instances`. Default 1 (no `instance` field). */
  readonly instances?: number | undefined;
  /** Which requests make the job go on (`burst`). Default both log and version requests. */
  readonly progressOn?: 'log' | 'version' | 'both' | undefined;
  /** Lines the platform lost (rotated away): never served. Default none. */
  readonly lost?: ((id: number) => boolean) | undefined;
  /** Delay of a `slow` answer, ms. Default 30. */
  readonly slowMs?: number | undefined;
  /** HTTP status of a refused token's answer (errorCode 1003). Default 200, as the real platform answers it. */
  readonly refusalStatus?: number | undefined;
}

/** The job's line `id` as the platform stores it. */
export function lineOf(id: number, options: Pick<FakeTrainingOptions, 'content' | 'instances'>): LogLine {
  const content = options.content?.(id) ?? `step ${id} loss=${(1 / (id + 1)).toFixed(6)}`;
  const instances = options.instances ?? 1;
  return instances > 1 ? { id, content, instance: id % instances } : { id, content };
}

export class FakeTraining {
  written = 0;
  status = 'TRAINING';
  /** While true, every request fails as a refused connection (the platform is restarting). */
  down = false;
  /** Consumed one per training request (log or version), in arrival order. */
  readonly faults: Fault[] = [];
  readonly requests = { auth: 0, log: 0, version: 0 };
  /** The query of every log request that reached the platform. */
  readonly logQueries: Array<{ lastId: number; wait?: number; limit?: number }> = [];
  /** Log requests whose client went away before the answer. */
  aborted = 0;
  inFlight = 0;
  maxInFlight = 0;
  #trainingRequests = 0;
  #token = 0;
  #fresh = false;
  readonly #options: FakeTrainingOptions;

  constructor(options: FakeTrainingOptions) {
    this.#options = options;
    if (options.total === 0 && options.burst === undefined) this.status = 'FINISH';
  }

  /** The job prints `n` more lines (at most up to `total`) and finishes after the last. */
  print(n: number): void {
    this.written = Math.min(this.#options.total, this.written + Math.max(0, n));
    if (this.written === this.#options.total) this.status = 'FINISH';
  }

  /** Every line the job printed that the platform still has, in order. */
  expected(): LogLine[] {
    const lost = this.#options.lost;
    return Array.from({ length: this.written }, (_, id) => lineOf(id, this.#options)).filter(
      (l) => !lost?.(l.id),
    );
  }

  /** The platform goes down: every request is refused until {@link up}. */
  restart(): void {
    this.down = true;
  }

  /** The platform serves again, from the same store; tokens issued before the restart are forgotten. */
  up(): void {
    this.down = false;
    this.#token++;
  }

  handlers(): HttpHandler[] {
    const o = this.#options;
    const authorized = (request: Request) => request.headers.get('auth-token') === `t-${this.#token}`;
    const progress = (on: 'log' | 'version') => {
      if (o.progressOn !== undefined && o.progressOn !== 'both' && o.progressOn !== on) return;
      this.print(o.burst === undefined ? o.total : o.burst(this.#trainingRequests++));
    };
    const fault = async (request: Request): Promise<Response | undefined> => {
      if (this.down) return HttpResponse.error();
      const f = this.faults.shift() ?? 'none';
      if (f === 'slow') await delay(o.slowMs ?? 30);
      // every token issued so far expires; a token not yet used for an answer cannot have expired yet
      if (f === 'expired' && !this.#fresh) this.#token++;
      if (!authorized(request))
        return HttpResponse.json(
          { errorCode: 1003, message: 'token expired' },
          { status: o.refusalStatus ?? 200 },
        );
      if (f === '503') return new HttpResponse('busy', { status: 503 });
      if (f === 'reset') return HttpResponse.error();
      if (f === 'midbody') return brokenBody();
      this.#fresh = false;
      return undefined;
    };

    return [
      http.post(`${BASE}/v1/auth-token`, () => {
        this.requests.auth++;
        if (this.down) return HttpResponse.error();
        this.#token++;
        this.#fresh = true;
        return HttpResponse.json({ token: `t-${this.#token}` });
      }),
      http.get(`${BASE}/v1/train/version/${VERSION_ID}`, async ({ request }) => {
        this.requests.version++;
        const failed = await fault(request);
        if (failed !== undefined) return failed;
        progress('version');
        return HttpResponse.json({ id: VERSION_ID, status: this.status });
      }),
      http.get(`${BASE}/v1/train/version/${VERSION_ID}/log`, async ({ request }) => {
        this.requests.log++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          const failed = await fault(request);
          if (failed !== undefined) return failed;
          const url = new URL(request.url);
          const lastId = Number(url.searchParams.get('lastId'));
          const wait = url.searchParams.has('wait') ? Number(url.searchParams.get('wait')) : undefined;
          const limitText = url.searchParams.get('limit');
          const limit =
            limitText === null || o.honoursLimit === false ? Number.POSITIVE_INFINITY : Number(limitText);
          this.logQueries.push({
            lastId,
            ...(wait === undefined ? {} : { wait }),
            ...(limitText === null ? {} : { limit: Number(limitText) }),
          });
          progress('log');
          if (o.longPoll && wait !== undefined) {
            const until = Date.now() + wait * 1000;
            while (this.written <= lastId && this.status !== 'FINISH' && Date.now() < until) {
              await delay(5);
              if (request.signal.aborted) {
                this.aborted++;
                return HttpResponse.error();
              }
              progress('log');
            }
          }
          const end = Math.min(this.written, lastId + limit);
          const logs: LogLine[] = [];
          for (let id = Math.max(0, lastId); id < end; id++) if (!o.lost?.(id)) logs.push(lineOf(id, o));
          return HttpResponse.json(end < this.written ? { logs, hasMore: 1 } : { logs });
        } finally {
          this.inFlight--;
        }
      }),
    ];
  }
}

/** A 200 whose body breaks off halfway: the client sees a connection reset while reading. */
function brokenBody(): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('{"logs":[{"id":0,"con'));
      controller.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    },
  });
  return new HttpResponse(stream, { status: 200, headers: { 'content-type': 'application/json' } });
}

/** A real `Session` on {@link BASE}, fast retries, a budget that never runs dry, silent. */
export function fastSession(options: SessionOptions = {}): Session {
  return new Session({
    baseUrl: BASE,
    username: 'alice',
    password: 'secret',
    configPath: false,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retryBaseMs: 1,
    retryCapMs: 4,
    retryBudget: { capacity: 1_000_000 },
    ...options,
  });
}
