/**
 * The client against oversized answers (numbers, not tests): `npx tsx bench/hostile.ts`.
 *
 * A loopback `node:http` server in a child process (so its writes do not share the
 * client's event loop) answers a real `Session` with:
 *
 * - a gzip bomb: `BENCH_BOMB_MIB` MiB of zeros (default 2048) as ~1 KiB gzip members;
 * - a plain log page of `BENCH_PAGE_MIB` MiB (default 512).
 *
 * With the default limits (32 MiB each) both must fail with `ResponseTooLarge`: reported
 * are the time to fail, the bytes the server managed to write, and the client's RSS
 * growth (peak sampled every 5 ms). Before the limits, the first killed the process and
 * the second cost ~2 GB of RSS.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { lastValueFrom } from 'rxjs';
import { silentLogger } from '../src/client/logger.js';
import { Session } from '../src/client/session.js';
import { getTrainLog, listTrain } from '../src/client/training.js';
import { sampleRss } from '../test/support/rssSampler.js';

const MIB = 1024 * 1024;
const BOMB_MIB = Number(process.env.BENCH_BOMB_MIB ?? 2048);
const PAGE_MIB = Number(process.env.BENCH_PAGE_MIB ?? 512);

function serve(): void {
  const member = gzipSync(Buffer.alloc(MIB));
  const line = `{"id":0,"content":"${'x'.repeat(1000)}"},`;
  const server = createServer(async (req, res) => {
    if (req.url?.endsWith('/auth-token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"token":"bench-token"}');
    }
    const bomb = req.url?.includes('/v1/train') && !req.url.includes('/log');
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(bomb ? { 'content-encoding': 'gzip' } : {}),
    });
    let written = 0;
    const total = bomb ? BOMB_MIB : Math.ceil((PAGE_MIB * MIB) / line.length);
    if (!bomb) res.write('{"logs":[');
    for (let i = 0; i < total && !res.destroyed; i++) {
      const chunk = bomb ? member : line;
      written += chunk.length;
      if (!res.write(chunk))
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
    }
    process.send?.({ written });
    res.end(bomb ? undefined : '{"id":1,"content":""}]}');
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

async function measure(
  label: string,
  run: () => Promise<unknown>,
  written: () => number,
  reset: () => void,
): Promise<void> {
  reset();
  const rss = sampleRss();
  const started = performance.now();
  const outcome = await run().then(
    () => 'succeeded (!)',
    (error: { _tag?: string }) => error._tag ?? String(error),
  );
  const ms = performance.now() - started;
  const peak = rss.stop();
  const before = rss.before;
  // The server reports what it wrote once its handler ends (the client aborted it).
  for (let waited = 0; written() < 0 && waited < 2_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(
    `${label}: ${outcome} after ${ms.toFixed(0)} ms; server wrote ${(written() / MIB).toFixed(1)} MiB; client RSS growth ${((peak - before) / MIB).toFixed(1)} MiB (peak ${(peak / MIB).toFixed(0)} MiB)`,
  );
}

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ['serve'], { execArgv: ['--import', 'tsx'] });
  let written = 0;
  const port = await new Promise<number>((resolve) =>
    child.on('message', (message: { port?: number; written?: number }) => {
      if (message.port !== undefined) resolve(message.port);
      if (message.written !== undefined) written = message.written;
    }),
  );
  const session = new Session({
    baseUrl: `http://127.0.0.1:${port}/mmr`,
    username: 'bench',
    password: 'bench-password',
    configPath: false,
    logger: silentLogger,
  });
  const reset = () => {
    written = -1;
  };
  try {
    await measure(
      `gzip bomb (${BOMB_MIB} MiB inflated, limit 32 MiB)`,
      () => lastValueFrom(listTrain(session)),
      () => written,
      reset,
    );
    await measure(
      `log page (${PAGE_MIB} MiB, limit 32 MiB)`,
      () => lastValueFrom(getTrainLog(session, 1, { lastId: 0 })),
      () => written,
      reset,
    );
  } finally {
    child.kill();
  }
}

if (process.argv[2] === 'serve') serve();
else await main();
