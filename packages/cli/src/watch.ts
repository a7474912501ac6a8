/**
 * `jobs watch`: a training version's status, elapsed time, resource usage per
 * instance, log tail and a line chart of each monitored metric. Three renderings of
 * one event stream:
 *
 * - a live view on a terminal, redrawn in place (cursor up, clear down) at most every
 *   {@link WATCH_REDRAW_MS} and at least every {@link WATCH_TICK_MS}, sized to the
 *   terminal, charts drawn with asciichart;
 * - plain lines elsewhere: log lines as they come, `[watch] …` lines for the rest;
 * - NDJSON with `--json`: one event per line, flushed as it happens.
 *
 * The events come from `trainingWatch` (one shared poller per stream); the stream
 * completes once the job has ended and every log line, metric point and sample is in.
 * @module
 */
import * as asciichart from 'asciichart';
import type { Caller, LogLineEvent, ResourceSample } from 'modelmaker';
import { sourceFromSession, trainingWatch } from 'modelmaker';
import {
  asyncScheduler,
  endWith,
  ignoreElements,
  map,
  merge,
  type Observable,
  scan,
  share,
  takeUntil,
  tap,
  throttleTime,
  timer,
} from 'rxjs';
import type { Context } from './context.js';
import {
  WATCH_CHART_HEIGHT,
  WATCH_CHART_LABEL_WIDTH,
  WATCH_LOG_TAIL_LINES,
  WATCH_MAX_INSTANCE_LINES,
  WATCH_MAX_METRIC_POINTS,
  WATCH_MIN_CHART_HEIGHT,
  WATCH_MIN_LOG_LINES,
  WATCH_PLAIN_RESOURCE_EVERY_MS,
  WATCH_POLL_CEILING_MS,
  WATCH_REDRAW_MS,
  WATCH_TICK_MS,
} from './defaults.js';
import { type ExitCode, exitCodeOfTrainStatus } from './exitCodes.js';
import { afterJobInterrupt, type RunEnd, runUntilInterrupted } from './interrupt.js';
import {
  formatBytes,
  formatDuration,
  jsonText,
  neutralise,
  type Output,
  oneLine,
  type Style,
  statusText,
  styleOf,
  toEpochMs,
} from './output.js';

/** A status change, with what the version detail says about it. */
export interface WatchStatusEvent {
  readonly type: 'status';
  readonly versionId: number;
  readonly status: string;
  readonly terminal: boolean;
  readonly name?: string | undefined;
  readonly reason?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly createdAt?: string | number | undefined;
  readonly startedAt?: string | number | undefined;
  readonly finishedAt?: string | number | undefined;
}

/** One log line: the SDK's own event, `{ type: 'line', line: { id, content, instance?, stream?, time? } }`. */
export type WatchLineEvent = LogLineEvent;

/** Log lines `from`..`to` are missing (the platform no longer has them). */
export interface WatchGapEvent {
  readonly type: 'gap';
  readonly from: number;
  readonly to: number;
}

/** One new point of a monitored metric. */
export interface WatchMetricEvent {
  readonly type: 'metric';
  readonly name: string;
  readonly value: number;
  readonly step?: number | undefined;
  readonly time?: string | number | undefined;
}

/** One resource sample of one instance (`cpu` in cores, `memory` in bytes). */
export interface WatchResourceEvent extends ResourceSample {
  readonly type: 'resource';
}

/** What `jobs watch` shows (and prints as NDJSON with `--json`). */
export type WatchEvent =
  | WatchStatusEvent
  | WatchLineEvent
  | WatchGapEvent
  | WatchMetricEvent
  | WatchResourceEvent;

/**
 * The events of a training version, from shared pollers: status changes, log lines
 * (and gaps), metric points and resource samples, merged as they come. Completes after
 * the job ends and each stream has delivered its last values. Cold; unsubscribing
 * stops every poller.
 */
export function watchEvents(session: Caller, versionId: number): Observable<WatchEvent> {
  const watch = trainingWatch(sourceFromSession(session), versionId, { ceilingMs: WATCH_POLL_CEILING_MS });
  return merge(
    watch.status$.pipe(
      map(
        ({ status, terminal, detail }): WatchStatusEvent => ({
          type: 'status',
          versionId,
          status,
          terminal,
          name: detail.name,
          reason: detail.reason,
          exitCode: detail.exitCode,
          createdAt: detail.createdAt,
          startedAt: detail.startedAt,
          finishedAt: detail.finishedAt,
        }),
      ),
    ),
    watch.logs$,
    watch.metrics$.pipe(
      map(
        (sample): WatchMetricEvent => ({
          type: 'metric',
          name: sample.name,
          value: sample.value,
          step: sample.step,
          time: sample.time,
        }),
      ),
    ),
    watch.resources$.pipe(map((sample): WatchResourceEvent => ({ type: 'resource', ...sample }))),
  );
}

// ── the state the live view draws ───────────────────────────────────────────

/** What the live view knows so far. */
export interface WatchState {
  readonly versionId: number;
  readonly status?: WatchStatusEvent | undefined;
  /** The last log lines, neutralised. */
  readonly tail: readonly string[];
  /** Each metric's values in order (halved when too many: every other point kept). */
  readonly metrics: ReadonlyMap<string, readonly number[]>;
  /** The latest sample of each instance. */
  readonly resources: ReadonlyMap<number, ResourceSample>;
  /** Log lines reported missing. */
  readonly missing: number;
}

/** The state before any event. */
export function initialState(versionId: number): WatchState {
  return { versionId, tail: [], metrics: new Map(), resources: new Map(), missing: 0 };
}

/** The state after one event (a new object; the old one is not changed). */
export function reduce(state: WatchState, event: WatchEvent): WatchState {
  switch (event.type) {
    case 'status':
      return { ...state, status: event };
    case 'line':
      return { ...state, tail: [...state.tail, neutralise(event.line.content)].slice(-WATCH_LOG_TAIL_LINES) };
    case 'gap':
      return { ...state, missing: state.missing + (event.to - event.from + 1) };
    case 'metric': {
      if (!Number.isFinite(event.value)) return state;
      const metrics = new Map(state.metrics);
      let values = [...(metrics.get(event.name) ?? []), event.value];
      if (values.length > WATCH_MAX_METRIC_POINTS) values = values.filter((_, i) => i % 2 === 1);
      metrics.set(event.name, values);
      return { ...state, metrics };
    }
    case 'resource': {
      const resources = new Map(state.resources);
      const { type: _type, ...sample } = event;
      resources.set(event.instance, sample);
      return { ...state, resources };
    }
  }
}

// ── rendering ───────────────────────────────────────────────────────────────

/** The room and clock a frame is drawn for. */
export interface FrameView {
  readonly columns: number;
  readonly rows: number;
  readonly now: number;
  readonly style: Style;
}

/** Elapsed run time: from start (or creation) to the end, or to `now` while running. */
export function elapsedMs(status: WatchStatusEvent | undefined, now: number): number | undefined {
  if (status === undefined) return undefined;
  const from = toEpochMs(status.startedAt) ?? toEpochMs(status.createdAt);
  if (from === undefined) return undefined;
  const to = status.terminal ? (toEpochMs(status.finishedAt) ?? now) : now;
  return Math.max(0, to - from);
}

// Our own styles (SGR): zero-width when counting columns. Anything else in a line was neutralised.
const SGR = new RegExp(`${'\x1b'}\\[[0-9;]*m`, 'g');
const RESET = '\x1b[0m';

/**
 * `line` cut to `columns` visible characters (styles not counted, never cut in half),
 * ending in `…` (and a style reset, when the line has styles) when something was cut.
 */
export function cut(line: string, columns: number): string {
  const plain = line.replace(SGR, '');
  if ([...plain].length <= columns) return line;
  const end = plain === line ? '…' : `…${RESET}`;
  let out = '';
  let visible = 0;
  let last = 0;
  for (const match of line.matchAll(SGR)) {
    for (const char of line.slice(last, match.index)) {
      if (visible === columns - 1) return out + end;
      out += char;
      visible++;
    }
    out += match[0];
    last = match.index + match[0].length;
  }
  for (const char of line.slice(last)) {
    if (visible === columns - 1) return out + end;
    out += char;
    visible++;
  }
  return out;
}

/** `values` reduced to at most `width` points, evenly spaced, first and last kept. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  if (width <= 1) return [values[values.length - 1]!];
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(values[Math.round((i * (values.length - 1)) / (width - 1))]!);
  return out;
}

function numberText(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e5 || abs < 1e-3 ? value.toExponential(3) : value.toPrecision(5).replace(/\.?0+$/, '');
}

function headerLine(state: WatchState, view: FrameView): string {
  const { style } = view;
  const status = state.status;
  const parts = [style.bold(`version ${state.versionId}`)];
  if (status?.name !== undefined) parts.push(oneLine(status.name));
  parts.push(status === undefined ? style.dim('waiting for status…') : statusText(style, status.status));
  const elapsed = elapsedMs(status, view.now);
  if (elapsed !== undefined) parts.push(`elapsed ${formatDuration(elapsed)}`);
  if (status?.reason !== undefined) parts.push(style.dim(oneLine(status.reason)));
  return parts.join('  ');
}

function resourceLines(state: WatchState): string[] {
  const samples = [...state.resources.values()].sort((a, b) => a.instance - b.instance);
  const lines = samples
    .slice(0, WATCH_MAX_INSTANCE_LINES)
    .map(
      (s) =>
        `  instance ${s.instance}: cpu ${s.cpu.toFixed(2)} cores, memory ${formatBytes(s.memory)}${s.gpu === undefined ? '' : `, gpu ${numberText(s.gpu)}`}`,
    );
  if (samples.length > WATCH_MAX_INSTANCE_LINES)
    lines.push(`  +${samples.length - WATCH_MAX_INSTANCE_LINES} more instances`);
  return lines;
}

function metricTitle(name: string, values: readonly number[]): string {
  const last = values[values.length - 1]!;
  const min = Math.min(...values);
  const max = Math.max(...values);
  return `${oneLine(name)}: ${numberText(last)}  (min ${numberText(min)}, max ${numberText(max)}, ${values.length} points)`;
}

/** asciichart's plot of `values` in `height` + 1 rows and at most `width` columns. */
export function chartLines(values: readonly number[], height: number, width: number): string[] {
  const series = downsample(values, Math.max(1, width - WATCH_CHART_LABEL_WIDTH - 2));
  return asciichart
    .plot(series, {
      height,
      format: (x: number) => numberText(x).padStart(WATCH_CHART_LABEL_WIDTH),
    })
    .split('\n');
}

/**
 * One frame of the live view, as lines no wider than `columns - 1` and no more than
 * `rows - 1` (so redrawing in place never scrolls): the header, resource usage, a
 * chart per metric (one line per metric when there is no room for charts), the log tail.
 */
export function renderFrame(state: WatchState, view: FrameView): string[] {
  const { style } = view;
  const budget = Math.max(1, view.rows - 1);
  const header = [headerLine(state, view), ...resourceLines(state)];
  const logTitle = style.dim(`── log${state.missing > 0 ? ` (${state.missing} lines missing)` : ''} ──`);
  const minLog = Math.min(state.tail.length, WATCH_MIN_LOG_LINES);
  const metrics = [...state.metrics.entries()].filter(([, values]) => values.length > 0);

  let room = budget - header.length - 1 - minLog;
  const body: string[] = [];
  const perChart = metrics.length === 0 ? 0 : Math.floor(room / metrics.length) - 2;
  const height = Math.min(WATCH_CHART_HEIGHT, perChart);
  for (const [name, values] of metrics) {
    if (height >= WATCH_MIN_CHART_HEIGHT) {
      body.push(style.bold(metricTitle(name, values)), ...chartLines(values, height, view.columns - 1));
    } else if (room > 0) {
      body.push(metricTitle(name, values));
    }
    room = budget - header.length - 1 - minLog - body.length;
  }
  const logRoom = Math.max(0, budget - header.length - body.length - 1);
  const shown = Math.min(logRoom, WATCH_LOG_TAIL_LINES);
  const tail = shown === 0 ? [] : state.tail.slice(-shown);
  const lines = [...header, ...body, ...(logRoom > 0 || tail.length > 0 ? [logTitle] : []), ...tail];
  return lines.slice(0, budget).map((line) => cut(line, view.columns - 1));
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_DOWN = '\x1b[J';
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

/** Draws frames in place on a terminal: each frame replaces the one before. */
export class LiveView {
  #height = 0;
  #cursorHidden = false;
  readonly #out: Output;
  readonly #restore = () => this.#out.write(SHOW_CURSOR);

  constructor(out: Output) {
    this.#out = out;
  }

  /** Replaces the previous frame with `lines` (one write, so the terminal never shows half a frame). */
  draw(lines: readonly string[]): void {
    let text = '';
    if (!this.#cursorHidden) {
      text += HIDE_CURSOR;
      this.#cursorHidden = true;
      process.once('exit', this.#restore);
    }
    if (this.#height > 0) text += `\x1b[${this.#height}A\r`;
    text += CLEAR_DOWN;
    text += lines.map((line) => `${line}\n`).join('');
    this.#out.write(text);
    this.#height = lines.length;
  }

  /**
   * After a terminal resize the previous frame may have re-wrapped, so moving up over
   * it is no longer exact: the screen is cleared and the next frame drawn from the top.
   */
  reset(): void {
    this.#out.write(CLEAR_SCREEN);
    this.#height = 0;
  }

  /** Leaves the last frame on screen and shows the cursor again. */
  close(): void {
    if (!this.#cursorHidden) return;
    this.#out.write(SHOW_CURSOR);
    process.removeListener('exit', this.#restore);
    this.#cursorHidden = false;
  }
}

/**
 * The frames of the live view: the state after each event, drawn at most every
 * {@link WATCH_REDRAW_MS} (the latest state wins) and every {@link WATCH_TICK_MS} so
 * the elapsed time moves; the final state is always drawn.
 */
export function liveStates(events: Observable<WatchEvent>, versionId: number): Observable<WatchState> {
  const shared = events.pipe(share());
  const ended = shared.pipe(ignoreElements(), endWith(true));
  const ticks = timer(0, WATCH_TICK_MS).pipe(
    takeUntil(ended),
    map(() => undefined),
  );
  return merge(shared, ticks).pipe(
    scan(
      (state: WatchState, event: WatchEvent | undefined) =>
        event === undefined ? state : reduce(state, event),
      initialState(versionId),
    ),
    throttleTime(WATCH_REDRAW_MS, asyncScheduler, { leading: true, trailing: true }),
  );
}

/** Writes events as plain lines (no terminal): log lines as they are, the rest as `[watch] …` lines. */
export class PlainWatch {
  readonly #lastResource = new Map<number, number>();
  readonly #out: Output;
  readonly #now: () => number;

  constructor(out: Output, now: () => number = Date.now) {
    this.#out = out;
    this.#now = now;
  }

  /** Prints one event (resource samples at most every {@link WATCH_PLAIN_RESOURCE_EVERY_MS} per instance). */
  next(event: WatchEvent): void {
    switch (event.type) {
      case 'status':
        this.#out.line(
          `[watch] status ${oneLine(event.status)}${event.reason === undefined ? '' : ` (${oneLine(event.reason)})`}`,
        );
        return;
      case 'line':
        this.#out.line(neutralise(event.line.content));
        return;
      case 'gap':
        this.#out.line(`[watch] log lines ${event.from}..${event.to} are missing`);
        return;
      case 'metric':
        this.#out.line(
          `[watch] metric ${oneLine(event.name)}=${numberText(event.value)}${event.step === undefined ? '' : ` step=${event.step}`}`,
        );
        return;
      case 'resource': {
        const last = this.#lastResource.get(event.instance);
        if (last !== undefined && this.#now() - last < WATCH_PLAIN_RESOURCE_EVERY_MS) return;
        this.#lastResource.set(event.instance, this.#now());
        this.#out.line(
          `[watch] instance ${event.instance}: cpu ${event.cpu.toFixed(2)} cores, memory ${formatBytes(event.memory)}`,
        );
        return;
      }
    }
  }
}

/** Writes events as NDJSON, one per line. */
export function jsonWatch(out: Output): (event: WatchEvent) => void {
  return (event) => out.line(jsonText(event));
}

/** Options of {@link runWatch}. */
export interface RunWatchOptions {
  /** Stop the job on Ctrl-C (`--stop`); default: leave it running. */
  readonly stop?: boolean | undefined;
}

/**
 * Watches a training version until it ends, rendering as the context asks (live view
 * on a terminal, plain lines, or NDJSON ending with `{ type: "end", status, exitCode }`).
 * Resolves with the exit status mirroring the final status (see
 * `exitCodeOfTrainStatus`), or 130 after Ctrl-C.
 */
export async function runWatch(
  context: Context,
  session: Caller,
  versionId: number,
  options: RunWatchOptions = {},
): Promise<ExitCode> {
  let final: WatchStatusEvent | undefined;
  const events = watchEvents(session, versionId).pipe(
    tap((event) => {
      if (event.type === 'status') final = event;
    }),
  );
  let end: RunEnd;
  if (context.json) {
    end = await runUntilInterrupted(events, jsonWatch(context.out));
  } else if (context.out.isTTY) {
    const live = new LiveView(context.out);
    const style = styleOf(context.out);
    let last: WatchState | undefined;
    const draw = (state: WatchState) => {
      last = state;
      live.draw(
        renderFrame(state, {
          columns: context.out.columns(),
          rows: context.out.rows(),
          now: Date.now(),
          style,
        }),
      );
    };
    const onResize = () => {
      live.reset();
      if (last !== undefined) draw(last);
    };
    process.stdout.on('resize', onResize);
    try {
      end = await runUntilInterrupted(liveStates(events, versionId), draw);
      if (last !== undefined) draw(last);
    } finally {
      process.stdout.removeListener('resize', onResize);
      live.close();
    }
  } else {
    const plain = new PlainWatch(context.out);
    end = await runUntilInterrupted(events, (event) => plain.next(event));
  }
  if (end === 'interrupted') return afterJobInterrupt(context.err, session, versionId, options.stop === true);

  const status = final?.status ?? 'UNKNOWN';
  const code = exitCodeOfTrainStatus(status);
  if (context.json) {
    context.out.line(jsonText({ type: 'end', versionId, status, exitCode: code }));
  } else if (!context.out.isTTY) {
    const elapsed = elapsedMs(final, Date.now());
    context.out.line(
      `[watch] version ${versionId} ended ${oneLine(status)}${elapsed === undefined ? '' : ` after ${formatDuration(elapsed)}`}`,
    );
  }
  return code;
}
