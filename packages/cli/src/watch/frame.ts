/**
 * One frame of the live view of `jobs watch`, drawn from the state for a terminal's
 * size: the header (status, elapsed time), resource usage, a chart per metric, the
 * log tail.
 * @module
 */
import {
  WATCH_CHART_HEIGHT,
  WATCH_LOG_TAIL_LINES,
  WATCH_MAX_INSTANCE_LINES,
  WATCH_MIN_CHART_HEIGHT,
  WATCH_MIN_LOG_LINES,
} from '../defaults.js';
import { formatBytes, formatDuration, oneLine, type Style, statusText, toEpochMs } from '../output.js';
import { chartLines } from './chart.js';
import { cut } from './cut.js';
import type { WatchStatusEvent } from './events.js';
import { numberText } from './numberText.js';
import type { WatchState } from './state.js';

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
