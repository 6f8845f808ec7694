import type { PoolClient } from 'pg';
import { PostgresError } from './errors';

/** A quoted SQL identifier (schema names come from options). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new PostgresError('POSTGRES_INVALID_INPUT', `schema name "${name}" is not allowed: use lower-case letters, digits and underscores, starting with a letter`);
  }
  return `"${name}"`;
}

/**
 * Schema steps, in order: step i takes the schema from version i to i + 1 (recorded in `schema_version`).
 * A step is never edited once released; a change is a new step. Each runs in the migrating transaction.
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<(s: string) => string> = [
  (s) => `
    CREATE TABLE ${s}.records (
      seq bigserial PRIMARY KEY,
      team_id text NOT NULL,
      execution_id text NOT NULL,
      start_ms double precision NOT NULL,
      fingerprint text,
      json text NOT NULL,
      UNIQUE (team_id, execution_id)
    );
    -- listRecords: a team's runs in time order, optionally of one config, optionally since a time.
    CREATE INDEX records_by_team_time ON ${s}.records (team_id, start_ms, seq);
    CREATE INDEX records_by_team_config ON ${s}.records (team_id, fingerprint, start_ms, seq);

    CREATE TABLE ${s}.experiments (
      id text PRIMARY KEY,
      team_id text NOT NULL,
      created_at text NOT NULL,
      json text NOT NULL
    );
    CREATE INDEX experiments_by_team ON ${s}.experiments (team_id, created_at);

    CREATE TABLE ${s}.experiment_samples (
      experiment_id text NOT NULL REFERENCES ${s}.experiments (id) ON DELETE CASCADE,
      ordinal integer NOT NULL,
      arm text NOT NULL,
      trial integer NOT NULL,
      json text NOT NULL,
      PRIMARY KEY (experiment_id, ordinal)
    );

    CREATE TABLE ${s}.history (
      id bigserial PRIMARY KEY,
      team_id text NOT NULL,
      timestamp text NOT NULL,
      status text NOT NULL,
      json text NOT NULL
    );
    -- listHistory: a team's entries, newest first.
    CREATE INDEX history_by_team ON ${s}.history (team_id, id DESC);

    -- Who holds a team's lock. The lock itself is a session advisory lock held by the holder's connection;
    -- this row describes it (backend_pid ties it to that connection) and carries its heartbeat.
    CREATE TABLE ${s}.team_locks (
      team_id text PRIMARY KEY,
      token text NOT NULL,
      backend_pid integer NOT NULL,
      pid integer NOT NULL,
      host text NOT NULL,
      purpose text NOT NULL,
      acquired_at_ms bigint NOT NULL,
      heartbeat_at_ms bigint NOT NULL
    );

    -- One result per trial, whichever worker ran it and however often its job was retried.
    CREATE TABLE ${s}.trial_results (
      trial_id text PRIMARY KEY,
      run_id text NOT NULL,
      team_id text NOT NULL,
      job_id text,
      worker text NOT NULL,
      ok boolean NOT NULL,
      record text,
      error text,
      finished_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX trial_results_by_run ON ${s}.trial_results (run_id);
  `,
];

/** The schema version this build writes. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** Key of the transaction-level advisory lock that serialises migrations (any value, fixed forever). */
const MIGRATION_LOCK_KEY = 0x6175746f; // 'auto'

/**
 * Brings the schema up to date in one transaction. Concurrent callers queue on an advisory lock, so two
 * processes starting at once never both run a step. A database written by a newer build is refused.
 *
 * @returns the schema version found before migrating (0 for a fresh database).
 */
export async function migrate(client: PoolClient, schema: string): Promise<number> {
  const s = ident(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_version`);
    const found = rows[0]?.version ?? 0;
    if (found > POSTGRES_SCHEMA_VERSION) {
      throw new PostgresError(
        'POSTGRES_SCHEMA_NEWER',
        `the autotune schema "${schema}" has version ${found}, but this autotune knows versions up to ${POSTGRES_SCHEMA_VERSION}; ` +
          'upgrade @autotune/postgres (and the CLI) to use this database',
      );
    }
    for (let v = found; v < POSTGRES_SCHEMA_VERSION; v++) {
      await client.query(POSTGRES_MIGRATIONS[v]!(s)); // one migration per schema version below the current
      await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [v + 1]);
    }
    await client.query('COMMIT');
    return found;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
