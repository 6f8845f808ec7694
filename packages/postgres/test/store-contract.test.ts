import { randomBytes } from 'node:crypto';
import { describeStoreContract } from '@autotune/core/testing';
import { PostgresStore } from '@autotune/postgres';
import { startServer, type TestServer } from './helpers';

// One server and one database for the file, and a fresh schema per test (the contract suite needs an empty
// store each time; a schema is much cheaper to make than a database). Team locks are database-wide advisory
// locks, which is why every test releases its locks before the next (the suite closes its stores after each).
let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startServer();
  url = await server.freshDatabase();
}, 120_000);
afterAll(async () => {
  await server?.stop();
}, 60_000);

describeStoreContract(
  async ({ now }) => {
    const schema = `s_${randomBytes(6).toString('hex')}`;
    const first = server.pool(url, 5);
    const pools = [first];
    return {
      store: await PostgresStore.open(first, { now, schema }),
      // Another pool, as a second process would open one.
      sibling: async () => {
        const another = server.pool(url, 5);
        pools.push(another);
        return PostgresStore.open(another, { now, schema });
      },
      dispose: async () => {
        await Promise.all(pools.map((p) => p.end()));
      },
    };
  },
  { name: 'PostgresStore (store contract)', timeoutMs: 60_000 },
);
