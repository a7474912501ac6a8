/**
 * The gateway's own cost (numbers, not tests): `npx tsx bench/gateway.ts`.
 *
 * Four processes: an upstream `node:http` server answering a small JSON body (a
 * stand-in for an instance that costs almost nothing, so the hop itself shows),
 * the gateway (`openGateway`, bundled with esbuild from the current sources, so it
 * runs as compiled code does, not through tsx), the floor of a Node HTTP hop (a
 * `node:http` server forwarding each request with undici's `Pool.dispatch`, no
 * routing, no checks), and this load generator. Direct, floor and gateway are
 * loaded in turn, in slices of `BENCH_SLICE_MS`, `BENCH_ROUNDS` times, at 1 and 16
 * keep-alive clients; reported: requests/s, p50, and CPU per request of each
 * process (from /proc, Linux).
 *
 * Options (env): BENCH_ROUNDS (10), BENCH_SLICE_MS (300).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Pool } from 'undici';
import { cpuMs, postPredict } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 300);
const BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });
const ANSWER = JSON.stringify({ predictions: [[0.9, 0.05, 0.05]] });

function readBody(request: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => done(Buffer.concat(chunks)));
}

function listenAndReport(server: http.Server): void {
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
}

/** The upstream: answers every request with a small JSON body. */
function upstream(): void {
  const server = http.createServer((request, response) =>
    readBody(request, () => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(ANSWER),
      });
      response.end(ANSWER);
    }),
  );
  server.keepAliveTimeout = 65_000;
  listenAndReport(server);
}

/** The floor of a Node HTTP hop: read the body, dispatch it on an undici pool, stream the answer back. */
function floor(upstreamPort: number): void {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`);
  const forward = (request: IncomingMessage, body: Buffer, response: ServerResponse) =>
    pool.dispatch(
      {
        path: request.url ?? '/',
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
        body,
      },
      {
        onRequestStart: () => {},
        onResponseStart: (_c, status, headers) => {
          response.writeHead(status, headers as http.OutgoingHttpHeaders);
        },
        onResponseData: (_c, chunk) => {
          response.write(chunk);
        },
        onResponseEnd: () => response.end(),
        onResponseError: () => response.destroy(),
      },
    );
  listenAndReport(
    http.createServer((request, response) => readBody(request, (body) => forward(request, body, response))),
  );
}

/** The gateway, from its bundle, routing to the upstream. */
async function gateway(bundle: string, upstreamPort: number): Promise<void> {
  const { openGateway, Balancer } = (await import(bundle)) as {
    openGateway: typeof import('../packages/local/src/serving/gateway.js').openGateway;
    Balancer: typeof import('../packages/local/src/serving/balancer.js').Balancer;
  };
  const g = await openGateway({
    host: '127.0.0.1',
    port: 0,
    upstreamHost: '127.0.0.1',
    maxBodyBytes: 1024 * 1024,
    upstreamTimeoutMs: 30_000,
    maxAttempts: 3,
    unavailable: () => 'no instance',
  });
  g.setRoutes(
    new Balancer([{ weight: 1, targets: [{ index: 0, port: upstreamPort, ready: true, inFlight: 0 }] }]),
  );
  process.send!(g.port);
}

interface Side {
  readonly label: string;
  readonly port: number;
  /** The hop's process, if any. */
  readonly pid: number | undefined;
  latencies: number[];
  ms: number;
  cpu: [number, number, number];
}

async function slice(side: Side, agent: http.Agent, clients: number, upstreamPid: number): Promise<void> {
  const client0 = process.cpuUsage();
  const hop0 = side.pid ? cpuMs(side.pid) : 0;
  const up0 = cpuMs(upstreamPid);
  const started = performance.now();
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) side.latencies.push((await postPredict(agent, side.port, BODY)).ms);
  });
  await new Promise((resolve) => setTimeout(resolve, SLICE_MS));
  running = false;
  await Promise.all(loops);
  side.ms += performance.now() - started;
  const client = process.cpuUsage(client0);
  side.cpu[0] += (client.user + client.system) / 1000;
  side.cpu[1] += side.pid ? cpuMs(side.pid) - hop0 : 0;
  side.cpu[2] += cpuMs(upstreamPid) - up0;
}

async function main(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const directory = mkdtempSync(join(tmpdir(), 'mm-bench-gateway-'));
  const bundle = join(directory, 'gateway.mjs');
  const entry = join(directory, 'entry.ts');
  writeFileSync(
    entry,
    `export { openGateway } from ${JSON.stringify(fileURLToPath(new URL('../packages/local/src/serving/gateway.ts', import.meta.url)))};\n` +
      `export { Balancer } from ${JSON.stringify(fileURLToPath(new URL('../packages/local/src/serving/balancer.ts', import.meta.url)))};\n`,
  );
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['modelmaker-source'],
    // CommonJS dependencies may `require` Node's built-ins: give the bundle a `require`
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const start = (args: string[]) =>
    new Promise<{ child: ReturnType<typeof fork>; port: number }>((resolve) => {
      const child = fork(self, args, { execArgv: process.execArgv });
      child.once('message', (port) => resolve({ child, port: port as number }));
    });
  const up = await start(['upstream']);
  const hop = await start(['floor', String(up.port)]);
  const gw = await start(['gateway', bundle, String(up.port)]);
  console.log(
    `nproc ${cpus().length}, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ${ROUNDS} rounds of ${SLICE_MS} ms slices per side`,
  );
  console.log('| clients | path | requests/s | p50 ms | CPU µs/request (client / hop / upstream) |');
  console.log('|---|---|---|---|---|');
  for (const clients of [1, 16]) {
    const sides: Side[] = [
      { label: 'direct', port: up.port, pid: undefined, latencies: [], ms: 0, cpu: [0, 0, 0] },
      {
        label: 'floor: node:http + undici Pool',
        port: hop.port,
        pid: hop.child.pid,
        latencies: [],
        ms: 0,
        cpu: [0, 0, 0],
      },
      { label: 'gateway', port: gw.port, pid: gw.child.pid, latencies: [], ms: 0, cpu: [0, 0, 0] },
    ];
    const agents = sides.map(() => new http.Agent({ keepAlive: true, maxSockets: clients }));
    for (let i = 0; i < sides.length; i++) await slice(sides[i]!, agents[i]!, clients, up.child.pid!); // warm-up
    for (const side of sides) {
      side.latencies = [];
      side.ms = 0;
      side.cpu = [0, 0, 0];
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < sides.length; i++) await slice(sides[i]!, agents[i]!, clients, up.child.pid!);
    }
    for (const agent of agents) agent.destroy();
    const rows = sides.map((side) => {
      const sorted = [...side.latencies].sort((a, b) => a - b);
      const n = sorted.length;
      const per = (ms: number) => ((ms * 1000) / n).toFixed(0);
      return { side, rate: n / (side.ms / 1000), p50: sorted[Math.floor(n / 2)]!, per, hop: side.cpu[1] };
    });
    for (const r of rows) {
      console.log(
        `| ${clients} | ${r.side.label} | ${r.rate.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.per(r.side.cpu[0])} / ${r.per(r.side.cpu[1])} / ${r.per(r.side.cpu[2])} |`,
      );
    }
    const [direct, hopRow, gwRow] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    console.log(
      `  ${clients} clients: gateway / direct throughput ×${(gwRow.rate / direct.rate).toFixed(2)}, p50 +${(gwRow.p50 - direct.p50).toFixed(3)} ms; gateway / floor: CPU of the hop ×${(gwRow.side.cpu[1] / gwRow.side.latencies.length / (hopRow.side.cpu[1] / hopRow.side.latencies.length)).toFixed(2)}, throughput ×${(gwRow.rate / hopRow.rate).toFixed(2)}`,
    );
  }
  for (const child of [up.child, hop.child, gw.child]) child.kill();
  rmSync(directory, { recursive: true, force: true });
}

const role = process.argv[2];
if (role === 'upstream') upstream();
else if (role === 'floor') floor(Number(process.argv[3]));
else if (role === 'gateway') void gateway(process.argv[3]!, Number(process.argv[4]));
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
