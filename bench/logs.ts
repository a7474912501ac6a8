/**
 * Log stream benchmarks (numbers, not tests): `npx tsx bench/logs.ts`.
 *
 * A local node:http platform runs in a child process (so the client has its
 * core to itself) and serves three versions:
 *
 * - 1: a job appending lines at a steady rate, honouring `wait` (long poll);
 * - 2: the same job on a platform that ignores `wait` (plain polling);
 * - 3: a finished job of 1,000,000 lines, generated on demand.
 *
 * Reported: delivery latency (p50/p99 from a line's `time` to its emission by
 * logs$) with long poll and with plain polling, and lines/s through logs$ with
 * pages of 1,000 lines, with the client's CPU time (user + system) and peak RSS,
 * in four modes run one after the other, `BENCH_ROUNDS` times:
 *
 * - before: real Session + logs$, the page decoded by the io-ts reference codec;
 * - now: the same with the fast-path `LogPage` codec (what the SDK uses);
 * - floor: plain `fetch` + `JSON.parse` of the same pages (the transport alone);
 * - in-process: logs$ on pages from memory (no HTTP, no decode);
 *
 * then the ratios now / before and now / floor (best run of each).
 *
 * Options (env): BENCH_RATE lines/s appended (200), BENCH_SECONDS per latency
 * run (5, 0 skips them), BENCH_LINES for the volume runs (1000000), BENCH_ROUNDS (3).
 */
import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus } from 'node:os';
import { lastValueFrom, Observable, takeUntil, tap, timer } from 'rxjs';
import type { AnyEndpoint, Caller } from '../src/client/endpointCall.js';
import { endpoints } from '../src/codecs/endpoints.js';
import { type LogLine, type LogPage, LogPageReference } from '../src/codecs/training.js';
import { lines } from '../src/streams/lines.js';
import { type LogsOptions, logs$ } from '../src/streams/logs.js';
import { sourceFromSession } from '../src/streams/sessionSource.js';
import {
  benchLogSession,
  generatedSource,
  LOG_PAGE,
  logContent,
  logPageJson,
  percentile,
} from './support.js';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const VOLUME = Number(process.env.BENCH_LINES ?? 1_000_000);
const PAGE = LOG_PAGE;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

// ── the platform (child process) ────────────────────────────────────────────

function serve(): void {
  const appended: LogLine[] = [];
  const waiters = new Set<() => void>();
  const started = Date.now();
  let next = 0;
  const append = setInterval(() => {
    // catch up with the clock, so the rate holds even when a tick is late
    const due = Math.floor(((Date.now() - started) * RATE) / 1000);
    if (next >= due) return;
    for (; next < due; next++) appended.push({ id: next, content: logContent(next), time: Date.now() });
    for (const wake of waiters) wake();
    waiters.clear();
  }, 1);

  const json = (res: ServerResponse, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const page = (
    source: (id: number) => LogLine | undefined,
    lastId: number,
    limit: number,
    count: number,
  ): LogPage => {
    const end = Math.min(count, lastId + limit);
    const logs: LogLine[] = [];
    for (let id = lastId; id < end; id++) logs.push(source(id)!);
    return end < count ? { logs, hasMore: true } : { logs };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    if (req.method === 'POST' && url.pathname === '/mmr/v1/auth-token') {
      req.resume();
      req.on('end', () => json(res, { token: 'bench' }));
      return;
    }
    const m = /^\/mmr\/v1\/train\/version\/(\d)(\/log)?$/.exec(url.pathname);
    if (m === null) {
      res.writeHead(404).end();
      return;
    }
    const version = Number(m[1]);
    if (m[2] === undefined) {
      json(res, { id: version, status: version === 3 ? 'FINISH' : 'TRAINING' });
      return;
    }
    const lastId = Number(url.searchParams.get('lastId') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? PAGE);
    const wait = Number(url.searchParams.get('wait') ?? 0);
    if (version === 3) {
      // written by hand: the platform's cost should not hide the client's
      const text = logPageJson(VOLUME, lastId, limit);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const answer = () =>
      json(
        res,
        page((id) => appended[id], lastId, limit, appended.length),
      );
    if (version === 1 && wait > 0 && appended.length <= lastId) {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        waiters.delete(finish);
        answer();
      };
      const timeout = setTimeout(finish, wait * 1000);
      waiters.add(finish);
      res.on('close', () => {
        done = true;
        clearTimeout(timeout);
        waiters.delete(finish);
      });
      return;
    }
    answer();
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  process.on('disconnect', () => {
    clearInterval(append);
    server.close();
    process.exit(0);
  });
}

// ── the client ──────────────────────────────────────────────────────────────

interface Run {
  readonly lines: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  readonly peakRssMb: number;
  readonly latencies: number[];
}

async function measure(stream: Observable<LogLine>, stopAfterMs?: number): Promise<Run> {
  const latencies: number[] = [];
  let count = 0;
  let peakRss = process.memoryUsage.rss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const limited = stopAfterMs === undefined ? stream : stream.pipe(takeUntil(timer(stopAfterMs)));
  await lastValueFrom(
    limited.pipe(
      tap((line) => {
        count++;
        if (typeof line.time === 'number' && line.time > 0) latencies.push(Date.now() - line.time);
        if ((count & 0x3fff) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }),
    ),
    { defaultValue: undefined },
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return {
    lines: count,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    userSeconds: cpu.user / 1e6,
    systemSeconds: cpu.system / 1e6,
    peakRssMb: peakRss / 2 ** 20,
    latencies,
  };
}

/**
 * The transport floor: the finished job's pages over HTTP with plain `fetch` and
 * `JSON.parse`, one request at a time like logs$ — no Session, no decode, no logs$.
 */
function rawPages(port: number): Observable<LogLine> {
  return new Observable<LogLine>((subscriber) => {
    let stopped = false;
    (async () => {
      let lastId = 0;
      for (;;) {
        const response = await fetch(
          `http://127.0.0.1:${port}/mmr/v1/train/version/3/log?lastId=${lastId}&limit=${PAGE}`,
        );
        const page = JSON.parse(await response.text()) as { logs: LogLine[]; hasMore?: number };
        for (const line of page.logs) subscriber.next(line);
        if (stopped || page.logs.length === 0) break;
        lastId = page.logs.at(-1)!.id + 1;
      }
      subscriber.complete();
    })().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
    };
  });
}

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const session = benchLogSession(port);
  const source = sourceFromSession(session);
  const ms = (n: number) => `${n.toFixed(1)} ms`;

  console.log(`machine: ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
  console.log(`client RSS before the runs: ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`);
  console.log(
    `latency: ${RATE} lines/s appended, ${SECONDS} s per run (lines already there at the start skipped)`,
  );
  const latencyRuns: Array<[string, number, LogsOptions]> = [
    ['long poll (wait=20)', 1, {}],
    ['plain polling, floor 1000 ms (default)', 2, {}],
    ['plain polling, floor 100 ms', 2, { floorMs: 100 }],
  ];
  for (const [label, version, options] of SECONDS > 0 ? latencyRuns : []) {
    // start at the current end of the log: only lines appended while we watch count
    const first = await lastValueFrom(source.logPage(version, { lastId: 0, limit: 1_000_000 }));
    const from = first.logs.at(-1) === undefined ? 0 : first.logs.at(-1)!.id + 1;
    const run = await measure(logs$(source, version, { ...options, from }).pipe(lines()), SECONDS * 1000);
    console.log(
      `  ${label}: ${run.latencies.length} lines, p50 ${ms(percentile(run.latencies, 50))}, p99 ${ms(percentile(run.latencies, 99))}, max ${ms(Math.max(...run.latencies))}`,
    );
  }

  console.log(
    `throughput: ${VOLUME.toLocaleString('en')} lines, pages of ${PAGE}, ${ROUNDS} round(s), modes interleaved`,
  );
  // `before`: the same Session and logs$, the page decoded by the io-ts reference codec (the code before the fast path).
  const referenceCaller: Caller = {
    call: (endpoint, args, options) =>
      session.call(
        ((endpoint as AnyEndpoint) === endpoints.getTrainLog
          ? { ...(endpoint as AnyEndpoint), response: LogPageReference }
          : endpoint) as typeof endpoint,
        args,
        options,
      ),
  };
  const volumeModes: Array<[string, () => Promise<Run>]> = [
    [
      'before: HTTP, real Session, logs$, io-ts LogPage decode',
      () => measure(logs$(sourceFromSession(referenceCaller), 3, { limit: PAGE }).pipe(lines())),
    ],
    [
      'now: HTTP, real Session, logs$, fast-path LogPage decode',
      () => measure(logs$(source, 3, { limit: PAGE }).pipe(lines())),
    ],
    ['floor: HTTP, plain fetch + JSON.parse, no Session, no decode, no logs$', () => measure(rawPages(port))],
    [
      'in-process source (logs$ alone, no HTTP)',
      () => measure(logs$(generatedSource(VOLUME), 3, { limit: PAGE }).pipe(lines())),
    ],
  ];
  const runs = new Map<string, Run[]>(volumeModes.map(([label]) => [label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, run] of volumeModes) {
      const result = await run();
      runs.get(label)!.push(result);
      console.log(
        `  ${label}: ${result.lines.toLocaleString('en')} lines in ${result.seconds.toFixed(2)} s = ${Math.round(result.lines / result.seconds).toLocaleString('en')} lines/s; client CPU ${result.cpuSeconds.toFixed(2)} s (user ${result.userSeconds.toFixed(2)} + system ${result.systemSeconds.toFixed(2)}); peak RSS ${result.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  const best = (label: string) => {
    const list = runs.get(label)!;
    return {
      rate: Math.max(...list.map((r) => r.lines / r.seconds)),
      cpu: Math.min(...list.map((r) => r.cpuSeconds)),
    };
  };
  const [before, now, floor] = volumeModes.map(([label]) => best(label)) as [
    ReturnType<typeof best>,
    ReturnType<typeof best>,
    ReturnType<typeof best>,
  ];
  console.log(
    `  now / before: lines/s ×${(now.rate / before.rate).toFixed(2)}, client CPU ×${(now.cpu / before.cpu).toFixed(2)} (best of ${ROUNDS}: ${Math.round(now.rate).toLocaleString('en')} vs ${Math.round(before.rate).toLocaleString('en')} lines/s, ${now.cpu.toFixed(2)} vs ${before.cpu.toFixed(2)} s)`,
  );
  console.log(
    `  now / floor: lines/s ×${(now.rate / floor.rate).toFixed(2)}, client CPU ×${(now.cpu / floor.cpu).toFixed(2)} (floor ${Math.round(floor.rate).toLocaleString('en')} lines/s, ${floor.cpu.toFixed(2)} s)`,
  );
  console.log(
    `client peak RSS over the whole bench: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  child.disconnect();
}

if (process.argv[2] === 'serve') serve();
else await main();
