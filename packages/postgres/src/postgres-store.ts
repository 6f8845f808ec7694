import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TrialSample } from '@autotune/abtest';
import { CoreError, DEFAULT_LOCK_STALE_MS, isCoreError, readHistoryEntry } from '@autotune/core';
import type {
  AcquireLockOptions,
  AutotuneStore,
  HistoryEntry,
  ExperimentListEntry,
  HistoryWrite,
  ListExperimentsOptions,
  ListHistoryOptions,
  ListRecordsOptions,
  LockOwner,
  StoredExperiment,
  TeamLock,
  TeamLockInfo,
} from '@autotune/core';
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
  /** Clock for lock times (acquired, heartbeat, staleness), epoch ms; tests pin it. */
  now?: () => number;
}

/**
 * First key of the two-key advisory locks autotune takes (the second is a hash of the team id). Advisory
 * locks are database-wide, so a fixed namespace keeps clear of other applications' locks.
 */
const LOCK_NAMESPACE = 0x61746c6b; // 'atlk'
const LOCK_KEYS = `${LOCK_NAMESPACE}, hashtext($1)`;
/** The backend holding the team's advisory lock, from pg_locks (two-key locks have objsubid 2). */
const LOCK_HOLDER = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = ${LOCK_NAMESPACE}::oid
  AND objid = hashtext($1)::oid AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

interface LockRow {
  team_id: string;
  token: string;
  backend_pid: number;
  pid: number;
  host: string;
  purpose: string;
  acquired_at_ms: string;
  heartbeat_at_ms: string;
}

function infoOf(row: LockRow): TeamLockInfo {
  return {
    teamId: row.team_id,
    pid: row.pid,
    host: row.host,
    purpose: row.purpose,
    acquiredAtMs: Number(row.acquired_at_ms),
    heartbeatAtMs: Number(row.heartbeat_at_ms),
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(lock: TeamLockInfo): CoreError {
  const since = new Date(lock.acquiredAtMs).toISOString();
  return new CoreError(
    'CORE_LOCKED',
    `another ${lock.purpose} is in progress for team ${lock.teamId} (pid ${lock.pid}, host ${lock.host}, since ${since}); ` +
      `wait for it to finish and try again (if it is gone, \`autotune unlock --team-id ${lock.teamId}\` removes its lock)`,
    { details: { teamId: lock.teamId, pid: lock.pid, host: lock.host, purpose: lock.purpose, since, heartbeatAt: new Date(lock.heartbeatAtMs).toISOString() } },
  );
}

function lostLockError(teamId: string): CoreError {
  return new CoreError(
    'CORE_LOCKED',
    `the lock of team ${teamId} is no longer held by this process (its connection was closed: it was taken over as stale or removed with \`autotune unlock\`); stopped before writing`,
    { details: { teamId } },
  );
}

interface Held {
  client: PoolClient;
  teamId: string;
  token: string;
  lost?: Error;
  onError: (e: Error) => void;
}

/**
 * An {@link AutotuneStore} in PostgreSQL, over a `pg.Pool` the caller creates (the package never opens a
 * connection on its own). `open` brings the schema up to date through numbered migrations and refuses a
 * schema newer than this build. Any number of processes on any number of machines may share it.
 *
 * A team's lock is a session advisory lock taken on a connection the store holds until release: when the
 * holder crashes, its connection closes and PostgreSQL frees the lock at once. A row beside it names the
 * holder and carries its heartbeat; a holder that stopped beating (frozen, or its host cut off) is taken over
 * after `staleAfterMs` by ending its connection (`pg_terminate_backend`, which needs the same database role
 * or `pg_signal_backend`), and `breakTeamLock` does the same on demand.
 *
 * @example
 * import { Pool } from 'pg';
 * const pool = new Pool({ connectionString: process.env.AUTOTUNE_DB });
 * const store = await PostgresStore.open(pool);
 */
export class PostgresStore implements AutotuneStore {
  private readonly s: string;
  private readonly held = new Map<string, Held>();
  private readonly now: () => number;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PostgresStoreOptions,
    readonly schemaName: string,
  ) {
    this.s = ident(schemaName);
    this.now = options.now ?? Date.now;
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
      // One statement for the whole batch (unnest of parallel arrays): atomic, and one round trip.
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
        rows = (await this.pool.query<{ json: string }>(`SELECT json FROM ${this.s}.records WHERE ${filter} ORDER BY start_ms DESC, seq DESC LIMIT $${params.length}`, params)).rows;
        rows.reverse();
      } else {
        rows = (await this.pool.query<{ json: string }>(`SELECT json FROM ${this.s}.records WHERE ${filter} ORDER BY start_ms, seq`, params)).rows;
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

  async listExperiments(teamId: string, options: ListExperimentsOptions = {}): Promise<ExperimentListEntry[]> {
    // LIMIT NULL is "no limit".
    const limit = checkedLimit('listExperiments', options.limit);
    return this.guard(`listing the experiments of team ${teamId}`, async () =>
      (
        await this.pool.query<{ id: string; created_at: string }>(
          `SELECT id, created_at FROM ${this.s}.experiments WHERE team_id = $1 ORDER BY created_at COLLATE "C" DESC, id COLLATE "C" DESC LIMIT $2`,
          [teamId, limit],
        )
      ).rows.map((r) => ({ id: r.id, createdAt: r.created_at })),
    );
  }

  async getExperiment(id: string): Promise<(StoredExperiment & { id: string }) | undefined> {
    return this.guard(`reading experiment ${id}`, async () => {
      const { rows } = await this.pool.query<{ json: string }>(`SELECT json FROM ${this.s}.experiments WHERE id = $1`, [id]);
      const row = rows[0];
      if (row === undefined) return undefined;
      const head = decode<StoredExperiment & { id: string; result: Omit<StoredExperiment['result'], 'baseline' | 'candidate'> }>(row.json);
      const samples = (await this.pool.query<{ json: string }>(`SELECT json FROM ${this.s}.experiment_samples WHERE experiment_id = $1 ORDER BY ordinal`, [id])).rows.map(
        (r) => decode<TrialSample>(r.json),
      );
      return {
        ...head,
        result: { ...head.result, baseline: samples.filter((x) => x.arm === 'baseline'), candidate: samples.filter((x) => x.arm === 'candidate') },
      };
    });
  }

  async writeHistory(change: HistoryWrite): Promise<number[]> {
    const updates = change.update ?? [];
    const appends = change.append ?? [];
    if (updates.length === 0 && appends.length === 0) return [];
    return this.guard('recording history', () =>
      this.transaction(async (client) => {
        for (const { id, patch } of updates) {
          const { rows } = Number.isSafeInteger(id)
            ? await client.query<{ json: string }>(`SELECT json FROM ${this.s}.history WHERE id = $1 FOR UPDATE`, [id])
            : { rows: [] };
          const row = rows[0];
          if (row === undefined) throw new CoreError('CORE_USAGE', `there is no history entry with id ${id}`);
          const entry = decode<Omit<HistoryEntry, 'id'>>(row.json);
          for (const key of ['status', 'reason', 'rolledBackAt'] as const) {
            if (patch[key] !== undefined) Object.assign(entry, { [key]: patch[key] });
          }
          await client.query(`UPDATE ${this.s}.history SET status = $1, json = $2 WHERE id = $3`, [entry.status, encode(entry), id]);
        }
        const ids: number[] = [];
        for (const entry of appends) {
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO ${this.s}.history (team_id, timestamp, status, json) VALUES ($1, $2, $3, $4) RETURNING id`,
            [entry.teamId, entry.timestamp, entry.status, encode(entry)],
          );
          ids.push(Number(rows[0]!.id)); // INSERT ... RETURNING id gives one row
        }
        return ids;
      }),
    );
  }

  private entryOf(row: { id: string | number; json: string }): HistoryEntry {
    return readHistoryEntry(decode<unknown>(row.json), Number(row.id));
  }

  async listHistory(teamId: string, options: ListHistoryOptions = {}): Promise<HistoryEntry[]> {
    // LIMIT NULL is "no limit".
    const limit = checkedLimit('listHistory', options.limit);
    return this.guard(`reading the history of team ${teamId}`, async () =>
      (await this.pool.query<{ id: string; json: string }>(`SELECT id, json FROM ${this.s}.history WHERE team_id = $1 ORDER BY id DESC LIMIT $2`, [teamId, limit])).rows.map((r) =>
        this.entryOf(r),
      ),
    );
  }

  async getHistoryEntry(id: number): Promise<HistoryEntry | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    return this.guard(`reading history entry ${id}`, async () => {
      const { rows } = await this.pool.query<{ id: string; json: string }>(`SELECT id, json FROM ${this.s}.history WHERE id = $1`, [id]);
      const row = rows[0];
      return row === undefined ? undefined : this.entryOf(row);
    });
  }

  /** The lock row of the team, if the connection it names still holds the advisory lock (else nobody holds it). */
  private async holder(client: Pool | PoolClient, teamId: string): Promise<LockRow | undefined> {
    const { rows } = await client.query<LockRow>(`SELECT * FROM ${this.s}.team_locks WHERE team_id = $1 AND backend_pid IN (${LOCK_HOLDER})`, [teamId]);
    return rows[0];
  }

  /**
   * Takes the team's lock: a session advisory lock on a connection from the pool, held until release. A dead
   * holder's connection is gone and so is its lock; a holder that stopped beating for `staleAfterMs`, or whose
   * process on this host is gone, loses its connection to the taker.
   *
   * @throws CoreError `CORE_LOCKED` naming the holder (pid, host, purpose, since).
   */
  async acquireTeamLock(teamId: string, owner: LockOwner, options: AcquireLockOptions = {}): Promise<TeamLock> {
    const staleAfterMs = options.staleAfterMs ?? DEFAULT_LOCK_STALE_MS;
    return this.guard(`locking team ${teamId}`, async () => {
      const client = await this.pool.connect();
      const token = randomUUID();
      // A held connection that breaks (terminated by a taker, server restart, network) has lost the lock;
      // without a listener the error event would crash the process.
      const onError = (e: Error) => {
        const lock = this.held.get(token);
        if (lock) lock.lost = e;
      };
      client.on('error', onError);
      let locked = false;
      try {
        for (let attempt = 0; !locked; attempt++) {
          locked = (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEYS}) AS ok`, [teamId])).rows[0]?.ok === true;
          if (locked) break;
          const row = await this.holder(client, teamId);
          if (!row) {
            // Held, but its row is not written yet (the holder is between its two statements) or was removed.
            if (attempt < 3) continue;
            throw new CoreError('CORE_LOCKED', `another process is taking the lock of team ${teamId}; wait for it to finish and try again`, { details: { teamId } });
          }
          const info = infoOf(row);
          const stale = this.now() - info.heartbeatAtMs > staleAfterMs || (info.host === hostname() && !processAlive(info.pid));
          if (!stale || attempt >= 3) throw lockedError(info);
          // Take over: end the stale holder's session, which frees its advisory lock (the call waits for that).
          await client.query('SELECT pg_terminate_backend($1, 10000)', [row.backend_pid]);
        }
        const now = this.now();
        await client.query(
          `INSERT INTO ${this.s}.team_locks (team_id, token, backend_pid, pid, host, purpose, acquired_at_ms, heartbeat_at_ms)
           VALUES ($1, $2, pg_backend_pid(), $3, $4, $5, $6, $6)
           ON CONFLICT (team_id) DO UPDATE SET token = EXCLUDED.token, backend_pid = EXCLUDED.backend_pid, pid = EXCLUDED.pid, host = EXCLUDED.host,
             purpose = EXCLUDED.purpose, acquired_at_ms = EXCLUDED.acquired_at_ms, heartbeat_at_ms = EXCLUDED.heartbeat_at_ms`,
          [teamId, token, owner.pid, owner.host, owner.purpose, now],
        );
      } catch (e) {
        if (locked) await client.query(`SELECT pg_advisory_unlock(${LOCK_KEYS})`, [teamId]).catch(() => undefined);
        client.off('error', onError);
        client.release();
        throw e;
      }
      this.held.set(token, { client, teamId, token, onError });
      return {
        teamId,
        heartbeat: () => this.heartbeat(token, teamId),
        release: () => this.release(token),
      };
    });
  }

  private async heartbeat(token: string, teamId: string): Promise<void> {
    const lock = this.held.get(token);
    if (!lock || lock.lost) throw lostLockError(teamId);
    let updated: number;
    try {
      updated =
        (await lock.client.query(`UPDATE ${this.s}.team_locks SET heartbeat_at_ms = $1 WHERE team_id = $2 AND token = $3 AND backend_pid = pg_backend_pid()`, [
          this.now(),
          teamId,
          token,
        ])).rowCount ?? 0;
    } catch (e) {
      lock.lost ??= e as Error;
      throw lostLockError(teamId);
    }
    if (updated === 0) throw lostLockError(teamId);
  }

  private async release(token: string): Promise<void> {
    const lock = this.held.get(token);
    if (!lock) return;
    this.held.delete(token);
    const { client, teamId, onError } = lock;
    client.off('error', onError);
    if (lock.lost) {
      // The session is gone, and the advisory lock went with it; the row (if any) now belongs to a taker.
      client.release(lock.lost);
      return;
    }
    try {
      await client.query(`DELETE FROM ${this.s}.team_locks WHERE team_id = $1 AND token = $2`, [teamId, token]);
      await client.query(`SELECT pg_advisory_unlock(${LOCK_KEYS})`, [teamId]);
      client.release();
    } catch (e) {
      // A connection in an unknown state must not go back to the pool still holding the lock: destroy it,
      // which ends the session and so frees the lock.
      client.release(e instanceof Error ? e : true);
    }
  }

  async readTeamLock(teamId: string): Promise<TeamLockInfo | undefined> {
    return this.guard(`reading the lock of team ${teamId}`, async () => {
      const row = await this.holder(this.pool, teamId);
      return row && infoOf(row);
    });
  }

  async breakTeamLock(teamId: string): Promise<TeamLockInfo | undefined> {
    return this.guard(`breaking the lock of team ${teamId}`, async () => {
      const row = await this.holder(this.pool, teamId);
      // Ending the holder's session frees its advisory lock; the holder learns it at its next beat.
      const { rows } = await this.pool.query<{ pid: number }>(LOCK_HOLDER, [teamId]);
      for (const { pid } of rows) await this.pool.query('SELECT pg_terminate_backend($1, 10000)', [pid]);
      await this.pool.query(`DELETE FROM ${this.s}.team_locks WHERE team_id = $1`, [teamId]);
      return row && infoOf(row);
    });
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

/** A listing's `limit` as a query parameter (null: no limit); the contract refuses anything but a positive integer. */
function checkedLimit(what: string, limit: number | undefined): number | null {
  if (limit === undefined) return null;
  if (!(Number.isSafeInteger(limit) && limit > 0)) throw new CoreError('CORE_USAGE', `${what}: limit must be a positive integer, got ${String(limit)}`);
  return limit;
}
