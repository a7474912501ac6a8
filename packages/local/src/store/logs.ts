/**
 * Log lines of a training version (or, with the other table, of a service).
 * Ids are 0, 1, 2, … per owner, assigned here, so a client asking `lastId =
 * last seen + 1` sees every line once. Lines are appended in batches, one
 * transaction per batch, so a process printing hundreds of thousands of lines
 * costs a few writes per event-loop turn rather than one per line.
 * @module
 */
import type { Db } from './database.js';

/** A line before it has an id. */
export interface NewLogLine {
  readonly instance: number;
  readonly stream: string;
  readonly content: string;
  /** Epoch milliseconds. */
  readonly time: number;
}

/** A stored line. */
export interface LogRecord extends NewLogLine {
  readonly id: number;
}

/** Tables holding log lines, all with the same columns (`owner_id`, `id`, …). */
export type LogTable = 'train_logs' | 'service_logs';

/** Log lines of one table, with the next id of each owner cached in memory (one writer: this process). */
export class LogStore {
  private readonly nextIds = new Map<number, number>();
  private readonly statements;

  constructor(db: Db, table: LogTable) {
    this.statements = {
      insert: db.prepare<[number, number, number, string, string, number]>(
        `INSERT INTO ${table} (owner_id, id, instance, stream, content, time) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      next: db.prepare<[number], { n: number }>(
        `SELECT COALESCE(MAX(id) + 1, 0) AS n FROM ${table} WHERE owner_id = ?`,
      ),
      page: db.prepare<[number, number, number], LogRecord>(
        `SELECT id, instance, stream, content, time FROM ${table}
         WHERE owner_id = ? AND id >= ? ORDER BY id LIMIT ?`,
      ),
      pageAfterTime: db.prepare<[number, number, number], LogRecord>(
        `SELECT id, instance, stream, content, time FROM ${table}
         WHERE owner_id = ? AND time > ? ORDER BY id LIMIT ?`,
      ),
    };
  }

  /** The id the next line of `ownerId` gets (= number of lines stored). */
  nextId(ownerId: number): number {
    let next = this.nextIds.get(ownerId);
    if (next === undefined) {
      next = this.statements.next.get(ownerId)!.n;
      this.nextIds.set(ownerId, next);
    }
    return next;
  }

  /**
   * Appends lines in order and returns them with their ids. Call inside a
   * transaction to batch (as the run recorder does); the id cache advances at
   * once, so call {@link forgetAll} if that transaction rolls back.
   */
  append(ownerId: number, lines: readonly NewLogLine[]): LogRecord[] {
    let id = this.nextId(ownerId);
    const stored: LogRecord[] = [];
    for (const line of lines) {
      this.statements.insert.run(ownerId, id, line.instance, line.stream, line.content, line.time);
      stored.push({ id, ...line });
      id++;
    }
    this.nextIds.set(ownerId, id);
    return stored;
  }

  /** Lines with `id >= fromId`, ascending, at most `limit`. */
  page(ownerId: number, fromId: number, limit: number): LogRecord[] {
    return this.statements.page.all(ownerId, fromId, limit);
  }

  /** Lines printed strictly after `afterMs` (epoch ms), ascending by id, at most `limit` (the time cursor). */
  pageAfterTime(ownerId: number, afterMs: number, limit: number): LogRecord[] {
    return this.statements.pageAfterTime.all(ownerId, afterMs, limit);
  }

  /** Drops the cached next id of an owner (after its deletion or a rolled-back append). */
  forget(ownerId: number): void {
    this.nextIds.delete(ownerId);
  }

  /** Drops every cached next id. */
  forgetAll(): void {
    this.nextIds.clear();
  }
}
