/**
 * Running an example as a user would: a real child process (the example compiled from
 * its current sources on plain `node` — see `test/support/compiledEntry.ts` — or
 * `npm start`) in the repository, with a clean environment — no
 * `MODELMAKER_*` settings, no `npm_*` variables of an outer npm, and `HOME` a fresh empty
 * directory, so no user config file is found and the example starts its own embedded
 * platform. Output is collected line by line with the time each line arrived.
 *
 * Every process of a run carries a unique marker variable (the platform passes the host's
 * environment to training and serving processes), so after the run the test can find any
 * process it left behind — on Linux, through `/proc/<pid>/environ`.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledNodeArgs } from '../support/compiledEntry.js';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '../..');

/** The variable naming a run; its value is unique per run. */
const MARKER = 'MODELMAKER_EXAMPLES_TEST_RUN';

/** How long the output pipes of an exited run get to close (a leftover process may hold them). */
const OUTPUT_DRAIN_MS = 2000;

/** How long the processes of a finished run get to be gone before they count as left over. */
const LEFTOVER_GRACE_MS = 3000;

/** A line of output and when it arrived (ms since the run started). */
export interface Line {
  readonly text: string;
  readonly at: number;
}

/** A finished run. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: readonly Line[];
  readonly stderr: readonly Line[];
  /** Run time, ms. */
  readonly elapsedMs: number;
  /** Processes of this run still alive after it ended (pid and command line). */
  readonly leftovers: readonly string[];
  /** stdout and stderr, for failure messages. */
  readonly transcript: string;
}

/** A run in progress. */
export interface Run {
  /** Resolves with the first stderr or stdout line matching `pattern` (rejects if the run ends first). */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Resolves when the run has ended and its leftovers were looked for. */
  readonly done: Promise<RunResult>;
}

/** `process.env` without the settings a user's shell could leak into the example. */
function cleanEnv(home: string, marker: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('MODELMAKER_') || key.startsWith('npm_') || key === 'PROJECT_ID') continue;
    if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'TEST') continue;
    // a user has none of the AWS SDK's switches set (its Node-version notice must not show anyway)
    if (key.startsWith('AWS_')) continue;
    env[key] = value;
  }
  return { ...env, HOME: home, USERPROFILE: home, [MARKER]: marker };
}

/** Pids (with command lines) of live processes whose environment holds `MARKER=marker`. */
async function processesMarked(marker: string): Promise<string[]> {
  const needle = Buffer.from(`${MARKER}=${marker}\0`);
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: string[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`).catch(() => undefined);
    if (!environ?.includes(needle)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    // A zombie (exited, not yet reaped) has an empty command line and holds nothing.
    if (cmdline === '') continue;
    found.push(`${entry}: ${cmdline.replaceAll('\0', ' ').trim()}`);
  }
  return found;
}

async function leftoversOf(marker: string): Promise<string[]> {
  const deadline = Date.now() + LEFTOVER_GRACE_MS;
  for (;;) {
    const found = await processesMarked(marker);
    if (found.length === 0 || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kills the processes of the run that are still alive (they were started by this test). */
async function killMarked(marker: string, child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
  for (const entry of await processesMarked(marker)) {
    try {
      process.kill(Number(entry.split(':')[0]), 'SIGKILL');
    } catch {}
  }
}

/**
 * Starts `command args` in the repository with a clean environment. The run is killed
 * (with everything it started) after `timeoutMs`, and its result says so.
 */
export function start(
  command: string,
  args: readonly string[],
  options: {
    readonly timeoutMs?: number;
    /** Prepares the run's empty HOME before it starts (e.g. writes a config file). */
    readonly home?: (home: string) => Promise<void>;
    /** Working directory. Default the repository root. */
    readonly cwd?: string;
    /** Variables added to the clean environment (e.g. a private `TMPDIR`). */
    readonly env?: NodeJS.ProcessEnv;
  } = {},
): Run {
  const marker = randomUUID();
  const began = Date.now();
  const stdout: Line[] = [];
  const stderr: Line[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }> = [];

  const done = (async (): Promise<RunResult> => {
    const home = await mkdtemp(join(tmpdir(), 'modelmaker-examples-home-'));
    await options.home?.(home);
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...cleanEnv(home, marker), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout can kill it whole
    });
    const collect = (stream: NodeJS.ReadableStream, into: Line[]) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const text of parts) {
          into.push({ text, at: Date.now() - began });
          for (const waiter of waiters.filter((w) => w.pattern.test(text))) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(text);
          }
        }
      });
      stream.on('end', () => {
        if (partial !== '') into.push({ text: partial, at: Date.now() - began });
      });
    };
    collect(child.stdout!, stdout);
    collect(child.stderr!, stderr);
    const timer = setTimeout(() => void killMarked(marker, child), options.timeoutMs ?? 60_000);
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (c, s) => resolve([c, s]));
      });
      const elapsedMs = Date.now() - began;
      // The output is complete once the pipes close — unless a leftover process holds them.
      await new Promise((resolve) => {
        const drained = setTimeout(resolve, OUTPUT_DRAIN_MS);
        child.once('close', () => resolve(clearTimeout(drained)));
        if (child.stdout!.closed && child.stderr!.closed) resolve(clearTimeout(drained));
      });
      const leftovers = await leftoversOf(marker);
      const transcript = [
        '--- stdout ---',
        ...stdout.map((l) => l.text),
        '--- stderr ---',
        ...stderr.map((l) => l.text),
      ].join('\n');
      return { code, signal, stdout, stderr, elapsedMs, leftovers, transcript };
    } finally {
      clearTimeout(timer);
      await killMarked(marker, child);
      await rm(home, { recursive: true, force: true });
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`the run ended before ${waiter.pattern}`));
    }
  })();

  return {
    done,
    waitForLine: (pattern) =>
      new Promise<string>((resolve, reject) => {
        const seen = [...stdout, ...stderr].find((line) => pattern.test(line.text));
        if (seen) resolve(seen.text);
        else waiters.push({ pattern, resolve, reject });
      }),
  };
}

/**
 * Runs `examples/<file>` compiled from its sources on plain `node` (what `npx tsx
 * examples/<file>`, as the examples' headers say, runs; `npm start` runs the quickstart
 * through tsx itself, see `mainJob.test.ts`).
 */
export async function startExample(
  file: string,
  args: readonly string[] = [],
  options?: { readonly timeoutMs?: number },
): Promise<Run> {
  return start(
    process.execPath,
    [...(await compiledNodeArgs(join(ROOT, 'examples', file))), ...args],
    options,
  );
}

/** The JSON after `predictions for …: ` in an example's output. */
export function printedPredictions(result: RunResult): unknown {
  const line = result.stdout.find((l) => / predictions for .*: \{/.test(l.text));
  if (!line) throw new Error(`no predictions printed\n${result.transcript}`);
  return JSON.parse(line.text.slice(line.text.lastIndexOf(': {') + 2));
}

/** The three iris rows every example asks about, and their species. */
export const IRIS_SPECIES = ['setosa', 'versicolor', 'virginica'];
