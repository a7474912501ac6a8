/**
 * Storage benchmark (numbers, not tests): `upload` / `download` against the local
 * platform's embedded S3 (the guard, s3rver and its crash-atomic store, as the platform
 * runs it), each next to its baseline in the same run, with the ratio printed.
 *
 *   npx tsx bench/storage.ts
 *
 * Cases, for (a) one big file and (b) many small files:
 * - fresh upload: `upload()` vs a plain sequential PutObject loop (one request per
 *   file, the big file as one streamed PUT: no resume, no checksum);
 * - re-upload, nothing changed: `upload()` again vs what deciding "unchanged" costs one
 *   HeadObject per file (8 at a time, as `upload()` did before), and the floor: one listing;
 * - fresh download: `download()` vs a plain sequential GetObject loop;
 * - re-download, nothing changed: `download()` again, same baselines as the re-upload.
 *
 * Every row shows the S3 requests made and the CPU time of the client (this process) and
 * of the store (its own process, from /proc), so the share of each is visible.
 *
 * Env: BENCH_BIG_MIB (1024), BENCH_SMALL_FILES (10000), BENCH_SMALL_KIB (4),
 * BENCH_CONCURRENCY (the SDK default), BENCH_CASES (`big,small`; `small-upload` / `big-upload`: only the
 * fresh small-file / big-file upload rows), BENCH_STORE
 * (`embedded`, or `s3rver`: s3rver 3.7.1 alone, its own non-durable store, no guard),
 * BENCH_PROFILE_STORE (a directory: the store process writes a `--cpu-prof` profile there),
 * BENCH_RUNS (3: runs of each "unchanged" case, the median shown with every run's time),
 * BENCH_SLICE_FILES (1000: fresh small-file transfers run slice by slice, baseline and SDK
 * interleaved ABBA so the machine's load drifts hit both), BENCH_BIG_ROUNDS (2: the same
 * for the big file), BENCH_STORE_THREADS (the store process's UV_THREADPOOL_SIZE),
 * BENCH_PART_MIB and BENCH_PART_CONCURRENCY (`upload()`'s part size and parts in flight;
 * the SDK defaults when unset).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
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

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MIB = 1024 * 1024;
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1024);
/** `upload()`'s part size in MiB and parts in flight; `undefined`: the SDK defaults. */
const PART_MIB = process.env.BENCH_PART_MIB ? Number(process.env.BENCH_PART_MIB) : undefined;
const PART_CONCURRENCY = process.env.BENCH_PART_CONCURRENCY
  ? Number(process.env.BENCH_PART_CONCURRENCY)
  : undefined;
const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const SMALL_KIB = Number(process.env.BENCH_SMALL_KIB ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_STORAGE_CONCURRENCY);
const CASES = new Set((process.env.BENCH_CASES ?? 'big,small').split(','));
/** The fresh small-file upload runs for `small`, and alone for `small-upload` (the row issue 16 measures). */
const SMALL_UPLOAD = CASES.has('small') || CASES.has('small-upload');
/** The fresh big-file upload runs for `big`, and alone for `big-upload` (the row issue 16 measures). */
const BIG_UPLOAD = CASES.has('big') || CASES.has('big-upload');
const STORE = process.env.BENCH_STORE === 's3rver' ? 's3rver' : 'embedded';
const BUCKET = 'bench';
/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = 100;
/** HeadObject requests at a time in the "one request per file" baseline (as `upload()` made them before: 8 files at a time). */
const HEAD_CONCURRENCY = 8;

// ── the store (child process) ───────────────────────────────────────────────

async function serveStore(directory: string): Promise<void> {
  let endpoint: string;
  let access: { accessKeyId: string; secretAccessKey: string };
  let close: () => Promise<void>;
  if (STORE === 'embedded') {
    const { startEmbeddedS3 } = await import('../packages/local/src/s3/embeddedS3.js');
    const s3 = await startEmbeddedS3({ directory, buckets: [BUCKET] });
    endpoint = s3.endpoint;
    access = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    close = () => s3.close();
  } else {
    const { createRequire } = await import('node:module');
    const S3rver = createRequire(import.meta.url)('s3rver') as new (
      options: object,
    ) => { run(): Promise<{ port: number }>; close(): Promise<void> };
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
    access = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    close = () => server.close();
  }
  process.send!({ endpoint, ...access });
  process.once('message', async () => {
    await close();
    process.exit(0);
  });
}

// ── measuring ───────────────────────────────────────────────────────────────

/** CPU time (user + system) of a process so far, ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

interface Measured {
  readonly ms: number;
  readonly clientCpuMs: number;
  readonly storeCpuMs: number;
  readonly requests: number;
}

let storePid = 0;
/** S3 requests sent by clients made through {@link countingClient}. */
let requests = 0;
/** Time spent in each S3 command (request sent → answer read), summed over its calls (calls in parallel overlap). */
const commandMs = new Map<string, number>();
const commandSeconds = (name: string) => ((commandMs.get(name) ?? 0) / 1000).toFixed(2);

async function measure<T>(work: () => Promise<T>): Promise<{ value: T } & Measured> {
  const client0 = process.cpuUsage();
  const store0 = cpuMs(storePid);
  const requests0 = requests;
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const client = process.cpuUsage(client0);
  return {
    value,
    ms,
    clientCpuMs: (client.user + client.system) / 1000,
    storeCpuMs: cpuMs(storePid) - store0,
    requests: requests - requests0,
  };
}

/** An S3 client that counts the requests it sends. */
function countingClient(access: S3Access): S3Client {
  const client = createS3Client(access);
  client.middlewareStack.add(
    (next) => (args) => {
      requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchRequestCounter' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        const name = context.commandName ?? 'unknown';
        commandMs.set(name, (commandMs.get(name) ?? 0) + performance.now() - start);
      }
    },
    { step: 'initialize', name: 'benchCommandTimer' },
  );
  return client;
}

// ── workloads ───────────────────────────────────────────────────────────────

interface LocalFile {
  readonly path: string;
  readonly relative: string;
  readonly size: number;
}

async function writeRandom(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  async function* chunks() {
    for (let done = 0; done < size; done += MIB) yield randomBytes(Math.min(MIB, size - done));
  }
  await pipeline(chunks(), createWriteStream(path));
}

async function summaryOf(events$: ReturnType<typeof upload>): Promise<TransferSummary> {
  const last = await lastValueFrom(events$, { defaultValue: undefined as TransferEvent | undefined });
  if (!last || !isSummary(last)) throw new Error('no summary');
  return last;
}

/** Sequential PutObject of each file (the baseline): small files from memory, big ones streamed. */
async function putLoop(client: S3Client, files: readonly LocalFile[], prefix: string): Promise<void> {
  for (const file of files) {
    const body = file.size <= MIB ? await readFile(file.path) : createReadStream(file.path);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: prefix + file.relative,
        Body: body,
        ContentLength: file.size,
      }),
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

/** One HeadObject per key, `HEAD_CONCURRENCY` at a time: what a per-file "unchanged?" check costs in requests alone. */
async function headEach(client: S3Client, keys: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    }
  };
  await Promise.all(Array.from({ length: HEAD_CONCURRENCY }, worker));
}

/** Every page of the listing of `prefix` (the floor of a listing-based check). */
async function listAll(client: S3Client, prefix: string): Promise<number> {
  let marker: string | undefined;
  let count = 0;
  for (;;) {
    const page = await client.send(
      new ListObjectsCommand({ Bucket: BUCKET, Prefix: prefix, Marker: marker }),
    );
    count += page.Contents?.length ?? 0;
    if (!page.IsTruncated) return count;
    marker = page.NextMarker ?? page.Contents?.[page.Contents.length - 1]?.Key;
  }
}

// ── report ──────────────────────────────────────────────────────────────────

interface Row extends Measured {
  readonly case: string;
  readonly method: string;
  readonly bytes: number;
  readonly files: number;
  /** Ratio to this row's baseline, as text (e.g. `×4.2 the loop`). */
  readonly ratio?: string;
  /** Several runs: their times, shown after the main one. */
  readonly also?: readonly number[];
}

function format(row: Row): string {
  const seconds = row.ms / 1000;
  const rate =
    row.bytes / row.files < MIB
      ? `${(row.files / seconds).toFixed(0)} files/s`
      : `${(row.bytes / MIB / seconds).toFixed(1)} MiB/s`;
  const cpu = `${(row.clientCpuMs / 1000).toFixed(2)} / ${(row.storeCpuMs / 1000).toFixed(2)} s`;
  const also = row.also?.length
    ? ` (runs: ${row.also.map((ms) => (ms / 1000).toFixed(2)).join(' · ')} s)`
    : '';
  return `| ${row.case} | ${row.method} | ${seconds.toFixed(2)} s${also} | ${rate} | ${row.ratio ?? ''} | ${row.requests} | ${cpu} |`;
}

const ratio = (baseline: Measured, now: Measured, what: string) =>
  `×${(baseline.ms / now.ms).toFixed(2)} ${what}`;

function sum(parts: readonly Measured[]): Measured {
  return {
    ms: parts.reduce((total, m) => total + m.ms, 0),
    clientCpuMs: parts.reduce((total, m) => total + m.clientCpuMs, 0),
    storeCpuMs: parts.reduce((total, m) => total + m.storeCpuMs, 0),
    requests: parts.reduce((total, m) => total + m.requests, 0),
  };
}

/** The median run by time (its CPU and requests with it), and every run's time. */
function median(runs: readonly Measured[]): Measured & { readonly all: number[] } {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, all: runs.map((run) => run.ms) };
}

/**
 * Baseline and SDK side by side under the same load: `rounds` rounds, each running both,
 * in ABBA order (baseline first in even rounds), so drifts of the machine's load hit
 * both; each side's total over the rounds.
 */
async function interleaved(
  rounds: number,
  baseline: (round: number) => Promise<unknown>,
  sdk: (round: number) => Promise<unknown>,
): Promise<{ baseline: Measured; sdk: Measured }> {
  const base: Measured[] = [];
  const now: Measured[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      base.push(await measure(() => baseline(round)));
      now.push(await measure(() => sdk(round)));
    } else {
      now.push(await measure(() => sdk(round)));
      base.push(await measure(() => baseline(round)));
    }
  }
  return { baseline: sum(base), sdk: sum(now) };
}

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SLICE_FILES = Number(process.env.BENCH_SLICE_FILES ?? 1000);
const BIG_ROUNDS = Number(process.env.BENCH_BIG_ROUNDS ?? 2);

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'mm-bench-storage-'));
  const child = fork(new URL(import.meta.url).pathname, ['store', join(work, 'store')], {
    env: {
      ...process.env,
      ...(process.env.BENCH_STORE_THREADS ? { UV_THREADPOOL_SIZE: process.env.BENCH_STORE_THREADS } : {}),
    },
    execArgv: [
      ...process.execArgv,
      '--conditions=modelmaker-source',
      ...(process.env.BENCH_PROFILE_STORE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_STORE}`]
        : []),
    ],
  });
  const ready = await new Promise<{ endpoint: string; accessKeyId: string; secretAccessKey: string }>(
    (resolve, reject) => {
      child.once('message', (m) => resolve(m as never));
      child.once('exit', (code) => reject(new Error(`store child exited with ${code}`)));
    },
  );
  storePid = child.pid!;
  const access: S3Access = { ...ready, region: 'us-east-1' };
  const provider = staticS3Access(access);
  const stateDir = join(work, 'upload-state');
  const client = countingClient(access);
  const options = {
    concurrency: CONCURRENCY,
    stateDir,
    createClient: countingClient,
    ...(PART_MIB === undefined ? {} : { partSize: PART_MIB * MIB }),
    ...(PART_CONCURRENCY === undefined ? {} : { partConcurrency: PART_CONCURRENCY }),
  };
  if (STORE === 's3rver') await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  const loadBefore = load();
  const started = performance.now();
  try {
    const bigBytes = BIG_MIB * MIB;
    const slices = Math.max(1, Math.ceil(SMALL_FILES / SLICE_FILES));
    const smallFiles: LocalFile[][] = Array.from({ length: slices }, () => []);
    console.log(`writing data: 1 × ${BIG_MIB} MiB, ${SMALL_FILES} × ${SMALL_KIB} KiB …`);
    if (BIG_UPLOAD) await writeRandom(join(work, 'big', 'big.bin'), bigBytes);
    if (SMALL_UPLOAD) {
      for (let i = 0; i < SMALL_FILES; i++) {
        const slice = Math.floor(i / SLICE_FILES);
        const relative = `s${slice}/d${Math.floor((i % SLICE_FILES) / 100)}/f${i}.bin`;
        const path = join(work, 'small', relative);
        if (i % 100 === 0) await mkdir(dirname(path), { recursive: true });
        await writeFile(path, randomBytes(SMALL_KIB * 1024));
        smallFiles[slice]!.push({ path, relative, size: SMALL_KIB * 1024 });
      }
    }
    console.log(
      `\nstore: ${STORE}; client concurrency ${CONCURRENCY}; parts ${PART_MIB ?? 'default'} MiB × ${PART_CONCURRENCY ?? 'default'}; load average before: ${loadBefore}\n` +
        '\n| case | method | time | rate | ratio | S3 requests | CPU client / store |\n|---|---|---|---|---|---|---|',
    );

    const bigName = `1 × ${BIG_MIB} MiB`;
    const file: LocalFile = { path: join(work, 'big', 'big.bin'), relative: 'big.bin', size: bigBytes };
    const bigRow = (method: string, m: Measured, more: Partial<Row> = {}) =>
      console.log(
        format({ case: bigName, method, bytes: bigBytes * (more.files ?? 1), files: 1, ...m, ...more }),
      );
    if (BIG_UPLOAD) {
      const up = await interleaved(
        BIG_ROUNDS,
        (round) => putLoop(client, [file], `baseline/big/${round}/`),
        (round) => summaryOf(upload(provider, file.path, `s3://${BUCKET}/sdk/big/${round}/big.bin`, options)),
      );
      bigRow(`upload: one streamed PutObject (baseline), ${BIG_ROUNDS} rounds`, up.baseline, {
        files: BIG_ROUNDS,
      });
      bigRow(`\`upload()\`, ${BIG_ROUNDS} rounds`, up.sdk, {
        files: BIG_ROUNDS,
        ratio: ratio(up.baseline, up.sdk, 'the PUT'),
      });
      console.log(
        `|  | (of \`upload()\`, ${BIG_ROUNDS} rounds: CompleteMultipartUpload ${commandSeconds('CompleteMultipartUploadCommand')} s, ` +
          `the SHA-256 self-copy ${commandSeconds('CopyObjectCommand')} s, ` +
          `UploadPart ${commandSeconds('UploadPartCommand')} s summed over parts in flight) | | | | | |`,
      );
    }

    if (CASES.has('big')) {
      const again = median(
        await repeatRuns(RUNS, async () => {
          const summary = await summaryOf(
            upload(provider, file.path, `s3://${BUCKET}/sdk/big/0/big.bin`, options),
          );
          if (summary.filesSent !== 0) throw new Error('the re-upload sent the file');
        }),
      );
      bigRow('`upload()` re-run, unchanged (median)', again, { also: again.all });
      const down = await interleaved(
        BIG_ROUNDS,
        (round) => getLoop(client, [`sdk/big/${round}/big.bin`], join(work, `get-big-${round}`)),
        (round) =>
          summaryOf(
            download(provider, `s3://${BUCKET}/sdk/big/${round}/`, join(work, `down-big-${round}`), options),
          ),
      );
      bigRow(`download: one streamed GetObject (baseline), ${BIG_ROUNDS} rounds`, down.baseline, {
        files: BIG_ROUNDS,
      });
      bigRow(`\`download()\`, ${BIG_ROUNDS} rounds`, down.sdk, {
        files: BIG_ROUNDS,
        ratio: ratio(down.baseline, down.sdk, 'the GET'),
      });
      const downAgain = median(
        await repeatRuns(RUNS, async () => {
          const summary = await summaryOf(
            download(provider, `s3://${BUCKET}/sdk/big/0/`, join(work, 'down-big-0'), options),
          );
          if (summary.filesSent !== 0) throw new Error('the re-download fetched the file');
        }),
      );
      bigRow('`download()` re-run, unchanged (median)', downAgain, { also: downAgain.all });
      for (let round = 0; round < BIG_ROUNDS; round++) {
        await rm(join(work, `get-big-${round}`), { recursive: true, force: true });
        await rm(join(work, `down-big-${round}`), { recursive: true, force: true });
      }
    }

    if (SMALL_UPLOAD) {
      const name = `${SMALL_FILES} × ${SMALL_KIB} KiB`;
      const bytes = SMALL_FILES * SMALL_KIB * 1024;
      const row = (method: string, m: Measured, more: Partial<Row> = {}) =>
        console.log(format({ case: name, method, bytes, files: SMALL_FILES, ...m, ...more }));
      const up = await interleaved(
        slices,
        (slice) => putLoop(client, smallFiles[slice]!, 'baseline/small/'),
        (slice) =>
          summaryOf(
            upload(
              provider,
              join(work, 'small', `s${slice}`),
              `s3://${BUCKET}/sdk/small/s${slice}/`,
              options,
            ),
          ),
      );
      row(`upload: sequential PutObject loop (baseline), ${slices} slices`, up.baseline);
      row(`\`upload()\`, ${slices} slices interleaved`, up.sdk, {
        ratio: ratio(up.baseline, up.sdk, 'the loop'),
      });
    }

    if (CASES.has('small')) {
      const name = `${SMALL_FILES} × ${SMALL_KIB} KiB`;
      const bytes = SMALL_FILES * SMALL_KIB * 1024;
      const row = (method: string, m: Measured, more: Partial<Row> = {}) =>
        console.log(format({ case: name, method, bytes, files: SMALL_FILES, ...m, ...more }));
      const keys = smallFiles.flat().map((file) => `sdk/small/${file.relative}`);
      const reruns: Measured[] = [];
      const heads: Measured[] = [];
      const listings: Measured[] = [];
      for (let run = 0; run < RUNS; run++) {
        reruns.push(
          await measure(async () => {
            const summary = await summaryOf(
              upload(provider, join(work, 'small'), `s3://${BUCKET}/sdk/small/`, options),
            );
            if (summary.filesSent !== 0) throw new Error('the re-upload sent files');
          }),
        );
        heads.push(await measure(() => headEach(client, keys)));
        listings.push(await measure(() => listAll(client, 'sdk/small/')));
      }
      const rerun = median(reruns);
      const head = median(heads);
      row(`one HeadObject per file, ${HEAD_CONCURRENCY} at a time (baseline, median)`, head, {
        also: head.all,
      });
      const listing = median(listings);
      row('one listing of the prefix (floor, median)', listing, { also: listing.all });
      row('`upload()` re-run, unchanged (median)', rerun, {
        also: rerun.all,
        ratio: ratio(head, rerun, 'the HEADs'),
      });

      const down = await interleaved(
        slices,
        (slice) =>
          getLoop(
            client,
            smallFiles[slice]!.map((file) => `sdk/small/${file.relative}`),
            join(work, 'get-small'),
          ),
        (slice) =>
          summaryOf(
            download(
              provider,
              `s3://${BUCKET}/sdk/small/s${slice}/`,
              join(work, 'down-small', `s${slice}`),
              options,
            ),
          ),
      );
      row(`download: sequential GetObject loop (baseline), ${slices} slices`, down.baseline);
      row(`\`download()\`, ${slices} slices interleaved`, down.sdk, {
        ratio: ratio(down.baseline, down.sdk, 'the loop'),
      });
      const downAgain = median(
        await repeatRuns(RUNS, async () => {
          const summary = await summaryOf(
            download(provider, `s3://${BUCKET}/sdk/small/`, join(work, 'down-small'), options),
          );
          if (summary.filesSent !== 0) throw new Error('the re-download fetched files');
        }),
      );
      row('`download()` re-run, unchanged (median)', downAgain, {
        also: downAgain.all,
        ratio: ratio(head, downAgain, 'the HEADs'),
      });
    }
    console.log(
      `\nnode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}); ` +
        `load average before ${loadBefore}, after ${load()}; ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    client.destroy();
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(work, { recursive: true, force: true });
  }
}

async function repeatRuns(runs: number, work: () => Promise<unknown>): Promise<Measured[]> {
  const out: Measured[] = [];
  for (let run = 0; run < runs; run++) out.push(await measure(work));
  return out;
}

if (process.argv[2] === 'store') await serveStore(process.argv[3]!);
else await main();
