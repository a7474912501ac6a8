/**
 * The platform's state in one SQLite file: opens the database and hands out one
 * repository per table group. Closing checkpoints the WAL.
 * @module
 */
import { type Db, openDatabase } from './database.js';
import { LogStore } from './logs.js';
import { MetricStore } from './metrics.js';
import { ModelStore } from './models.js';
import { ResourceStore } from './resources.js';
import { ServiceStore } from './services.js';
import { TrainingStore } from './training.js';
import { UserStore } from './users.js';

/** Every repository over one connection. */
export interface Store {
  readonly db: Db;
  readonly users: UserStore;
  readonly training: TrainingStore;
  readonly trainLogs: LogStore;
  readonly serviceLogs: LogStore;
  readonly metrics: MetricStore;
  readonly resources: ResourceStore;
  readonly models: ModelStore;
  readonly services: ServiceStore;
  /** Closes the connection (idempotent). */
  close(): void;
}

/** Opens the store at `file` (`:memory:` for a throwaway one). See {@link openDatabase}. */
export function openStore(file: string): Store {
  const db = openDatabase(file);
  return {
    db,
    users: new UserStore(db),
    training: new TrainingStore(db),
    trainLogs: new LogStore(db, 'train_logs'),
    serviceLogs: new LogStore(db, 'service_logs'),
    metrics: new MetricStore(db),
    resources: new ResourceStore(db),
    models: new ModelStore(db),
    services: new ServiceStore(db),
    close() {
      if (!db.open) return;
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
