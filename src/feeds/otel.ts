/**
 * A training version's readings as OpenTelemetry metrics: observable gauges on a
 * `Meter` of `@opentelemetry/api`. The SDK does not import OpenTelemetry (not even
 * its types): it takes any meter of that shape, so users who do not use it get no
 * dependency; `@opentelemetry/api` is an optional peer dependency.
 * @module
 */
import { defer, finalize, type Observable, tap } from 'rxjs';
import { KNOWN_TRAIN_STATUSES } from '../codecs/training.js';
import { type TrainingReadings, type TrainingStreams, trainingReadings } from './readings.js';

/** Attribute values, as OpenTelemetry takes them. */
export type TelemetryAttributes = Readonly<Record<string, string | number | boolean>>;

/** What an observable gauge's callback reports to (`ObservableResult` of `@opentelemetry/api`). */
export interface GaugeResult {
  observe(value: number, attributes?: TelemetryAttributes): void;
}

/** The callback of an observable gauge. */
export type GaugeCallback = (result: GaugeResult) => void;

/** An observable gauge (`ObservableGauge` of `@opentelemetry/api`). */
export interface ObservableGaugeLike {
  addCallback(callback: GaugeCallback): void;
  removeCallback(callback: GaugeCallback): void;
}

/** The part of `@opentelemetry/api`'s `Meter` the bridge uses: any `metrics.getMeter(…)` is one. */
export interface MeterLike {
  createObservableGauge(
    name: string,
    options?: { readonly description?: string; readonly unit?: string },
  ): ObservableGaugeLike;
}

/** The attribute keys the bridge sets. */
export const TELEMETRY_ATTRIBUTES = {
  /** The training job's id (when the version detail has it). */
  jobId: 'modelmaker.job.id',
  /** The training job's name (when the version detail has it). */
  jobName: 'modelmaker.job.name',
  /** The training version's id. */
  versionId: 'modelmaker.version.id',
  /** The training instance (0-based) of a resource sample. */
  instance: 'modelmaker.instance',
  /** The status a `status` point stands for. */
  status: 'modelmaker.status',
  /** The monitor's name as the job defined it (the instrument name is a sanitised form). */
  metric: 'modelmaker.metric',
} as const;

/** Where the bridge's instrument names start. */
export const DEFAULT_TELEMETRY_PREFIX = 'modelmaker.training';

/** Options of {@link recordTrainingMetrics}. */
export interface TelemetryOptions {
  /** Start of every instrument name. Default {@link DEFAULT_TELEMETRY_PREFIX}. */
  readonly prefix?: string | undefined;
  /** Attributes added to every point (e.g. `{ 'deployment.environment': 'lab' }`). */
  readonly attributes?: TelemetryAttributes | undefined;
}

/** Characters an OpenTelemetry instrument name may not hold. */
const INVALID_INSTRUMENT_CHARS = /[^A-Za-z0-9_.\-/]/g;

/** The instrument name of monitor `name`: `<prefix>.metric.<name>`, each character outside `[A-Za-z0-9_.-/]` an `_`. */
export function metricInstrumentName(name: string, prefix = DEFAULT_TELEMETRY_PREFIX): string {
  return `${prefix}.metric.${name.replace(INVALID_INSTRUMENT_CHARS, '_')}`;
}

/**
 * Reports a training version to OpenTelemetry while subscribed, as observable
 * gauges read at each collection (the values are the latest {@link TrainingReadings}):
 *
 * | instrument | value | attributes beside job and version |
 * |---|---|---|
 * | `<prefix>.metric.<monitor>` | the monitor's last value | `modelmaker.metric` |
 * | `<prefix>.status` | 1 for the current status, 0 for every other known one (a state set) | `modelmaker.status` |
 * | `<prefix>.cpu` (`{cpu}`), `<prefix>.memory` (`By`), `<prefix>.gpu` (`1`) | the instance's last sample | `modelmaker.instance` |
 *
 * Every point carries `modelmaker.version.id`, and `modelmaker.job.id` /
 * `modelmaker.job.name` once the version detail has given them, plus
 * `options.attributes`. Emits each new readings snapshot; completes when the
 * version has ended and its streams are drained. Unsubscribing or completing
 * removes the callbacks: the version's points stop (flush the meter provider
 * first to export the final ones).
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * const meter = metrics.getMeter('modelmaker');
 * recordTrainingMetrics(meter, trainingWatch(sourceFromSession(session), versionId)).subscribe();
 * ```
 */
export function recordTrainingMetrics(
  meter: MeterLike,
  streams: TrainingStreams,
  options: TelemetryOptions = {},
): Observable<TrainingReadings> {
  const prefix = options.prefix ?? DEFAULT_TELEMETRY_PREFIX;
  const extra = options.attributes ?? {};
  return defer(() => {
    let latest: TrainingReadings | undefined;
    const registered: Array<readonly [ObservableGaugeLike, GaugeCallback]> = [];
    const monitors = new Set<string>();
    const base = (readings: TrainingReadings): Record<string, string | number | boolean> => {
      const attributes: Record<string, string | number | boolean> = {
        ...extra,
        [TELEMETRY_ATTRIBUTES.versionId]: readings.versionId,
      };
      if (readings.jobId !== undefined) attributes[TELEMETRY_ATTRIBUTES.jobId] = readings.jobId;
      if (readings.jobName !== undefined) attributes[TELEMETRY_ATTRIBUTES.jobName] = readings.jobName;
      return attributes;
    };
    const gauge = (
      name: string,
      description: string,
      unit: string | undefined,
      observe: (result: GaugeResult, readings: TrainingReadings) => void,
    ) => {
      const instrument = meter.createObservableGauge(
        name,
        unit === undefined ? { description } : { description, unit },
      );
      const callback: GaugeCallback = (result) => {
        if (latest !== undefined) observe(result, latest);
      };
      instrument.addCallback(callback);
      registered.push([instrument, callback]);
    };

    gauge(
      `${prefix}.status`,
      'Training version status: 1 for the current one, 0 for the others',
      undefined,
      (result, r) => {
        if (r.status === undefined) return;
        const statuses: readonly string[] = KNOWN_TRAIN_STATUSES.includes(r.status as never)
          ? KNOWN_TRAIN_STATUSES
          : [...KNOWN_TRAIN_STATUSES, r.status];
        for (const status of statuses) {
          result.observe(status === r.status ? 1 : 0, { ...base(r), [TELEMETRY_ATTRIBUTES.status]: status });
        }
      },
    );
    const resource = (what: 'cpu' | 'memory' | 'gpu', description: string, unit: string) =>
      gauge(`${prefix}.${what}`, description, unit, (result, r) => {
        for (const sample of r.resources.values()) {
          const value = sample[what];
          if (value === undefined) continue;
          result.observe(value, { ...base(r), [TELEMETRY_ATTRIBUTES.instance]: sample.instance });
        }
      });
    resource('cpu', 'CPU used by a training instance, in cores', '{cpu}');
    resource('memory', 'Memory used by a training instance', 'By');
    resource('gpu', 'GPU use of a training instance', '1');

    const addMonitor = (name: string) => {
      monitors.add(name);
      gauge(
        metricInstrumentName(name, prefix),
        `Training monitor ${name}: its last value`,
        undefined,
        (result, r) => {
          const sample = r.metrics.get(name);
          if (sample !== undefined) {
            result.observe(sample.value, { ...base(r), [TELEMETRY_ATTRIBUTES.metric]: name });
          }
        },
      );
    };

    return trainingReadings(streams).pipe(
      tap((readings) => {
        latest = readings;
        for (const name of readings.metrics.keys()) if (!monitors.has(name)) addMonitor(name);
      }),
      finalize(() => {
        for (const [instrument, callback] of registered.splice(0)) instrument.removeCallback(callback);
      }),
    );
  });
}
