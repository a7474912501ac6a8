/**
 * recordTrainingMetrics on the real OpenTelemetry metrics SDK: a MeterProvider
 * whose reader exports to the SDK's InMemoryMetricExporter sees the job's monitor
 * values, resource usage and status, with job, version and instance attributes;
 * the points stop when the version ends. The exporter asks for delta temporality: each
 * export holds what the callbacks observed at that collection only (with cumulative
 * temporality the SDK keeps repeating a series' last point after its callback is gone).
 */
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { type Observable, of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSeries, ResourceSample, TrainVersionDetail } from '../../src/codecs/training.js';
import { type MeterLike, recordTrainingMetrics } from '../../src/feeds/otel.js';
import type { TrainingReadings } from '../../src/feeds/readings.js';
import { trainingWatch } from '../../src/streams/share.js';
import type { TrainingSource } from '../../src/streams/source.js';

/** A job whose answers the test changes as it goes. */
function liveJob() {
  const job = {
    detail: { status: 'TRAINING', jobId: 3, name: 'iris' } as TrainVersionDetail,
    metrics: [] as MetricSeries[],
    samples: [] as ResourceSample[],
  };
  const source: TrainingSource = {
    version: () => of(job.detail),
    logPage: (): Observable<never> => {
      throw new Error('not part of this test');
    },
    performance: () => of({ metrics: job.metrics }),
    resources: () => of({ samples: job.samples }),
  };
  return { job, source };
}

const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });

afterEach(() => exporter.reset());

/** The points of each instrument at the next collection: name → [value, attributes][]. */
async function collect(): Promise<Map<string, Array<[number, Record<string, unknown>]>>> {
  exporter.reset();
  await reader.forceFlush();
  const points = new Map<string, Array<[number, Record<string, unknown>]>>();
  for (const resource of exporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        const list = points.get(metric.descriptor.name) ?? [];
        for (const point of metric.dataPoints) list.push([point.value as number, { ...point.attributes }]);
        points.set(metric.descriptor.name, list);
      }
    }
  }
  return points;
}

describe('recordTrainingMetrics (OpenTelemetry)', () => {
  it('takes the API meter as it is (type check) and the global no-op meter without failing', () => {
    const meter: MeterLike = metrics.getMeter('modelmaker-test');
    const { source } = liveJob();
    const subscription = recordTrainingMetrics(meter, trainingWatch(source, 1)).subscribe();
    subscription.unsubscribe();
    expect(subscription.closed).toBe(true);
  });

  it("reports the job's monitors, resources and status with job, version and instance attributes", async () => {
    const { job, source } = liveJob();
    job.metrics = [
      { name: 'accuracy', points: [{ time: 1, value: 0.5 }] },
      { name: 'val loss', points: [{ time: 1, value: 0.9 }] },
    ];
    job.samples = [
      { time: 1, instance: 0, cpu: 1.5, memory: 1000 },
      { time: 1, instance: 1, cpu: 0.5, memory: 2000, gpu: 0.25 },
    ];
    const seen: TrainingReadings[] = [];
    let wake = () => {};
    const until = (ready: (r: TrainingReadings) => boolean) =>
      new Promise<void>((resolve) => {
        wake = () => {
          if (seen.length > 0 && ready(seen.at(-1)!)) resolve();
        };
        wake();
      });
    let completed = false;
    const subscription = recordTrainingMetrics(
      provider.getMeter('modelmaker-test'),
      trainingWatch(source, 7, { floorMs: 5, ceilingMs: 20 }),
      { attributes: { 'deployment.environment': 'test' } },
    ).subscribe({
      next: (readings) => {
        seen.push(readings);
        wake();
      },
      complete: () => {
        completed = true;
        wake();
      },
    });
    try {
      await until((r) => r.status === 'TRAINING' && r.metrics.size === 2 && r.resources.size === 2);
      const job7 = {
        'modelmaker.job.id': 3,
        'modelmaker.job.name': 'iris',
        'modelmaker.version.id': 7,
        'deployment.environment': 'test',
      };
      let points = await collect();
      expect(points.get('modelmaker.training.metric.accuracy')).toEqual([
        [0.5, { ...job7, 'modelmaker.metric': 'accuracy' }],
      ]);
      expect(points.get('modelmaker.training.metric.val_loss')).toEqual([
        [0.9, { ...job7, 'modelmaker.metric': 'val loss' }],
      ]);
      expect(points.get('modelmaker.training.cpu')).toEqual([
        [1.5, { ...job7, 'modelmaker.instance': 0 }],
        [0.5, { ...job7, 'modelmaker.instance': 1 }],
      ]);
      expect(points.get('modelmaker.training.memory')?.map(([v]) => v)).toEqual([1000, 2000]);
      expect(points.get('modelmaker.training.gpu')).toEqual([[0.25, { ...job7, 'modelmaker.instance': 1 }]]);
      const status = points.get('modelmaker.training.status')!;
      expect(status.filter(([v]) => v === 1)).toEqual([[1, { ...job7, 'modelmaker.status': 'TRAINING' }]]);
      expect(status.filter(([v]) => v === 0).map(([, a]) => a['modelmaker.status'])).toContain('FINISH');

      // a new value: the gauge reports the latest one
      job.metrics = [{ name: 'accuracy', points: [...job.metrics[0]!.points, { time: 2, value: 0.75 }] }];
      await until((r) => r.metrics.get('accuracy')?.value === 0.75);
      points = await collect();
      expect(points.get('modelmaker.training.metric.accuracy')?.map(([v]) => v)).toEqual([0.75]);

      // the version ends: the stream completes and its points stop
      job.detail = { ...job.detail, status: 'FINISH' };
      await until(() => completed);
      expect(seen.at(-1)).toMatchObject({ status: 'FINISH', terminal: true });
      points = await collect();
      expect([...points.values()].flat()).toEqual([]);
    } finally {
      subscription.unsubscribe();
    }
  });
});
