/**
 * An embedded platform's temporary data dir (credentials, database, objects) and the
 * processes it started never outlive the script, however it ends without `close()`: an
 * uncaught error, Ctrl-C (SIGINT) or SIGTERM. Each case is a real child process running a real training job, ended for real.
 * (A normal `close()` is `openSession.test.ts`'s; `process.exit()` takes the error's way out.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { compiledNodeArgs } from '../../../../test/support/compiledEntry.js';

const CHILD = join(import.meta.dirname, 'fixtures/open-session-child.ts');
const ROOT = join(import.meta.dirname, '../../../..');
/** How long a killed training process may take to be gone (it is SIGKILLed; the kernel reaps it). */
const GONE_WITHIN_MS = 5000;

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Starts the child script in `mode`. A child still running when its test ends (a failed or
 * timed-out case) is ended then, by SIGTERM (so it cleans up); through the test's own
 * `onTestFinished`, since the cases run concurrently: a hook after each test would also end
 * the children of the cases still running.
 */
async function start(
  mode: string,
  onTestFinished: (handler: OnTestFinishedHandler) => void,
): Promise<{ child: ChildProcess; ready: Promise<void>; ended: Promise<Ended> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(ROOT, '.tmp', 'no-home'),
    MODELMAKER_CONFIG: '',
  };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [...(await compiledNodeArgs(CHILD)), mode], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  onTestFinished(() => {
    if (!exited) child.kill('SIGTERM');
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('READY\n')) onReady();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ended = new Promise<Ended>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, ready, ended };
}

function printed(stdout: string, name: string): string {
  const found = new RegExp(`^${name}=(.+)$`, 'm').exec(stdout);
  if (!found) throw new Error(`the child printed no ${name}:\n${stdout}`);
  return found[1]!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function goneSoon(pid: number): Promise<boolean> {
  const deadline = Date.now() + GONE_WITHIN_MS;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return !alive(pid);
}

/** Checks the run left nothing: the data dir is gone, the training process too. */
async function expectNothingLeft(ended: Ended): Promise<void> {
  const dataDir = printed(ended.stdout, 'DATA_DIR');
  const trainingPid = Number(printed(ended.stdout, 'TRAINING_PID'));
  expect(dataDir).toMatch(/modelmaker-local-/);
  expect(existsSync(dataDir), `${dataDir} is still there\n${ended.stderr}`).toBe(false);
  const gone = await goneSoon(trainingPid);
  if (!gone) process.kill(trainingPid, 'SIGKILL');
  expect(gone, `training process ${trainingPid} outlived the script`).toBe(true);
}

// Concurrent: each case is its own process, mostly waiting on its platform's start.
describe.concurrent('the temporary data dir of openSession()', () => {
  // process.exit() and a script's end leave by the same exit listener as an error does
  it('is removed, and its processes killed, on an uncaught error', async ({ onTestFinished }) => {
    const ended = await (await start('throw', onTestFinished)).ended;
    expect(ended.code, ended.stderr).toBe(1);
    expect(ended.stderr).toContain('Error: the script failed');
    await expectNothingLeft(ended);
  }, 60_000);

  it.for(['SIGINT', 'SIGTERM'] as const)(
    'is removed, and its processes killed, on %s; the process still ends by that signal',
    { timeout: 60_000 },
    async (signal, { onTestFinished }) => {
      const run = await start('wait', onTestFinished);
      await run.ready;
      run.child.kill(signal);
      const ended = await run.ended;
      expect(ended.signal, ended.stderr).toBe(signal);
      await expectNothingLeft(ended);
    },
  );
});
