import { hostname } from 'node:os';
import { isCoreError } from '@autotune/core';
import type { ExecutionRecord } from '@autotune/metrics';
import { isPostgresError, POSTGRES_SCHEMA_VERSION, PostgresStore } from '@autotune/postgres';
import { Pool } from 'pg';
import { startServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
}, 60_000);

function record(teamId: string, i: number, fingerprint = 'fp-a'): ExecutionRecord {
  return {
    teamId,
    executionId: `run-${i}`,
    startTimeMs: 1_700_000_000_000 + i * 1000,
    endTimeMs: 1_700_000_000_000 + i * 1000 + 500,
    durationMs: 500,
    success: true,
    formation: 'parallel',
    memberCount: 2,
    totalToolCalls: 3,
    configFingerprint: fingerprint,
  } as unknown as ExecutionRecord;
}

const owner = { pid: process.pid, host: hostname(), purpose: 'apply' };

describe('PostgresStore', () => {
  it('migrates a fresh database once, also when several processes open it at the same time', async () => {
    const url = await server.freshDatabase();
    const pools = [server.pool(url, 2), server.pool(url, 2), server.pool(url, 2)];
    const stores = await Promise.all(pools.map((p) => PostgresStore.open(p)));
    const { rows } = await pools[0].query('SELECT version FROM autotune.schema_version ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses a schema written by a newer autotune, naming both versions', async () => {
    const url = await server.freshDatabase();
    const pool = server.pool(url, 2);
    await (await PostgresStore.open(pool)).close();
    await pool.query('INSERT INTO autotune.schema_version (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION + 1]);
    const error = await PostgresStore.open(pool).catch((e: unknown) => e);
    expect(isPostgresError(error, 'POSTGRES_SCHEMA_NEWER')).toBe(true);
    expect((error as Error).message).toContain(`version ${POSTGRES_SCHEMA_VERSION + 1}`);
    expect((error as Error).message).toContain(`up to ${POSTGRES_SCHEMA_VERSION}`);
  });

  it('never puts the password of an unreachable database into its error', async () => {
    const pool = new Pool({ connectionString: 'postgres://someone:hunter2-secret@127.0.0.1:1/nowhere', connectionTimeoutMillis: 5000 });
    try {
      const error = await PostgresStore.open(pool, { secrets: ['hunter2-secret'] }).catch((e: unknown) => e);
      expect(isPostgresError(error, 'POSTGRES_QUERY')).toBe(true);
      expect((error as Error).message).toMatch(/^opening the autotune database: /);
      expect((error as Error).message).not.toContain('hunter2');
    } finally {
      await pool.end();
    }
  });

  it('stores records once per execution id and filters them by config, time and count', async () => {
    const store = await PostgresStore.open(server.pool(await server.freshDatabase()));
    expect(await store.writeMany([record('t', 1), record('t', 2, 'fp-b'), record('t', 3), record('u', 1)])).toBe(4);
    expect(await store.writeMany([record('t', 1), record('t', 4)])).toBe(1);
    await store.write(record('t', 4));
    expect((await store.listRecords('t')).map((r) => r.executionId)).toEqual(['run-1', 'run-2', 'run-3', 'run-4']);
    expect((await store.listRecords('t', { fingerprint: 'fp-b' })).map((r) => r.executionId)).toEqual(['run-2']);
    expect((await store.listRecords('t', { sinceMs: 1_700_000_002_000 })).map((r) => r.executionId)).toEqual(['run-2', 'run-3', 'run-4']);
    expect((await store.listRecords('t', { limit: 2 })).map((r) => r.executionId)).toEqual(['run-3', 'run-4']);
    expect(await store.listRecords('t', { limit: 0 })).toEqual([]);
    expect(await store.listRecords('t')).toEqual([record('t', 1), record('t', 2, 'fp-b'), record('t', 3), record('t', 4)]);
    await store.close();
  });

  it('keeps history newest first and applies patches', async () => {
    const store = await PostgresStore.open(server.pool(await server.freshDatabase()));
    const base = {
      teamId: 't',
      timestamp: '2026-01-01T00:00:00.000Z',
      optimization: { kind: 'x' },
      validationStatus: 'passed',
      status: 'applied',
      improvementPercentage: Infinity,
      configBefore: { teamId: 't' },
      configAfter: { teamId: 't' },
      fingerprintBefore: 'a',
      fingerprintAfter: 'b',
    } as never;
    const first = await store.appendHistory(base);
    const second = await store.appendHistory(base);
    expect(second).toBeGreaterThan(first);
    await store.updateHistory(first, { status: 'rolled_back', rolledBackAt: '2026-01-02T00:00:00.000Z' });
    const list = await store.listHistory('t');
    expect(list.map((e) => [e.id, e.status])).toEqual([
      [second, 'applied'],
      [first, 'rolled_back'],
    ]);
    expect(list[0].improvementPercentage).toBe(Infinity);
    expect((await store.getHistoryEntry(first))?.rolledBackAt).toBe('2026-01-02T00:00:00.000Z');
    expect(await store.getHistoryEntry(999_999)).toBeUndefined();
    await expect(store.updateHistory(999_999, { status: 'applied' })).rejects.toMatchObject({ code: 'CORE_USAGE' });
    await store.close();
  });

  it('holds a team lock as an advisory lock that a dead connection gives up at once', async () => {
    const url = await server.freshDatabase();
    const a = await PostgresStore.open(server.pool(url));
    const b = await PostgresStore.open(server.pool(url));
    const release = await a.acquireTeamLock('team-1', owner);
    const error = await b.acquireTeamLock('team-1', { ...owner, purpose: 'rollback' }).catch((e: unknown) => e);
    expect(isCoreError(error, 'CORE_LOCKED')).toBe(true);
    expect((error as Error).message).toContain(`another apply is in progress for team team-1 (pid ${process.pid}, host ${hostname()}`);
    // Another team is not affected.
    await (await b.acquireTeamLock('team-2', owner))();
    await release();
    await release();
    const again = await b.acquireTeamLock('team-1', owner);

    // The holder's connection dies (as when its process is killed): PostgreSQL frees the lock with it.
    const admin = server.pool(url, 1);
    const { rows } = await admin.query(
      "SELECT backend_pid FROM autotune.team_locks WHERE team_id = 'team-1'",
    );
    // With a timeout, pg_terminate_backend returns once the backend has exited (and so dropped its locks).
    const { rows: ended } = await admin.query('SELECT pg_terminate_backend($1, 60000) AS ok', [rows[0].backend_pid]);
    expect(ended[0].ok).toBe(true);
    await (await a.acquireTeamLock('team-1', owner))();
    await again().catch(() => undefined);
    await a.close();
    await b.close();
  });
});
