import { describeStoreContract } from '@autotune/core/testing';
import { PostgresStore } from '@autotune/postgres';
import { startServer, type TestServer } from './helpers';

// One server for the file, one fresh database per test: the contract suite needs an empty store each time.
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
}, 60_000);

describeStoreContract(
  async ({ now }) => {
    const url = await server.freshDatabase();
    const pools = [server.pool(url, 5)];
    return {
      store: await PostgresStore.open(pools[0], { now }),
      // Another pool, as a second process would open one.
      sibling: async () => {
        pools.push(server.pool(url, 5));
        return PostgresStore.open(pools[pools.length - 1], { now });
      },
    };
  },
  { name: 'PostgresStore (store contract)', timeoutMs: 60_000 },
);
