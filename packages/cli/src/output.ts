/**
 * How the command line writes: to a terminal (colours, tables sized to its width)
 * or to a pipe (plain text, JSON). Everything that came from the platform or from a
 * training process — log content, names, error messages — goes through
 * {@link neutralise} first, so it cannot move the cursor, recolour the terminal,
 * set its title or reorder text (bidi overrides).
 * @module
 */
import Table from 'cli-table3';
import {
  TABLE_COLUMN_GAP,
  TABLE_MIN_COLUMN_WIDTH,
  TERMINAL_FALLBACK_COLUMNS,
  TERMINAL_FALLBACK_ROWS,
} from './defaults.js';

/** A stream the command writes to, and what it knows about it. */
export interface Output {
  /** Writes text as is (callers neutralise what they did not write themselves). */
  write(text: string): void;
  /** Writes one line (a newline is added). */
  line(text?: string): void;
  /** True when the stream is a terminal. */
  readonly isTTY: boolean;
  /** True when colours and styles may be used: a terminal, and `NO_COLOR` not set. */
  readonly colour: boolean;
  /** Terminal width in columns ({@link TERMINAL_FALLBACK_COLUMNS} elsewhere). */
  columns(): number;
  /** Terminal height in rows ({@link TERMINAL_FALLBACK_ROWS} elsewhere). */
  rows(): number;
  /** Resolves once everything written so far has been handed to the system. */
  flush(): Promise<void>;
}

/** The environment variables output cares about. */
export interface OutputEnv {
  readonly NO_COLOR?: string | undefined;
  readonly TERM?: string | undefined;
}

/**
 * True when colours may be used on `stream`: it is a terminal, `NO_COLOR` is unset or
 * empty (https://no-color.org), and `TERM` is not `dumb`.
 */
export function colourEnabled(stream: { readonly isTTY?: boolean }, env: OutputEnv): boolean {
  if (stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** An {@link Output} over a Node stream (`process.stdout` / `process.stderr`). */
export function outputOf(stream: NodeJS.WriteStream, env: OutputEnv): Output {
  const isTTY = stream.isTTY === true;
  return {
    write: (text) => {
      stream.write(text);
    },
    line: (text = '') => {
      stream.write(`${text}\n`);
    },
    isTTY,
    colour: colourEnabled(stream, env),
    columns: () => (isTTY && stream.columns > 0 ? stream.columns : TERMINAL_FALLBACK_COLUMNS),
    rows: () => (isTTY && stream.rows > 0 ? stream.rows : TERMINAL_FALLBACK_ROWS),
    flush: () =>
      new Promise((resolve) => {
        stream.write('', () => resolve());
      }),
  };
}

// C0 controls but TAB (ESC, BEL, CR, LF, BS…), DEL, C1 controls (CSI U+009B…), and the
// Unicode direction marks, embeddings, overrides and isolates (the "Trojan Source" set).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_PICTURES = 0x2400;
const DEL = 0x7f;

/**
 * Makes untrusted text safe to print on a terminal: every C0 control but TAB is shown
 * as its Unicode control picture (ESC `\x1b` → `␛`, BEL → `␇`, CR → `␍`, LF → `␊`),
 * DEL as `␡`, and C1 controls and bidirectional formatting characters as `<U+009B>`.
 * Nothing is removed, so what a process really printed stays visible.
 *
 * @example
 * ```ts
 * neutralise('\x1b[31mred\x1b[0m'); // '␛[31mred␛[0m'
 * ```
 */
export function neutralise(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(CONTROL_PICTURES + code);
    if (code === DEL) return '␡';
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

/** {@link neutralise}, with tabs as spaces: for one line of a table, a status line or an error. */
export function oneLine(text: string): string {
  return neutralise(text).replaceAll('\t', ' ');
}

// What JSON.stringify leaves raw but a terminal may still act on (C1 controls) or a
// JavaScript consumer may choke on (U+2028/2029), plus the bidi controls.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One JSON document, on one line unless `indent` is given. `JSON.stringify` already escapes C0 controls (ESC
 * becomes `\u001b`); this also escapes DEL, C1 controls, U+2028/2029 and bidi
 * controls, so NDJSON piped to a terminal is as harmless as the text output. Still valid JSON.
 * `indent` pretty-prints (then it is no longer one line).
 */
export function jsonText(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Text styles; each is the identity when colours are off. */
export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string): string => text;

/** The styles of an output: ANSI SGR sequences when `colour`, plain text otherwise. */
export function styleOf(output: Pick<Output, 'colour'>): Style {
  if (!output.colour)
    return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

const GOOD = new Set(['FINISH', 'RUNNING', 'READY']);
const BAD = new Set(['STARTING_FAIL', 'TRAINING_FAIL', 'FAILED']);
const HALTED = new Set(['STOPPED', 'STOPPING']);

/** The style a status word is shown in: green done/running, red failed, yellow stopped, cyan in progress. */
export function statusStyle(style: Style, status: string): (text: string) => string {
  if (GOOD.has(status)) return style.green;
  if (BAD.has(status)) return style.red;
  if (HALTED.has(status)) return style.yellow;
  return style.cyan;
}

/** A status word, neutralised and coloured by what it means (see {@link statusStyle}). */
export function statusText(style: Style, status: string): string {
  return statusStyle(style, status)(oneLine(status));
}

/** A table cell shown in a style: the text is neutralised first, then styled. */
export interface StyledCell {
  readonly text: string;
  readonly style: (text: string) => string;
}

/** A status table cell, coloured by what it means; empty when there is no status. */
export function statusCell(style: Style, status: string | undefined): StyledCell | undefined {
  return status === undefined ? undefined : { text: status, style: statusStyle(style, status) };
}

/** One table cell: text (neutralised when rendered), a number, styled text, or nothing. */
export type Cell = string | number | StyledCell | undefined | null;

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' '.repeat(TABLE_COLUMN_GAP),
};

function cellText(cell: Cell): string {
  if (cell === undefined || cell === null) return '';
  if (typeof cell === 'object') return oneLine(cell.text);
  return oneLine(String(cell));
}

/**
 * Column widths that fit `columns`: the natural widths when they fit, else the widest
 * columns shrunk one character at a time (never below {@link TABLE_MIN_COLUMN_WIDTH}).
 */
export function fitWidths(natural: readonly number[], columns: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + TABLE_COLUMN_GAP * (widths.length - 1);
  while (total() > columns) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= TABLE_MIN_COLUMN_WIDTH) break;
    widths[widest]!--;
  }
  return widths;
}

/**
 * A borderless table (`ID  NAME  STATUS` columns), rendered with cli-table3. On a
 * terminal it is sized to the terminal's width, long cells cut with `…`; elsewhere
 * cells are never cut (pipes into `grep`/`awk` see whole values). Cells are neutralised.
 */
export function renderTable(output: Output, head: readonly string[], rows: readonly Cell[][]): string {
  const style = styleOf(output);
  const body = rows.map((row) => head.map((_, i) => cellText(row[i])));
  const natural = head.map((title, i) => Math.max(title.length, ...body.map((row) => row[i]!.length)));
  const widths = output.isTTY ? fitWidths(natural, output.columns() - 1) : natural;
  const table = new Table({
    head: head.map((title) => style.bold(title)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: widths,
    wordWrap: false,
  });
  // Styles go on after measuring and neutralising, so escape sequences are neither counted nor defused.
  table.push(
    ...body.map((row, r) =>
      row.map((text, i) => {
        const cell = rows[r]![i];
        return typeof cell === 'object' && cell !== null ? cell.style(text) : text;
      }),
    ),
  );
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
const KIB = 1024;

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= KIB && unit < BYTE_UNITS.length - 1) {
    value /= KIB;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** `83_000` → `1m 23s`; `3_723_000` → `1h 2m 3s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

const SECONDS_BEFORE_MS = 1e11;

/**
 * A server timestamp as epoch ms: an ISO string, epoch ms, or epoch seconds (numbers
 * below 1e11, i.e. before 1973 in ms, are read as seconds). `undefined` when unreadable.
 */
export function toEpochMs(time: string | number | undefined): number | undefined {
  if (time === undefined) return undefined;
  if (typeof time === 'number') return time < SECONDS_BEFORE_MS ? time * 1000 : time;
  if (/^\d+(\.\d+)?$/.test(time)) return toEpochMs(Number(time));
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A server timestamp for a table: `2024-05-01 12:00:03` in local time, or the raw text. */
export function formatTime(time: string | number | undefined): string {
  const ms = toEpochMs(time);
  if (ms === undefined) return time === undefined ? '' : String(time);
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Keys whose values are server timestamps: `createdAt`, `updatedAt`, `finishedAt`, `time`… */
const TIME_KEY = /(At|^time)$/;

/**
 * `fields` with every timestamp (a key ending in `At`, or `time`) as {@link formatTime}
 * prints it, so a detail shows one format throughout (a new object; `undefined` stays out).
 */
export function localTimes(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) =>
      TIME_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')
        ? [key, formatTime(value) || undefined]
        : [key, value],
    ),
  );
}

/**
 * A detail object as `key: value` lines (nested values as compact JSON), keys in the
 * object's order, `undefined` left out; every value neutralised.
 */
export function renderFields(output: Output, fields: Readonly<Record<string, unknown>>): string {
  const style = styleOf(output);
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries
    .map(([key, value]) => {
      const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
      return `${style.bold(`${oneLine(key)}:`.padEnd(width + 1))} ${oneLine(text)}`;
    })
    .join('\n');
}

/**
 * A list: with `json` one JSON array of the items as the platform sent them; otherwise
 * a table (or `empty` on stderr-free stdout when there is nothing to list).
 */
export function printList<T>(
  out: Output,
  json: boolean,
  items: readonly T[],
  head: readonly string[],
  row: (item: T) => Cell[],
  empty = '(none)',
): void {
  if (json) {
    out.line(jsonText(items));
    return;
  }
  out.line(items.length === 0 ? styleOf(out).dim(empty) : renderTable(out, head, items.map(row)));
}

/** A detail: with `json` one JSON object as the platform sent it; otherwise `key: value` lines. */
export function printDetail(out: Output, json: boolean, value: Readonly<Record<string, unknown>>): void {
  out.line(json ? jsonText(value) : renderFields(out, value));
}
