/**
 * Resource samples of a training version: CPU (cores) and memory (bytes) of
 * each instance's process tree, about once a second.
 * @module
 */
import type { Db } from './database.js';

/** One sample. */
export interface ResourceSample {
  readonly instance: number;
  /** Epoch milliseconds. */
  readonly time: number;
  /** Cores in use. */
  readonly cpu: number;
  /** Resident bytes. */
  readonly memory: number;
  readonly gpu?: number | undefined;
}

/** The train_resources table. */
export class ResourceStore {
  private readonly insert;
  private readonly select;

  constructor(db: Db) {
    this.insert = db.prepare<[number, number, number, number, number, number | null]>(
      'INSERT INTO train_resources (version_id, instance, time, cpu, memory, gpu) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.select = db.prepare<
      [number],
      { instance: number; time: number; cpu: number; memory: number; gpu: number | null }
    >(
      'SELECT instance, time, cpu, memory, gpu FROM train_resources WHERE version_id = ? ORDER BY time, rowid',
    );
  }

  /** Appends samples. */
  append(versionId: number, samples: readonly ResourceSample[]): void {
    for (const s of samples) this.insert.run(versionId, s.instance, s.time, s.cpu, s.memory, s.gpu ?? null);
  }

  /** A version's samples, oldest first. */
  list(versionId: number): ResourceSample[] {
    return this.select.all(versionId).map((row) => ({
      instance: row.instance,
      time: row.time,
      cpu: row.cpu,
      memory: row.memory,
      gpu: row.gpu ?? undefined,
    }));
  }
}
