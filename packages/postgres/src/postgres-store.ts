import { randomUUID } from 'node:crypto';
import type { TrialSample } from '@autotune/abtest';
import { CoreError, isCoreError } from '@autotune/core';
import type { HistoryEntry, HistoryPatch, ListRecordsOptions, LockOwner, StoredExperiment } from '@autotune/core';
import type { ExecutionRecord } from '@autotune/metrics';
import type { Pool, PoolClient } from 'pg';
import { isPostgresError, PostgresError } from './errors';
import { decode, encode } from './internal/json';
import { maskSecrets } from './mask';
import { ident, migrate, POSTGRES_SCHEMA_VERSION } from './migrations';

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  /** PostgreSQL schema holding autotune's tables. Default `autotune`. */
  schema?: string;
  /** End the pool in `close()`. Default false: whoever created the pool ends it. */
  closePool?: boolean;
  /** Secrets (the password) to mask in error messages, beside any connection URL they quote. */
  secrets?: readonly string[];
}

/** Whether a string is a usable team id for a lock key. */
function lockKeySql(param: string): string {
  // 64-bit hash of a namespaced key: advisory locks are database-wide, so the prefix keeps clear of other apps.
  return `hashtextextended('autotune.team:' || ${param}, 0)`;
}

/**
 * An autotune store in PostgreSQL, over a `pg.Pool` the caller creates (the package never opens a
 * connection on its own). `open` brings the schema up to date through numbered migrations and refuses a
 * schema newer than this build. Any number of processes on any number of machines may share it.
 *
 * A team's lock is a session-level advisory lock taken on a connection the store holds until release: when
 * the holder crashes, its connection closes and PostgreSQL frees the lock at once, with no staleness guess.
 *
 * @example
 * import { Pool } from 'pg';
 * const pool = new Pool({ connectionString: process.env.AUTOTUNE_DB });
 * const store = await PostgresStore.open(pool);
 */
export class PostgresStore {
  private readonly s: string;
  private readonly held = new Map<string, { client: PoolClient; teamId: string; lost?: Error; onError: (e: Error) => void }>();
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PostgresStoreOptions,
    readonly schemaName: string,
  ) {
    this.s = ident(schemaName);
  }

  /**
   * Prepares the database (creating or migrating autotune's schema) and returns the store over it.
   *
   * @throws PostgresError `POSTGRES_SCHEMA_NEWER` when a newer autotune wrote the schema, `POSTGRES_QUERY`
   *   when the database cannot be reached or prepared.
   */
  static async open(pool: Pool, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const store = new PostgresStore(pool, options, options.schema ?? 'autotune');
    await store.guard('opening the autotune database', async () => {
      const client = await pool.connect();
      try {
        await migrate(client, store.schemaName);
      } finally {
        client.release();
      }
    });
    return store;
  }

  /** The schema version this build writes (the database's, after `open`). */
  get schemaVersion(): number {
    return POSTGRES_SCHEMA_VERSION;
  }

  private async guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CoreError('CORE_USAGE', `${what}: the store is closed`);
    try {
      return await work();
    } catch (e) {
      if (isCoreError(e) || isPostgresError(e)) throw e;
      const message = maskSecrets((e as Error)?.message ?? String(e), this.options.secrets);
      throw new PostgresError('POSTGRES_QUERY', `${what}: ${message}`, { cause: e });
    }
  }

  async write(record: ExecutionRecord): Promise<void> {
    await this.writeMany([record]);
  }

  async writeMany(records: Iterable<ExecutionRecord>): Promise<number> {
    const list = [...records];
    if (list.length === 0) return 0;
    return this.guard('storing execution records', async () => {
      // One statement for the whole batch (unnest of parallel arrays): a round trip per batch, not per record.
      const { rowCount } = await this.pool.query(
        `INSERT INTO ${this.s}.records (team_id, execution_id, start_ms, fingerprint, json)
         SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[])
         ON CONFLICT (team_id, execution_id) DO NOTHING`,
        [
          list.map((r) => r.teamId),
          list.map((r) => r.executionId),
          list.map((r) => r.startTimeMs),
          list.map((r) => r.configFingerprint ?? null),
          list.map((r) => encode(r)),
        ],
      );
      return rowCount ?? 0;
    });
  }

  async listRecords(teamId: string, options: ListRecordsOptions = {}): Promise<ExecutionRecord[]> {
    return this.guard(`reading the runs of team ${teamId}`, async () => {
      const where = ['team_id = $1'];
      const params: unknown[] = [teamId];
      if (options.fingerprint !== undefined) {
        params.push(options.fingerprint);
        where.push(`fingerprint = $${params.length}`);
      }
      if (options.sinceMs !== undefined) {
        params.push(options.sinceMs);
        where.push(`start_ms >= $${params.length}`);
      }
      const filter = where.join(' AND ');
      let rows: { json: string }[];
      if (options.limit !== undefined) {
        params.push(Math.max(0, Math.floor(options.limit)));
        rows = (await this.pool.query(`SELECT json FROM ${this.s}.records WHERE ${filter} ORDER BY start_ms DESC, seq DESC LIMIT $${params.length}`, params)).rows;
        rows.reverse();
      } else {
        rows = (await this.pool.query(`SELECT json FROM ${this.s}.records WHERE ${filter} ORDER BY start_ms, seq`, params)).rows;
      }
      return rows.map((row) => decode<ExecutionRecord>(row.json));
    });
  }

  async saveExperiment(experiment: StoredExperiment): Promise<string> {
    const id = experiment.id ?? `exp-${randomUUID()}`;
    return this.guard(`saving an experiment of team ${experiment.teamId}`, () =>
      this.transaction(async (client) => {
        const { baseline, candidate, ...rest } = experiment.result;
        const head = { ...experiment, id, result: rest };
        await client.query(`DELETE FROM ${this.s}.experiment_samples WHERE experiment_id = $1`, [id]);
        await client.query(
          `INSERT INTO ${this.s}.experiments (id, team_id, created_at, json) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET team_id = EXCLUDED.team_id, created_at = EXCLUDED.created_at, json = EXCLUDED.json`,
          [id, experiment.teamId, experiment.createdAt, encode(head)],
        );
        const samples = [...baseline, ...candidate];
        if (samples.length > 0) {
          await client.query(
            `INSERT INTO ${this.s}.experiment_samples (experiment_id, ordinal, arm, trial, json)
             SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[], $5::text[])`,
            [id, samples.map((_, i) => i), samples.map((x) => x.arm), samples.map((x) => x.trial), samples.map((x) => encode(x))],
          );
        }
        return id;
      }),
    );
  }

  async getExperiment(id: string): Promise<(StoredExperiment & { id: string }) | undefined> {
    return this.guard(`reading experiment ${id}`, async () => {
      const { rows } = await this.pool.query<{ json: string }>(`SELECT json FROM ${this.s}.experiments WHERE id = $1`, [id]);
      if (rows.length === 0) return undefined;
      const head = decode<StoredExperiment & { id: string; result: Omit<StoredExperiment['result'], 'baseline' | 'candidate'> }>(rows[0].json);
      const samples = (await this.pool.query<{ json: string }>(`SELECT json FROM ${this.s}.experiment_samples WHERE experiment_id = $1 ORDER BY ordinal`, [id])).rows.map(
        (r) => decode<TrialSample>(r.json),
      );
      return {
        ...head,
        result: { ...head.result, baseline: samples.filter((x) => x.arm === 'baseline'), candidate: samples.filter((x) => x.arm === 'candidate') },
      };
    });
  }

  async appendHistory(entry: Omit<HistoryEntry, 'id'>): Promise<number> {
    return this.guard(`recording history of team ${entry.teamId}`, async () => {
      const { rows } = await this.pool.query<{ id: string }>(
        `INSERT INTO ${this.s}.history (team_id, timestamp, status, json) VALUES ($1, $2, $3, $4) RETURNING id`,
        [entry.teamId, entry.timestamp, entry.status, encode(entry)],
      );
      return Number(rows[0].id);
    });
  }

  async updateHistory(id: number, patch: HistoryPatch): Promise<void> {
    await this.guard(`updating history entry ${id}`, () =>
      this.transaction(async (client) => {
        const { rows } = await client.query<{ json: string }>(`SELECT json FROM ${this.s}.history WHERE id = $1 FOR UPDATE`, [id]);
        if (rows.length === 0) throw new CoreError('CORE_USAGE', `there is no history entry with id ${id}`);
        const entry = decode<Omit<HistoryEntry, 'id'>>(rows[0].json);
        for (const key of ['status', 'reason', 'rolledBackAt'] as const) {
          if (patch[key] !== undefined) Object.assign(entry, { [key]: patch[key] });
        }
        await client.query(`UPDATE ${this.s}.history SET status = $1, json = $2 WHERE id = $3`, [entry.status, encode(entry), id]);
      }),
    );
  }

  private entryOf(row: { id: string | number; json: string }): HistoryEntry {
    return { ...decode<Omit<HistoryEntry, 'id'>>(row.json), id: Number(row.id) };
  }

  async listHistory(teamId: string): Promise<HistoryEntry[]> {
    return this.guard(`reading the history of team ${teamId}`, async () =>
      (await this.pool.query<{ id: string; json: string }>(`SELECT id, json FROM ${this.s}.history WHERE team_id = $1 ORDER BY id DESC`, [teamId])).rows.map((r) =>
        this.entryOf(r),
      ),
    );
  }

  async getHistoryEntry(id: number): Promise<HistoryEntry | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    return this.guard(`reading history entry ${id}`, async () => {
      const { rows } = await this.pool.query<{ id: string; json: string }>(`SELECT id, json FROM ${this.s}.history WHERE id = $1`, [id]);
      return rows.length === 0 ? undefined : this.entryOf(rows[0]);
    });
  }

  /**
   * Takes the team's lock: a PostgreSQL advisory lock on a connection taken from the pool and held until the
   * returned function releases it. `staleAfterMs` is accepted for the contract and ignored: a lock here is
   * never stale, because a holder that dies loses its connection and with it the lock.
   *
   * @throws CoreError `CORE_LOCKED` naming the holder (pid, host, purpose, since).
   */
  async acquireTeamLock(teamId: string, owner: LockOwner, _staleAfterMs?: number): Promise<() => Promise<void>> {
    return this.guard(`locking team ${teamId}`, async () => {
      const client = await this.pool.connect();
      const token = randomUUID();
      // A held connection that breaks (server restart, network) has lost the lock; without a listener the
      // error event would crash the process.
      const onError = (e: Error) => {
        const lock = this.held.get(token);
        if (lock) lock.lost = e;
      };
      client.on('error', onError);
      let locked = false;
      try {
        const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${lockKeySql('$1')}) AS ok`, [teamId]);
        locked = rows[0].ok;
        if (!locked) throw await this.lockedError(client, teamId);
        const now = Date.now();
        await client.query(
          `INSERT INTO ${this.s}.team_locks (team_id, backend_pid, pid, host, purpose, acquired_at_ms) VALUES ($1, pg_backend_pid(), $2, $3, $4, $5)
           ON CONFLICT (team_id) DO UPDATE SET backend_pid = EXCLUDED.backend_pid, pid = EXCLUDED.pid, host = EXCLUDED.host,
             purpose = EXCLUDED.purpose, acquired_at_ms = EXCLUDED.acquired_at_ms`,
          [teamId, owner.pid, owner.host, owner.purpose, now],
        );
      } catch (e) {
        if (locked) await client.query(`SELECT pg_advisory_unlock(${lockKeySql('$1')})`, [teamId]).catch(() => undefined);
        client.off('error', onError);
        client.release();
        throw e;
      }
      this.held.set(token, { client, teamId, onError });
      return () => this.release(token);
    });
  }

  private async lockedError(client: PoolClient, teamId: string): Promise<CoreError> {
    // The description row is trusted only if its connection is the one holding the advisory lock now.
    const { rows } = await client.query<{ pid: number; host: string; purpose: string; acquired_at_ms: string }>(
      `SELECT l.pid, l.host, l.purpose, l.acquired_at_ms FROM ${this.s}.team_locks l
       WHERE l.team_id = $1 AND EXISTS (
         SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted AND k.pid = l.backend_pid
           AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`,
      [teamId],
    );
    const row = rows[0];
    if (!row) {
      return new CoreError('CORE_LOCKED', `another process is working on team ${teamId} (it is taking the lock right now); wait for it to finish and try again`, {
        details: { teamId },
      });
    }
    const since = new Date(Number(row.acquired_at_ms)).toISOString();
    return new CoreError(
      'CORE_LOCKED',
      `another ${row.purpose} is in progress for team ${teamId} (pid ${row.pid}, host ${row.host}, since ${since}); wait for it to finish and try again`,
      { details: { teamId, pid: row.pid, host: row.host, purpose: row.purpose, since } },
    );
  }

  private async release(token: string): Promise<void> {
    const lock = this.held.get(token);
    if (!lock) return;
    this.held.delete(token);
    const { client, teamId, onError } = lock;
    client.off('error', onError);
    if (lock.lost) {
      // The session is gone, and the advisory lock went with it.
      client.release(lock.lost);
      return;
    }
    try {
      await client.query(`DELETE FROM ${this.s}.team_locks WHERE team_id = $1 AND backend_pid = pg_backend_pid()`, [teamId]);
      await client.query(`SELECT pg_advisory_unlock(${lockKeySql('$1')})`, [teamId]);
      client.release();
    } catch (e) {
      // A connection in an unknown state must not go back to the pool still holding the lock: destroy it,
      // which ends the session and so frees the lock.
      client.release(e instanceof Error ? e : true);
    }
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Releases this store's locks and, with `closePool`, ends the pool. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      for (const token of [...this.held.keys()]) await this.release(token);
    } finally {
      this.closed = true;
      if (this.options.closePool) await this.pool.end();
    }
  }
}
