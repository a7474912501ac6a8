import { ApiError, ValidationError } from 'modelmaker';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, SpecError, UsageError } from '../src/errors.js';
import { EXIT, exitCodeOfServiceStatus, exitCodeOfTrainStatus } from '../src/exitCodes.js';
import {
  colourEnabled,
  fitWidths,
  formatBytes,
  formatDuration,
  jsonText,
  neutralise,
  type Output,
  oneLine,
  renderTable,
  statusCell,
  styleOf,
  toEpochMs,
} from '../src/output.js';
import { RAW_CONTROL } from './support.js';

function fakeOutput(isTTY: boolean, columns = 80, colour = false): Output & { text: string } {
  const out = {
    text: '',
    write: (text: string) => {
      out.text += text;
    },
    line: (text = '') => {
      out.text += `${text}\n`;
    },
    isTTY,
    colour,
    columns: () => columns,
    rows: () => 24,
    flush: async () => {},
  };
  return out;
}

describe('neutralise', () => {
  it('shows C0 controls as control pictures, DEL as ␡, C1 and bidi controls as <U+…>, and keeps tabs and text', () => {
    expect(neutralise('\x1b[2J\x07bell\r\nnext\tcol \x7f \u009b1m \u202eevil')).toBe(
      '␛[2J␇bell␍␊next\tcol ␡ <U+009B>1m <U+202E>evil',
    );
    expect(neutralise('plain text, ünïcödé, 中文 ✓')).toBe('plain text, ünïcödé, 中文 ✓');
    expect(oneLine('a\tb')).toBe('a b');
  });

  it('leaves nothing a terminal would act on, whatever the input', () => {
    let all = '';
    for (let code = 0; code < 0x300; code++) all += String.fromCharCode(code);
    expect(neutralise(all)).not.toMatch(RAW_CONTROL);
    expect(neutralise(all)).not.toContain('\n');
  });
});

describe('jsonText', () => {
  it('is valid JSON on one line that round-trips, with C1, bidi and line separators escaped', () => {
    const value = { content: 'a\x1b[31mb\u009bc\u2028d\u202ee\nf' };
    const text = jsonText(value);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toMatch(/[\n\u2028]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
    expect(jsonText(undefined)).toBe('null');
  });
});

describe('colours', () => {
  it('are used only on a terminal, without NO_COLOR, and not on a dumb terminal', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(styleOf({ colour: false }).red('x')).toBe('x');
    expect(styleOf({ colour: true }).red('x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('tables', () => {
  const rows = [
    [1, 'a rather long job name that will not fit', 'TRAINING'],
    [22, 'short\x1b[31m', 'FINISH'],
  ];

  it('fit a terminal: no line wider than it, long cells cut with …', () => {
    const out = fakeOutput(true, 40);
    const text = renderTable(out, ['ID', 'NAME', 'STATUS'], rows);
    for (const line of text.split('\n')) expect([...line].length).toBeLessThan(40);
    expect(text).toContain('…');
    expect(text).toContain('short␛[31m');
  });

  it('style status cells after measuring and neutralising them', () => {
    const out = fakeOutput(true, 80, true);
    const style = styleOf(out);
    const text = renderTable(
      out,
      ['ID', 'STATUS'],
      [
        [1, statusCell(style, 'FINISH')],
        [2, statusCell(style, '\x1b[2J')],
      ],
    );
    expect(text).toContain('\x1b[32mFINISH\x1b[39m');
    expect(text).toContain('␛[2J');
    expect(text.split('\n')[1]).toBe('1   \x1b[32mFINISH\x1b[39m');
  });

  it('are never cut when not on a terminal', () => {
    const text = renderTable(fakeOutput(false, 40), ['ID', 'NAME', 'STATUS'], rows);
    expect(text).toContain('a rather long job name that will not fit');
    expect(text.split('\n')[0]).toMatch(/^ID +NAME +STATUS$/);
  });

  it('shrink the widest column first, never below the minimum', () => {
    expect(fitWidths([4, 40, 10], 40)).toEqual([4, 22, 10]);
    expect(fitWidths([30, 30], 10)).toEqual([6, 6]);
  });
});

describe('formats', () => {
  it('bytes, durations, timestamps', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatDuration(83_000)).toBe('1m 23s');
    expect(formatDuration(3_723_000)).toBe('1h 2m 3s');
    expect(toEpochMs('2024-05-01T12:00:00.000Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(toEpochMs(1_714_564_800)).toBe(1_714_564_800_000);
    expect(toEpochMs(1_714_564_800_000)).toBe(1_714_564_800_000);
    expect(toEpochMs('soon')).toBeUndefined();
  });
});

describe('exit statuses', () => {
  it('mirror a job: 0 FINISH, 3 failed, 4 stopped, 1 not ended', () => {
    expect(exitCodeOfTrainStatus('FINISH')).toBe(EXIT.OK);
    expect(exitCodeOfTrainStatus('TRAINING_FAIL')).toBe(EXIT.FAILED);
    expect(exitCodeOfTrainStatus('STARTING_FAIL')).toBe(EXIT.FAILED);
    expect(exitCodeOfTrainStatus('STOPPED')).toBe(EXIT.STOPPED);
    expect(exitCodeOfTrainStatus('TRAINING')).toBe(EXIT.ERROR);
    expect(exitCodeOfServiceStatus('RUNNING', 'RUNNING')).toBe(EXIT.OK);
    expect(exitCodeOfServiceStatus('FAILED', 'RUNNING')).toBe(EXIT.FAILED);
  });

  it('are 2 for usage and validation errors, 1 for the platform refusing', () => {
    expect(exitCodeOf(new UsageError('bad'))).toBe(EXIT.USAGE);
    expect(exitCodeOf(new SpecError('job.json', [{ field: 'job_name', message: 'required' }]))).toBe(
      EXIT.USAGE,
    );
    expect(exitCodeOf(new ValidationError([{ field: 'x', message: 'y' }]))).toBe(EXIT.USAGE);
    expect(exitCodeOf(new ApiError(4004, 'not found', 404))).toBe(EXIT.ERROR);
    expect(exitCodeOf(new Error('boom'))).toBe(EXIT.ERROR);
  });
});
