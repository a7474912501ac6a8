/**
 * Line charts of metric values for the terminal (asciichart), fitted to a width.
 * @module
 */
import * as asciichart from 'asciichart';
import { WATCH_CHART_LABEL_WIDTH } from '../defaults.js';
import { numberText } from './numberText.js';

/** `values` reduced to at most `width` points, evenly spaced, first and last kept. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  if (width <= 1) return [values[values.length - 1]!];
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(values[Math.round((i * (values.length - 1)) / (width - 1))]!);
  return out;
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
