/**
 * Log line printed → long-poll subscriber latency (numbers, not tests).
 *
 *   npx tsx bench/logLatency.ts
 *
 * A local platform runs in a child process (as `modelmaker local` runs it: its own
 * event loop); a training script prints `BENCH_LINES` lines `BENCH_GAP_MS` apart, each
 * carrying its print time (`performance.timeOrigin + performance.now()`, sub-ms). Per job,
 * in turn (rounds interleaved, so load drifts hit every way):
 *
 * - **floor**: the same script run by `node` as a child of this process, its stdout read
 *   here line by line: what a pipe and two Node processes cost, no platform;
 * - **before**: the loop `bench/platform.ts` measured the figure with: a
 *   `getTrainLog` long poll (`wait=10`), then a `getTrainVersion` request after every page
 *   before the next poll;
 * - **now**: `logs$` over the real `Session` (`sourceFromSession`), as a subscriber follows
 *   a job: the next long poll goes out as soon as a page arrives.
 *
 * Latency = arrival here − print time. Prints p50 / p99 / max per way over all rounds, the
 * "now" way split at the platform's read of the line (its stored `time`), and the round trip
 * of one log request answered at once (a finished job's page of one line): a line printed
 * while a poll's answer is on its way waits for the next poll, so a subscriber's latency
 * cannot go much below that round trip.
 * Env: BENCH_LINES (500), BENCH_GAP_MS (2), BENCH_ROUNDS (3), BENCH_PROFILE_PLATFORM (a
 * directory: the platform process writes a `--cpu-prof` profile there).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, takeWhile } from 'rxjs';
import { lineSplitter } from '../packages/local/src/runner/lines.js';
import { Session } from '../src/client/session.js';
import { uploadData } from '../src/client/sessionStorage.js';
import { createTrainJob, getTrainLog, getTrainVersion } from '../src/client/training.js';
import { lines } from '../src/streams/lines.js';
import { logs$ } from '../src/streams/logs.js';
import { sourceFromSession } from '../src/streams/sessionSource.js';
import { status$ } from '../src/streams/status.js';
import { BENCH_CODE_URL, benchTrainJob, percentile } from './support.js';

const LINES = Number(process.env.BENCH_LINES ?? 500);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Log requests timed alone, for the round trip a long-poll cycle cannot go below. */
const ROUND_TRIPS = 200;
const TERMINAL = ['FINISH', 'TRAINING_FAIL', 'STARTING_FAIL', 'STOPPED'];

/** Wall-clock ms with sub-ms resolution, comparable across processes of one machine. */
const clock = () => performance.timeOrigin + performance.now();

const SCRIPT = `const now = () => performance.timeOrigin + performance.now();
for (let i = 0; i < ${LINES}; i++) {
  console.log('t=' + now().toFixed(3) + ' i=' + i);
  await new Promise((r) => setTimeout(r, ${GAP_MS}));
}
`;

function printedAt(content: string): number | undefined {
  const match = /t=([\d.]+)/.exec(content);
  return match ? Number(match[1]) : undefined;
}

async function servePlatform(dataDir: string): Promise<void> {
  const { startLocalPlatform } = await import('@modelmaker/local');
  const platform = await startLocalPlatform({ dataDir, onError: () => {} });
  process.send!({
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
  });
  process.once('message', async () => {
    await platform.close();
    process.exit(0);
  });
}

/** floor: the script as a child of this process, stdout split into lines here. */
async function floor(script: string, into: number[]): Promise<void> {
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const splitter = lineSplitter((line) => {
    const at = printedAt(line);
    if (at !== undefined) into.push(clock() - at);
  });
  child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  splitter.end();
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-latency-'));
  const codeDir = await mkdtemp(join(tmpdir(), 'mm-bench-latency-code-'));
  const child = fork(new URL(import.meta.url).pathname, ['platform', dataDir], {
    execArgv: [
      ...process.execArgv,
      '--conditions=modelmaker-source',
      ...(process.env.BENCH_PROFILE_PLATFORM
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_PLATFORM}`]
        : []),
    ],
  });
  try {
    const ready = await new Promise<{ baseUrl: string; username: string; password: string; bucket: string }>(
      (resolve, reject) => {
        child.once('message', (m) => resolve(m as never));
        child.once('exit', (code) => reject(new Error(`platform child exited with ${code}`)));
      },
    );
    const session = new Session({ ...ready, configPath: false, level: 40 });
    const script = join(codeDir, 'train.mjs');
    await writeFile(script, SCRIPT);
    await writeFile(join(codeDir, 'data.csv'), 'a,b\n1,2\n');
    await lastValueFrom(uploadData(session, codeDir, BENCH_CODE_URL));
    let jobs = 0;
    const submit = async (): Promise<number> => {
      const name = `latency-${jobs++}`;
      const { versionId } = await firstValueFrom(createTrainJob(session, benchTrainJob(name)));
      // From TRAINING on, lines may come; the first of them waits for no poll set up late.
      await lastValueFrom(
        status$(sourceFromSession(session), versionId, { floorMs: 1, ceilingMs: 5 }).pipe(
          takeWhile((change) => change.status !== 'TRAINING' && !change.terminal, true),
        ),
      );
      return versionId;
    };
    const split = { toPlatform: [] as number[], toSubscriber: [] as number[] };
    const before = async (into: number[]) => {
      const versionId = await submit();
      let lastId = 0;
      for (;;) {
        const page = await firstValueFrom(getTrainLog(session, versionId, { lastId, wait: 10 }));
        const now = clock();
        for (const line of page.logs) {
          const at = printedAt(line.content);
          if (at !== undefined) into.push(now - at);
          lastId = Math.max(lastId, line.id + 1);
        }
        const detail = await firstValueFrom(getTrainVersion(session, versionId));
        if (page.logs.length === 0 && TERMINAL.includes(detail.status)) break;
      }
    };
    const now = async (into: number[]) => {
      const versionId = await submit();
      await new Promise<void>((resolve, reject) =>
        logs$(sourceFromSession(session), versionId)
          .pipe(lines())
          .subscribe({
            next: (line) => {
              const arrived = clock();
              const at = printedAt(line.content);
              if (at === undefined) return;
              into.push(arrived - at);
              // The platform stamps a line when it reads it from the pipe (ms resolution).
              const read = typeof line.time === 'number' ? line.time : Date.parse(line.time ?? '');
              if (!Number.isFinite(read)) return;
              split.toPlatform.push(read - at);
              split.toSubscriber.push(arrived - read);
            },
            error: reject,
            complete: resolve,
          }),
      );
    };

    const results = { floor: [] as number[], before: [] as number[], now: [] as number[] };
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
    const loadBefore = load();
    for (let round = 0; round < ROUNDS; round++) {
      const order =
        round % 2 === 0 ? (['floor', 'before', 'now'] as const) : (['now', 'before', 'floor'] as const);
      for (const way of order) {
        if (way === 'floor') await floor(script, results.floor);
        else if (way === 'before') await before(results.before);
        else await now(results.now);
      }
    }
    // What one long-poll cycle costs with no waiting: a page of one line of a finished job, through the Session.
    const roundTrips: number[] = [];
    const finished = await submit();
    await lastValueFrom(
      status$(sourceFromSession(session), finished, { floorMs: 5, ceilingMs: 20 }).pipe(
        takeWhile((change) => !change.terminal, true),
      ),
    );
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const sent = clock();
      await firstValueFrom(getTrainLog(session, finished, { lastId: i % LINES, limit: 1, wait: 10 }));
      roundTrips.push(clock() - sent);
    }
    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(
      `\n${LINES} lines ${GAP_MS} ms apart per job, ${ROUNDS} rounds; load average ${loadBefore} → ${load()}; ` +
        `node ${process.version}, ${cpus().length} CPUs\n`,
    );
    console.log('| way | lines | p50 | p99 | max |\n|---|---|---|---|---|');
    for (const [way, values] of Object.entries(results)) {
      console.log(
        `| ${way} | ${values.length} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 99))} | ${fmt(Math.max(...values))} |`,
      );
    }
    console.log(
      `| now, print → platform reads the line (its \`time\`, ms) | ${split.toPlatform.length} | ${fmt(percentile(split.toPlatform, 50))} | ${fmt(percentile(split.toPlatform, 99))} | ${fmt(Math.max(...split.toPlatform))} |`,
    );
    console.log(
      `| now, platform reads → subscriber | ${split.toSubscriber.length} | ${fmt(percentile(split.toSubscriber, 50))} | ${fmt(percentile(split.toSubscriber, 99))} | ${fmt(Math.max(...split.toSubscriber))} |`,
    );
    console.log(
      `| a log request's round trip (Session, 1 line ready, no wait) | ${roundTrips.length} | ${fmt(percentile(roundTrips, 50))} | ${fmt(percentile(roundTrips, 99))} | ${fmt(Math.max(...roundTrips))} |`,
    );
    const p = (values: number[], q: number) => percentile(values, q);
    console.log(
      `\nnow vs before: p50 ×${(p(results.before, 50) / p(results.now, 50)).toFixed(2)} faster, ` +
        `p99 ×${(p(results.before, 99) / p(results.now, 99)).toFixed(2)} faster; ` +
        `now − floor: p50 +${(p(results.now, 50) - p(results.floor, 50)).toFixed(1)} ms, ` +
        `p99 +${(p(results.now, 99) - p(results.floor, 99)).toFixed(1)} ms`,
    );
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    await rm(codeDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'platform') await servePlatform(process.argv[3]!);
else await main();
