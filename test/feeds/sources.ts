/**
 * In-process training sources for the feed tests: pages made when asked for
 * (so a million lines cost no memory up front), every request counted, and
 * requests in flight and aborted (unsubscribed before answering) tracked.
 */
import { defer, NEVER, Observable, of } from 'rxjs';
import type { LogLine, LogPage, TrainVersionDetail } from '../../src/codecs/training.js';
import type { LogPageRequest, TrainingSource } from '../../src/streams/source.js';

/** The content of line `id`. */
export const content = (id: number): string => `step ${id} loss=${(1 / (id + 1)).toFixed(6)}`;

/** What a {@link GeneratedSource} was asked and served. */
export interface GeneratedSource extends TrainingSource {
  /** Log page requests sent (subscribed). */
  readonly requests: LogPageRequest[];
  /** Lines served so far. */
  readonly served: () => number;
  /** Requests subscribed and not yet answered or unsubscribed. */
  readonly inFlight: () => number;
  /** Requests unsubscribed before they answered (what a real source aborts). */
  readonly aborted: () => number;
}

export interface GeneratedOptions {
  /** Lines the job has printed (`Infinity`: a job that never stops printing). */
  readonly total: number;
  /** The status while lines remain (and after, for a job that keeps running). Default: FINISH when all are served. */
  readonly status?: () => string;
  /** After `total` lines, log requests never answer (a held long poll) instead of answering empty. */
  readonly holdWhenCaughtUp?: boolean;
}

/** A job of `total` lines, paged on demand. */
export function generatedSource(options: GeneratedOptions): GeneratedSource {
  const requests: LogPageRequest[] = [];
  let served = 0;
  let inFlight = 0;
  let aborted = 0;
  const counted = <T>(answer: () => Observable<T>): Observable<T> =>
    defer(() => {
      inFlight++;
      let settled = false;
      return new Observable<T>((subscriber) => {
        const inner = answer().subscribe({
          next: (value) => {
            settled = true;
            inFlight--;
            subscriber.next(value);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
        return () => {
          inner.unsubscribe();
          if (!settled) {
            settled = true;
            inFlight--;
            aborted++;
          }
        };
      });
    });
  const unused = (): Observable<never> => {
    throw new Error('not part of this test');
  };
  return {
    requests,
    served: () => served,
    inFlight: () => inFlight,
    aborted: () => aborted,
    version: () =>
      of<TrainVersionDetail>({
        status: options.status?.() ?? (served >= options.total ? 'FINISH' : 'TRAINING'),
      }),
    logPage: (_id, request) => {
      requests.push(request);
      return counted(() => {
        const { lastId, limit = 1000 } = request;
        const end = Math.min(options.total, lastId + limit);
        if (end <= lastId && options.holdWhenCaughtUp) return NEVER;
        const logs: LogLine[] = [];
        for (let id = lastId; id < end; id++) logs.push({ id, content: content(id) });
        served += logs.length;
        return of<LogPage>(end < options.total ? { logs, hasMore: true } : { logs });
      });
    },
    performance: unused,
    resources: unused,
  };
}

/** Lets every pending microtask and immediate run, `turns` times: what can happen now, has. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
