/**
 * Training readings in the Prometheus text exposition format, through prom-client:
 * a registry whose gauges read the latest readings at each scrape.
 * @module
 */
import { KNOWN_TRAIN_STATUSES, type TrainingReadings } from 'modelmaker';
import { Gauge, Registry } from 'prom-client';

/** Labels of every training series. */
const JOB_LABELS = ['job_id', 'job_name', 'version_id'] as const;

/** Where every metric name of the feed starts. */
export const PROMETHEUS_PREFIX = 'modelmaker_training';

/** Characters a Prometheus metric name may not hold (after its first character). */
const INVALID_METRIC_CHARS = /[^a-zA-Z0-9_]/g;

/** The metric name of monitor `name`: `modelmaker_training_metric_<name>`, other characters as `_`. */
export function monitorMetricName(name: string): string {
  return `${PROMETHEUS_PREFIX}_metric_${name.replace(INVALID_METRIC_CHARS, '_')}`;
}

function jobLabels(readings: TrainingReadings): Record<(typeof JOB_LABELS)[number], string> {
  return {
    job_id: readings.jobId === undefined ? '' : String(readings.jobId),
    job_name: readings.jobName ?? '',
    version_id: String(readings.versionId),
  };
}

/** What a scrape answers. */
export interface TrainingExposition {
  /** The `Content-Type` of {@link TrainingExposition.scrape}'s text. */
  readonly contentType: string;
  /** The exposition text of the readings `current()` gives now. */
  scrape(): Promise<string>;
}

/**
 * The Prometheus exposition of `current()`, read at each scrape (prom-client
 * gauges with `collect`, in a registry of their own):
 *
 * - `modelmaker_training_status{job_id,job_name,version_id,status}`: 1 for the
 *   current status, 0 for every other known one (a state set);
 * - `modelmaker_training_metric_<monitor>{…,metric}`: each monitor's last value;
 * - `modelmaker_training_cpu_cores`, `…_memory_bytes`, `…_gpu{…,instance}`: each
 *   training instance's last resource sample;
 * - `modelmaker_feed_versions`: how many running versions are followed.
 *
 * Monitor families are registered as their names first appear and stay (with no
 * series once no running job has them).
 */
export function trainingExposition(current: () => Iterable<TrainingReadings>): TrainingExposition {
  const registry = new Registry();
  const monitors = new Set<string>();

  new Gauge({
    name: `${PROMETHEUS_PREFIX}_status`,
    help: 'Training version status: 1 for the current one, 0 for the other known ones',
    labelNames: [...JOB_LABELS, 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const readings of current()) {
        if (readings.status === undefined) continue;
        const statuses: readonly string[] = KNOWN_TRAIN_STATUSES.includes(readings.status as never)
          ? KNOWN_TRAIN_STATUSES
          : [...KNOWN_TRAIN_STATUSES, readings.status];
        for (const status of statuses) {
          this.set({ ...jobLabels(readings), status }, status === readings.status ? 1 : 0);
        }
      }
    },
  });
  const resource = (what: 'cpu' | 'memory' | 'gpu', name: string, help: string) =>
    new Gauge({
      name,
      help,
      labelNames: [...JOB_LABELS, 'instance'],
      registers: [registry],
      collect() {
        this.reset();
        for (const readings of current()) {
          for (const sample of readings.resources.values()) {
            const value = sample[what];
            if (value !== undefined)
              this.set({ ...jobLabels(readings), instance: String(sample.instance) }, value);
          }
        }
      },
    });
  resource('cpu', `${PROMETHEUS_PREFIX}_cpu_cores`, 'CPU used by a training instance, in cores');
  resource('memory', `${PROMETHEUS_PREFIX}_memory_bytes`, 'Memory used by a training instance, in bytes');
  resource('gpu', `${PROMETHEUS_PREFIX}_gpu`, 'GPU use of a training instance');
  new Gauge({
    name: 'modelmaker_feed_versions',
    help: 'Running training versions this feed follows',
    registers: [registry],
    collect() {
      let count = 0;
      for (const _ of current()) count++;
      this.set(count);
    },
  });

  const addMonitor = (metricName: string) => {
    if (monitors.has(metricName)) return;
    monitors.add(metricName);
    new Gauge({
      name: metricName,
      help: 'A training monitor: its last value (label metric: the monitor as the job named it)',
      labelNames: [...JOB_LABELS, 'metric'],
      registers: [registry],
      collect() {
        this.reset();
        for (const readings of current()) {
          for (const [name, sample] of readings.metrics) {
            if (monitorMetricName(name) === metricName)
              this.set({ ...jobLabels(readings), metric: name }, sample.value);
          }
        }
      },
    });
  };
  return {
    contentType: registry.contentType,
    scrape: () => {
      // families of monitors seen since the last scrape, registered before the registry is read
      for (const readings of current()) {
        for (const name of readings.metrics.keys()) addMonitor(monitorMetricName(name));
      }
      return registry.metrics();
    },
  };
}
