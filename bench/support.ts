/**
 * Pieces the benchmarks share (not a benchmark itself): generated training logs, the
 * predict request the serving benches time, the training job body the platform benches
 * submit, CPU time from `/proc`, and percentiles.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { defer, type Observable, of } from 'rxjs';
import { silentLogger } from '../src/client/logger.js';
import { Session } from '../src/client/session.js';
import type { LogLine, LogPage } from '../src/codecs/training.js';
import type { TrainingSource } from '../src/streams/source.js';

/** Lines per log page the log benches ask for. */
export const LOG_PAGE = 1000;

/** The content of generated log line `id`. */
export const logContent = (id: number) => `epoch ${id >> 10} step ${id} loss=${(1 / (id + 1)).toFixed(8)}`;

/**
 * The JSON body of the log page of a finished job of `total` generated lines from `lastId`,
 * at most `limit` lines: written by hand, so a platform's cost does not hide the client's.
 */
export function logPageJson(total: number, lastId: number, limit: number): string {
  const end = Math.min(total, lastId + limit);
  const parts: string[] = [];
  for (let id = lastId; id < end; id++) parts.push(`{"id":${id},"content":"${logContent(id)}"}`);
  return `{"logs":[${parts.join(',')}]${end < total ? ',"hasMore":1' : ''}}`;
}

/** A finished job of `total` lines from memory, pages made when asked: the cost of `logs$` alone, no HTTP or decoding. */
export function generatedSource(total: number): TrainingSource {
  const unused = (): Observable<never> => {
    throw new Error('unused');
  };
  return {
    version: () => of({ status: 'FINISH' }),
    logPage: (_id, { lastId, limit = LOG_PAGE }) =>
      defer(() => {
        const end = Math.min(total, lastId + limit);
        const logs: LogLine[] = [];
        for (let id = lastId; id < end; id++) logs.push({ id, content: logContent(id) });
        return of<LogPage>(end < total ? { logs, hasMore: true } : { logs });
      }),
    performance: unused,
    resources: unused,
  };
}

/** A silent `Session` on a bench's own log platform (user and password `bench`) at `127.0.0.1:<port>`. */
export function benchLogSession(port: number): Session {
  return new Session({
    baseUrl: `http://127.0.0.1:${port}/mmr`,
    username: 'bench',
    password: 'bench',
    configPath: false,
    logger: silentLogger,
  });
}

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ on Linux). */
const CLOCK_TICKS = 100;

/** User + system CPU time of process `pid` so far, in ms (Linux `/proc`). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** The `p`th percentile of `values` (nearest rank); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** One answered predict request: its wall time and HTTP status. */
export interface PredictAnswer {
  readonly ms: number;
  readonly status: number | undefined;
}

/** POSTs `body` to `127.0.0.1:<port>/ModelMaker/predict` through `agent` and reads the answer to its end. */
export function postPredict(agent: http.Agent, port: number, body: string): Promise<PredictAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/ModelMaker/predict',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ ms: performance.now() - started, status: response.statusCode }));
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

/** Where the platform benches upload their training code and data. */
export const BENCH_CODE_URL = 's3://modelmaker/bench/code/';

/** The body of a node training job `name` running `train.mjs` from `BENCH_CODE_URL`. */
export const benchTrainJob = (name: string) => ({
  name,
  type: 'BASIC_FRAMEWORK' as const,
  frameworkId: 500101, // node
  resourceId: 500050,
  instance: 1,
  volumeSize: 1,
  startup: 'train.mjs',
  codeUrl: BENCH_CODE_URL,
  dataUrl: `${BENCH_CODE_URL}data.csv`,
  output: `s3://modelmaker/bench/out/${name}/`,
});
