import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliNodeArgs,
  ESC,
  fixturePath,
  ndjson,
  RAW_CONTROL,
  ROOT,
  runCli,
  startStepsJob,
  startTestPlatform,
  type TestPlatform,
  waitForStatus,
} from './support.js';

let test: TestPlatform;

beforeAll(async () => {
  test = await startTestPlatform();
});

afterAll(async () => {
  await test?.close();
});

const ESCAPES = 'escapes: \x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u009b2J \u202eevil\u202c \rend';

describe('what reaches the terminal', () => {
  it('prints log lines with escape sequences neutralised: ESC as ␛, BEL as ␇, CR as ␍, C1 and bidi controls as <U+…>', async () => {
    const versionId = await startStepsJob(test, 'escapes', { STEPS: 1, EVERY: 10 });
    await waitForStatus(test, versionId, ['FINISH']);

    const [text, json] = await Promise.all([
      runCli(['jobs', 'logs', String(versionId)], test.env),
      runCli(['jobs', 'logs', String(versionId), '--json'], test.env),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('escapes: ␛[31mred␛[0m ␛]0;pwned␇ <U+009B>2J <U+202E>evil<U+202C> ␍end');
    expect(text.stdout).not.toMatch(RAW_CONTROL);

    expect(json.code).toBe(0);
    // JSON keeps the content exact, escaped: no raw control character on the wire either.
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    const lines = ndjson(json.stdout);
    expect(lines.map((event) => (event.line as { content: string }).content)).toContain(ESCAPES);
    expect(
      lines.every((event) => event.type === 'line' && typeof (event.line as { id: number }).id === 'number'),
    ).toBe(true);
  });

  it('draws `jobs watch` in place on a terminal, with a chart of each metric, and exits 0 on FINISH', async () => {
    const versionId = await startStepsJob(test, 'charted', { STEPS: 12, EVERY: 200 });
    const child = spawn(
      'python3',
      [
        fixturePath('pty_run.py', true),
        '100',
        '40',
        process.execPath,
        ...(await cliNodeArgs()),
        'jobs',
        'watch',
        String(versionId),
      ],
      {
        cwd: ROOT,
        env: { ...test.env, NO_COLOR: '1', TERM: 'xterm-256color' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    // Redrawn in place: cursor hidden, moved up over the previous frame, cleared below, shown again at the end.
    expect(screen).toContain('\x1b[?25l');
    expect(screen).toMatch(new RegExp(`${ESC}\\[\\d+A\\r${ESC}\\[J`));
    expect(screen.endsWith('\x1b[?25h')).toBe(true);
    // The asciichart plot of `loss`, with its axis.
    expect(screen).toMatch(/loss: 0\.0833 +\(min 0\.0833, max 1, 12 points\)/);
    expect(screen).toMatch(/┤/);
    expect(screen).toMatch(/[╰╮╭╯─]/);
    expect(screen).toContain('FINISH');
    // NO_COLOR: cursor movement, but no colour or style.
    expect(screen).not.toMatch(new RegExp(`${ESC}\\[[0-9;]*m`));
    // Frames fit the terminal: no line wider than 99 columns.
    const widest = Math.max(
      ...screen
        .replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '')
        .split(/\r?\n/)
        .map((l) => [...l.replace(/\r/g, '')].length),
    );
    expect(widest).toBeLessThan(100);
  });
});
