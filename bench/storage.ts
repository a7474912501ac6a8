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
 * BENCH_CONCURRENCY (the SDK default), BENCH_CASES (`big,small`), BENCH_STORE
 * (`embedded`, or `s3rver`: s3rver 3.7.1 alone, its own non-durable store, no guard),
 * BENCH_PROFILE_STORE (a directory: the store process writes a `--cpu-prof` profile there).
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
const SMALL_FILES = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const SMALL_KIB = Number(process.env.BENCH_SMALL_KIB ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_STORAGE_CONCURRENCY);
const CASES = new Set((process.env.BENCH_CASES ?? 'big,small').split(','));
const STORE = process.env.BENCH_STORE === 's3rver' ? 's3rver' : 'embedded';
const BUCKET = 'bench';
/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = 100;
/** HeadObject requests at a time in the "one request per file" baseline (the SDK's default concurrency). */
const HEAD_CONCURRENCY = DEFAULT_STORAGE_CONCURRENCY;

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
}

function format(row: Row): string {
  const seconds = row.ms / 1000;
  const rate =
    row.files > 1
      ? `${(row.files / seconds).toFixed(0)} files/s`
      : `${(row.bytes / MIB / seconds).toFixed(1)} MiB/s`;
  const cpu = `${(row.clientCpuMs / 1000).toFixed(2)} / ${(row.storeCpuMs / 1000).toFixed(2)} s`;
  return `| ${row.case} | ${row.method} | ${seconds.toFixed(2)} s | ${rate} | ${row.ratio ?? ''} | ${row.requests} | ${cpu} |`;
}

const ratio = (baseline: Measured, now: Measured, what: string) =>
  `×${(baseline.ms / now.ms).toFixed(2)} ${what}`;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'mm-bench-storage-'));
  const child = fork(new URL(import.meta.url).pathname, ['store', join(work, 'store')], {
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
  const options = { concurrency: CONCURRENCY, stateDir, createClient: countingClient };
  if (STORE === 's3rver') await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  const loadBefore = load();
  const started = performance.now();
  try {
    const big = join(work, 'big');
    const small = join(work, 'small');
    const bigBytes = BIG_MIB * MIB;
    const smallBytes = SMALL_FILES * SMALL_KIB * 1024;
    const smallFiles: LocalFile[] = [];
    console.log(`writing data: 1 × ${BIG_MIB} MiB, ${SMALL_FILES} × ${SMALL_KIB} KiB …`);
    if (CASES.has('big')) await writeRandom(join(big, 'big.bin'), bigBytes);
    if (CASES.has('small')) {
      for (let i = 0; i < SMALL_FILES; i++) {
        const relative = `d${String(Math.floor(i / 100)).padStart(3, '0')}/f${i}.bin`;
        const path = join(small, relative);
        if (i % 100 === 0) await mkdir(dirname(path), { recursive: true });
        await writeFile(path, randomBytes(SMALL_KIB * 1024));
        smallFiles.push({ path, relative, size: SMALL_KIB * 1024 });
      }
    }
    console.log(
      `\nstore: ${STORE}; client concurrency ${CONCURRENCY}; load average before: ${loadBefore}\n` +
        '\n| case | method | time | rate | ratio | S3 requests | CPU client / store |\n|---|---|---|---|---|---|---|',
    );
    const cases = [
      {
        tag: 'big',
        name: `1 × ${BIG_MIB} MiB`,
        dir: big,
        bytes: bigBytes,
        list: [{ path: join(big, 'big.bin'), relative: 'big.bin', size: bigBytes }],
      },
      {
        tag: 'small',
        name: `${SMALL_FILES} × ${SMALL_KIB} KiB`,
        dir: small,
        bytes: smallBytes,
        list: smallFiles,
      },
    ].filter((c) => CASES.has(c.tag));
    for (const { tag, name, dir, bytes, list } of cases) {
      const files = list.length;
      const row = (method: string, m: Measured, more: { ratio?: string } = {}) =>
        console.log(format({ case: name, method, bytes, files, ...m, ...more }));
      const sdkPrefix = `sdk/${tag}/`;
      const keys = list.map((file) => sdkPrefix + file.relative);

      const basePut = await measure(() => putLoop(client, list, `baseline/${tag}/`));
      row('upload: sequential PutObject loop (baseline)', basePut);
      const up = await measure(() =>
        summaryOf(upload(provider, dir, `s3://${BUCKET}/${sdkPrefix}`, options)),
      );
      row('`upload()`', up, { ratio: ratio(basePut, up, 'the loop') });

      const heads = await measure(() => headEach(client, keys));
      row(`one HeadObject per file, ${HEAD_CONCURRENCY} at a time (baseline)`, heads);
      const listed = await measure(() => listAll(client, sdkPrefix));
      row('one listing of the prefix (floor)', listed);
      const again = await measure(() =>
        summaryOf(upload(provider, dir, `s3://${BUCKET}/${sdkPrefix}`, options)),
      );
      if (again.value.filesSent !== 0) throw new Error('the re-upload sent files');
      row('`upload()` re-run, unchanged', again, { ratio: ratio(heads, again, 'the HEADs') });

      const baseGet = await measure(() => getLoop(client, keys, join(work, `get-${tag}`)));
      row('download: sequential GetObject loop (baseline)', baseGet);
      const into = join(work, `down-${tag}`);
      const down = await measure(() =>
        summaryOf(download(provider, `s3://${BUCKET}/${sdkPrefix}`, into, options)),
      );
      row('`download()`', down, { ratio: ratio(baseGet, down, 'the loop') });
      const downAgain = await measure(() =>
        summaryOf(download(provider, `s3://${BUCKET}/${sdkPrefix}`, into, options)),
      );
      if (downAgain.value.filesSent !== 0) throw new Error('the re-download fetched files');
      row('`download()` re-run, unchanged', downAgain, { ratio: ratio(heads, downAgain, 'the HEADs') });
      await rm(join(work, `get-${tag}`), { recursive: true, force: true });
      await rm(into, { recursive: true, force: true });
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

if (process.argv[2] === 'store') await serveStore(process.argv[3]!);
else await main();
