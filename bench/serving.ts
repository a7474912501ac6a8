/**
 * Serving benchmarks (numbers, not tests): `npx tsx bench/serving.ts`.
 *
 * A local platform runs in a child process (so the load generator has its own
 * event loop) and serves a PRESET_MODEL — logistic regression trained on
 * `test/fixtures/iris.csv` — with the built-in predictor, one instance.
 *
 * Reported:
 * - deploy → RUNNING: from `POST /v1/service` to the first detail saying RUNNING
 *   (model download, predictor process start, readiness probe), `BENCH_DEPLOYS` times;
 * - predictions/s and p50/p99 latency at 1, 16 and 64 concurrent clients (keep-alive
 *   `node:http` agents, one iris row per request), through the gateway and straight
 *   to the instance's port, with the gateway's overhead as ratios.
 *
 * Options (env): BENCH_SECONDS per case (3), BENCH_WARMUP_MS per case (500),
 * BENCH_DEPLOYS (3).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 3);
const CONCURRENCY = [1, 16, 64];
const BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });

interface Ready {
  readonly accessAddress: string;
  readonly instancePort: number;
  readonly deployMs: number[];
}

// ── the platform (child process) ────────────────────────────────────────────

async function serve(): Promise<void> {
  const { startLocalPlatform } = await import('../packages/local/src/platform.js');
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
    presetModelId: 500201, // the logistic-regression preset model
    modelPath: `s3://${platform.s3.bucket}/bench/model/`,
  });
  const deployMs: number[] = [];
  let kept:
    | {
        id: number;
        detail: { accessAddress: string; serviceModels: Array<{ instances: Array<{ port: number }> }> };
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

interface CaseResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

function once(agent: http.Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/ModelMaker/predict',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      },
      (response) => {
        response.resume();
        response.once('end', () =>
          response.statusCode === 200
            ? resolve(performance.now() - started)
            : reject(new Error(String(response.statusCode))),
        );
      },
    );
    request.once('error', reject);
    request.end(BODY);
  });
}

async function runCase(port: number, concurrency: number): Promise<CaseResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let running = true;
  const clients = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const ms = await once(agent, port);
        if (measuring) latencies.push(ms);
      } catch {
        if (measuring) errors++;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  const count = latencies.length;
  running = false;
  await Promise.all(clients);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(count - 1, Math.floor(q * count))] ?? Number.NaN;
  return { perSecond: count / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: process.execArgv });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`platform child exited with ${code}`)));
  });
  const gatewayPort = Number(new URL(ready.accessAddress).port);
  console.log(
    `nproc ${cpus().length}, node ${process.version}, ${SECONDS} s per case after ${WARMUP_MS} ms warm-up`,
  );
  console.log(
    `deploy → RUNNING (PRESET_MODEL, 1 instance): ${ready.deployMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
  );
  const fmt = (n: number) => n.toFixed(2);
  console.log('| clients | path | predictions/s | p50 ms | p99 ms | errors |');
  console.log('|---|---|---|---|---|---|');
  const ratios: string[] = [];
  for (const concurrency of CONCURRENCY) {
    const direct = await runCase(ready.instancePort, concurrency);
    const gateway = await runCase(gatewayPort, concurrency);
    for (const [label, r] of [
      ['gateway', gateway],
      ['direct', direct],
    ] as const) {
      console.log(
        `| ${concurrency} | ${label} | ${r.perSecond.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} |`,
      );
    }
    ratios.push(
      `${concurrency} clients: throughput ×${fmt(gateway.perSecond / direct.perSecond)}, p50 ×${fmt(gateway.p50 / direct.p50)}, p99 ×${fmt(gateway.p99 / direct.p99)}`,
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
