import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledNodeArgs } from '../../../test/support/compiledEntry.js';

const CHILD = fileURLToPath(new URL('./fixtures/stop-signals-child.ts', import.meta.url));
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** Starts the child; resolves once it caught the signals, with a way to wait for lines. */
async function start(mode: string) {
  const child = spawn(process.execPath, [...(await compiledNodeArgs(CHILD)), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const line = async (text: string) => {
    while (!out.split('\n').includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  await line('caught');
  return { child, line, exited };
}

describe('catchStopSignals: long-running commands own SIGINT and SIGTERM from the start', () => {
  it('takes the first signal (no default action), hands later ones to onLater', async () => {
    const run = await start('later');
    run.child.kill('SIGTERM');
    await run.line('first SIGTERM');
    run.child.kill('SIGINT');
    await run.line('later SIGINT');
    expect(run.child.exitCode).toBeNull();
  });

  it('by default a second signal stops the process at once (with that signal)', async () => {
    const run = await start('default');
    run.child.kill('SIGINT');
    await run.line('first SIGINT');
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('after release, a signal has its default action again', async () => {
    const run = await start('release');
    run.child.kill('SIGTERM');
    await run.line('released');
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });
});
