/**
 * Metric points of a training version: what its `monitors` found in its log
 * lines, stored as the lines arrive so the performance monitor is one query.
 * @module
 */
import type { Db } from './database.js';

/** One value of one metric, with the log line it came from. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly lineId: number;
}

/** One metric's points, in log order. */
export interface MetricSeries {
  readonly name: string;
  readonly points: readonly MetricPoint[];
}

/** The train_metrics table. */
export class MetricStore {
  private readonly insert;
  private readonly select;

  constructor(db: Db) {
    this.insert = db.prepare<[number, string, number, number, number]>(
      'INSERT INTO train_metrics (version_id, name, line_id, time, value) VALUES (?, ?, ?, ?, ?)',
    );
    this.select = db.prepare<[number], MetricPoint>(
      `SELECT name, value, time, line_id AS lineId FROM train_metrics
       WHERE version_id = ? ORDER BY line_id, rowid`,
    );
  }

  /** Appends points (call inside the transaction that stores their lines). */
  append(versionId: number, points: readonly MetricPoint[]): void {
    for (const point of points) this.insert.run(versionId, point.name, point.lineId, point.time, point.value);
  }

  /** Every metric of a version, in order of first appearance, each with its points in log order. */
  series(versionId: number): MetricSeries[] {
    const byName = new Map<string, MetricPoint[]>();
    for (const point of this.select.all(versionId)) {
      let points = byName.get(point.name);
      if (!points) {
        points = [];
        byName.set(point.name, points);
      }
      points.push(point);
    }
    return [...byName].map(([name, points]) => ({ name, points }));
  }
}
