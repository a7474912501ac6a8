/**
 * Shared by the dashboard's tests, screenshots and bench: a local platform on a
 * temp dir, a session to it, the page built from source, a dashboard, a browser
 * (Debian's chromium through playwright-core), and jobs started through the SDK.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalPlatform, startLocalPlatform } from '@modelmaker/local';
import {
  type FitCreatedEvent,
  fit,
  type PollOptions,
  Session,
  type TrainParams,
  uploadData,
} from 'modelmaker';
import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { buildWeb } from '../build/buildWeb.js';
import { type Dashboard, type DashboardOptions, startDashboard } from '../src/index.js';

// The lockfile pins AWS SDK versions that support Node 20; hide their notice about later ones.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Debian's chromium (`.ci/run` installs it). */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags the team runs it with. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The local catalog's ids. */
export const NODE_TRAIN = 500101;
export const TRAIN_SMALL = 500050;
export const LOGISTIC_REGRESSION = 500001;
/** The preset model serving what LOGISTIC_REGRESSION trains. */
export const LOGISTIC_REGRESSION_MODEL = 500001;
export const PREDICT_MACHINE = 500151;

/** The fixture training script and the repository's iris data. */
export const TRAIN_SCRIPT_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const IRIS = fileURLToPath(new URL('../../../examples/data/iris.csv', import.meta.url));

/** Fast polling: the local platform answers in milliseconds. */
export const FAST_POLL: PollOptions = { floorMs: 50, ceilingMs: 250 };

/** A platform, a session, the dashboard on it; `close` stops them all and removes the temp dirs. */
export interface Stack {
  readonly platform: LocalPlatform;
  readonly session: Session;
  readonly dashboard: Dashboard;
  readonly bucket: string;
  /** The iris data set, uploaded: the `inputs` of the fixture jobs. */
  readonly data: string;
  close(): Promise<void>;
}

/** Starts a local platform and a dashboard on it (the page built from source into a temp dir). */
export async function startStack(options: Partial<Omit<DashboardOptions, 'session'>> = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-ui-platform-'));
  const assetsDir = mkdtempSync(join(tmpdir(), 'mm-ui-assets-'));
  const removeDirs = () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(assetsDir, { recursive: true, force: true });
  };
  let platform: LocalPlatform | undefined;
  try {
    await buildWeb(assetsDir, { minify: false });
    platform = await startLocalPlatform({ port: 0, s3Port: 0, dataDir, onError: () => {} });
    const session = new Session({
      baseUrl: platform.baseUrl,
      username: platform.username,
      password: platform.password,
      bucket: platform.s3.bucket,
      configPath: false,
      level: 40,
    });
    const dashboard = await startDashboard({
      session,
      assetsDir,
      feedPoll: FAST_POLL,
      streamPoll: FAST_POLL,
      retryMs: 200,
      ...options,
    });
    const started = platform;
    const data = await uploadIris(session, started.s3.bucket, 'ui-tests/data');
    return {
      data,
      platform: started,
      session,
      dashboard,
      bucket: started.s3.bucket,
      async close() {
        try {
          await dashboard.close();
          await started.close();
        } finally {
          removeDirs();
        }
      },
    };
  } catch (error) {
    await platform?.close();
    removeDirs();
    throw error;
  }
}

/** Launches the browser. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A new page that records its console errors and uncaught exceptions in `errors`. */
export async function newPage(
  browser: Browser,
  errors: string[],
  viewport = { width: 1360, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return page;
}

/** Parameters of the fixture job: `steps` lines `delayMs` apart, then `holdMs`, with loss/accuracy monitors. */
export function fixtureJob(
  stack: Pick<Stack, 'bucket' | 'data'>,
  name: string,
  hp: {
    steps?: number;
    delayMs?: number;
    holdMs?: number;
    exit?: number;
    lines?: number;
    marks?: number;
    /** A file the job waits for after step `gateStep` (default 1): the test holds it mid-run. */
    gate?: string;
    gateStep?: number;
  } = {},
): TrainParams {
  return {
    jobName: name,
    inputs: stack.data,
    frameworkType: 'BASIC_FRAMEWORK',
    framework: NODE_TRAIN,
    codeDir: TRAIN_SCRIPT_DIR,
    bootFile: 'train.mjs',
    outputPath: `s3://${stack.bucket}/ui-tests/${name}/output/`,
    trainInstanceType: TRAIN_SMALL,
    trainInstanceCount: 1,
    volumeSize: 1,
    hyperparameters: [
      { name: 'STEPS', value: hp.steps ?? 5 },
      { name: 'DELAY_MS', value: hp.delayMs ?? 100 },
      { name: 'HOLD_MS', value: hp.holdMs ?? 0 },
      { name: 'EXIT', value: hp.exit ?? 0 },
      { name: 'LINES', value: hp.lines ?? 0 },
      { name: 'MARKS', value: hp.marks ?? 0 },
      ...(hp.gate === undefined
        ? []
        : [
            { name: 'GATE', value: hp.gate },
            { name: 'GATE_STEP', value: hp.gateStep ?? 1 },
          ]),
      { name: 'DB_PASSWORD', value: 'hunter2-secret' },
    ],
    monitors: [
      { name: 'accuracy', regular: 'accuracy=([0-9.]+)' },
      { name: 'loss', regular: 'loss=([0-9.]+)' },
    ],
  };
}

/** Starts a job through the SDK (code uploaded) without waiting for it; its ids. */
export async function startJob(
  session: Session,
  params: TrainParams,
): Promise<{ jobId: number; versionId: number }> {
  const created = await firstValueFrom(
    fit(session, params, { wait: false }).pipe(
      filter((event): event is FitCreatedEvent => event.type === 'created'),
    ),
  );
  return { jobId: created.jobId, versionId: created.versionId };
}

/** Uploads the iris data set; its URI. */
export async function uploadIris(session: Session, bucket: string, prefix: string): Promise<string> {
  const uri = `s3://${bucket}/${prefix}/iris.csv`;
  await lastValueFrom(uploadData(session, IRIS, uri));
  return uri;
}
