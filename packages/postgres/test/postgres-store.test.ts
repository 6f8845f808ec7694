import { hostname } from 'node:os';
import { isCoreError } from '@autotune/core';
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

const owner = { pid: process.pid, host: hostname(), purpose: 'apply' };

describe('PostgresStore', () => {
  it('migrates a fresh database once, also when several processes open it at the same time', async () => {
    const url = await server.freshDatabase();
    const pools = [server.pool(url, 2), server.pool(url, 2), server.pool(url, 2)];
    const stores = await Promise.all(pools.map((p) => PostgresStore.open(p)));
    const { rows } = await pools[0]!.query('SELECT version FROM autotune.schema_version ORDER BY version');
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

  it('holds a team lock as an advisory lock that a dead connection gives up at once', async () => {
    const url = await server.freshDatabase();
    const a = await PostgresStore.open(server.pool(url));
    const b = await PostgresStore.open(server.pool(url));
    const first = await a.acquireTeamLock('team-1', owner);
    const error = await b.acquireTeamLock('team-1', { ...owner, purpose: 'rollback' }).catch((e: unknown) => e);
    expect(isCoreError(error, 'CORE_LOCKED')).toBe(true);
    expect((error as Error).message).toContain(`another apply is in progress for team team-1 (pid ${process.pid}, host ${hostname()}`);
    await first.release();
    const again = await b.acquireTeamLock('team-1', owner);
    // The lock is a real advisory lock, visible in pg_locks.
    const admin = server.pool(url, 1);
    const held = await admin.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = hashtext('team-1')::oid");
    expect(held.rows[0].n).toBe(1);

    // The holder's connection dies (as when its process is killed): PostgreSQL frees the lock with it.
    const { rows } = await admin.query(
      "SELECT backend_pid FROM autotune.team_locks WHERE team_id = 'team-1'",
    );
    // With a timeout, pg_terminate_backend returns once the backend has exited (and so dropped its locks).
    const { rows: ended } = await admin.query('SELECT pg_terminate_backend($1, 60000) AS ok', [rows[0].backend_pid]);
    expect(ended[0].ok).toBe(true);
    // No staleness wait, no takeover: the lock is simply free, and the old holder learns it at its next beat.
    expect(await a.readTeamLock('team-1')).toBeUndefined();
    const third = await a.acquireTeamLock('team-1', owner);
    await expect(again.heartbeat()).rejects.toMatchObject({ code: 'CORE_LOCKED', message: expect.stringContaining('no longer held') });
    await again.release();
    expect((await b.readTeamLock('team-1'))?.pid).toBe(process.pid);
    await third.release();
    await a.close();
    await b.close();
  });
});
