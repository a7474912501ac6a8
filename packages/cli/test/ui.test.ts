/**
 * `modelmaker local --ui` and `modelmaker ui`, run as real processes: each prints
 * where the dashboard listens, the dashboard answers for the platform (the
 * credentials stay in the process), a port in use is a usage error, and Ctrl-C
 * stops it cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../local/test/platform/helpers.js';
import { exposedWarning, uiPort } from '../src/ui.js';
import { cliNodeArgs } from './support.js';

interface Run {
  readonly child: ChildProcess;
  readonly lines: () => Record<string, unknown>[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

async function run(args: string[], env: Record<string, string>, home: string): Promise<Run> {
  const child = spawn(process.execPath, [...(await cliNodeArgs()), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home, MODELMAKER_CONFIG: '', ...env },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    child,
    lines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stderr: () => stderr,
    exited: once(child, 'exit').then(([code]) => code as number | null),
  };
}

/** Waits for the first printed JSON line of `type`. */
async function line(process: Run, type: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = process.lines().find((entry) => entry.type === type);
    if (found) return found;
    if (process.child.exitCode !== null)
      throw new Error(`exited ${process.child.exitCode}: ${process.stderr()}`);
    await new Promise((resolve) => process.child.stdout!.once('data', resolve));
  }
}

describe('modelmaker ui', () => {
  it('local --ui serves the dashboard for the platform; ui serves one from flags; both stop on SIGINT', async () => {
    const home = tempDir('mm-cli-ui-');
    const local = await run(
      [
        '--json',
        'local',
        '--port',
        '0',
        '--s3-port',
        '0',
        '--data-dir',
        `${home.path}/data`,
        '--ui',
        '--ui-port',
        '0',
        '--write-config',
      ],
      {},
      home.path,
    );
    try {
      const ready = await line(local, 'ready');
      const ui = await line(local, 'ui');
      const page = await fetch(String(ui.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<meta name="modelmaker-ui-token" content="[\w-]{40,}"/);
      const info = await fetch(`${ui.url}api/info`).then((r) => r.json());
      expect(info).toEqual({ baseUrl: ready.baseUrl, username: ready.username });

      // the standalone command, on the profile `local` wrote, with a jobs feed that answers
      const dashboard = await run(['--json', 'ui', '--port', '0'], {}, home.path);
      const started = await line(dashboard, 'ready');
      expect(started.platform).toBe(ready.baseUrl);
      const events = await fetch(`${started.url}api/jobs/events`);
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = events.body!.getReader();
      let text = '';
      while (!text.includes('event: jobs')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/event: jobs\ndata: \[\]\n/);
      await reader.cancel();

      // the same port again: a usage error naming the fix
      const port = new URL(String(started.url)).port;
      const clash = await run(['ui', '--port', port], {}, home.path);
      expect(await clash.exited).toBe(2);
      expect(clash.stderr()).toMatch(new RegExp(`port ${port} is in use: choose another with --port`));

      dashboard.child.kill('SIGINT');
      expect(await dashboard.exited).toBe(0);
      expect(dashboard.lines().at(-1)).toEqual({ type: 'stopped', signal: 'SIGINT' });
    } finally {
      local.child.kill('SIGINT');
      expect(await local.exited).toBe(0);
      expect(local.lines().at(-1)).toEqual({ type: 'stopped' });
      home.remove();
    }
  });

  it('refuses a port number out of range, and warns when bound beyond this machine', () => {
    expect(uiPort('0')).toBe(0);
    expect(uiPort('9950')).toBe(9950);
    expect(() => uiPort('70000')).toThrow(/expected a port number 0\.\.65535/);
    expect(() => uiPort('80x')).toThrow(/expected a port number/);
    expect(exposedWarning('127.0.0.1')).toBeUndefined();
    expect(exposedWarning('localhost')).toBeUndefined();
    expect(exposedWarning('::1')).toBeUndefined();
    expect(exposedWarning('0.0.0.0')).toMatch(
      /warning: --host 0\.0\.0\.0 lets other machines use the dashboard/,
    );
    expect(exposedWarning('192.168.1.5')).toMatch(/lets other machines/);
  });
});
