import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { inspect } from 'node:util';
import { isCoreError } from '../errors';
import type { CoreError } from '../errors';
import type { VerdictSummary } from '@autotune/abtest';
import type { AutotuneStore } from '../store/store-types';
import { deadPid } from './dead-pid';
import { sampleHistoryEntry as entry, sampleStoreRecord as record, sampleStoredExperiment as experiment } from './samples';

/** What the suite hands a store factory. */
export interface StoreContractContext {
  /**
   * The suite's clock, epoch ms. The store must take lock times (acquired, heartbeat, staleness) from it, as
   * `MemoryStore` and `SqliteStore` do through their `now` option, so that the suite can age a lock.
   */
  now: () => number;
}

/** A store made for one test. */
export interface StoreUnderTest {
  /** An empty store (no records, experiments, history or locks of the teams the suite uses). */
  store: AutotuneStore;
  /**
   * Another store over the same data, as a second process would open it (a second connection). Defaults to
   * `store` itself, for a store whose data lives in its own object.
   */
  sibling?: () => AutotuneStore | Promise<AutotuneStore>;
  /** Frees what the factory opened (files, connections), after `store.close()`. */
  dispose?: () => void | Promise<void>;
}

/** Makes a fresh, empty store for each test. */
export type MakeStore = (context: StoreContractContext) => StoreUnderTest | Promise<StoreUnderTest>;

/** The parts of a test framework the suite needs: Jest's and Vitest's globals fit. */
export interface StoreContractTestApi {
  describe: (name: string, fn: () => void) => unknown;
  it: (name: string, fn: () => Promise<void>, timeoutMs?: number) => unknown;
  beforeEach: (fn: () => Promise<void>, timeoutMs?: number) => unknown;
  afterEach: (fn: () => Promise<void>, timeoutMs?: number) => unknown;
}

/** Options of {@link describeStoreContract}. */
export interface StoreContractOptions {
  /** Name of the outer `describe`. Default `store contract`. */
  name?: string;
  /** The test framework's functions. Default: the globals `describe`, `it`, `beforeEach`, `afterEach` (Jest, Vitest). */
  api?: StoreContractTestApi;
  /** Per-test timeout handed to `it` and the hooks (a store over a network may want more than Jest's 5 s). */
  timeoutMs?: number;
}

const START = Date.UTC(2025, 0, 15, 12);

/** A verdict summary as history entries keep it. */
const VERDICT_SUMMARY: VerdictSummary = {
  status: 'passed',
  metric: 'duration',
  improvementPercentage: 0,
  threshold: 5,
  alpha: 0.05,
  decidedBy: 'welch',
  regressionPValue: 0.97,
  reason: 'duration improved by 21.4%, significant (p = 0.003)',
  reasonCodes: ['significant_improvement'],
  explanation: 'Duration fell from 120.0 s to 94.3 s on average.',
};

const OLD_ARM = { runs: 20, successRate: 0.9, meanDurationSeconds: 120, p95DurationSeconds: 150, meanCost: 0.5 };

/** A verdict of autotune 0.1, as its history entries held it whole (no limit-hit guardrail back then). */
const OLD_VERDICT = {
  ...VERDICT_SUMMARY,
  reasonCodes: [...VERDICT_SUMMARY.reasonCodes],
  before: OLD_ARM,
  after: { ...OLD_ARM, meanDurationSeconds: 94.3 },
  tests: { welch: { statistic: 3.1, df: 35.2, pValue: 0.003, estimate: 25.7, alternative: 'greater' } },
  bootstrap: { estimate: 21.4, low: 9.8, high: 32.0, confidenceLevel: 0.95, resamples: 9999, method: 'bca' },
  guardrails: { successRateDrop: { value: 0, limit: 10, breached: false, pValue: 1 }, p95Increase: { value: -4, limit: 50, breached: false } },
};

/** A suggestion of autotune 0.1 as its history entries held it, before they listed the changed keys. */
const OLD_SUGGESTION = {
  type: 'team_sizing',
  priority: 'high',
  description: 'drop two members',
  currentConfig: { formation: 'parallel', memberCount: 5 },
  suggestedConfig: { memberCount: 3 },
  expectedImprovement: 20,
  confidence: 0.8,
  riskLevel: 0.2,
  targetMetric: 'duration',
};

/**
 * Deep equality that ignores which realm built an array or object: a driver may hand back arrays made outside
 * the test's realm (better-sqlite3 does under Jest), where `assert.deepStrictEqual` would compare prototypes.
 * A property set to `undefined` counts as absent, since a store that keeps JSON cannot tell them apart.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const defined = (o: object) =>
    Object.keys(o)
      .filter((k) => (o as Record<string, unknown>)[k] !== undefined)
      .sort();
  const ka = defined(a);
  const kb = defined(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function same(actual: unknown, expected: unknown, message?: string): void {
  if (!sameValue(actual, expected)) {
    throw new assert.AssertionError({
      message: `${message ? `${message}: ` : ''}expected\n${inspect(expected, { depth: 8 })}\nbut got\n${inspect(actual, { depth: 8 })}`,
      actual,
      expected,
      operator: 'same',
    });
  }
}

/** Item `i` of a list a store returned, failing the test, not the type, when the list is too short. */
function nth<T>(list: readonly T[], i: number, what = 'the ids writeHistory returned (one per appended entry)'): T {
  const item = list[i];
  if (item === undefined) assert.fail(`${what}: expected at least ${i + 1} item(s), got ${list.length}`);
  return item;
}

async function refusal(work: () => Promise<unknown>, what: string): Promise<CoreError> {
  try {
    await work();
  } catch (e) {
    assert.ok(isCoreError(e), `${what}: expected a CoreError, got ${String(e)}`);
    return e;
  }
  throw new assert.AssertionError({ message: `${what}: expected a refusal, but it succeeded` });
}

function testApi(options: StoreContractOptions): StoreContractTestApi {
  if (options.api) return options.api;
  const g = globalThis as unknown as Partial<StoreContractTestApi>;
  if (typeof g.describe !== 'function' || typeof g.it !== 'function' || typeof g.beforeEach !== 'function' || typeof g.afterEach !== 'function') {
    throw new Error('describeStoreContract: no test globals (describe, it, beforeEach, afterEach) here; pass them as `api`');
  }
  return g as StoreContractTestApi;
}

/**
 * Registers the {@link AutotuneStore} contract as tests: records, experiments, history (atomic writes, exact
 * bytes, newest first), and team locks (refusal, release, heartbeat, staleness, takeover, breaking, and
 * visibility across two connections). Every store in this repository passes it; a third-party store should too.
 *
 * ```ts
 * import { describeStoreContract } from '@autotune/core/testing';
 * describeStoreContract(async ({ now }) => {
 *   const store = await MyStore.open(pool, { now });
 *   return { store, sibling: () => MyStore.open(otherPool, { now }), dispose: () => pool.end() };
 * }, { name: 'MyStore', timeoutMs: 30_000 });
 * ```
 */
export function describeStoreContract(makeStore: MakeStore, options: StoreContractOptions = {}): void {
  const { describe, it: rawIt, beforeEach, afterEach } = testApi(options);
  const timeout = options.timeoutMs;
  const it = (name: string, fn: () => Promise<void>) => rawIt(name, fn, timeout);
  const each = <T>(cases: readonly T[], name: (c: T) => string, fn: (c: T) => Promise<void>) => {
    for (const c of cases) it(name(c), () => fn(c));
  };

  let clock = START;
  let made: StoreUnderTest | undefined;
  let opened: AutotuneStore[] = [];
  const store = (): AutotuneStore => {
    if (!made) throw new Error('describeStoreContract: the store factory did not run');
    return made.store;
  };
  const sibling = async (): Promise<AutotuneStore> => {
    const other = made?.sibling ? await made.sibling() : store();
    if (other !== store()) opened.push(other);
    return other;
  };
  const me = { pid: process.pid, host: hostname(), purpose: 'apply' };

  describe(options.name ?? 'store contract', () => {
    beforeEach(async () => {
      clock = START;
      opened = [];
      made = await makeStore({ now: () => clock });
    }, timeout);
    afterEach(async () => {
      const current = made;
      made = undefined;
      for (const s of opened) await s.close();
      await current?.store.close();
      await current?.dispose?.();
    }, timeout);

    describe('records', () => {
      beforeEach(async () => {
        for (let i = 0; i < 6; i++) await store().write(record('t1', i, { configFingerprint: i < 3 ? 'old' : 'new' }));
        await store().write(record('t2', 0));
      }, timeout);

      it('lists a team’s records oldest first, and only that team’s', async () => {
        same((await store().listRecords('t1')).map((r) => r.executionId), ['t1-0', 't1-1', 't1-2', 't1-3', 't1-4', 't1-5']);
        same(await store().listRecords('t2'), [record('t2', 0)]);
        same(await store().listRecords('nobody'), []);
      });

      it('returns records exactly as written', async () => {
        same((await store().listRecords('t1'))[4], record('t1', 4, { configFingerprint: 'new' }));
      });

      each(
        [
          [{ fingerprint: 'old' }, ['t1-0', 't1-1', 't1-2']],
          [{ sinceMs: 1_736_935_000_000 + 4 * 60_000 }, ['t1-4', 't1-5']],
          [{ fingerprint: 'new', sinceMs: 1_736_935_000_000 + 4 * 60_000 }, ['t1-4', 't1-5']],
          [{ limit: 2 }, ['t1-4', 't1-5']],
          [{ fingerprint: 'old', limit: 1 }, ['t1-2']],
          [{ limit: 0 }, []],
          [{ fingerprint: 'unknown' }, []],
        ] as const,
        ([filter]) => `filters with ${JSON.stringify(filter)}`,
        async ([filter, ids]) => {
          same((await store().listRecords('t1', filter)).map((r) => r.executionId), ids);
        },
      );

      it('orders by start time whatever the order of arrival', async () => {
        await store().write(record('t3', 5));
        await store().write(record('t3', 1));
        await store().write(record('t3', 3));
        same((await store().listRecords('t3')).map((r) => r.executionId), ['t3-1', 't3-3', 't3-5']);
      });

      it('ignores a run it already holds, so re-importing a file adds nothing', async () => {
        await store().write(record('t1', 2, { durationSeconds: 999 }));
        assert.equal(await store().writeMany([record('t1', 1), record('t1', 6), record('t1', 7)]), 2);
        const all = await store().listRecords('t1');
        same(all.map((r) => r.executionId), ['t1-0', 't1-1', 't1-2', 't1-3', 't1-4', 't1-5', 't1-6', 't1-7']);
        assert.equal(nth(all, 2, 'listRecords').durationSeconds, record('t1', 2).durationSeconds);
      });

      it('hands out copies that callers cannot use to change what is stored', async () => {
        nth(await store().listRecords('t1'), 0, 'listRecords').durationSeconds = -1;
        assert.equal(nth(await store().listRecords('t1'), 0, 'listRecords').durationSeconds, 30);
      });

      it('is read by another connection', async () => {
        const other = await sibling();
        assert.equal((await other.listRecords('t1')).length, 6);
      });
    });

    describe('experiments', () => {
      it('keeps every trial’s sample, both configs and the verdict', async () => {
        const exp = experiment('t1');
        const id = await store().saveExperiment(exp);
        assert.equal(typeof id, 'string');
        const back = await store().getExperiment(id);
        same(back, JSON.parse(JSON.stringify({ ...exp, id })));
        assert.equal(back?.result.baseline.length, 10);
        same(back?.result.candidate[3], JSON.parse(JSON.stringify(exp.result.candidate[3])));
      });

      it('gives every experiment its own id and knows no other', async () => {
        const a = await store().saveExperiment(experiment('t1'));
        const b = await store().saveExperiment(experiment('t1'));
        assert.notEqual(a, b);
        assert.equal(await store().getExperiment('exp-unknown'), undefined);
      });

      it('lists a team’s experiments newest first (ids and times), with a limit, and no other team’s', async () => {
        const at = (teamId: string, createdAt: string) => ({ ...experiment(teamId), createdAt });
        const old = await store().saveExperiment(at('t1', '2025-01-01T00:00:00.000Z'));
        const other = await store().saveExperiment(at('t2', '2025-01-02T00:00:00.000Z'));
        const newest = await store().saveExperiment(at('t1', '2025-01-03T00:00:00.000Z'));
        const middle = await store().saveExperiment(at('t1', '2025-01-02T00:00:00.000Z'));
        same(await store().listExperiments('t1'), [
          { id: newest, createdAt: '2025-01-03T00:00:00.000Z' },
          { id: middle, createdAt: '2025-01-02T00:00:00.000Z' },
          { id: old, createdAt: '2025-01-01T00:00:00.000Z' },
        ]);
        same((await store().listExperiments('t2')).map((e) => e.id), [other]);
        same((await store().listExperiments('t1', { limit: 2 })).map((e) => e.id), [newest, middle]);
        same(await store().listExperiments('none'), []);
        const err = await refusal(() => store().listExperiments('t1', { limit: 0 }), 'limit 0');
        assert.equal(err.code, 'CORE_USAGE');
      });

      it('orders experiments saved at the same time by id', async () => {
        const createdAt = '2025-01-05T00:00:00.000Z';
        const ids = [await store().saveExperiment({ ...experiment('t1'), id: 'exp-b', createdAt }), await store().saveExperiment({ ...experiment('t1'), id: 'exp-a', createdAt })];
        same((await store().listExperiments('t1')).map((e) => e.id), [...ids].sort().reverse());
      });
    });

    describe('history', () => {
      it('lists a team’s entries newest first, so index 0 is the latest', async () => {
        const a = nth(await store().writeHistory({ append: [entry('t1', 1)] }), 0);
        const b = nth(await store().writeHistory({ append: [entry('t2', 2)] }), 0);
        const c = nth(await store().writeHistory({ append: [entry('t1', 3)] }), 0);
        assert.ok(b > a && c > b, `ids must increase: ${a}, ${b}, ${c}`);
        const list = await store().listHistory('t1');
        same(list.map((e) => e.id), [c, a]);
        same(list[0], { ...entry('t1', 3), id: c });
        same(await store().listHistory('none'), []);
      });

      it('keeps only the newest entries with a limit, and refuses a limit that is not a positive integer', async () => {
        const ids = await store().writeHistory({ append: [entry('t1', 1), entry('t2', 2), entry('t1', 3), entry('t1', 4)] });
        same((await store().listHistory('t1', { limit: 2 })).map((e) => e.id), [ids[3], ids[2]]);
        same((await store().listHistory('t1', { limit: 10 })).map((e) => e.id), [ids[3], ids[2], ids[0]]);
        same((await store().listHistory('t1', {})).map((e) => e.id), [ids[3], ids[2], ids[0]]);
        for (const limit of [0, -1, 1.5, Number.NaN]) {
          const err = await refusal(() => store().listHistory('t1', { limit }), `limit ${limit}`);
          assert.equal(err.code, 'CORE_USAGE');
          assert.match(err.message, /limit must be a positive integer/);
        }
      });

      it('appends several entries in one write, ids increasing in their order', async () => {
        const ids = await store().writeHistory({ append: [entry('t1', 1), entry('t1', 2, { status: 'rejected' }), entry('t1', 3, { status: 'pending' })] });
        assert.equal(ids.length, 3);
        assert.ok(nth(ids, 0) < nth(ids, 1) && nth(ids, 1) < nth(ids, 2));
        same((await store().listHistory('t1')).map((e) => [e.id, e.status]), [
          [ids[2], 'pending'],
          [ids[1], 'rejected'],
          [ids[0], 'applied'],
        ]);
        same(await store().writeHistory({}), []);
      });

      it('keeps the exact file texts, hashes and backup path, so a rollback can restore and check bytes', async () => {
        const text = '# ünïcode ✓\r\nformation: parallel   # spaced\r\n\ttabbed: "x"\n\u0000';
        const id = nth(await store().writeHistory({ append: [entry('t1', 1, { fileTextBefore: text, undoes: [3, 4] })] }), 0);
        const back = await store().getHistoryEntry(id);
        assert.equal(back?.fileTextBefore, text);
        assert.equal(back?.fileHashAfter, 'b'.repeat(64));
        assert.equal(back?.backupPath, entry('t1', 1).backupPath);
        same(back?.undoes, [3, 4]);
      });

      it('keeps numbers JSON cannot hold', async () => {
        const evidence = { ...VERDICT_SUMMARY, improvementPercentage: -Infinity, threshold: Infinity, regressionPValue: NaN };
        const id = nth(await store().writeHistory({ append: [entry('t1', 1, { evidence })] }), 0);
        same((await store().getHistoryEntry(id))?.evidence, evidence);
      });

      it('reads back an entry written by an older version: a whole verdict as evidence, no changes listed', async () => {
        // The shape autotune 0.1 wrote: `evidence` held the whole verdict (of an older shape, without the
        // limit-hit guardrail), and a rollback's entry had no `changes`.
        const old = { ...entry('t1', 1), evidence: OLD_VERDICT, optimization: { description: 'rollback of 1 change(s)', undone: [7] } };
        const written = await store().writeHistory({ append: [{ ...old, optimization: OLD_SUGGESTION }, old] as never });
        const applied = nth(written, 0);
        const rollback = nth(written, 1);
        const back = await store().getHistoryEntry(applied);
        same(back?.evidence, VERDICT_SUMMARY);
        same(back?.optimization.changes, [
          { key: 'member_count', before: 5, after: 3 },
          { key: 'members', before: undefined, after: [{ id: 'x', enabled: false }] },
        ]);
        assert.equal(back?.optimization.targetMetric, 'duration');
        same((await store().getHistoryEntry(rollback))?.optimization, { description: 'rollback of 1 change(s)', undone: [7], changes: [] });
        assert.equal((await store().listHistory('t1')).length, 2);
      });

      it('refuses an entry whose fields are not what autotune writes, naming the entry and the field', async () => {
        const bad = { ...entry('t9', 1), optimization: { description: 42, changes: [] } };
        const id = nth(await store().writeHistory({ append: [bad as never] }), 0);
        await assert.rejects(store().getHistoryEntry(id), (e: unknown) => {
          assert.ok(isCoreError(e), inspect(e));
          assert.equal(e.code, 'CORE_STORE');
          assert.match(e.message, new RegExp(`history entry ${id} cannot be read`));
          assert.match(e.message, /optimization\.description/);
          assert.match(e.message, /expected a string, got 42/);
          return true;
        });
      });

      it('updates status, reason and rollback time, and nothing else', async () => {
        const id = nth(await store().writeHistory({ append: [entry('t1', 1)] }), 0);
        await store().writeHistory({ update: [{ id, patch: { status: 'rolled_back', reason: 'P95 rose by 80%', rolledBackAt: '2025-01-16T00:00:00.000Z' } }] });
        same(await store().getHistoryEntry(id), { ...entry('t1', 1), id, status: 'rolled_back', reason: 'P95 rose by 80%', rolledBackAt: '2025-01-16T00:00:00.000Z' });
        await store().writeHistory({ update: [{ id, patch: { reason: 'again' } }] });
        assert.equal((await store().getHistoryEntry(id))?.status, 'rolled_back');
      });

      it('updates and appends in one write (a rollback and the entries it undoes)', async () => {
        const ids = await store().writeHistory({ append: [entry('t1', 1), entry('t1', 2)] });
        const [rollbackId] = await store().writeHistory({
          update: ids.map((id) => ({ id, patch: { status: 'rolled_back' as const } })),
          append: [entry('t1', 3, { status: 'rollback', undoes: ids })],
        });
        same((await store().listHistory('t1')).map((e) => [e.id, e.status]), [
          [rollbackId, 'rollback'],
          [ids[1], 'rolled_back'],
          [ids[0], 'rolled_back'],
        ]);
      });

      it('writes nothing when an update names an entry that does not exist', async () => {
        const id = nth(await store().writeHistory({ append: [entry('t1', 1)] }), 0);
        const err = await refusal(
          () => store().writeHistory({ update: [{ id, patch: { status: 'rolled_back' } }, { id: 12345, patch: { status: 'rolled_back' } }], append: [entry('t1', 2)] }),
          'update of an unknown entry',
        );
        assert.equal(err.code, 'CORE_USAGE');
        assert.match(err.message, /no history entry with id 12345/);
        same((await store().listHistory('t1')).map((e) => [e.id, e.status]), [[id, 'applied']]);
        assert.equal(await store().getHistoryEntry(12345), undefined);
      });

      it('is read by another connection', async () => {
        const id = nth(await store().writeHistory({ append: [entry('t1', 1)] }), 0);
        const other = await sibling();
        same(await other.getHistoryEntry(id), { ...entry('t1', 1), id });
      });
    });

    describe('team locks', () => {
      it('refuses a second holder while the first works, naming it', async () => {
        const lock = await store().acquireTeamLock('t1', me);
        assert.equal(lock.teamId, 't1');
        const err = await refusal(() => store().acquireTeamLock('t1', { ...me, purpose: 'rollback' }), 'second lock');
        assert.equal(err.code, 'CORE_LOCKED');
        assert.match(err.message, new RegExp(`^another apply is in progress for team t1 \\(pid ${process.pid}, host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, since 2025-01-15T12:00:00.000Z\\)`));
        assert.match(err.message, /autotune unlock --team-id t1/);
        assert.equal(err.details.pid, process.pid);
        assert.equal(err.details.purpose, 'apply');
        await lock.release();
      });

      it('locks teams independently', async () => {
        const a = await store().acquireTeamLock('t1', me);
        const b = await store().acquireTeamLock('t2', me);
        await a.release();
        await b.release();
      });

      it('can be taken again once released, and a second release does nothing', async () => {
        const first = await store().acquireTeamLock('t1', me);
        await first.release();
        const second = await store().acquireTeamLock('t1', me);
        await first.release();
        assert.equal((await refusal(() => store().acquireTeamLock('t1', me), 'lock after a double release')).code, 'CORE_LOCKED');
        await second.release();
      });

      it('says who holds a lock, and nobody after release', async () => {
        assert.equal(await store().readTeamLock('t1'), undefined);
        const lock = await store().acquireTeamLock('t1', me);
        clock += 5000;
        await lock.heartbeat();
        same(await store().readTeamLock('t1'), { teamId: 't1', ...me, acquiredAtMs: START, heartbeatAtMs: START + 5000 });
        await lock.release();
        assert.equal(await store().readTeamLock('t1'), undefined);
      });

      it('takes over at once the lock of a process on this host that is gone', async () => {
        await store().acquireTeamLock('t1', { ...me, pid: await deadPid() });
        const lock = await store().acquireTeamLock('t1', me);
        assert.equal((await refusal(() => store().acquireTeamLock('t1', me), 'lock held by a live process')).code, 'CORE_LOCKED');
        await lock.release();
      });

      it('keeps a live holder’s lock as long as it beats, however long it works', async () => {
        const lock = await store().acquireTeamLock('t1', me, { staleAfterMs: 1000 });
        for (let i = 0; i < 5; i++) {
          clock += 900;
          await lock.heartbeat();
          assert.equal((await refusal(() => store().acquireTeamLock('t1', me, { staleAfterMs: 1000 }), 'lock of a beating holder')).code, 'CORE_LOCKED');
        }
        await lock.release();
      });

      it('takes over a lock whose holder stopped beating, even with a live pid on this host (a reused pid)', async () => {
        const silent = await store().acquireTeamLock('t1', me, { staleAfterMs: 1000 });
        clock += 1001;
        const taker = await store().acquireTeamLock('t1', { ...me, purpose: 'rollback' }, { staleAfterMs: 1000 });
        assert.equal((await store().readTeamLock('t1'))?.purpose, 'rollback');
        const err = await refusal(() => silent.heartbeat(), 'heartbeat of a taken-over lock');
        assert.equal(err.code, 'CORE_LOCKED');
        assert.match(err.message, /no longer held/);
        await silent.release();
        assert.equal((await store().readTeamLock('t1'))?.purpose, 'rollback', 'the old holder’s release must not free the new holder’s lock');
        await taker.release();
      });

      it('expires another host’s lock once its heartbeat is older than staleAfterMs (default two minutes)', async () => {
        const other = { pid: 1, host: 'build-server-7', purpose: 'apply' };
        await store().acquireTeamLock('t1', other);
        clock += 119_000;
        const err = await refusal(() => store().acquireTeamLock('t1', me), 'lock of another host');
        assert.match(err.message, /\(pid 1, host build-server-7, since 2025-01-15T12:00:00.000Z\)/);
        clock += 2000;
        await (await store().acquireTeamLock('t1', me)).release();
        await store().acquireTeamLock('t1', other, { staleAfterMs: 10 });
        clock += 11;
        await (await store().acquireTeamLock('t1', me, { staleAfterMs: 10 })).release();
      });

      it('breaks a lock whoever holds it; the broken holder learns it at its next beat', async () => {
        assert.equal(await store().breakTeamLock('t1'), undefined);
        const lock = await store().acquireTeamLock('t1', { ...me, purpose: 'rollback' });
        const broken = await store().breakTeamLock('t1');
        same(broken, { teamId: 't1', ...me, purpose: 'rollback', acquiredAtMs: START, heartbeatAtMs: START });
        assert.equal(await store().readTeamLock('t1'), undefined);
        assert.equal((await refusal(() => lock.heartbeat(), 'heartbeat of a broken lock')).code, 'CORE_LOCKED');
        const next = await store().acquireTeamLock('t1', me);
        await lock.release();
        assert.equal((await store().readTeamLock('t1'))?.purpose, 'apply');
        await next.release();
      });

      it('is seen by every store over the same data, and released when its store closes', async () => {
        const other = await sibling();
        await store().acquireTeamLock('t1', me);
        assert.equal((await refusal(() => other.acquireTeamLock('t1', me), 'lock held through another connection')).code, 'CORE_LOCKED');
        assert.equal((await other.readTeamLock('t1'))?.pid, process.pid);
        await store().close();
        await (await other.acquireTeamLock('t1', me)).release();
      });
    });
  });
}
