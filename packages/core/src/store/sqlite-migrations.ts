import type { SqliteDatabase } from './sqlite-database';

/**
 * Schema steps, in order: step i takes the schema from version i to i + 1 (`PRAGMA user_version`). A step
 * is never edited once released; a change is a new step.
 */
export const SQLITE_MIGRATIONS: ReadonlyArray<(db: SqliteDatabase) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        team_id TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        start_ms REAL NOT NULL,
        fingerprint TEXT,
        json TEXT NOT NULL,
        UNIQUE (team_id, execution_id)
      );
      CREATE INDEX records_by_team_time ON records (team_id, start_ms);
      CREATE INDEX records_by_team_config ON records (team_id, fingerprint, start_ms);

      CREATE TABLE experiments (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX experiments_by_team ON experiments (team_id, created_at);

      CREATE TABLE experiment_samples (
        experiment_id TEXT NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        arm TEXT NOT NULL,
        trial INTEGER NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (experiment_id, ordinal)
      );

      CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        team_id TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        status TEXT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX history_by_team ON history (team_id, id);

      CREATE TABLE team_locks (
        team_id TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        purpose TEXT NOT NULL,
        acquired_at_ms INTEGER NOT NULL
      );
    `),
  // 2: lock heartbeats, so that a lock whose holder stopped beating can be told stale whatever its pid or host.
  (db) =>
    db.exec(`
      ALTER TABLE team_locks ADD COLUMN heartbeat_at_ms INTEGER;
      UPDATE team_locks SET heartbeat_at_ms = acquired_at_ms;
    `),
];

/** The schema version this build writes. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;
