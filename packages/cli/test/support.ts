/**
 * Shared by the CLI tests: a local platform on a temp dir with a config profile
 * for it, the `modelmaker` command run as a real process (`node --import tsx
 * src/cli/main.ts`), and jobs created through the SDK where the CLI is not under test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalPlatform, startLocalPlatform } from '@modelmaker/local';
import type { TrainParams } from 'modelmaker';
import { type FitCreatedEvent, fit, getTrainVersion, Session, uploadData, writeConfigFile } from 'modelmaker';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';

/** ESC, which starts every terminal control sequence. */
export const ESC = '\x1b';

/** A control character a terminal would act on (C0 but TAB and LF, DEL, C1, bidi overrides). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

/** The command's entry point, run from source. */
export const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/** The repository root (tsx is resolved from there). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A fixture file's path: the repo's `test/fixtures/<name>` or, with `cli`, this package's `test/fixtures/<name>`. */
export function fixturePath(name: string, cli = false): string {
  return fileURLToPath(
    new URL(cli ? `./fixtures/${name}` : `../../../test/fixtures/${name}`, import.meta.url),
  );
}

/** The node TRAIN framework, a TRAIN machine, the node PREDICT framework, a PREDICT machine. */
export const NODE_TRAIN = 500101;
export const TRAIN_MACHINE = 500050;
export const PREDICT_MACHINE = 500151;

/** A finished run of the command. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running command, its output so far, and its exit. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Kills whatever command a test left running (afterAll). */
export function killLeftovers(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** The environment of a command: no user config, no colour settings leaking in from the test's shell. */
export function cliEnv(home: string, configPath: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MODELMAKER_CONFIG: configPath, ...extra };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'MODELMAKER_PASSWORD', 'MODELMAKER_LEVEL']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Starts `modelmaker <args>` with pipes for stdio. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): CliProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=modelmaker-source', '--import', 'tsx', MAIN, ...args],
    {
      cwd: ROOT,
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  if (input !== undefined) child.stdin!.end(input);
  const exited = once(child, 'exit').then(([code]) => {
    children.delete(child);
    return code as number | null;
  });
  return { child, output, exited };
}

/** Runs `modelmaker <args>` to its end. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<CliResult> {
  const started = Date.now();
  const run = spawnCli(args, env, input);
  const code = await run.exited;
  // CLI_TEST_TIMING=1 prints what each process cost: the suite's time is mostly process starts.
  if (process.env.CLI_TEST_TIMING) console.log(`${Date.now() - started} ms: modelmaker ${args.join(' ')}`);
  return { code, ...run.output };
}

/** The non-empty lines of a text, each parsed as JSON. */
export function ndjson(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Calls `probe` every 50 ms until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A local platform for one test file, a config profile pointing at it, and the command's environment. */
export interface TestPlatform {
  readonly platform: LocalPlatform;
  /** The temp dir: HOME of the commands, config file, local files. */
  readonly dir: string;
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  /** A session of the SDK on the platform, for setting up what the CLI is not tested on. */
  readonly session: Session;
  /** Stops the platform (and every run and service) and removes the temp dir. */
  close(): Promise<void>;
}

/** Starts a platform on a temp dir and writes the profile `modelmaker local --write-config` would. */
export async function startTestPlatform(): Promise<TestPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cli-'));
  const platform = await startLocalPlatform({ dataDir: join(dir, 'data'), port: 0, onError: () => {} });
  const configPath = join(dir, 'config.json');
  await writeConfigFile(configPath, platform.configProfile());
  const session = new Session({ configPath, level: 'error' });
  return {
    platform,
    dir,
    configPath,
    env: cliEnv(dir, configPath),
    session,
    async close() {
      killLeftovers();
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Copies `test/cli/fixtures/steps.mjs` into a fresh code dir under `dir`; returns the dir. */
export function stepsCodeDir(dir: string, name: string): string {
  const code = join(dir, name);
  mkdirSync(code, { recursive: true });
  copyFileSync(fixturePath('steps.mjs', true), join(code, 'train.mjs'));
  return code;
}

/**
 * Starts a job running the steps fixture through the SDK (not the CLI), with
 * `hyperparameters` (STEPS, EVERY, SLEEP); resolves with its version id once created.
 */
export async function startStepsJob(
  test: TestPlatform,
  name: string,
  hyperparameters: Record<string, string | number>,
): Promise<number> {
  const bucket = test.platform.s3.bucket;
  const data = join(test.dir, 'tiny.csv');
  writeFileSync(data, 'x,y\n1,2\n');
  const inputs = `s3://${bucket}/datasets/tiny/`;
  await lastValueFrom(uploadData(test.session, data, inputs));
  const params: TrainParams = {
    jobName: name,
    frameworkType: 'BASIC_FRAMEWORK',
    framework: NODE_TRAIN,
    codeDir: stepsCodeDir(test.dir, `code-${name}`),
    bootFile: 'train.mjs',
    inputs,
    outputPath: `s3://${bucket}/jobs/${name}/output/`,
    trainInstanceType: TRAIN_MACHINE,
    trainInstanceCount: 1,
    volumeSize: 1,
    hyperparameters: Object.entries(hyperparameters).map(([key, value]) => ({
      name: key,
      value: String(value),
    })),
    monitors: [{ name: 'loss', regular: 'loss=([0-9.]+)' }],
  };
  const created = await firstValueFrom(
    fit(test.session, params, { wait: false }).pipe(
      filter((event): event is FitCreatedEvent => event.type === 'created'),
    ),
  );
  return created.versionId;
}

/** The status of a training version, through the SDK. */
export async function statusOf(test: TestPlatform, versionId: number): Promise<string> {
  return (await lastValueFrom(getTrainVersion(test.session, versionId))).status;
}

/** Waits until a version's status is one of `statuses` (through the SDK); resolves with it. */
export async function waitForStatus(
  test: TestPlatform,
  versionId: number,
  statuses: readonly string[],
  timeoutMs = 20_000,
): Promise<string> {
  return waitUntil(async () => {
    const status = await statusOf(test, versionId);
    return statuses.includes(status) ? status : undefined;
  }, timeoutMs);
}
