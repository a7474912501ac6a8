/**
 * Shared by the SDK-against-the-local-platform tests: a platform on a temp data dir
 * with an SDK `Session` logged in to it, code directories made from the fixtures,
 * and small readers built on the SDK's own calls.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLine, TrainParams } from 'modelmaker';
import { type FitEvent, type FitOptions, fit, getTrainLog, Session, type SessionOptions } from 'modelmaker';
import { lastValueFrom, toArray } from 'rxjs';
import { FRAMEWORK_IDS } from '../../src/catalog.js';
import { type LocalPlatform, type LocalPlatformOptions, startLocalPlatform } from '../../src/index.js';

// The lockfile pins AWS SDK versions that support Node 20; hide their notice about later ones.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Absolute path of a file of the repository, from its root. */
export const repoPath = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

/** The local catalog's ids (packages/local/src/catalog.ts). */
export const NODE_TRAIN = FRAMEWORK_IDS.trainNode;
export const PYTHON_TRAIN = FRAMEWORK_IDS.trainPython;
export const TRAIN_SMALL = 500050;
export const LOGISTIC_REGRESSION = 500001;

/** Polls fast: the local platform answers in milliseconds. */
export const POLL = { floorMs: 50, ceilingMs: 200 } as const;

/** A local platform on a temp dir and an SDK session to it; `close` stops both and removes the dir. */
export interface SdkPlatform {
  readonly platform: LocalPlatform;
  readonly session: Session;
  readonly bucket: string;
  close(): Promise<void>;
}

export async function startSdkPlatform(
  options: Omit<LocalPlatformOptions, 'dataDir'> = {},
  sessionOptions: SessionOptions = {},
): Promise<SdkPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-sdk-platform-'));
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform({ port: 0, onError: () => {}, ...options, dataDir });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const session = new Session({
    baseUrl: platform.baseUrl,
    username: platform.username,
    password: platform.password,
    bucket: platform.s3.bucket,
    configPath: false,
    level: 40,
    ...sessionOptions,
  });
  return {
    platform,
    session,
    bucket: platform.s3.bucket,
    async close() {
      try {
        await platform.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A temp directory holding copies of `files` (`[source, name]`); `remove` deletes it. */
export function codeDir(files: ReadonlyArray<readonly [string, string]>): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'mm-sdk-code-'));
  mkdirSync(path, { recursive: true });
  for (const [source, name] of files) copyFileSync(source, join(path, name));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every event of one `fit`, or its error. */
export function fitAll(session: Session, params: TrainParams, options: FitOptions = {}): Promise<FitEvent[]> {
  return lastValueFrom(fit(session, params, { ...POLL, ...options }).pipe(toArray()));
}

/** The log lines among fit events. */
export function logLines(events: readonly FitEvent[]): LogLine[] {
  return events.flatMap((event) => (event.type === 'line' ? [event.line] : []));
}

/** The values of metric `name` among fit events, in order. */
export function metricValues(events: readonly FitEvent[], name: string): number[] {
  return events.flatMap((event) =>
    event.type === 'metric' && event.sample.name === name ? [event.sample.value] : [],
  );
}

/** The one event of `type` (fails when there is not exactly one). */
export function only<T extends FitEvent['type']>(
  events: readonly FitEvent[],
  type: T,
): Extract<FitEvent, { type: T }> {
  const found = events.filter((event) => event.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} event, got ${found.length}`);
  return found[0] as Extract<FitEvent, { type: T }>;
}

/** Every log line of a version, read afterwards in pages with `getTrainLog` (no wait). */
export async function readAllLogs(session: Session, versionId: number): Promise<LogLine[]> {
  const all: LogLine[] = [];
  for (let lastId = 0; ; ) {
    const page = await lastValueFrom(getTrainLog(session, versionId, { lastId, limit: 10_000 }));
    all.push(...page.logs);
    if (!page.hasMore || page.logs.length === 0) return all;
    lastId = page.logs[page.logs.length - 1]!.id + 1;
  }
}

/** The platform's own notes in a job's log (`[modelmaker] dataUrl: …`), beside the process's lines. */
export const isPlatformNote = (content: string) => content.startsWith('[modelmaker] ');
