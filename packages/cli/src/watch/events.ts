/**
 * What `jobs watch` shows, as one stream of events (also its NDJSON lines; a log line is the SDK's event):
 * status changes, log lines and gaps, metric points and resource samples.
 * @module
 */
import type { Caller, LogLineEvent, ResourceSample } from 'modelmaker';
import { sourceFromSession, trainingWatch } from 'modelmaker';
import { map, merge, type Observable } from 'rxjs';
import { WATCH_POLL_CEILING_MS } from '../defaults.js';

/** A status change, with what the version detail says about it. */
export interface WatchStatusEvent {
  readonly type: 'status';
  readonly versionId: number;
  readonly status: string;
  readonly terminal: boolean;
  readonly name?: string | undefined;
  readonly reason?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly createdAt?: string | number | undefined;
  readonly startedAt?: string | number | undefined;
  readonly finishedAt?: string | number | undefined;
}

/** One log line: the SDK's own event, `{ type: 'line', line: { id, content, instance?, stream?, time? } }`. */
export type WatchLineEvent = LogLineEvent;

/** Log lines `from`..`to` are missing (the platform no longer has them). */
export interface WatchGapEvent {
  readonly type: 'gap';
  readonly from: number;
  readonly to: number;
}

/** One new point of a monitored metric. */
export interface WatchMetricEvent {
  readonly type: 'metric';
  readonly name: string;
  readonly value: number;
  readonly step?: number | undefined;
  readonly time?: string | number | undefined;
}

/** One resource sample of one instance (`cpu` in cores, `memory` in bytes). */
export interface WatchResourceEvent extends ResourceSample {
  readonly type: 'resource';
}

/** What `jobs watch` shows (and prints as NDJSON with `--json`). */
export type WatchEvent =
  | WatchStatusEvent
  | WatchLineEvent
  | WatchGapEvent
  | WatchMetricEvent
  | WatchResourceEvent;

/**
 * The events of a training version, from shared pollers: status changes, log lines
 * (and gaps), metric points and resource samples, merged as they come. Completes after
 * the job ends and each stream has delivered its last values. Cold; unsubscribing
 * stops every poller.
 */
export function watchEvents(session: Caller, versionId: number): Observable<WatchEvent> {
  const watch = trainingWatch(sourceFromSession(session), versionId, { ceilingMs: WATCH_POLL_CEILING_MS });
  return merge(
    watch.status$.pipe(
      map(
        ({ status, terminal, detail }): WatchStatusEvent => ({
          type: 'status',
          versionId,
          status,
          terminal,
          name: detail.name,
          reason: detail.reason,
          exitCode: detail.exitCode,
          createdAt: detail.createdAt,
          startedAt: detail.startedAt,
          finishedAt: detail.finishedAt,
        }),
      ),
    ),
    watch.logs$,
    watch.metrics$.pipe(
      map(
        (sample): WatchMetricEvent => ({
          type: 'metric',
          name: sample.name,
          value: sample.value,
          step: sample.step,
          time: sample.time,
        }),
      ),
    ),
    watch.resources$.pipe(map((sample): WatchResourceEvent => ({ type: 'resource', ...sample }))),
  );
}
