import { hostname } from 'node:os';
import { holdTeamLock, MemoryStore } from '../../src';

/** Resolves once `check` holds, polling on the event loop (no fixed sleep decides the outcome). */
async function until(check: () => Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('holdTeamLock', () => {
  it('beats on its own while held, so the lock never goes stale, and stops beating once released', async () => {
    let clock = 1_000_000;
    const store = new MemoryStore({ now: () => clock });
    const held = await holdTeamLock(store, 't', 'apply', { heartbeatMs: 5 });
    clock += 60_000;
    await until(async () => (await store.readTeamLock('t'))?.heartbeatAtMs === clock, 'a background heartbeat was recorded');
    await expect(store.acquireTeamLock('t', { pid: 1, host: 'elsewhere', purpose: 'apply' }, { staleAfterMs: 1000 })).rejects.toMatchObject({ code: 'CORE_LOCKED' });
    await held.release();
    expect(await store.readTeamLock('t')).toBeUndefined();
    await held.release();
  });

  it('confirm() throws once the lock was broken, so the holder stops before writing', async () => {
    const store = new MemoryStore();
    const held = await holdTeamLock(store, 't', 'rollback');
    await held.confirm();
    expect(await store.breakTeamLock('t')).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'rollback' });
    await expect(held.confirm()).rejects.toThrow('no longer held by this process');
    const next = await store.acquireTeamLock('t', { pid: process.pid, host: hostname(), purpose: 'apply' });
    await held.release();
    expect((await store.readTeamLock('t'))?.purpose).toBe('apply');
    await next.release();
  });
});
