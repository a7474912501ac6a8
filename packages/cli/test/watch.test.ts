import { describe, expect, it } from 'vitest';
import { styleOf } from '../src/output.js';
import { downsample } from '../src/watch/chart.js';
import { cut } from '../src/watch/cut.js';
import type { WatchEvent } from '../src/watch/events.js';
import { elapsedMs, renderFrame } from '../src/watch/frame.js';
import { PlainWatch } from '../src/watch/plain.js';
import { initialState, reduce, type WatchState } from '../src/watch/state.js';
import { ESC } from './support.js';

const style = styleOf({ colour: true });
const plainStyle = styleOf({ colour: false });
const STYLES = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
const START = Date.UTC(2024, 4, 1, 12);

function stateAfter(events: WatchEvent[]): WatchState {
  return events.reduce(reduce, initialState(7));
}

const running: WatchEvent = {
  type: 'status',
  versionId: 7,
  status: 'TRAINING',
  terminal: false,
  name: 'iris',
  startedAt: new Date(START).toISOString(),
};
const losses: WatchEvent[] = Array.from({ length: 50 }, (_, i) => ({
  type: 'metric',
  name: 'loss',
  value: 1 / (i + 1),
}));
const lines: WatchEvent[] = Array.from({ length: 30 }, (_, i) => ({
  type: 'line',
  line: { id: i, content: `line ${i} \x1b[31mred` },
}));
const sample: WatchEvent = { type: 'resource', time: START, instance: 0, cpu: 0.5, memory: 64 * 1024 * 1024 };

describe('the live view', () => {
  it('draws status, elapsed time, resources, a chart per metric and the log tail, neutralised', () => {
    const state = stateAfter([running, sample, ...losses, ...lines]);
    const frame = renderFrame(state, { columns: 80, rows: 40, now: START + 83_000, style: plainStyle });
    expect(frame[0]).toBe('version 7  iris  TRAINING  elapsed 1m 23s');
    expect(frame[1]).toBe('  instance 0: cpu 0.50 cores, memory 64.0 MiB');
    expect(frame[2]).toBe('loss: 0.02  (min 0.02, max 1, 50 points)');
    expect(frame.filter((line) => line.includes('┤') || line.includes('┼'))).toHaveLength(9);
    expect(frame).toContain('line 29 ␛[31mred');
    expect(frame.join('\n')).not.toContain('\x1b');
  });

  it('never draws more rows or columns than the terminal has (so redrawing in place never scrolls)', () => {
    const state = stateAfter([
      running,
      sample,
      ...losses,
      { type: 'metric', name: 'accuracy', value: 0.5 },
      ...lines,
    ]);
    for (const [columns, rows] of [
      [80, 40],
      [40, 12],
      [20, 6],
      [120, 3],
    ] as const) {
      const frame = renderFrame(state, { columns, rows, now: START, style });
      expect(frame.length).toBeLessThanOrEqual(rows - 1);
      for (const line of frame) expect([...line.replace(STYLES, '')].length).toBeLessThanOrEqual(columns - 1);
    }
    // Too short for charts: one line per metric instead.
    const short = renderFrame(state, { columns: 80, rows: 12, now: START, style: plainStyle });
    expect(short.some((line) => line.includes('┤'))).toBe(false);
    expect(short).toContain('loss: 0.02  (min 0.02, max 1, 50 points)');
  });

  it('counts elapsed time to the end once the job has ended', () => {
    const ended = {
      ...running,
      status: 'FINISH',
      terminal: true,
      finishedAt: new Date(START + 5000).toISOString(),
    } as const;
    expect(elapsedMs(ended, START + 60_000)).toBe(5000);
    expect(elapsedMs(running as Extract<WatchEvent, { type: 'status' }>, START + 60_000)).toBe(60_000);
  });

  it('samples long series down to the chart width, keeping the first and last points', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const fewer = downsample(values, 10);
    expect(fewer).toHaveLength(10);
    expect(fewer[0]).toBe(0);
    expect(fewer[9]).toBe(999);
  });
});

describe('the plain rendering', () => {
  it('prints log lines as they are (neutralised) and the rest as [watch] lines', () => {
    let text = '';
    const out = {
      write: (t: string) => {
        text += t;
      },
      line: (t = '') => {
        text += `${t}\n`;
      },
      isTTY: false,
      colour: false,
      columns: () => 80,
      rows: () => 24,
      flush: async () => {},
    };
    const plain = new PlainWatch(out, () => 0);
    for (const event of [
      running,
      lines[0]!,
      losses[0]!,
      sample,
      sample,
      { type: 'gap', from: 3, to: 4 } as const,
    ])
      plain.next(event);
    expect(text.split('\n')).toEqual([
      '[watch] status TRAINING',
      'line 0 ␛[31mred',
      '[watch] metric loss=1',
      '[watch] instance 0: cpu 0.50 cores, memory 64.0 MiB',
      '[watch] log lines 3..4 are missing',
      '',
    ]);
  });
});

describe('cutting a line to the terminal', () => {
  it('counts visible characters only, never cuts a style in half, and resets styles after the …', () => {
    const bold = '\x1b[1mversion 7\x1b[22m  TRAINING';
    expect(cut(bold, 40)).toBe(bold);
    expect(cut(bold, 8)).toBe('\x1b[1mversion…\x1b[0m');
    expect(cut('abcdef', 4)).toBe('abc…');
    expect(cut('中文字符', 3)).toBe('中文…');
  });
});
