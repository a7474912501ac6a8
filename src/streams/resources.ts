/**
 * A training version's resource usage (resource monitor) as a stream of new samples.
 * @module
 */
import { map, type Observable } from 'rxjs';
import type { ResourceMonitor, ResourceSample } from '../codecs/training.js';
import { freshSince, type Mark } from './internal/highWater.js';
import { untilTerminal } from './internal/untilTerminal.js';
import type { PollOptions } from './poll.js';
import type { TrainingSource } from './source.js';

/** Options of {@link resources$}: the polling engine's. */
export type ResourcesOptions = PollOptions;

type Marks = ReadonlyMap<number, Mark>;

/**
 * Emits each new resource sample (`{ time, instance, cpu, memory, gpu? }`) of
 * the version while it runs, and completes after the job ends (one last read
 * after the terminal status).
 *
 * A sample is new when its `time` is above the latest seen for its `instance`
 * (or equal to it, beyond the samples already seen at that time). Only that
 * mark is kept per instance: memory is constant however long the job runs.
 *
 * ```
 * monitor:    [a0]   [a0 b0 b1]   [a0 b0 b1]  (FINISH)  [a0 b0 b1 c0]
 * resources$: a0     b0 b1                                c0|
 * ```
 *
 * Cold: each subscription polls on its own; see `trainingWatch` to share.
 */
export function resources$(
  source: TrainingSource,
  versionId: number,
  options: ResourcesOptions = {},
): Observable<ResourceSample> {
  return untilTerminal<Marks, ResourceSample>(
    source,
    versionId,
    new Map(),
    (marks) => source.resources(versionId).pipe(map((monitor) => newSamples(monitor, marks))),
    options,
  );
}

function newSamples(monitor: ResourceMonitor, marks: Marks): { state: Marks; emit: ResourceSample[] } {
  const byInstance = new Map<number, ResourceSample[]>();
  for (const sample of monitor.samples) {
    const list = byInstance.get(sample.instance);
    if (list === undefined) byInstance.set(sample.instance, [sample]);
    else list.push(sample);
  }
  const next = new Map(marks);
  const fresh = new Set<ResourceSample>();
  for (const [instance, samples] of byInstance) {
    const found = freshSince(samples, next.get(instance), (s) => s.time);
    if (found.mark !== undefined) next.set(instance, found.mark);
    for (const s of found.fresh) fresh.add(s);
  }
  return { state: next, emit: monitor.samples.filter((s) => fresh.has(s)) };
}
