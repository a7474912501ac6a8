/**
 * Helpers of the stream tests: a TestScheduler wired to vitest, transient
 * errors as the transport reports them, and scripted sources.
 */
import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import type {
  LogLine,
  LogPage,
  PerformanceMonitor,
  ResourceMonitor,
  TrainVersionDetail,
} from '../../src/codecs/training.js';
import { HttpError, NetworkError } from '../../src/errors.js';
import type { LogPageRequest, TrainingSource } from '../../src/streams/source.js';

/** A TestScheduler whose assertions are vitest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** What the transport reports for a 503 after its own retries. */
export function unavailable(message = 'busy'): HttpError {
  return new HttpError(503, message, { method: 'GET', url: 'http://mm.test/v1/train/version/7/log' });
}

/** What the transport reports for a connection reset or refused. */
export function reset(message = 'socket hang up'): NetworkError {
  return new NetworkError(message, { method: 'GET', url: 'http://mm.test/v1/train/version/7/log' });
}

/** A version detail with `status`. */
export function detail(status: string, extra: Partial<TrainVersionDetail> = {}): TrainVersionDetail {
  return { status, ...extra };
}

/** Log lines with the given ids (`content` is `line <id>`). */
export function lineIds(...ids: number[]): LogLine[] {
  return ids.map((id) => ({ id, content: `line ${id}` }));
}

/** A page with the given ids. */
export function page(ids: number[], hasMore?: boolean): LogPage {
  return hasMore === undefined ? { logs: lineIds(...ids) } : { logs: lineIds(...ids), hasMore };
}

/**
 * A source whose calls answer from scripts, in call order, and record what was
 * asked. A call past the end of its script fails the test.
 */
export interface ScriptedSource extends TrainingSource {
  readonly logRequests: LogPageRequest[];
  readonly calls: string[];
}

/** The answers of a {@link scriptedSource}, one function per call, in call order. */
export interface Scripts {
  readonly version?: Array<() => Observable<TrainVersionDetail>>;
  readonly logPage?: Array<(request: LogPageRequest) => Observable<LogPage>>;
  readonly performance?: Array<() => Observable<PerformanceMonitor>>;
  readonly resources?: Array<() => Observable<ResourceMonitor>>;
}

/** Each recorded call is prefixed with `clock()` (e.g. `ts.now()`) as `@<ms> ` when given. */
export function scriptedSource(scripts: Scripts, clock?: () => number): ScriptedSource {
  const logRequests: LogPageRequest[] = [];
  const record: string[] = [];
  const calls = {
    push: (call: string) => record.push(clock === undefined ? call : `@${clock()} ${call}`),
  };
  const next = <F>(name: string, list: F[] | undefined): F => {
    const f = list?.shift();
    if (f === undefined) throw new Error(`unexpected call ${name} (script exhausted)`);
    return f;
  };
  return {
    logRequests,
    calls: record,
    version: () => {
      calls.push('version');
      return next('version', scripts.version)();
    },
    logPage: (_id, request) => {
      calls.push(`log ${request.lastId}${request.wait === undefined ? '' : ` wait=${request.wait}`}`);
      logRequests.push(request);
      return next('logPage', scripts.logPage)(request);
    },
    performance: () => {
      calls.push('performance');
      return next('performance', scripts.performance)();
    },
    resources: () => {
      calls.push('resources');
      return next('resources', scripts.resources)();
    },
  };
}

/** What a stream did, as seen by one subscriber: values with their frames, and how it ended. */
export interface Recording<T> {
  readonly values: T[];
  readonly frames: number[];
  completedAt?: number;
  error?: unknown;
}

/** Subscribes to `stream` now and records it against `clock`. */
export function record<T>(stream: Observable<T>, clock: () => number): Recording<T> {
  const recording: Recording<T> = { values: [], frames: [] };
  stream.subscribe({
    next: (value) => {
      recording.values.push(value);
      recording.frames.push(clock());
    },
    error: (error: unknown) => {
      recording.error = error;
    },
    complete: () => {
      recording.completedAt = clock();
    },
  });
  return recording;
}
