/**
 * Local platform benchmark (prints numbers; not a test):
 * - cold start: `startLocalPlatform` on a fresh data dir, and on an existing one;
 * - job submit → TRAINING latency (create request sent → the version reports TRAINING);
 * - log line printed by the training process → visible to a long-poll client (p50/p99).
 *
 * Run: `npx tsx bench/platform.ts` (env `BENCH_JOBS` = 5, `BENCH_LINES` = 500).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from '@modelmaker/local';
import { firstValueFrom, lastValueFrom, takeWhile } from 'rxjs';
import { Session } from '../src/client/session.js';
import { uploadData } from '../src/client/sessionStorage.js';
import { createTrainJob, getTrainLog, getTrainVersion } from '../src/client/training.js';
import { sourceFromSession } from '../src/streams/sessionSource.js';
import { status$ } from '../src/streams/status.js';
import { BENCH_CODE_URL, benchTrainJob, percentile } from './support.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 5);
const LINES = Number(process.env.BENCH_LINES ?? 500);

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-platform-'));
const codeDir = await mkdtemp(join(tmpdir(), 'mm-bench-code-'));
try {
  let t0 = performance.now();
  let platform = await startLocalPlatform({ dataDir, onError: () => {} });
  const coldFresh = performance.now() - t0;
  await platform.close();
  t0 = performance.now();
  platform = await startLocalPlatform({ dataDir, onError: () => {} });
  const coldExisting = performance.now() - t0;

  const session = new Session({
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
    configPath: false,
    level: 40,
  });
  const { writeFile } = await import('node:fs/promises');
  // Prints LINES lines, each with its own print time, 2 ms apart.
  await writeFile(
    join(codeDir, 'train.mjs'),
    `for (let i = 0; i < ${LINES}; i++) { console.log('t=' + Date.now() + ' i=' + i); await new Promise((r) => setTimeout(r, 2)); }\n`,
  );
  await writeFile(join(codeDir, 'data.csv'), 'a,b\n1,2\n');
  await lastValueFrom(uploadData(session, codeDir, BENCH_CODE_URL));
  const submitToTraining: number[] = [];
  const lineLatency: number[] = [];
  for (let j = 0; j < JOBS; j++) {
    const sent = performance.now();
    const { versionId } = await firstValueFrom(createTrainJob(session, benchTrainJob(`bench-${j}`)));
    await lastValueFrom(
      status$(sourceFromSession(session), versionId, { floorMs: 5, ceilingMs: 20 }).pipe(
        takeWhile((change) => change.status !== 'TRAINING' && !change.terminal, true),
      ),
    );
    submitToTraining.push(performance.now() - sent);

    // Long-poll the log and time each line from its print to its arrival here.
    let lastId = 0;
    while (lastId < LINES) {
      const page = await firstValueFrom(getTrainLog(session, versionId, { lastId, wait: 10 }));
      const now = Date.now();
      for (const line of page.logs) {
        const printed = /t=(\d+)/.exec(line.content);
        if (printed) lineLatency.push(now - Number(printed[1]));
        lastId = Math.max(lastId, line.id + 1);
      }
      const detail = await firstValueFrom(getTrainVersion(session, versionId));
      if (page.logs.length === 0 && ['FINISH', 'TRAINING_FAIL', 'STARTING_FAIL'].includes(detail.status))
        break;
    }
  }
  await platform.close();

  console.log(`machine: ${(await import('node:os')).cpus().length} cores, node ${process.version}`);
  console.log(`cold start, fresh data dir:    ${fmt(coldFresh)}`);
  console.log(`cold start, existing data dir: ${fmt(coldExisting)}`);
  console.log(
    `submit → TRAINING over ${JOBS} jobs: p50 ${fmt(percentile(submitToTraining, 50))}, max ${fmt(Math.max(...submitToTraining))}`,
  );
  console.log(
    `line printed → long-poll client over ${lineLatency.length} lines: p50 ${fmt(percentile(lineLatency, 50))}, p99 ${fmt(percentile(lineLatency, 99))}`,
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
  await rm(codeDir, { recursive: true, force: true });
}
