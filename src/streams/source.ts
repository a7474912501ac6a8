/**
 * What the streams need from the platform: four reads of one training version,
 * each a cold Observable of one decoded value whose unsubscription aborts the
 * request. `sourceFromSession` adapts the HTTP client to it; tests and benches
 * implement it directly.
 * @module
 */
import type { Observable } from 'rxjs';
import type {
  LogInstant,
  LogPage,
  LogQuery,
  PerformanceMonitor,
  ResourceMonitor,
  TrainVersionDetail,
} from '../codecs/training.js';

/**
 * The log cursor query: lines with `id >= lastId`, or — with `after` — the lines
 * printed strictly after that instant (the time cursor `lastTime` + `lastNan`, sent
 * instead of `lastId`); extension `wait` (s, long poll) and `limit` (page cap).
 */
export interface LogPageRequest {
  readonly lastId: number;
  readonly after?: LogInstant | undefined;
  readonly wait?: number | undefined;
  readonly limit?: number | undefined;
}

/** The wire query of a page request: `lastTime`/`lastNan` when it has `after`, else `lastId`. */
export function toLogQuery(request: LogPageRequest): LogQuery {
  const { lastId, after, wait, limit } = request;
  const query: { -readonly [K in keyof LogQuery]: LogQuery[K] } =
    after === undefined ? { lastId } : { lastTime: after.seconds, lastNan: after.nanos };
  if (wait !== undefined) query.wait = wait;
  if (limit !== undefined) query.limit = limit;
  return query;
}

/**
 * The reads the streams poll. Each method returns a **cold** Observable that
 * sends one request per subscription, emits one decoded value and completes,
 * and aborts the request when unsubscribed early, without retrying: transient
 * failures surface as errors for which `isTransient` is true, and the streams'
 * polling engine alone retries them (see "Attempts per read" on `poll`).
 */
export interface TrainingSource {
  /** `GET /v1/train/version/{versionId}`. */
  version(versionId: number): Observable<TrainVersionDetail>;
  /** `GET /v1/train/version/{versionId}/log?lastId=…` (or `?lastTime=…&lastNan=…`) `[&wait=…][&limit=…]`. */
  logPage(versionId: number, request: LogPageRequest): Observable<LogPage>;
  /** `GET /v1/train/version/{versionId}/performance-monitor`. */
  performance(versionId: number): Observable<PerformanceMonitor>;
  /** `GET /v1/train/version/{versionId}/resource-monitor`. */
  resources(versionId: number): Observable<ResourceMonitor>;
}
