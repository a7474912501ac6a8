/**
 * The local platform soak (prints numbers; not a test): half an hour of a team's use
 * compressed into a bounded run, with faults injected, then a check of what survived.
 *
 * The platform runs in its own process (the crash tests' child,
 * `packages/local/test/platform/fixtures/platform-child.ts`) on a data dir on a small
 * tmpfs (mounted when run as root; elsewhere the full disk is faked inside the child at
 * the same call sites — the run prints which). Load, all at once:
 * - submits: a training job every `BENCH_SOAK_SUBMIT_MS`, each printing
 *   `BENCH_SOAK_LINES` numbered lines in bursts, then writing an output file;
 * - log followers: one per job, long-polling its log from the first line to the end,
 *   across restarts (re-login on a new token), checking ids are contiguous;
 * - predicts: two clients calling a deployed service (node predict fixture) in a loop;
 * - uploads: objects of 1 KiB – 1 MiB of random bytes on 150 keys (then overwriting them).
 * Faults, in turn, every `BENCH_SOAK_FAULT_MS`: a serving instance SIGKILLed; the disk
 * filled for `BENCH_SOAK_FULL_MS` (64 KiB left); the platform SIGKILLed and started again
 * on the same data dir and ports.
 *
 * At the end (platform up, every job given time to end): every log line a follower was
 * served ("committed") must still be stored, once, with its id; a FINISH job must have
 * all its lines; every object must be whole — the bytes of its last acknowledged upload
 * (or, for an upload cut by a fault, of the old or the new one), its ETag their MD5.
 * Printed: what was submitted and how it ended (by reason), lines lost, objects
 * corrupted, predictions, faults, and whether the platform process died other than
 * where it was killed. Exit code 1 when lines were lost, an object was corrupted or the
 * platform died on its own.
 *
 * Run: `npx tsx bench/soak.ts` (env: BENCH_SOAK_SECONDS = 180, BENCH_SOAK_FAULT_MS =
 * 20000, BENCH_SOAK_FULL_MS = 4000, BENCH_SOAK_SUBMIT_MS = 1500, BENCH_SOAK_LINES = 300,
 * BENCH_SOAK_DISK_MIB = 768).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ChildPlatform, startChild } from '../packages/local/test/platform/childPlatform.js';
import { type Answer, Api, nodeJob, s3Of, tempDir } from '../packages/local/test/platform/helpers.js';
import { smallDisk } from '../packages/local/test/platform/smallDisk.js';
import {
  deploy,
  instancesOf,
  nodeModel,
  predict,
  serviceModel,
  waitForService,
} from '../packages/local/test/serving/helpers.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
const FAULT_MS = Number(process.env.BENCH_SOAK_FAULT_MS ?? 20_000);
const FULL_MS = Number(process.env.BENCH_SOAK_FULL_MS ?? 4000);
const SUBMIT_MS = Number(process.env.BENCH_SOAK_SUBMIT_MS ?? 1500);
const LINES = Number(process.env.BENCH_SOAK_LINES ?? 300);
const DISK_MIB = Number(process.env.BENCH_SOAK_DISK_MIB ?? 768);
/** How long the end waits for every job to reach a terminal status, ms. */
const SETTLE_MS = 120_000;
const MIB = 1024 * 1024;
/** Largest object the uploader writes (plus 1 KiB). */
const MAX_OBJECT_BYTES = MIB;
/** Keys the uploader writes; past that many uploads, each overwrites one. */
const OBJECT_KEYS = 150;
/** Pause between two uploads, ms. */
const UPLOAD_PAUSE_MS = 50;
/** What a disk-full window leaves free, bytes. */
const FULL_LEAVES_BYTES = 64 * 1024;
const TERMINAL = new Set(['FINISH', 'STARTING_FAIL', 'TRAINING_FAIL', 'STOPPED']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** A free TCP port on the loopback (kept by the platform across its restarts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------- the platform, killed and restarted

const disk = smallDisk(DISK_MIB * MIB);
const outside = tempDir('mm-soak-');
const dataDir = `${disk.path}/data`;
const ports = { port: await freePort(), s3Port: await freePort() };

let platform!: ChildPlatform;
let killing = false;
let unexpectedDeaths = 0;
let restarts = 0;
const restartMs: number[] = [];
let api!: Api;
let s3!: S3Client;
/** Resolves once the platform is up (again). */
let up: Promise<void> = Promise.resolve();

async function startPlatform(): Promise<void> {
  platform = await startChild(dataDir, {
    env: disk.env,
    tmpDir: `${outside.path}/tmp`,
    platform: { ...ports },
  });
  const started = platform;
  started.child.once('exit', () => {
    if (killing || started !== platform) return;
    unexpectedDeaths++;
    console.log(
      `!! the platform process exited on its own (${started.child.exitCode ?? started.child.signalCode})`,
    );
    up = restart();
  });
  api = new Api(platform.info.baseUrl, platform.info.username, platform.info.password);
  await api.login();
  s3?.destroy();
  s3 = s3Of(platform.info);
}

async function restart(): Promise<void> {
  const t0 = performance.now();
  await startPlatform();
  restartMs.push(performance.now() - t0);
  restarts++;
}

/** An API call that waits out a restart and logs in again when the token is no longer valid. */
async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    await up;
    try {
      const answer = await api.call(method, path, body);
      if (answer.json?.errorCode === 1002 || answer.json?.errorCode === 1003) {
        await api.login();
        continue;
      }
      return answer;
    } catch (error) {
      if (attempt > 200) throw error;
      await sleep(100);
    }
  }
}

// ---------------------------------------------------------------- load

let stopping = false;

interface Job {
  readonly versionId: number;
  /** Lines served to the follower, by id. */
  readonly seen: Map<number, string>;
  duplicates: number;
  gaps: number;
  status?: string;
  reason?: string;
  following: Promise<void>;
}
const jobs: Job[] = [];
const submitRefused = new Map<number, number>();
/** The service the predictors call (and whose instances are killed). */
let serviceId = 0;

const SCRIPT = `import('node:fs').then((fs) => {
  const n = Number(process.env.MM_HP_LINES);
  let i = 0;
  const burst = () => {
    for (let k = 0; k < 25 && i < n; k++) console.log('soak line ' + i++ + ' ' + 'x'.repeat(80));
    if (i < n) return setTimeout(burst, 20);
    fs.writeFileSync(process.env.MODELMAKER_OUTPUT_DIR + '/out.txt', 'lines ' + n);
  };
  burst();
});`;

async function follow(job: Job): Promise<void> {
  let next = 0;
  for (;;) {
    const page = await call('GET', `/v1/train/version/${job.versionId}/log?lastId=${next}&wait=5&limit=1000`);
    if (page.status !== 200) {
      await sleep(200);
      continue;
    }
    for (const line of page.json.logs as Array<{ id: number; content: string }>) {
      if (job.seen.has(line.id)) job.duplicates++;
      else if (line.id !== next) job.gaps++;
      job.seen.set(line.id, line.content);
      next = Math.max(next, line.id + 1);
    }
    if (page.json.logs.length === 0 && !page.json.hasMore) {
      const version = await call('GET', `/v1/train/version/${job.versionId}`);
      if (TERMINAL.has(version.json.status)) {
        // One more read: lines stored just before the terminal status.
        const last = await call('GET', `/v1/train/version/${job.versionId}/log?lastId=${next}&limit=10000`);
        for (const line of last.json.logs as Array<{ id: number; content: string }>)
          job.seen.set(line.id, line.content);
        return;
      }
    }
  }
}

async function submitter(body: Record<string, unknown>): Promise<void> {
  for (let n = 0; !stopping; n++) {
    const answer = await call('POST', '/v1/train', {
      ...body,
      name: `soak-${n}`,
      output: `s3://modelmaker/soak/out/${n}/`,
    });
    if (answer.status === 200) {
      const job: Job = {
        versionId: answer.json.versionId,
        seen: new Map(),
        duplicates: 0,
        gaps: 0,
        following: Promise.resolve(),
      };
      job.following = follow(job).catch((error: unknown) =>
        console.log(`follower of ${job.versionId}: ${error}`),
      );
      jobs.push(job);
    } else {
      submitRefused.set(answer.status, (submitRefused.get(answer.status) ?? 0) + 1);
    }
    await sleep(SUBMIT_MS);
  }
}

let predictOk = 0;
let predictFailed = 0;
async function predictor(accessAddress: string): Promise<void> {
  while (!stopping) {
    await up;
    try {
      const answer = await predict(accessAddress, { instances: [[1, 2, 3]] });
      if (answer.status === 200 && answer.json?.predictions?.[0] === 6) predictOk++;
      else predictFailed++;
    } catch {
      predictFailed++;
      await sleep(50);
    }
  }
}

interface ObjectState {
  /** The MD5s the object may have: its last acknowledged upload, plus those of uploads cut since. */
  readonly allowed: Set<string | undefined>;
}
const objects = new Map<string, ObjectState>();
const uploads = { acknowledged: 0, bytes: 0, refused: new Map<string, number>() };

async function uploader(): Promise<void> {
  for (let n = 0; !stopping; n++) {
    await up;
    // New keys until there are OBJECT_KEYS of them, then overwrites only (the disk stays far from full).
    const key = `soak/objects/${n % OBJECT_KEYS}.bin`;
    const body = randomBytes(1024 + Math.floor(Math.random() * MAX_OBJECT_BYTES));
    const sum = md5(body);
    const state = objects.get(key) ?? { allowed: new Set<string | undefined>([undefined]) };
    objects.set(key, state);
    state.allowed.add(sum);
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'modelmaker', Key: key, Body: body }));
      state.allowed.clear();
      state.allowed.add(sum);
      uploads.acknowledged++;
      uploads.bytes += body.length;
      await sleep(UPLOAD_PAUSE_MS);
    } catch (error) {
      const name = (error as { name?: string; $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode
        ? `${(error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode} ${(error as Error).name}`
        : ((error as NodeJS.ErrnoException).code ?? (error as Error).name);
      uploads.refused.set(name, (uploads.refused.get(name) ?? 0) + 1);
      await sleep(50);
    }
  }
}

/** Reads every object back: how many are whole (as allowed), how many are not. */
async function verifyObjects(): Promise<{ checked: number; corrupted: string[] }> {
  const corrupted: string[] = [];
  let checked = 0;
  for (const [key, state] of objects) {
    // An upload acknowledged while this read is on its way may replace what it is allowed to see.
    const before = new Set(state.allowed);
    let sum: string | undefined;
    let etag: string | undefined;
    try {
      const answer = await s3.send(new GetObjectCommand({ Bucket: 'modelmaker', Key: key }));
      const body = Buffer.from(await answer.Body!.transformToByteArray());
      sum = md5(body);
      etag = answer.ETag?.replaceAll('"', '');
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') throw error;
    }
    checked++;
    if (!(before.has(sum) || state.allowed.has(sum)) || (sum !== undefined && etag !== sum)) {
      corrupted.push(
        `${key}: md5 ${sum ?? 'absent'}, etag ${etag ?? '-'}, expected one of ${[...state.allowed].join(', ')}`,
      );
    }
  }
  return { checked, corrupted };
}

// ---------------------------------------------------------------- faults

const faults = { instanceKills: 0, diskFull: 0, platformKills: 0 };
let corruptedAfterRestart = 0;

async function killInstance(): Promise<void> {
  const detail = (await call('GET', `/v1/service/${serviceId}`)).json;
  const pid = instancesOf(detail).find((instance) => instance.pid !== undefined)?.pid;
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
    faults.instanceKills++;
  } catch {
    // Gone already.
  }
}

async function fillDisk(): Promise<void> {
  disk.fill(FULL_LEAVES_BYTES);
  faults.diskFull++;
  await sleep(FULL_MS);
  disk.free();
}

async function killPlatform(): Promise<void> {
  killing = true;
  let restarted!: () => void;
  up = new Promise((resolve) => {
    restarted = resolve;
  });
  try {
    await platform.kill();
    faults.platformKills++;
  } finally {
    killing = false;
  }
  await restart();
  restarted();
  // Every object whole right after the crash, not only at the end.
  corruptedAfterRestart += (await verifyObjects()).corrupted.length;
}

// ---------------------------------------------------------------- the run

console.log(
  `soak: ${SECONDS} s on nproc ${cpus().length}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ` +
    `data dir on ${disk.method === 'tmpfs' ? `a ${DISK_MIB} MiB tmpfs` : 'a plain dir, full disk injected'}; ` +
    `a fault every ${FAULT_MS / 1000} s, a job every ${SUBMIT_MS} ms of ${LINES} lines`,
);
await startPlatform();
const job = await nodeJob(s3, platform.info, 'soak', SCRIPT, {
  parameters: [{ name: 'LINES', value: String(LINES) }],
});
const modelVersion = await nodeModel(api, s3, platform.info, 'soak-model', 'S');
serviceId = await deploy(api, 'soak-service', [serviceModel(modelVersion)]);
const { accessAddress } = await waitForService(api, serviceId, ['RUNNING'], 60_000);

const startedAt = performance.now();
const load = [submitter(job), predictor(accessAddress), predictor(accessAddress), uploader()];
const schedule = [killInstance, fillDisk, killPlatform];
for (let round = 0; performance.now() - startedAt < SECONDS * 1000; round++) {
  await sleep(Math.min(FAULT_MS, SECONDS * 1000 - (performance.now() - startedAt)));
  if (performance.now() - startedAt >= SECONDS * 1000) break;
  const fault = schedule[round % schedule.length]!;
  process.stdout.write(`  ${((performance.now() - startedAt) / 1000).toFixed(0)} s: ${fault.name}\n`);
  await fault();
}
stopping = true;
await Promise.all(load);

// ---------------------------------------------------------------- the check

await up;
const settleBy = Date.now() + SETTLE_MS;
for (const each of jobs) {
  for (;;) {
    const version = (await call('GET', `/v1/train/version/${each.versionId}`)).json;
    if (TERMINAL.has(version.status) || Date.now() > settleBy) {
      each.status = version.status;
      each.reason = version.reason;
      break;
    }
    await sleep(250);
  }
}
await Promise.race([Promise.all(jobs.map((each) => each.following)), sleep(30_000)]);

let committed = 0;
let lost = 0;
let duplicated = 0;
let gaps = 0;
let incomplete = 0;
for (const each of jobs) {
  const stored = new Map<number, string>();
  for (let lastId = 0; ; ) {
    const page = await call('GET', `/v1/train/version/${each.versionId}/log?lastId=${lastId}&limit=10000`);
    for (const line of page.json.logs as Array<{ id: number; content: string }>)
      stored.set(line.id, line.content);
    if (!page.json.hasMore) break;
    lastId = Math.max(...stored.keys()) + 1;
  }
  committed += each.seen.size;
  for (const [id, content] of each.seen) if (stored.get(id) !== content) lost++;
  duplicated += each.duplicates;
  gaps += each.gaps;
  if (each.status === 'FINISH') {
    const lines = [...stored.values()].filter((content) => content.startsWith('soak line '));
    if (lines.length !== LINES || lines.some((content, i) => !content.startsWith(`soak line ${i} `)))
      incomplete++;
  }
}
const objectCheck = await verifyObjects();

const byOutcome = new Map<string, number>();
for (const each of jobs) {
  const reason = each.reason?.replace(/\d+/g, 'N');
  const key = each.status === 'FINISH' ? 'FINISH' : `${each.status ?? '?'}${reason ? ` (${reason})` : ''}`;
  byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
}
const finished = jobs.filter((each) => each.status === 'FINISH').length;
const sortedRestarts = [...restartMs].sort((a, b) => a - b);

console.log(
  `\nsubmitted ${jobs.length} jobs (refused, by HTTP status: ${JSON.stringify(Object.fromEntries(submitRefused))}); finished: ${finished}`,
);
for (const [outcome, count] of [...byOutcome].sort((a, b) => b[1] - a[1]))
  console.log(`  ${count} × ${outcome}`);
console.log(
  `log lines: ${committed} committed lines served to followers; lost ${lost}; ` +
    `served twice ${duplicated}; gaps ${gaps}; FINISH jobs missing lines ${incomplete}`,
);
console.log(
  `uploads: ${uploads.acknowledged} acknowledged (${(uploads.bytes / MIB).toFixed(0)} MiB), refused ${JSON.stringify(Object.fromEntries(uploads.refused))}; ` +
    `objects checked ${objectCheck.checked}, corrupted ${objectCheck.corrupted.length} (at restarts: ${corruptedAfterRestart})`,
);
for (const line of objectCheck.corrupted.slice(0, 10)) console.log(`  corrupted: ${line}`);
console.log(`predicts: ${predictOk} answered, ${predictFailed} failed (during faults)`);
console.log(
  `faults: ${faults.instanceKills} instance kills, ${faults.diskFull} disk-full windows, ${faults.platformKills} platform kill -9 + restart ` +
    `(restart to ready: ${sortedRestarts.map((ms) => `${ms.toFixed(0)} ms`).join(', ') || '-'})`,
);
console.log(
  `platform process died other than where killed: ${unexpectedDeaths === 0 ? 'never' : `${unexpectedDeaths} time(s)`}`,
);
console.log(
  JSON.stringify({
    seconds: SECONDS,
    submitted: jobs.length,
    submitRefused: Object.fromEntries(submitRefused),
    finished,
    outcomes: Object.fromEntries(byOutcome),
    committedLines: committed,
    linesLost: lost,
    duplicated,
    gaps,
    incomplete,
    uploads: uploads.acknowledged,
    objectsChecked: objectCheck.checked,
    objectsCorrupted: objectCheck.corrupted.length + corruptedAfterRestart,
    predictOk,
    predictFailed,
    faults,
    restarts,
    unexpectedDeaths,
  }),
);

// ---------------------------------------------------------------- clean up

s3.destroy();
killing = true;
const exited = new Promise((resolve) => platform.child.once('exit', resolve));
platform.child.kill('SIGTERM');
await Promise.race([exited, sleep(20_000)]);
await platform.kill();
await disk.release();
outside.remove();
process.exitCode =
  lost > 0 ||
  incomplete > 0 ||
  objectCheck.corrupted.length + corruptedAfterRestart > 0 ||
  unexpectedDeaths > 0
    ? 1
    : 0;
