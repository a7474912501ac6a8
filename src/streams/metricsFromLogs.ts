/**
 * Metric values read from log lines with the `monitors` regular expressions.
 * @module
 */
import { concatMap, type OperatorFunction } from 'rxjs';
import { applyMonitors, compileMonitors, type MonitorSpec } from '../codecs/monitors.js';
import type { LogLine } from '../codecs/training.js';
import type { MetricSample } from './metrics.js';

/**
 * A pure operator: for each log line, one {@link MetricSample} per monitor that reads
 * a number from it (capture group 1 when the expression has groups, else the first
 * number in the match: `loss=\d+` reads 20 from `loss=20`; see `applyMonitors`), carrying
 * the line's `time` and its id as `lineId`. The same rule the server uses to
 * build the performance monitor, so it works against a server without one.
 *
 * The monitors are compiled when the operator is made: a bad expression
 * **throws** a `ValidationError` (naming `monitors[i].regular`) from this call,
 * synchronously, before anything is subscribed or any job created.
 *
 * ```
 * lines:  --"epoch 1 loss=0.9"--"hello"--"epoch 2 loss=0.5"--|
 * out:    --{loss 0.9}-------------------{loss 0.5}----------|
 * ```
 *
 * @example
 * ```ts
 * logs$(source, id).pipe(lines(), metricsFromLogs([{ name: 'loss', regular: 'loss=([0-9.]+)' }]))
 * ```
 * @throws ValidationError when a monitor has no name, an expression that does not compile
 *   (or a Python-only construct), or a `sample` it reads no number from.
 */
export function metricsFromLogs(monitors: readonly MonitorSpec[]): OperatorFunction<LogLine, MetricSample> {
  const compiled = compileMonitors(monitors);
  if (compiled._tag === 'Left') throw compiled.left;
  const patterns = compiled.right;
  return concatMap((line) =>
    applyMonitors(patterns, line.content).map(
      (m): MetricSample => ({ name: m.name, value: m.value, time: line.time, lineId: line.id }),
    ),
  );
}
