/**
 * The local platform's SQLite schema. One list of migrations, applied in order
 * and counted in `PRAGMA user_version`, so a data dir made by an older build is
 * brought up to date on open and a newer one is refused.
 *
 * Times are integer milliseconds since the epoch. Request bodies (TrainCreate,
 * ModelCreate, ServiceCreate) are kept as the JSON the client sent (after
 * validation), in a `spec` column, so detail routes can echo them.
 * @module
 */

/** Migrations by index: migration `i` brings `user_version` from `i` to `i + 1`. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    username   TEXT PRIMARY KEY,
    salt       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE train_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  INTEGER NOT NULL
  );

  CREATE TABLE train_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      INTEGER NOT NULL REFERENCES train_jobs(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    status      TEXT NOT NULL,
    cpu         REAL NOT NULL,
    memory      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    exit_code   INTEGER,
    reason      TEXT,
    UNIQUE (job_id, number)
  );
  CREATE INDEX train_versions_status ON train_versions(status);

  CREATE TABLE train_status_history (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id INTEGER NOT NULL REFERENCES train_versions(id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    reason     TEXT,
    time       INTEGER NOT NULL
  );
  CREATE INDEX train_status_history_version ON train_status_history(version_id, seq);

  CREATE TABLE train_logs (
    owner_id INTEGER NOT NULL REFERENCES train_versions(id) ON DELETE CASCADE,
    id       INTEGER NOT NULL,
    instance INTEGER NOT NULL,
    stream   TEXT NOT NULL,
    content  TEXT NOT NULL,
    time     INTEGER NOT NULL,
    PRIMARY KEY (owner_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE train_metrics (
    version_id INTEGER NOT NULL REFERENCES train_versions(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    line_id    INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    value      REAL NOT NULL
  );
  CREATE INDEX train_metrics_version ON train_metrics(version_id, line_id);

  CREATE TABLE train_resources (
    version_id INTEGER NOT NULL REFERENCES train_versions(id) ON DELETE CASCADE,
    instance   INTEGER NOT NULL,
    time       INTEGER NOT NULL,
    cpu        REAL NOT NULL,
    memory     INTEGER NOT NULL,
    gpu        REAL
  );
  CREATE INDEX train_resources_version ON train_resources(version_id, time);

  CREATE TABLE models (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  INTEGER NOT NULL
  );

  CREATE TABLE model_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    version    TEXT NOT NULL,
    spec       TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX model_versions_model ON model_versions(model_id);

  CREATE TABLE services (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    spec        TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    port        INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );

  CREATE TABLE service_models (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id       INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
    weight           REAL NOT NULL,
    resource_id      TEXT NOT NULL,
    instance_count   INTEGER NOT NULL,
    spec             TEXT NOT NULL
  );
  CREATE INDEX service_models_service ON service_models(service_id);
  CREATE INDEX service_models_model_version ON service_models(model_version_id);

  CREATE TABLE service_logs (
    owner_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    id       INTEGER NOT NULL,
    instance INTEGER NOT NULL,
    stream   TEXT NOT NULL,
    content  TEXT NOT NULL,
    time     INTEGER NOT NULL,
    PRIMARY KEY (owner_id, id)
  ) WITHOUT ROWID;
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
