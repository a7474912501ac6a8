/**
 * Models and their versions. A model is a unique name; each version is one
 * ModelCreate body (kept as the client sent it, after validation) with its
 * version label. Versions are ready at once: the local platform builds nothing.
 * @module
 */
import type { Db } from './database.js';

/** The status of every model version here: nothing is built, the files are served as they are. */
export const MODEL_VERSION_READY = 'READY';

/** A model row. */
export interface ModelRecord {
  readonly id: number;
  readonly name: string;
  readonly description: string | undefined;
  readonly createdAt: number;
}

/** A model version row; `spec` is the validated ModelCreate body. */
export interface ModelVersionRecord {
  readonly id: number;
  readonly modelId: number;
  readonly modelName: string;
  /** The client's label, e.g. `1.0.2` (not unique). */
  readonly version: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly status: string;
  readonly createdAt: number;
}

/** What a new model version needs. */
export interface NewModelVersion {
  readonly version: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

interface ModelRow {
  id: number;
  name: string;
  description: string | null;
  created_at: number;
}

interface VersionRow {
  id: number;
  model_id: number;
  model_name: string;
  version: string;
  spec: string;
  status: string;
  created_at: number;
}

const VERSION_COLUMNS = 'v.id, v.model_id, m.name AS model_name, v.version, v.spec, v.status, v.created_at';

function toModel(row: ModelRow): ModelRecord {
  return { id: row.id, name: row.name, description: row.description ?? undefined, createdAt: row.created_at };
}

function toVersion(row: VersionRow): ModelVersionRecord {
  return {
    id: row.id,
    modelId: row.model_id,
    modelName: row.model_name,
    version: row.version,
    spec: JSON.parse(row.spec) as Record<string, unknown>,
    status: row.status,
    createdAt: row.created_at,
  };
}

/** Models and model versions, through prepared statements. */
export class ModelStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insertModel: db.prepare<[string, string | null, number]>(
        'INSERT INTO models (name, description, created_at) VALUES (?, ?, ?)',
      ),
      modelByName: db.prepare<[string], ModelRow>('SELECT * FROM models WHERE name = ?'),
      modelById: db.prepare<[number], ModelRow>('SELECT * FROM models WHERE id = ?'),
      models: db.prepare<[], ModelRow>('SELECT * FROM models ORDER BY id'),
      insertVersion: db.prepare<[number, string, string, string, number]>(
        'INSERT INTO model_versions (model_id, version, spec, status, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      versionById: db.prepare<[number], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.id = ?`,
      ),
      versionsOfModel: db.prepare<[number], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM model_versions v JOIN models m ON m.id = v.model_id
         WHERE v.model_id = ? ORDER BY v.id`,
      ),
      deleteModel: db.prepare<[number]>('DELETE FROM models WHERE id = ?'),
      deleteVersion: db.prepare<[number]>('DELETE FROM model_versions WHERE id = ?'),
    };
  }

  /**
   * Creates a model and its first version in one transaction. Returns `undefined`
   * when a model of that name exists (nothing is written).
   */
  createModel(
    name: string,
    description: string | undefined,
    version: NewModelVersion,
    now = Date.now(),
  ): { modelId: number; versionId: number } | undefined {
    return this.db.transaction(() => {
      if (this.statements.modelByName.get(name)) return undefined;
      const modelId = Number(this.statements.insertModel.run(name, description ?? null, now).lastInsertRowid);
      return { modelId, versionId: this.insertVersion(modelId, version, now) };
    })();
  }

  /** Adds a version to a model; `undefined` when the model does not exist. */
  createVersion(modelId: number, version: NewModelVersion, now = Date.now()): number | undefined {
    return this.db.transaction(() => {
      if (!this.statements.modelById.get(modelId)) return undefined;
      return this.insertVersion(modelId, version, now);
    })();
  }

  private insertVersion(modelId: number, version: NewModelVersion, now: number): number {
    return Number(
      this.statements.insertVersion.run(
        modelId,
        version.version,
        JSON.stringify(version.spec),
        MODEL_VERSION_READY,
        now,
      ).lastInsertRowid,
    );
  }

  /** Every model, oldest first. */
  listModels(): ModelRecord[] {
    return this.statements.models.all().map(toModel);
  }

  /** The model with this name, or `undefined`. */
  findModel(name: string): ModelRecord | undefined {
    const row = this.statements.modelByName.get(name);
    return row ? toModel(row) : undefined;
  }

  /** One model, or `undefined`. */
  getModel(id: number): ModelRecord | undefined {
    const row = this.statements.modelById.get(id);
    return row ? toModel(row) : undefined;
  }

  /** A model's versions, oldest first. */
  listVersions(modelId: number): ModelVersionRecord[] {
    return this.statements.versionsOfModel.all(modelId).map(toVersion);
  }

  /** One version, or `undefined`. */
  getVersion(id: number): ModelVersionRecord | undefined {
    const row = this.statements.versionById.get(id);
    return row ? toVersion(row) : undefined;
  }

  /** Deletes a model with all its versions (the caller checks no service uses them). */
  deleteModel(id: number): void {
    this.statements.deleteModel.run(id);
  }

  /** Deletes one version (the caller checks no service uses it). */
  deleteVersion(id: number): void {
    this.statements.deleteVersion.run(id);
  }
}
