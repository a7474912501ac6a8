/**
 * Turning the metric points and resource samples the feed sends into chart data.
 * @module
 */
import type uPlot from 'uplot';
import { toMs } from './format.js';

/** A metric point as the feed sends it. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly time?: string | number;
  readonly step?: number;
}

/** A resource sample as the feed sends it. */
export interface ResourcePoint {
  readonly time: string | number;
  readonly instance: number;
  readonly cpu: number;
  readonly memory: number;
  readonly gpu?: number;
}

/** The points of one monitor: by step when the platform gives steps, else by time (s). */
export interface MetricSeries {
  readonly name: string;
  readonly byStep: boolean;
  readonly xs: number[];
  readonly ys: number[];
}

/** Adds points to the series (new series objects for the ones that changed, so views see the change). */
export function addMetricPoints(
  series: ReadonlyMap<string, MetricSeries>,
  points: readonly MetricPoint[],
): Map<string, MetricSeries> {
  const next = new Map(series);
  for (const point of points) {
    if (!Number.isFinite(point.value)) continue;
    let current = next.get(point.name);
    if (current === undefined) {
      current = { name: point.name, byStep: point.step !== undefined, xs: [], ys: [] };
    }
    const x = current.byStep ? point.step : toSeconds(point.time);
    if (x === undefined) continue;
    const copied =
      series.get(point.name) === current ? { ...current, xs: [...current.xs], ys: [...current.ys] } : current;
    // keep x ascending (uPlot needs it): a late point goes where it belongs
    let at = copied.xs.length;
    while (at > 0 && copied.xs[at - 1]! > x) at--;
    copied.xs.splice(at, 0, x);
    copied.ys.splice(at, 0, point.value);
    next.set(point.name, copied);
  }
  return next;
}

function toSeconds(time: string | number | undefined): number | undefined {
  const ms = toMs(time);
  return ms === undefined ? undefined : ms / 1000;
}

/** One resource chart's data: x the sample times (s), one y series per instance. */
export interface ResourceChart {
  readonly labels: string[];
  readonly data: uPlot.AlignedData;
}

/** The CPU, memory and (when any sample has it) GPU charts of the samples. */
export function resourceCharts(samples: readonly ResourcePoint[]): {
  cpu: ResourceChart;
  memory: ResourceChart;
  gpu: ResourceChart | undefined;
} {
  const instances = [...new Set(samples.map((s) => s.instance))].sort((a, b) => a - b);
  const times = [
    ...new Set(samples.map((s) => toSeconds(s.time)).filter((t): t is number => t !== undefined)),
  ].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const column = (pick: (s: ResourcePoint) => number | undefined): uPlot.AlignedData => {
    const ys = instances.map(() => new Array<number | null>(times.length).fill(null));
    for (const sample of samples) {
      const t = toSeconds(sample.time);
      const i = t === undefined ? undefined : index.get(t);
      const value = pick(sample);
      if (i === undefined || value === undefined) continue;
      ys[instances.indexOf(sample.instance)]![i] = value;
    }
    return [times, ...ys];
  };
  const labels = instances.map((n) => `instance ${n}`);
  const hasGpu = samples.some((s) => s.gpu !== undefined);
  return {
    cpu: { labels, data: column((s) => s.cpu) },
    memory: { labels, data: column((s) => s.memory) },
    gpu: hasGpu ? { labels, data: column((s) => s.gpu) } : undefined,
  };
}
