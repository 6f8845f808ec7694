import { randomUUID } from 'node:crypto';
import type { TrialSample } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import { CoreError, isCoreError } from '../errors';
import type { SqliteDatabase, SqliteStatement } from './sqlite-database';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './sqlite-migrations';
import { readHistoryEntry } from './history-entry';
import { applyPatch, listingLimit } from './history-patch';
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
} from './store-types';
import { DEFAULT_LOCK_STALE_MS, lockedError, lockInfo, lockIsStale, lostLockError } from './team-lock';
import type { LockRecord } from './team-lock';

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** How long a call waits for another process's write to finish before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Close the database in `close()`. Default false: whoever opened it closes it. */
  closeDatabase?: boolean;
  /** Clock, epoch ms; tests pin it. */
  now?: () => number;
}

interface LockRow {
  team_id: string;
  token: string;
  pid: number;
  host: string;
  purpose: string;
  acquired_at_ms: number;
  heartbeat_at_ms: number | null;
}

function lockOfRow(row: LockRow): LockRecord {
  return {
    teamId: row.team_id,
    token: row.token,
    pid: row.pid,
    host: row.host,
    purpose: row.purpose,
    acquiredAtMs: row.acquired_at_ms,
    heartbeatAtMs: row.heartbeat_at_ms ?? row.acquired_at_ms,
  };
}

/** Marks numbers JSON cannot hold (a verdict may carry an infinite bound), so they come back as they went in. */
const NON_FINITE = '$autotune:number';

function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v));
}

function decode<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === NON_FINITE) return Number((v as Record<string, string>)[NON_FINITE]);
    }
    return v;
  }) as T;
}

function storeError(what: string, e: unknown, busyTimeoutMs: number): CoreError {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'SQLITE_BUSY' || err?.code === 'SQLITE_LOCKED') {
    return new CoreError('CORE_STORE', `${what}: the database is busy (another process held it for more than ${busyTimeoutMs} ms); try again`, { cause: e });
  }
  return new CoreError('CORE_STORE', `${what}: ${err?.message ?? String(e)}`, { cause: e });
}

/**
 * An {@link AutotuneStore} in a SQLite database opened by the caller with better-sqlite3 (core never imports
 * the driver). `open` sets WAL journaling and a busy timeout and brings the schema up to date through
 * numbered migrations (`PRAGMA user_version`). Several processes may share the file: writes that must not
 * interleave (taking a team's lock, migrating, changing the history) run in `BEGIN IMMEDIATE` transactions.
 *
 * The driver is synchronous; the methods return promises because the {@link AutotuneStore} contract is
 * asynchronous (so that a network store fits it). Each call does its work before it returns.
 */
export class SqliteStore implements AutotuneStore {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly held = new Map<string, string>();
  private readonly busyTimeoutMs: number;
  private readonly now: () => number;
  private closed = false;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly options: SqliteStoreOptions,
  ) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Prepares a database for autotune and returns the store over it.
   *
   * @example
   * import Database from 'better-sqlite3';
   * const store = SqliteStore.open(new Database(openDefaultDatabasePath('workflow.yaml')));
   * @throws CoreError `CORE_STORE` when the database cannot be prepared, or was written by a newer autotune.
   */
  static open(db: SqliteDatabase, options: SqliteStoreOptions = {}): SqliteStore {
    const store = new SqliteStore(db, options);
    store.guard('opening the autotune database', () => store.migrate());
    return store;
  }

  /** The schema version of the database (after `open`, the latest this build knows). */
  get schemaVersion(): number {
    return Number(this.db.pragma('user_version', { simple: true }));
  }

  private migrate(): void {
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`);
    // WAL lets readers go on while another process writes; an in-memory database keeps its own mode.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db
      .transaction(() => {
        const version = Number(this.db.pragma('user_version', { simple: true }));
        if (version > SQLITE_SCHEMA_VERSION) {
          throw new CoreError(
            'CORE_STORE',
            `the database has schema version ${version}, but this autotune knows versions up to ${SQLITE_SCHEMA_VERSION}; upgrade autotune to use it`,
          );
        }
        for (const migrate of SQLITE_MIGRATIONS.slice(version)) migrate(this.db);
        if (version !== SQLITE_SCHEMA_VERSION) this.db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
      })
      .immediate();
  }

  private guard<T>(what: string, work: () => T): T {
    if (this.closed) throw new CoreError('CORE_USAGE', `${what}: the store is closed`);
    try {
      return work();
    } catch (e) {
      if (isCoreError(e)) throw e;
      throw storeError(what, e, this.busyTimeoutMs);
    }
  }

  private sql(source: string): SqliteStatement {
    let statement = this.statements.get(source);
    if (!statement) {
      statement = this.db.prepare(source);
      this.statements.set(source, statement);
    }
    return statement;
  }

  private insertRecord(record: ExecutionRecord): boolean {
    const result = this.sql('INSERT OR IGNORE INTO records (team_id, execution_id, start_ms, fingerprint, json) VALUES (?, ?, ?, ?, ?)').run(
      record.teamId,
      record.executionId,
      record.startTimeMs,
      record.configFingerprint ?? null,
      encode(record),
    );
    return result.changes > 0;
  }

  async write(record: ExecutionRecord): Promise<void> {
    this.guard(`storing run ${record.executionId} of team ${record.teamId}`, () => this.insertRecord(record));
  }

  async writeMany(records: Iterable<ExecutionRecord>): Promise<number> {
    return this.guard('storing execution records', () =>
      this.db.transaction(() => {
        let added = 0;
        for (const r of records) if (this.insertRecord(r)) added++;
        return added;
      })(),
    );
  }

  async listRecords(teamId: string, options: ListRecordsOptions = {}): Promise<ExecutionRecord[]> {
    return this.guard(`reading the runs of team ${teamId}`, () => {
      const where = ['team_id = ?'];
      const params: unknown[] = [teamId];
      if (options.fingerprint !== undefined) {
        where.push('fingerprint = ?');
        params.push(options.fingerprint);
      }
      if (options.sinceMs !== undefined) {
        where.push('start_ms >= ?');
        params.push(options.sinceMs);
      }
      const filter = where.join(' AND ');
      let rows: unknown[];
      if (options.limit !== undefined) {
        rows = this.sql(`SELECT json FROM records WHERE ${filter} ORDER BY start_ms DESC, seq DESC LIMIT ?`).all(...params, Math.max(0, Math.floor(options.limit)));
        rows.reverse();
      } else {
        rows = this.sql(`SELECT json FROM records WHERE ${filter} ORDER BY start_ms, seq`).all(...params);
      }
      return rows.map((row) => decode<ExecutionRecord>((row as { json: string }).json));
    });
  }

  async saveExperiment(experiment: StoredExperiment): Promise<string> {
    const id = experiment.id ?? `exp-${randomUUID()}`;
    return this.guard(`saving an experiment of team ${experiment.teamId}`, () =>
      this.db.transaction(() => {
        const { baseline, candidate, ...rest } = experiment.result;
        const head = { ...experiment, id, result: rest };
        this.sql('DELETE FROM experiment_samples WHERE experiment_id = ?').run(id);
        this.sql('INSERT OR REPLACE INTO experiments (id, team_id, created_at, json) VALUES (?, ?, ?, ?)').run(id, experiment.teamId, experiment.createdAt, encode(head));
        const insert = this.sql('INSERT INTO experiment_samples (experiment_id, ordinal, arm, trial, json) VALUES (?, ?, ?, ?, ?)');
        [...baseline, ...candidate].forEach((sample, ordinal) => insert.run(id, ordinal, sample.arm, sample.trial, encode(sample)));
        return id;
      })(),
    );
  }

  async listExperiments(teamId: string, options: ListExperimentsOptions = {}): Promise<ExperimentListEntry[]> {
    // SQLite's LIMIT -1 is "no limit".
    const limit = listingLimit('listExperiments', options) ?? -1;
    return this.guard(`listing the experiments of team ${teamId}`, () =>
      (
        this.sql('SELECT id, created_at FROM experiments WHERE team_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(teamId, limit) as {
          id: string;
          created_at: string;
        }[]
      ).map((r) => ({ id: r.id, createdAt: r.created_at })),
    );
  }

  async getExperiment(id: string): Promise<(StoredExperiment & { id: string }) | undefined> {
    return this.guard(`reading experiment ${id}`, () => {
      const row = this.sql('SELECT json FROM experiments WHERE id = ?').get(id) as { json: string } | undefined;
      if (!row) return undefined;
      const head = decode<StoredExperiment & { id: string; result: Omit<StoredExperiment['result'], 'baseline' | 'candidate'> }>(row.json);
      const samples = (this.sql('SELECT json FROM experiment_samples WHERE experiment_id = ? ORDER BY ordinal').all(id) as { json: string }[]).map(
        (r) => decode<TrialSample>(r.json),
      );
      return {
        ...head,
        result: { ...head.result, baseline: samples.filter((s) => s.arm === 'baseline'), candidate: samples.filter((s) => s.arm === 'candidate') },
      };
    });
  }

  async writeHistory(change: HistoryWrite): Promise<number[]> {
    const teams = [...new Set((change.append ?? []).map((e) => e.teamId))];
    const what = teams.length > 0 ? `recording history of team ${teams.join(', ')}` : 'updating the history';
    return this.guard(what, () =>
      this.db
        .transaction(() => {
          for (const { id, patch } of change.update ?? []) {
            const row = this.sql('SELECT json FROM history WHERE id = ?').get(id) as { json: string } | undefined;
            // Throwing inside the transaction rolls back the updates made before this one.
            if (!row) throw new CoreError('CORE_USAGE', `there is no history entry with id ${id}`);
            const entry = decode<Omit<HistoryEntry, 'id'>>(row.json);
            applyPatch(entry, patch);
            this.sql('UPDATE history SET status = ?, json = ? WHERE id = ?').run(entry.status, encode(entry), id);
          }
          return (change.append ?? []).map((entry) => {
            const result = this.sql('INSERT INTO history (team_id, timestamp, status, json) VALUES (?, ?, ?, ?)').run(
              entry.teamId,
              entry.timestamp,
              entry.status,
              encode(entry),
            );
            return Number(result.lastInsertRowid);
          });
        })
        .immediate(),
    );
  }

  private entryOf(row: { id: number; json: string }): HistoryEntry {
    return readHistoryEntry(decode<unknown>(row.json), Number(row.id));
  }

  async listHistory(teamId: string, options: ListHistoryOptions = {}): Promise<HistoryEntry[]> {
    // SQLite's LIMIT -1 is "no limit".
    const limit = listingLimit('listHistory', options) ?? -1;
    return this.guard(`reading the history of team ${teamId}`, () =>
      (this.sql('SELECT id, json FROM history WHERE team_id = ? ORDER BY id DESC LIMIT ?').all(teamId, limit) as { id: number; json: string }[]).map((r) => this.entryOf(r)),
    );
  }

  async getHistoryEntry(id: number): Promise<HistoryEntry | undefined> {
    return this.guard(`reading history entry ${id}`, () => {
      const row = this.sql('SELECT id, json FROM history WHERE id = ?').get(id) as { id: number; json: string } | undefined;
      return row && this.entryOf(row);
    });
  }

  async acquireTeamLock(teamId: string, owner: LockOwner, options: AcquireLockOptions = {}): Promise<TeamLock> {
    const token = randomUUID();
    const staleAfterMs = options.staleAfterMs ?? DEFAULT_LOCK_STALE_MS;
    this.guard(`locking team ${teamId}`, () =>
      this.db
        .transaction(() => {
          // BEGIN IMMEDIATE: between this read and the write below no other process can take the lock.
          const row = this.sql('SELECT * FROM team_locks WHERE team_id = ?').get(teamId) as LockRow | undefined;
          const now = this.now();
          if (row) {
            const current = lockOfRow(row);
            if (!lockIsStale(current, now, staleAfterMs)) throw lockedError(current);
          }
          this.sql('INSERT OR REPLACE INTO team_locks (team_id, token, pid, host, purpose, acquired_at_ms, heartbeat_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
            teamId,
            token,
            owner.pid,
            owner.host,
            owner.purpose,
            now,
            now,
          );
        })
        .immediate(),
    );
    this.held.set(token, teamId);
    return {
      teamId,
      heartbeat: async () => {
        const changed = this.guard(`refreshing the lock of team ${teamId}`, () =>
          this.sql('UPDATE team_locks SET heartbeat_at_ms = ? WHERE team_id = ? AND token = ?').run(this.now(), teamId, token),
        ).changes;
        if (changed === 0) throw lostLockError(teamId);
      },
      release: async () => {
        if (!this.held.delete(token) || this.closed) return;
        this.guard(`unlocking team ${teamId}`, () => this.sql('DELETE FROM team_locks WHERE team_id = ? AND token = ?').run(teamId, token));
      },
    };
  }

  async readTeamLock(teamId: string): Promise<TeamLockInfo | undefined> {
    return this.guard(`reading the lock of team ${teamId}`, () => {
      const row = this.sql('SELECT * FROM team_locks WHERE team_id = ?').get(teamId) as LockRow | undefined;
      return row && lockInfo(lockOfRow(row));
    });
  }

  async breakTeamLock(teamId: string): Promise<TeamLockInfo | undefined> {
    return this.guard(`unlocking team ${teamId}`, () =>
      this.db
        .transaction(() => {
          const row = this.sql('SELECT * FROM team_locks WHERE team_id = ?').get(teamId) as LockRow | undefined;
          if (!row) return undefined;
          this.sql('DELETE FROM team_locks WHERE team_id = ?').run(teamId);
          return lockInfo(lockOfRow(row));
        })
        .immediate(),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      for (const [token, teamId] of this.held) this.sql('DELETE FROM team_locks WHERE team_id = ? AND token = ?').run(teamId, token);
    } finally {
      this.held.clear();
      this.closed = true;
      if (this.options.closeDatabase) this.db.close();
    }
  }
}
