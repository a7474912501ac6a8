/**
 * Shared pieces of the runner tests: an embedded S3 with the fixtures uploaded, a
 * TrainCreate builder, and helpers to run a version and watch processes.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { TrainCreate } from 'modelmaker';
import { type S3AccessProvider, staticS3Access } from 'modelmaker/storage';
import type { Observable, Subscription } from 'rxjs';
import { FRAMEWORK_IDS } from '../../src/catalog.js';
import { runTraining } from '../../src/runner/runTraining.js';
import type { RunEvent, RunnerDeps, RunStatus } from '../../src/runner/types.js';
import { type EmbeddedS3, startEmbeddedS3 } from '../../src/s3/embeddedS3.js';

export const BUCKET = 'modelmaker';
const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));

/** A running embedded S3 with `code/node/`, `code/python/` and `data/iris.csv` uploaded. */
export interface Harness {
  readonly root: string;
  readonly s3: EmbeddedS3;
  readonly client: S3Client;
  /** The embedded S3 as the runner reaches it. */
  readonly access: S3AccessProvider;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'mm-runner-'));
  const s3 = await startEmbeddedS3({ directory: join(root, 's3'), buckets: [BUCKET] });
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const uploads: Array<[string, string]> = [
    ['code/node/train-node.mjs', 'train-node.mjs'],
    ['code/python/train.py', 'train.py'],
    ['data/iris.csv', 'iris.csv'],
  ];
  for (const [key, file] of uploads) {
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(join(FIXTURES, file)) }),
    );
  }
  const access = staticS3Access({
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  return {
    root,
    s3,
    client,
    access,
    close: async () => {
      client.destroy();
      await s3.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A BASIC_FRAMEWORK node job on the iris data, with `overrides`; the output prefix is unique. */
export function trainBody(overrides: Partial<TrainCreate> = {}): TrainCreate {
  counter += 1;
  return {
    name: `job-${counter}`,
    type: 'BASIC_FRAMEWORK',
    output: `s3://${BUCKET}/output/job-${counter}-${Date.now()}/`,
    frameworkId: FRAMEWORK_IDS.trainNode,
    codeUrl: `s3://${BUCKET}/code/node/`,
    startup: 'train-node.mjs',
    dataUrl: `s3://${BUCKET}/data/iris.csv`,
    instance: 1,
    ...overrides,
  };
}

/** Hyperparameters as the wire carries them. */
export function params(values: Record<string, string | number>): TrainCreate['parameters'] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

/** A run of `body` in a fresh work directory. */
export async function prepareRun(
  harness: Harness,
  body: TrainCreate,
  deps: Partial<RunnerDeps> = {},
): Promise<{ run$: Observable<RunEvent>; workDir: string; stop: AbortController }> {
  const workDir = await mkdtemp(join(harness.root, 'work-'));
  const stop = new AbortController();
  const run$ = runTraining(
    { versionId: ++counter, body, workDir },
    {
      s3: harness.access,
      stop: stop.signal,
      containerEngine: null,
      uploadStateDir: join(harness.root, 'uploads'),
      ...deps,
    },
  );
  return { run$, workDir, stop };
}

/** Runs subscribed by {@link collect} and {@link watch}: a test that fails leaves them for {@link unsubscribeAll}. */
const open = new Set<Subscription>();

/** Unsubscribes every run still open (killing its processes); for `afterEach`. */
export function unsubscribeAll(): void {
  for (const subscription of open) subscription.unsubscribe();
  open.clear();
}

/** Every event of a run, once it completed (a run may complete while subscribing, e.g. when stopped before). */
export function collect(run$: Observable<RunEvent>): Promise<RunEvent[]> {
  return new Promise((resolve, reject) => {
    const events: RunEvent[] = [];
    let subscription: Subscription | undefined;
    subscription = run$.subscribe({
      next: (event) => events.push(event),
      error: reject,
      complete: () => {
        if (subscription) open.delete(subscription);
        resolve(events);
      },
    });
    if (!subscription.closed) open.add(subscription);
  });
}

/** Subscribes; `ready` resolves once `pidLines` PIDS lines were printed, `done` at completion. */
export function watch(run$: Observable<RunEvent>, pidLines = 1) {
  const events: RunEvent[] = [];
  let markReady = () => {};
  let markDone = () => {};
  let fail: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const done = new Promise<void>((resolve, reject) => {
    markDone = resolve;
    fail = reject;
  });
  let completedAt: number | undefined;
  let printed = 0;
  const subscription = run$.subscribe({
    next: (event) => {
      events.push(event);
      if (event.kind === 'log' && event.content.startsWith('PIDS ') && ++printed === pidLines) markReady();
    },
    error: (error) => fail(error),
    complete: () => {
      completedAt = Date.now();
      markDone();
    },
  });
  open.add(subscription);
  return {
    events,
    ready,
    done,
    unsubscribe: () => subscription.unsubscribe(),
    completedAt: () => completedAt,
  };
}

export function statusesOf(events: readonly RunEvent[]): RunStatus[] {
  return events.flatMap((e) => (e.kind === 'status' ? [e.status] : []));
}

export function lastStatus(events: readonly RunEvent[]) {
  const found = events.filter((e) => e.kind === 'status').at(-1);
  if (found?.kind !== 'status') throw new Error('no status');
  return found;
}

export function linesOf(
  events: readonly RunEvent[],
  instance?: number,
  stream?: 'stdout' | 'stderr',
): string[] {
  return events.flatMap((e) =>
    e.kind === 'log' &&
    (instance === undefined || e.instance === instance) &&
    (stream === undefined || e.stream === stream)
      ? [e.content]
      : [],
  );
}

/** Keys (relative to the prefix of `uri`) under an output location. */
export async function outputKeys(client: S3Client, uri: string): Promise<string[]> {
  const prefix = uri.replace(`s3://${BUCKET}/`, '');
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((c) => c.Key!.slice(prefix.length)).sort();
}

export async function readObject(client: S3Client, uri: string): Promise<string> {
  const key = uri.replace(`s3://${BUCKET}/`, '');
  const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return answer.Body!.transformToString();
}

/** True once `pid` no longer runs (a zombie waiting for its reaper counts as gone). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits until `check()` holds, polling, up to `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/** The pids a fixture printed (`PIDS <pid> [<grandchild>]`), from the log. */
export function pidsIn(events: readonly RunEvent[]): number[] {
  return linesOf(events)
    .filter((l) => l.startsWith('PIDS '))
    .flatMap((l) => l.slice(5).split(' ').map(Number));
}
