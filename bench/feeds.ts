/**
 * Feed bridge benchmark (numbers, not tests): `npx tsx bench/feeds.ts`.
 *
 * Lines/s of one finished 1,000,000-line job (pages of 1,000) read four ways in
 * one run, each repeated and interleaved so load on a shared machine hits them alike:
 *
 * - `logs$` alone: `subscribe`, counting lines (the baseline);
 * - `toAsyncIterable`: `for await` over `logs$`, with a `Demand` pacing the source;
 * - `toReadableStream`: `reader.read()` until done, with a `Demand`;
 * - `toReadableStream` + `ndjsonLine`: the same, encoded to NDJSON bytes.
 *
 * Two sources: in process (pages generated on demand: the bridges' own cost,
 * the hard case) and HTTP (a `node:http` platform in a child process, the real
 * `Session`: what a user meets). The ratio is bridge lines/s ÷ `logs$` alone.
 *
 * Reported per way: the median lines/s of wall time, and of this process's CPU time
 * (on a shared machine the wall time swings with other people's load; the CPU time is
 * the work itself), each with its ratio to `logs$` alone.
 *
 * Options (env): BENCH_LINES (1000000), BENCH_ROUNDS per way and source (5),
 * BENCH_HTTP=0 to skip the HTTP source.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { toAsyncIterable } from '../src/feeds/asyncIterable.js';
import { createDemand, withDemand } from '../src/feeds/demand.js';
import { ndjsonLine } from '../src/feeds/ndjson.js';
import { toReadableStream } from '../src/feeds/readableStream.js';
import { type LogEvent, logs$ } from '../src/streams/logs.js';
import { sourceFromSession } from '../src/streams/sessionSource.js';
import type { TrainingSource } from '../src/streams/source.js';
import { benchLogSession, generatedSource, LOG_PAGE, logContent, logPageJson } from './support.js';

const VOLUME = Number(process.env.BENCH_LINES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const HTTP = process.env.BENCH_HTTP !== '0';
const PAGE = LOG_PAGE;
const NEWLINE = 0x0a;
const VERSION = 3;

// ── the platform (child process) ────────────────────────────────────────────

function serve(): void {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    if (req.method === 'POST' && url.pathname === '/mmr/v1/auth-token') {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"bench"}'),
      );
      return;
    }
    if (url.pathname === `/mmr/v1/train/version/${VERSION}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":${VERSION},"status":"FINISH"}`);
      return;
    }
    if (url.pathname !== `/mmr/v1/train/version/${VERSION}/log`) {
      res.writeHead(404).end();
      return;
    }
    const lastId = Number(url.searchParams.get('lastId') ?? 0);
    const text = logPageJson(VOLUME, lastId, Number(url.searchParams.get('limit') ?? PAGE));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  process.on('disconnect', () => {
    server.close();
    process.exit(0);
  });
}

// ── the client ──────────────────────────────────────────────────────────────

type Way = (source: TrainingSource) => Promise<number>;

const ways: Array<[string, Way]> = [
  [
    'logs$ alone (subscribe)',
    (source) =>
      new Promise<number>((resolve, reject) => {
        let count = 0;
        logs$(source, VERSION, { limit: PAGE, waitSeconds: 0 }).subscribe({
          next: (event) => {
            if (event.type === 'line') count++;
          },
          error: reject,
          complete: () => resolve(count),
        });
      }),
  ],
  [
    'toAsyncIterable (for await, Demand)',
    async (source) => {
      const demand = createDemand();
      let count = 0;
      const events = logs$(withDemand(source, demand), VERSION, { limit: PAGE, waitSeconds: 0 });
      for await (const event of toAsyncIterable(events, { demand })) if (event.type === 'line') count++;
      return count;
    },
  ],
  [
    'toReadableStream (reader.read, Demand)',
    async (source) => {
      const demand = createDemand();
      const events = logs$(withDemand(source, demand), VERSION, { limit: PAGE, waitSeconds: 0 });
      const reader = toReadableStream<LogEvent>(events, { demand }).getReader();
      let count = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return count;
        if (value.type === 'line') count++;
      }
    },
  ],
  [
    'toReadableStream + ndjsonLine (bytes, Demand)',
    async (source) => {
      const demand = createDemand();
      const events = logs$(withDemand(source, demand), VERSION, { limit: PAGE, waitSeconds: 0 });
      const reader = toReadableStream(events, ndjsonLine, { demand }).getReader();
      let count = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return count;
        for (let i = value.indexOf(NEWLINE); i !== -1; i = value.indexOf(NEWLINE, i + 1)) count++;
      }
    },
  ],
];

interface Rates {
  /** Lines per second of wall time. */
  readonly wall: number[];
  /** Lines per second of this process's CPU time (user + system): the work, whatever the load. */
  readonly cpu: number[];
}

async function rates(label: string, source: () => TrainingSource): Promise<void> {
  const seen = new Map<string, Rates>(ways.map(([name]) => [name, { wall: [], cpu: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, way] of ways) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const count = await way(source());
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (count !== VOLUME) throw new Error(`${name}: ${count} lines, expected ${VOLUME}`);
      seen.get(name)!.wall.push(count / seconds);
      seen.get(name)!.cpu.push(count / ((cpu.user + cpu.system) / 1e6));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const lines = (n: number) => Math.round(n).toLocaleString('en');
  const base = seen.get(ways[0]![0])!;
  console.log(
    `${label}: ${VOLUME.toLocaleString('en')} lines, pages of ${PAGE}, ${ROUNDS} rounds interleaved (medians)`,
  );
  for (const [name] of ways) {
    const { wall, cpu } = seen.get(name)!;
    console.log(
      `  ${name}: ${lines(median(wall))} lines/s wall (×${(median(wall) / median(base.wall)).toFixed(2)}), ` +
        `${lines(median(cpu))} lines per CPU-second (×${(median(cpu) / median(base.cpu)).toFixed(2)}); wall runs ${wall.map(lines).join(' · ')}`,
    );
  }
}

/**
 * The runtime's own cost per value, without the SDK: a bare `for await` over an async
 * iterator and a bare `ReadableStream` (`highWaterMark` 0, one value per pull), each of
 * VOLUME line events made on the fly. What no bridge can go below.
 */
async function floors(): Promise<void> {
  const event = (id: number): LogEvent => ({ type: 'line', line: { id, content: logContent(id) } });
  const bare: Array<[string, () => Promise<number>]> = [
    [
      'bare for await (async iterator, no SDK)',
      async () => {
        let next = 0;
        const iterator: AsyncIterableIterator<LogEvent> = {
          next: () =>
            Promise.resolve(
              next < VOLUME ? { done: false, value: event(next++) } : { done: true, value: undefined },
            ),
          [Symbol.asyncIterator]: () => iterator,
        };
        let count = 0;
        for await (const value of iterator) if (value.type === 'line') count++;
        return count;
      },
    ],
    [
      'bare ReadableStream (reader.read, no SDK)',
      async () => {
        let next = 0;
        const reader = new ReadableStream<LogEvent>(
          { pull: (c) => (next < VOLUME ? c.enqueue(event(next++)) : c.close()) },
          { highWaterMark: 0 },
        ).getReader();
        let count = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return count;
          if (value.type === 'line') count++;
        }
      },
    ],
  ];
  console.log(`floors: ${VOLUME.toLocaleString('en')} values, ${ROUNDS} rounds (medians)`);
  for (const [name, way] of bare) {
    const cpuRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cpu0 = process.cpuUsage();
      const count = await way();
      const cpu = process.cpuUsage(cpu0);
      cpuRates.push(count / ((cpu.user + cpu.system) / 1e6));
    }
    const median = [...cpuRates].sort((a, b) => a - b)[Math.floor(cpuRates.length / 2)]!;
    console.log(
      `  ${name}: ${Math.round(median).toLocaleString('en')} values per CPU-second (${((1e9 / median) | 0).toLocaleString('en')} ns each)`,
    );
  }
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} cpu (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  await rates('in-process source', () => generatedSource(VOLUME));
  await floors();
  if (HTTP) {
    const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: process.execArgv });
    try {
      const port = await new Promise<number>((resolve) =>
        child.once('message', (m: { port: number }) => resolve(m.port)),
      );
      const session = benchLogSession(port);
      await rates('HTTP (node:http child, real Session)', () => sourceFromSession(session));
    } finally {
      child.disconnect();
    }
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

if (process.argv[2] === 'serve') serve();
else await main();
