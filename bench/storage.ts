/**
 * Storage benchmark: `upload` / `download` against s3rver on loopback, next to a plain
 * sequential PutObject / GetObject loop, for (a) one big file and (b) many small files,
 * plus the skip-unchanged re-run of each.
 *
 *   npx tsx bench/storage.ts
 *
 * Sizes by environment (defaults = the full run): BENCH_BIG_MIB (1024), BENCH_SMALL_FILES
 * (10000), BENCH_SMALL_KIB (4), BENCH_CONCURRENCY (the SDK default). s3rver runs in its own
 * process so client and server do not share one event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { lastValueFrom } from 'rxjs';
import {
  createS3Client,
  download,
  isSummary,
  type S3Access,
  staticS3Access,
  type TransferEvent,
  type TransferSummary,
  upload,
} from '../src/client/storage/index.js';
import { DEFAULT_STORAGE_CONCURRENCY } from '../src/defaults.js';

const MIB = 1024 * 1024;
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const SMALL_KIB = Number(process.env.BENCH_SMALL_KIB ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_STORAGE_CONCURRENCY);
const BUCKET = 'bench';

/** Starts s3rver in a child process; resolves with its port. */
async function startServer(directory: string): Promise<{ child: ChildProcess; port: number }> {
  const script = `
    const S3rver = require('s3rver');
    new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(directory)},
                 configureBuckets: [{ name: '${BUCKET}', configs: [] }] })
      .run().then((address) => console.log(JSON.stringify({ port: address.port })));`;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
    child.stdout?.once('data', (data: Buffer) =>
      resolve((JSON.parse(data.toString()) as { port: number }).port),
    );
  });
  return { child, port };
}

async function writeRandom(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  async function* chunks() {
    for (let done = 0; done < size; done += MIB) yield randomBytes(Math.min(MIB, size - done));
  }
  await pipeline(chunks(), createWriteStream(path));
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function summaryOf(events$: ReturnType<typeof upload>): Promise<TransferSummary> {
  let summary: TransferSummary | undefined;
  await lastValueFrom(events$, { defaultValue: undefined as TransferEvent | undefined }).then((last) => {
    if (last && isSummary(last)) summary = last;
  });
  if (!summary) throw new Error('no summary');
  return summary;
}

/** Sequential PutObject of each file (the baseline). */
async function putLoop(
  client: S3Client,
  files: readonly { path: string; key: string; size: number }[],
): Promise<void> {
  for (const file of files) {
    const body = file.size <= MIB ? await readFile(file.path) : createReadStream(file.path);
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: body, ContentLength: file.size }),
    );
  }
}

/** Sequential GetObject of each key into `directory` (the baseline). */
async function getLoop(client: S3Client, keys: readonly string[], directory: string): Promise<void> {
  for (const key of keys) {
    const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const path = join(directory, key);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(output.Body as NodeJS.ReadableStream, createWriteStream(path));
  }
}

interface Row {
  readonly case: string;
  readonly method: string;
  readonly ms: number;
  readonly bytes: number;
  readonly files: number;
}

function format(row: Row): string {
  const seconds = row.ms / 1000;
  const mbps = row.bytes / MIB / seconds;
  const fps = row.files / seconds;
  return `| ${row.case} | ${row.method} | ${seconds.toFixed(2)} s | ${mbps.toFixed(1)} MiB/s | ${fps.toFixed(0)} files/s |`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'mm-bench-'));
  const server = await startServer(join(work, 's3rver'));
  const access: S3Access = {
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  };
  const provider = staticS3Access(access);
  const stateDir = join(work, 'upload-state');
  const client = createS3Client(access);
  const rows: Row[] = [];
  const log = (row: Row): void => {
    rows.push(row);
    console.log(format(row));
  };
  try {
    const big = join(work, 'big');
    const small = join(work, 'small');
    console.log(`writing data: 1 × ${BIG_MIB} MiB, ${SMALL_FILES} × ${SMALL_KIB} KiB …`);
    await writeRandom(join(big, 'big.bin'), BIG_MIB * MIB);
    const smallFiles: { path: string; key: string; size: number }[] = [];
    for (let i = 0; i < SMALL_FILES; i++) {
      const relative = `d${String(Math.floor(i / 100)).padStart(3, '0')}/f${i}.bin`;
      const path = join(small, relative);
      if (i % 100 === 0) await mkdir(dirname(path), { recursive: true });
      await writeFile(path, randomBytes(SMALL_KIB * 1024));
      smallFiles.push({ path, key: `baseline/small/${relative}`, size: SMALL_KIB * 1024 });
    }
    const bigBytes = BIG_MIB * MIB;
    const smallBytes = SMALL_FILES * SMALL_KIB * 1024;
    const bigCase = `1 × ${BIG_MIB} MiB`;
    const smallCase = `${SMALL_FILES} × ${SMALL_KIB} KiB`;
    console.log(`\n| case | method | time | throughput | files/s |\n|---|---|---|---|---|`);

    for (const [name, dir, bytes, files, list] of [
      [
        bigCase,
        big,
        bigBytes,
        1,
        [{ path: join(big, 'big.bin'), key: 'baseline/big/big.bin', size: bigBytes }],
      ],
      [smallCase, small, smallBytes, SMALL_FILES, smallFiles],
    ] as const) {
      const tag = name === bigCase ? 'big' : 'small';
      const base = await timed(() => putLoop(client, list));
      log({ case: name, method: 'upload: sequential PutObject loop (baseline)', ms: base.ms, bytes, files });

      const up = await timed(() =>
        summaryOf(upload(provider, dir, `s3://${BUCKET}/sdk/${tag}`, { concurrency: CONCURRENCY, stateDir })),
      );
      log({ case: name, method: `upload() concurrency ${CONCURRENCY}`, ms: up.ms, bytes, files });

      const again = await timed(() =>
        summaryOf(upload(provider, dir, `s3://${BUCKET}/sdk/${tag}`, { concurrency: CONCURRENCY, stateDir })),
      );
      if (again.value.filesSent !== 0) throw new Error('re-run sent files');
      log({ case: name, method: 'upload() re-run, unchanged (skip)', ms: again.ms, bytes, files });

      const target = join(work, `get-${tag}`);
      const baseGet = await timed(() =>
        getLoop(
          client,
          list.map((file) => file.key),
          target,
        ),
      );
      log({
        case: name,
        method: 'download: sequential GetObject loop (baseline)',
        ms: baseGet.ms,
        bytes,
        files,
      });

      const into = join(work, `down-${tag}`);
      const down = await timed(() =>
        summaryOf(download(provider, `s3://${BUCKET}/sdk/${tag}/`, into, { concurrency: CONCURRENCY })),
      );
      log({ case: name, method: `download() concurrency ${CONCURRENCY}`, ms: down.ms, bytes, files });

      const downAgain = await timed(() =>
        summaryOf(download(provider, `s3://${BUCKET}/sdk/${tag}/`, into, { concurrency: CONCURRENCY })),
      );
      if (downAgain.value.filesSent !== 0) throw new Error('download re-run fetched files');
      log({ case: name, method: 'download() re-run, unchanged (skip)', ms: downAgain.ms, bytes, files });
      await rm(target, { recursive: true, force: true });
      await rm(into, { recursive: true, force: true });
    }
    console.log(`\nnode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
  } finally {
    client.destroy();
    server.child.kill();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
