/**
 * Online services: a unique name, the service models (model version, weight,
 * machine spec, instance count, envs — each kept as the client sent it, after
 * validation), a status with its reason, and the port of the service's gateway
 * (kept so its access address survives stop/start and platform restarts). The
 * `service_models` rows tie a service to the model versions it serves, so a
 * version in use cannot be deleted.
 * @module
 */
import type { Db } from './database.js';

/** Statuses in which a service's instances run (or are being started). */
export const LIVE_SERVICE_STATUSES: ReadonlySet<string> = new Set(['DEPLOYING', 'RUNNING']);

/** One service model as stored: the validated ServiceModelSpec. */
export interface ServiceModelRecord {
  readonly modelVersionId: number;
  readonly weight: number;
  readonly resourceId: number;
  readonly instanceCount: number;
  /** The spec as the client sent it (with `resourcePoolType`, `envs`). */
  readonly spec: Readonly<Record<string, unknown>>;
}

/** A service row with its models, in the client's order. */
export interface ServiceRecord {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly reason: string | undefined;
  /** The gateway's port, once one was bound. */
  readonly port: number | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly models: readonly ServiceModelRecord[];
}

/** A service that uses a model version. */
export interface ModelVersionUser {
  readonly serviceId: number;
  readonly serviceName: string;
  readonly status: string;
  readonly modelVersionId: number;
}

interface ServiceRow {
  id: number;
  name: string;
  spec: string;
  status: string;
  reason: string | null;
  port: number | null;
  created_at: number;
  updated_at: number;
}

interface ModelRow {
  model_version_id: number;
  weight: number;
  resource_id: string;
  instance_count: number;
  spec: string;
}

/** Services and their models, through prepared statements. */
export class ServiceStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare<[string, string, string, number, number]>(
        `INSERT INTO services (name, spec, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      byName: db.prepare<[string], { id: number }>('SELECT id FROM services WHERE name = ?'),
      byId: db.prepare<[number], ServiceRow>('SELECT * FROM services WHERE id = ?'),
      exists: db.prepare<[number], { id: number }>('SELECT id FROM services WHERE id = ?'),
      all: db.prepare<[], ServiceRow>('SELECT * FROM services ORDER BY id'),
      models: db.prepare<[number], ModelRow>(
        'SELECT model_version_id, weight, resource_id, instance_count, spec FROM service_models WHERE service_id = ? ORDER BY id',
      ),
      insertModel: db.prepare<[number, number, number, string, number, string]>(
        `INSERT INTO service_models (service_id, model_version_id, weight, resource_id, instance_count, spec)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deleteModels: db.prepare<[number]>('DELETE FROM service_models WHERE service_id = ?'),
      setStatus: db.prepare<[string, string | null, number, number]>(
        'UPDATE services SET status = ?, reason = ?, updated_at = ? WHERE id = ?',
      ),
      setPort: db.prepare<[number, number]>('UPDATE services SET port = ? WHERE id = ?'),
      setName: db.prepare<[string, string, number, number]>(
        'UPDATE services SET name = ?, spec = ?, updated_at = ? WHERE id = ?',
      ),
      delete: db.prepare<[number]>('DELETE FROM services WHERE id = ?'),
      users: db.prepare<[number], { service_id: number; name: string; status: string }>(
        `SELECT DISTINCT s.id AS service_id, s.name, s.status FROM service_models sm
         JOIN services s ON s.id = sm.service_id WHERE sm.model_version_id = ? ORDER BY s.id`,
      ),
    };
  }

  private toRecord(row: ServiceRow): ServiceRecord {
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      reason: row.reason ?? undefined,
      port: row.port ?? undefined,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      models: this.statements.models.all(row.id).map((m) => ({
        modelVersionId: m.model_version_id,
        weight: m.weight,
        resourceId: Number(m.resource_id),
        instanceCount: m.instance_count,
        spec: JSON.parse(m.spec) as Record<string, unknown>,
      })),
    };
  }

  private insertModels(serviceId: number, models: readonly ServiceModelRecord[]): void {
    for (const m of models) {
      this.statements.insertModel.run(
        serviceId,
        m.modelVersionId,
        m.weight,
        String(m.resourceId),
        m.instanceCount,
        JSON.stringify(m.spec),
      );
    }
  }

  /**
   * Creates a service (status DEPLOYING) with its models in one transaction.
   * Returns `undefined` when a service of that name exists (nothing is written).
   */
  create(name: string, models: readonly ServiceModelRecord[], now = Date.now()): number | undefined {
    return this.db.transaction(() => {
      if (this.statements.byName.get(name)) return undefined;
      const spec = JSON.stringify({ name, type: 'ONLINE_SERVICE' });
      const id = Number(this.statements.insert.run(name, spec, 'DEPLOYING', now, now).lastInsertRowid);
      this.insertModels(id, models);
      return id;
    })();
  }

  /** One service, or `undefined`. */
  get(id: number): ServiceRecord | undefined {
    const row = this.statements.byId.get(id);
    return row ? this.toRecord(row) : undefined;
  }

  /** True while the service exists. */
  exists(id: number): boolean {
    return this.statements.exists.get(id) !== undefined;
  }

  /** Every service, oldest first. */
  list(): ServiceRecord[] {
    return this.statements.all.all().map((row) => this.toRecord(row));
  }

  /** Sets the status; `reason` replaces the stored one (absent clears it). False when the service is gone. */
  setStatus(id: number, status: string, reason?: string, now = Date.now()): boolean {
    return this.statements.setStatus.run(status, reason ?? null, now, id).changes > 0;
  }

  /** Remembers the gateway's port. */
  setPort(id: number, port: number): void {
    this.statements.setPort.run(port, id);
  }

  /** Renames a service; false when another service has the name. */
  rename(id: number, name: string, now = Date.now()): boolean {
    return this.db.transaction(() => {
      const other = this.statements.byName.get(name);
      if (other && other.id !== id) return false;
      this.statements.setName.run(name, JSON.stringify({ name, type: 'ONLINE_SERVICE' }), now, id);
      return true;
    })();
  }

  /** Replaces a service's models. */
  replaceModels(id: number, models: readonly ServiceModelRecord[]): void {
    this.db.transaction(() => {
      this.statements.deleteModels.run(id);
      this.insertModels(id, models);
    })();
  }

  /** Deletes a service with its models and logs. */
  delete(id: number): void {
    this.statements.delete.run(id);
  }

  /** The services (any status) that serve a model version. */
  usersOf(modelVersionId: number): ModelVersionUser[] {
    return this.statements.users.all(modelVersionId).map((row) => ({
      serviceId: row.service_id,
      serviceName: row.name,
      status: row.status,
      modelVersionId,
    }));
  }
}
