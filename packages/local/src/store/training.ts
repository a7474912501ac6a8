/**
 * Training jobs and their versions. A job is a name; each version is one run of
 * a TrainCreate body, with its status, timestamps and resource demand. Every
 * status change is also appended to a history with its time.
 * @module
 */
import type { Db } from './database.js';

/** A status value as stored (the contract's list, open to others). */
export type StoredStatus = string;

/** Statuses after which a version never changes again. */
export const TERMINAL_TRAIN_STATUSES: ReadonlySet<StoredStatus> = new Set([
  'FINISH',
  'STARTING_FAIL',
  'TRAINING_FAIL',
  'STOPPED',
]);

/** True for FINISH, STARTING_FAIL, TRAINING_FAIL, STOPPED. */
export function isTerminalTrainStatus(status: StoredStatus): boolean {
  return TERMINAL_TRAIN_STATUSES.has(status);
}

/** A job row. */
export interface JobRecord {
  readonly id: number;
  readonly name: string;
  readonly description: string | undefined;
  readonly createdAt: number;
}

/** A version row; `spec` is the validated TrainCreate body as the client sent it. */
export interface VersionRecord {
  readonly id: number;
  readonly jobId: number;
  readonly jobName: string;
  /** 1, 2, … within the job. */
  readonly number: number;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly status: StoredStatus;
  /** Cores the version asks for (resource spec × instances). */
  readonly cpu: number;
  /** Bytes of memory the version asks for (resource spec × instances). */
  readonly memory: number;
  readonly createdAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly exitCode: number | undefined;
  readonly reason: string | undefined;
}

/** What a new version needs besides its body. */
export interface NewVersion {
  readonly spec: Readonly<Record<string, unknown>>;
  readonly cpu: number;
  readonly memory: number;
}

/** A status change. */
export interface StatusChange {
  readonly status: StoredStatus;
  readonly time: number;
  readonly reason?: string | undefined;
  readonly exitCode?: number | undefined;
}

interface VersionRow {
  id: number;
  job_id: number;
  job_name: string;
  number: number;
  spec: string;
  status: string;
  cpu: number;
  memory: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  reason: string | null;
}

interface JobRow {
  id: number;
  name: string;
  description: string | null;
  created_at: number;
}

const VERSION_COLUMNS = `v.id, v.job_id, j.name AS job_name, v.number, v.spec, v.status, v.cpu, v.memory,
  v.created_at, v.started_at, v.finished_at, v.exit_code, v.reason`;

function toVersion(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    jobName: row.job_name,
    number: row.number,
    spec: JSON.parse(row.spec) as Record<string, unknown>,
    status: row.status,
    cpu: row.cpu,
    memory: row.memory,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
    exitCode: row.exit_code ?? undefined,
    reason: row.reason ?? undefined,
  };
}

function toJob(row: JobRow): JobRecord {
  return { id: row.id, name: row.name, description: row.description ?? undefined, createdAt: row.created_at };
}

/** Jobs, versions and status history, through prepared statements. */
export class TrainingStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insertJob: db.prepare<[string, string | null, number]>(
        'INSERT INTO train_jobs (name, description, created_at) VALUES (?, ?, ?)',
      ),
      jobByName: db.prepare<[string], JobRow>('SELECT * FROM train_jobs WHERE name = ?'),
      jobById: db.prepare<[number], JobRow>('SELECT * FROM train_jobs WHERE id = ?'),
      jobs: db.prepare<[], JobRow>('SELECT * FROM train_jobs ORDER BY id'),
      nextNumber: db.prepare<[number], { n: number }>(
        'SELECT COALESCE(MAX(number), 0) + 1 AS n FROM train_versions WHERE job_id = ?',
      ),
      insertVersion: db.prepare<[number, number, string, string, number, number, number]>(
        `INSERT INTO train_versions (job_id, number, spec, status, cpu, memory, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      versionById: db.prepare<[number], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM train_versions v JOIN train_jobs j ON j.id = v.job_id WHERE v.id = ?`,
      ),
      versionsOfJob: db.prepare<[number], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM train_versions v JOIN train_jobs j ON j.id = v.job_id
         WHERE v.job_id = ? ORDER BY v.id`,
      ),
      unfinished: db.prepare<[], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM train_versions v JOIN train_jobs j ON j.id = v.job_id
         WHERE v.status NOT IN (${[...TERMINAL_TRAIN_STATUSES].map((s) => `'${s}'`).join(', ')})
         ORDER BY v.id`,
      ),
      updateStatus: db.prepare<
        [string, number | null, number | null, number | null, string | null, number],
        unknown
      >(
        `UPDATE train_versions SET status = ?,
           started_at = COALESCE(started_at, ?),
           finished_at = COALESCE(?, finished_at),
           exit_code = COALESCE(?, exit_code),
           reason = COALESCE(?, reason)
         WHERE id = ?`,
      ),
      insertHistory: db.prepare<[number, string, string | null, number]>(
        'INSERT INTO train_status_history (version_id, status, reason, time) VALUES (?, ?, ?, ?)',
      ),
      history: db.prepare<[number], { status: string; reason: string | null; time: number }>(
        'SELECT status, reason, time FROM train_status_history WHERE version_id = ? ORDER BY seq',
      ),
      deleteVersion: db.prepare<[number]>('DELETE FROM train_versions WHERE id = ?'),
      deleteJob: db.prepare<[number]>('DELETE FROM train_jobs WHERE id = ?'),
    };
  }

  /**
   * Creates a job and its first version (status STARTING) in one transaction.
   * Returns `undefined` when a job of that name exists (nothing is written).
   */
  createJob(
    name: string,
    description: string | undefined,
    version: NewVersion,
    now = Date.now(),
  ): { jobId: number; versionId: number } | undefined {
    return this.db.transaction(() => {
      if (this.statements.jobByName.get(name)) return undefined;
      const jobId = Number(this.statements.insertJob.run(name, description ?? null, now).lastInsertRowid);
      const versionId = this.insertVersion(jobId, version, now);
      return { jobId, versionId };
    })();
  }

  /** Adds a version (status STARTING) to a job; `undefined` when the job does not exist. */
  createVersion(jobId: number, version: NewVersion, now = Date.now()): number | undefined {
    return this.db.transaction(() => {
      if (!this.statements.jobById.get(jobId)) return undefined;
      return this.insertVersion(jobId, version, now);
    })();
  }

  private insertVersion(jobId: number, version: NewVersion, now: number): number {
    const number = this.statements.nextNumber.get(jobId)!.n;
    const id = Number(
      this.statements.insertVersion.run(
        jobId,
        number,
        JSON.stringify(version.spec),
        'STARTING',
        version.cpu,
        version.memory,
        now,
      ).lastInsertRowid,
    );
    this.statements.insertHistory.run(id, 'STARTING', null, now);
    return id;
  }

  /** Every job, oldest first. */
  listJobs(): JobRecord[] {
    return this.statements.jobs.all().map(toJob);
  }

  /** One job, or `undefined`. */
  getJob(id: number): JobRecord | undefined {
    const row = this.statements.jobById.get(id);
    return row ? toJob(row) : undefined;
  }

  /** A job's versions, oldest first. */
  listVersions(jobId: number): VersionRecord[] {
    return this.statements.versionsOfJob.all(jobId).map(toVersion);
  }

  /** One version, or `undefined`. */
  getVersion(id: number): VersionRecord | undefined {
    const row = this.statements.versionById.get(id);
    return row ? toVersion(row) : undefined;
  }

  /** Versions not in a terminal status, in submission order. */
  unfinished(): VersionRecord[] {
    return this.statements.unfinished.all().map(toVersion);
  }

  /**
   * Records a status change: `startedAt` is set by the first change away from
   * STARTING, `finishedAt` by a terminal status. A terminal version is never
   * changed again (returns false); neither is a missing one, nor one already in `status`.
   */
  setStatus(versionId: number, change: StatusChange): boolean {
    return this.db.transaction(() => {
      const current = this.statements.versionById.get(versionId);
      if (!current || isTerminalTrainStatus(current.status) || current.status === change.status) return false;
      const terminal = isTerminalTrainStatus(change.status);
      const started = change.status !== 'STARTING' && !terminal ? change.time : null;
      this.statements.updateStatus.run(
        change.status,
        started,
        terminal ? change.time : null,
        change.exitCode ?? null,
        change.reason ?? null,
        versionId,
      );
      this.statements.insertHistory.run(versionId, change.status, change.reason ?? null, change.time);
      return true;
    })();
  }

  /** A version's status changes, oldest first. */
  history(versionId: number): { status: StoredStatus; reason: string | undefined; time: number }[] {
    return this.statements.history
      .all(versionId)
      .map((row) => ({ status: row.status, reason: row.reason ?? undefined, time: row.time }));
  }

  /** Deletes a version with its logs, metrics and samples. */
  deleteVersion(id: number): void {
    this.statements.deleteVersion.run(id);
  }

  /** Deletes a job with all its versions. */
  deleteJob(id: number): void {
    this.statements.deleteJob.run(id);
  }
}
