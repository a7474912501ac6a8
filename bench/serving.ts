/**
 * Serving benchmarks (numbers, not tests): `npx tsx bench/serving.ts`.
 *
 * A local platform runs in a child process (so the load generator has its own
 * event loop) and serves a PRESET_MODEL — logistic regression trained on
 * `test/fixtures/iris.csv` — with the built-in predictor, one instance.
 *
 * Reported:
 * - deploy → RUNNING: from `POST /v1/service` to the first detail saying RUNNING
 *   (model download, predictor process start, readiness), `BENCH_DEPLOYS` times (from
 *   the sources, the first also bundles the predictor, once per platform process);
 * - predictor start → listening, side by side, `BENCH_STARTS` times each in turn: the
 *   bundled predictor (now), the predictor through tsx (before), and a bare `node`
 *   that only listens (the floor: a Node process start);
 * - predictions/s, p50/p99 latency and CPU per request of each process at 1, 16 and
 *   64 concurrent clients (keep-alive `node:http` agents, one iris row per request),
 *   through the gateway and straight to the instance's port, in alternating slices,
 *   with the gateway's overhead as ratios.
 *
 * The platform runs as users run it: compiled (`npm run build` first, then
 * `@modelmaker/local` from `dist/`); `BENCH_PLATFORM=sources` runs it from the
 * TypeScript sources through tsx instead (slower: tsx's transform keeps function
 * names with a call per closure created, which the gateway does per request).
 *
 * Options (env): BENCH_SECONDS per case and side (3), BENCH_SLICE_MS (500),
 * BENCH_WARMUP_MS per case and side (500), BENCH_DEPLOYS (4), BENCH_STARTS (5),
 * BENCH_PLATFORM (`dist`), BENCH_PROFILE_PLATFORM (a directory: the platform process
 * writes a `--cpu-prof` profile there).
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { cpuMs, postPredict } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 500);
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 4);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
/** `dist`: the platform runs compiled (built first with `npm run build`); `sources`: through tsx. */
const PLATFORM = process.env.BENCH_PLATFORM === 'sources' ? 'sources' : 'dist';
const CONCURRENCY = [1, 16, 64];
const BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });

interface Ready {
  readonly accessAddress: string;
  readonly instancePort: number;
  readonly instancePid: number;
  readonly deployMs: number[];
}

// ── the platform (child process) ────────────────────────────────────────────

async function serve(): Promise<void> {
  // the platform as users run it (compiled dist/, built by main), or from the TypeScript sources through tsx
  const { startLocalPlatform } = (
    PLATFORM === 'dist'
      ? await import('@modelmaker/local')
      : await import('../packages/local/src/platform.js')
  ) as typeof import('../packages/local/src/platform.js');
  const { parseCsv } = await import('../packages/local/src/algorithms/dataset.js');
  const { trainPreset } = await import('../packages/local/src/algorithms/train.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-bench-serving-'));
  const platform = await startLocalPlatform({ dataDir, onError: (e) => console.error(e) });
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${platform.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'auth-token': token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: a benchmark reads arbitrary JSON fields
    const json = (await response.json()) as any;
    // A 200 may carry an error body (1002/1003/102009/101009 are answered so).
    if (response.status !== 200 || json?.errorCode !== undefined)
      throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  };
  const { token } = await call('', 'POST', '/v1/auth-token', {
    username: platform.username,
    password: platform.password,
  });
  const iris = readFileSync(new URL('../test/fixtures/iris.csv', import.meta.url), 'utf8');
  const trained = trainPreset('logistic-regression', parseCsv(iris), {});
  const s3 = new S3Client({
    endpoint: platform.s3.endpoint,
    region: platform.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: platform.s3.accessKeyId, secretAccessKey: platform.s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: platform.s3.bucket,
      Key: 'bench/model/model.json',
      Body: JSON.stringify(trained.model),
    }),
  );
  s3.destroy();
  const model = await call(token, 'POST', '/v1/model', {
    name: 'bench',
    type: 'PRESET_MODEL',
    version: '1',
    presetModelId: 500001, // the logistic-regression preset model
    modelPath: `s3://${platform.s3.bucket}/bench/model/`,
  });
  const deployMs: number[] = [];
  let kept:
    | {
        id: number;
        detail: {
          accessAddress: string;
          serviceModels: Array<{ instances: Array<{ port: number; pid: number }> }>;
        };
      }
    | undefined;
  for (let i = 0; i < DEPLOYS; i++) {
    const started = performance.now();
    const { id } = await call(token, 'POST', '/v1/service', {
      name: `bench-${i}`,
      type: 'ONLINE_SERVICE',
      serviceModels: [{ modelVersionId: model.versionId, weight: 100, resourceId: 500151, instanceCount: 1 }],
    });
    for (;;) {
      const detail = await call(token, 'GET', `/v1/service/${id}`);
      if (detail.status === 'RUNNING') {
        deployMs.push(performance.now() - started);
        if (kept) await call(token, 'DELETE', `/v1/service/${kept.id}`);
        kept = { id, detail };
        break;
      }
      if (detail.status === 'FAILED') throw new Error(`deploy failed: ${detail.reason}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const ready: Ready = {
    accessAddress: kept!.detail.accessAddress,
    instancePort: kept!.detail.serviceModels[0]!.instances[0]!.port,
    instancePid: kept!.detail.serviceModels[0]!.instances[0]!.pid,
    deployMs,
  };
  process.send!(ready);
  process.once('message', async () => {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

// ── the load generator ──────────────────────────────────────────────────────

/** The processes on the path: the load generator (this one), the platform with the gateway, the predictor. */
let PIDS: { client: number; platform: number; predictor: number } | undefined;

function cpuNow(): [number, number, number] {
  const p = PIDS!;
  return [cpuMs(p.client), cpuMs(p.platform), cpuMs(p.predictor)];
}

interface CaseResult {
  readonly perSecond: number;
  /** Requests measured, and CPU ms spent meanwhile by the client, the platform (gateway) and the predictor. */
  readonly count: number;
  readonly cpu: readonly [number, number, number];
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** Load on one port from `concurrency` clients, measured while `measuring` holds; `stop()` ends it. */
function load(port: number, concurrency: number, agent: http.Agent) {
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let running = true;
  let measuredMs = 0;
  let since = 0;
  let cpuSince: [number, number, number] = [0, 0, 0];
  const cpu: [number, number, number] = [0, 0, 0];
  const clients = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const { ms, status } = await postPredict(agent, port, BODY);
        if (status !== 200) throw new Error(String(status));
        if (measuring) latencies.push(ms);
      } catch {
        if (measuring) errors++;
      }
    }
  });
  return {
    measure(on: boolean) {
      if (on === measuring) return;
      measuring = on;
      if (on) {
        since = performance.now();
        cpuSince = cpuNow();
      } else {
        measuredMs += performance.now() - since;
        const now = cpuNow();
        for (let i = 0; i < 3; i++) cpu[i]! += now[i]! - cpuSince[i]!;
      }
    },
    async stop(): Promise<CaseResult> {
      this.measure(false);
      running = false;
      await Promise.all(clients);
      latencies.sort((a, b) => a - b);
      const count = latencies.length;
      const at = (q: number) => latencies[Math.min(count - 1, Math.floor(q * count))] ?? Number.NaN;
      return { perSecond: count / (measuredMs / 1000), count, cpu, p50: at(0.5), p99: at(0.99), errors };
    },
  };
}

/**
 * Direct and gateway under the same load, in alternating slices of `SLICE_MS`
 * (only one of them loaded at a time) for `SECONDS` each: load from other users
 * of the machine hits both alike, so the ratio holds where absolute numbers drift.
 */
async function runPair(directPort: number, gatewayPort: number, concurrency: number) {
  const results: CaseResult[] = [];
  const sides = [directPort, gatewayPort];
  // one keep-alive agent per side for the whole case: its connections outlive the slices
  const agents = sides.map(() => new http.Agent({ keepAlive: true, maxSockets: concurrency }));
  const slices = Math.max(1, Math.round((SECONDS * 1000) / SLICE_MS));
  // one warm-up per side, then the slices; a side's clients run only during its slices
  const runs: Array<{ side: number; measured: boolean; ms: number }> = [
    { side: 0, measured: false, ms: WARMUP_MS },
    { side: 1, measured: false, ms: WARMUP_MS },
  ];
  for (let i = 0; i < slices; i++) {
    runs.push({ side: 0, measured: true, ms: SLICE_MS }, { side: 1, measured: true, ms: SLICE_MS });
  }
  const partial: CaseResult[][] = [[], []];
  for (const run of runs) {
    const running = load(sides[run.side]!, concurrency, agents[run.side]!);
    running.measure(run.measured);
    await new Promise((resolve) => setTimeout(resolve, run.ms));
    const result = await running.stop();
    if (run.measured) partial[run.side]!.push(result);
  }
  for (const agent of agents) agent.destroy();
  for (const side of [0, 1]) results.push(merge(partial[side]!));
  return { direct: results[0]!, gateway: results[1]! };
}

/** Slices of one side as one case: counts add up, percentiles are the slices' medians. */
function merge(slices: CaseResult[]): CaseResult {
  const cpu: [number, number, number] = [0, 0, 0];
  for (const slice of slices) for (let i = 0; i < 3; i++) cpu[i]! += slice.cpu[i]!;
  return {
    perSecond: slices.reduce((sum, r) => sum + r.perSecond, 0) / slices.length,
    count: slices.reduce((sum, r) => sum + r.count, 0),
    cpu,
    p50: median(slices.map((r) => r.p50)),
    p99: median(slices.map((r) => r.p99)),
    errors: slices.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Resolves once something accepts connections on `port` (tries every 2 ms). */
async function listening(port: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Spawn → listening of the predictor as the platform starts it now (the bundle),
 * as it did before (through tsx), and of a bare `node` that only listens (the
 * floor), `STARTS` times each, in turn. Medians, ms.
 */
async function predictorStarts(): Promise<{ bundle: number[]; tsx: number[]; bare: number[] }> {
  const { parseCsv } = await import('../packages/local/src/algorithms/dataset.js');
  const { trainPreset } = await import('../packages/local/src/algorithms/train.js');
  const { freePort } = await import('../packages/local/src/serving/ports.js');
  const { bundledEntry } = await import('../packages/local/src/serving/sourceBundle.js');
  const source = fileURLToPath(new URL('../packages/local/src/serving/predictorServer.ts', import.meta.url));
  const modelDir = mkdtempSync(join(tmpdir(), 'mm-bench-predictor-'));
  const iris = readFileSync(new URL('../test/fixtures/iris.csv', import.meta.url), 'utf8');
  writeFileSync(
    join(modelDir, 'model.json'),
    JSON.stringify(trainPreset('logistic-regression', parseCsv(iris), {}).model),
  );
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const variants = {
    bundle: [
      PLATFORM === 'dist'
        ? fileURLToPath(new URL('../packages/local/dist/serving/predictorServer.bundle.mjs', import.meta.url))
        : await bundledEntry(source),
    ],
    tsx: ['--conditions=modelmaker-source', '--import', tsxLoader, source],
    bare: ['-e', "require('node:net').createServer().listen(Number(process.env.PORT), '127.0.0.1')"],
  };
  const times = { bundle: [] as number[], tsx: [] as number[], bare: [] as number[] };
  for (let i = 0; i < STARTS; i++) {
    for (const [name, args] of Object.entries(variants) as Array<[keyof typeof variants, string[]]>) {
      const port = await freePort('127.0.0.1');
      const started = performance.now();
      const child = spawn(process.execPath, args, {
        env: { ...process.env, PORT: String(port), MODELMAKER_MODEL_DIR: modelDir },
        stdio: 'ignore',
      });
      await listening(port);
      times[name].push(performance.now() - started);
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  rmSync(modelDir, { recursive: true, force: true });
  return times;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  if (PLATFORM === 'dist') {
    // what runs must be what the sources say: an incremental build (quick when nothing changed)
    const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const child = fork(new URL(import.meta.url).pathname, ['serve'], {
    execArgv: [
      ...process.execArgv,
      ...(process.env.BENCH_PROFILE_PLATFORM
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_PLATFORM}`]
        : []),
    ],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`platform child exited with ${code}`)));
  });
  const gatewayPort = Number(new URL(ready.accessAddress).port);
  console.log(
    `nproc ${cpus().length}, node ${process.version}, platform from ${PLATFORM === 'dist' ? 'dist/ (compiled)' : 'the sources (tsx)'}, ${SECONDS} s per case after ${WARMUP_MS} ms warm-up`,
  );
  const [first, ...rest] = ready.deployMs;
  console.log(
    `deploy → RUNNING (PRESET_MODEL, 1 instance): ${first!.toFixed(0)} ms the first time${PLATFORM === 'sources' ? ' (bundles the predictor from the sources, once per platform process)' : ''}, then ${rest.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
  );
  const starts = await predictorStarts();
  const show = (values: readonly number[]) => values.map((ms) => ms.toFixed(0)).join(', ');
  console.log(`predictor spawn → listening, ${STARTS} times each in turn (ms):`);
  console.log(
    `  bundled predictor (now): ${show(starts.bundle)}; median ${median(starts.bundle).toFixed(0)}`,
  );
  console.log(`  through tsx (before): ${show(starts.tsx)}; median ${median(starts.tsx).toFixed(0)}`);
  console.log(
    `  bare node listening (floor): ${show(starts.bare)}; median ${median(starts.bare).toFixed(0)}`,
  );
  if (rest.length > 0) {
    console.log(
      `  deploy → RUNNING (median of the warm ones) / bare node start: ×${(median(rest) / median(starts.bare)).toFixed(2)}; bundled / tsx start: ×${(median(starts.bundle) / median(starts.tsx)).toFixed(2)}`,
    );
  }
  PIDS = { client: process.pid, platform: child.pid!, predictor: ready.instancePid };
  const fmt = (n: number) => n.toFixed(2);
  const perRequest = (r: CaseResult, i: number) => ((r.cpu[i]! * 1000) / r.count).toFixed(0);
  console.log(
    `slices of ${SLICE_MS} ms, direct and gateway alternating; CPU µs per request: client / platform (gateway) / predictor`,
  );
  console.log(
    '| clients | path | predictions/s | p50 ms | p99 ms | errors | CPU µs/request (client / gateway / predictor) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const ratios: string[] = [];
  for (const concurrency of CONCURRENCY) {
    const { direct, gateway } = await runPair(ready.instancePort, gatewayPort, concurrency);
    for (const [label, r] of [
      ['gateway', gateway],
      ['direct', direct],
    ] as const) {
      console.log(
        `| ${concurrency} | ${label} | ${r.perSecond.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} | ${perRequest(r, 0)} / ${perRequest(r, 1)} / ${perRequest(r, 2)} |`,
      );
    }
    const cpuPerRequest = (r: CaseResult) => (r.cpu[0]! + r.cpu[1]! + r.cpu[2]!) / r.count;
    ratios.push(
      `${concurrency} clients: throughput ×${fmt(gateway.perSecond / direct.perSecond)}, p50 ×${fmt(gateway.p50 / direct.p50)} (+${fmt(gateway.p50 - direct.p50)} ms), p99 ×${fmt(gateway.p99 / direct.p99)}; CPU per request ×${fmt(cpuPerRequest(gateway) / cpuPerRequest(direct))}`,
    );
  }
  console.log('gateway / direct:');
  for (const line of ratios) console.log(`  ${line}`);
  child.send('close');
  await new Promise((resolve) => child.once('exit', resolve));
}

if (process.argv[2] === 'serve') void serve();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
