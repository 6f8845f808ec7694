import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluateExperiment } from '@autotune/abtest';
import type { ExperimentResult, TrialSample } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import Database from 'better-sqlite3';
import { CoreError } from '../../src/errors';
import { MemoryStore } from '../../src/store/memory-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { AutotuneStore, HistoryEntry, StoredExperiment } from '../../src/store/store-types';
import { deadPid } from './dead-pid';

/** Everything this file writes goes under one folder, removed at the end. */
const scratchRoot = mkdtempSync(path.join(tmpdir(), 'autotune-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

/**
 * One suite, run against every store (as Effect runs one suite against every driver): whatever the lead's
 * autotuner relies on must hold for both.
 */
interface Opened {
  store: AutotuneStore;
  /** Another view of the same data: for SQLite a second connection to the file, for memory the store itself. */
  sibling: () => AutotuneStore;
  dispose: () => void;
}
type Factory = (now: () => number) => Opened;

const factories: Array<[string, Factory]> = [
  [
    'MemoryStore',
    (now) => {
      const store = new MemoryStore({ now });
      return { store, sibling: () => store, dispose: () => undefined };
    },
  ],
  [
    'SqliteStore',
    (now) => {
      const file = path.join(mkdtempSync(path.join(scratchRoot, 'autotune-store-')), 'autotune.db');
      const handles = [new Database(file)];
      const sibling = () => {
        handles.push(new Database(file));
        return SqliteStore.open(handles[handles.length - 1], { now });
      };
      return { store: SqliteStore.open(handles[0], { now }), sibling, dispose: () => handles.forEach((h) => h.close()) };
    },
  ],
];

function record(teamId: string, i: number, extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  const startTimeMs = 1_736_935_000_000 + i * 60_000;
  return {
    teamId,
    executionId: `${teamId}-${i}`,
    startTimeMs,
    endTimeMs: startTimeMs + 30_000 + i,
    durationSeconds: 30 + i / 1000,
    success: i % 4 !== 3,
    formation: 'parallel',
    memberCount: 3,
    toolCalls: 10 + i,
    members: [{ memberId: 'a', success: true, durationSeconds: 10, toolCalls: 4 }],
    ...extra,
  };
}

function entry(teamId: string, n: number, extra: Partial<HistoryEntry> = {}): Omit<HistoryEntry, 'id'> {
  return {
    teamId,
    timestamp: new Date(Date.UTC(2025, 0, 15, 10, n)).toISOString(),
    optimization: { type: 'team_sizing', description: `change ${n}`, suggestedConfig: { memberCount: 3 } },
    validationStatus: 'passed',
    status: 'applied',
    improvementPercentage: 12.5,
    configBefore: { formation: 'parallel', memberCount: 5 },
    configAfter: { formation: 'parallel', memberCount: 3, members: [{ id: 'x', enabled: false }] },
    fingerprintBefore: 'aaaa',
    fingerprintAfter: 'bbbb',
    filePath: '/tmp/workflow.yaml',
    fileTextBefore: '# before\nmember_count: 5\n',
    fileTextAfter: '# after\nmember_count: 3\n',
    ...extra,
  };
}

function experiment(teamId: string): StoredExperiment {
  const sample = (arm: TrialSample['arm'], trial: number): TrialSample => ({
    arm,
    trial,
    record: record(teamId, trial, { durationSeconds: arm === 'baseline' ? 40 + (trial % 3) : 30 + (trial % 5), labels: { arm } }),
    ...(trial === 7 ? { error: 'runner crashed', timedOut: true } : {}),
  });
  const result: ExperimentResult = {
    teamId,
    baseline: Array.from({ length: 10 }, (_, i) => sample('baseline', 2 * i)),
    candidate: Array.from({ length: 10 }, (_, i) => sample('candidate', 2 * i + 1)),
    runsPerArm: 10,
    seed: 42,
    startedAt: '2025-01-15T10:00:00.000Z',
    finishedAt: '2025-01-15T10:20:00.000Z',
    cancelled: false,
    order: 'interleaved',
  };
  return {
    teamId,
    createdAt: '2025-01-15T10:20:00.000Z',
    label: 'apply',
    metric: 'duration',
    baselineConfig: { formation: 'sequential', memberCount: 5 },
    candidateConfig: { formation: 'parallel', memberCount: 5 },
    result,
    verdict: evaluateExperiment(result, { seed: 42, resamples: 200 }),
  };
}

function lockError(work: () => unknown): CoreError {
  try {
    work();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error('expected the lock to be refused');
}

describe.each(factories)('%s (store contract)', (_name, factory) => {
  let clock: number;
  let store: AutotuneStore;
  let sibling: () => AutotuneStore;
  let dispose: () => void;
  const me = { pid: process.pid, host: hostname(), purpose: 'apply' };

  beforeEach(() => {
    clock = Date.UTC(2025, 0, 15, 12);
    ({ store, sibling, dispose } = factory(() => clock));
  });
  afterEach(() => {
    store.close();
    dispose();
  });

  describe('records', () => {
    beforeEach(() => {
      for (let i = 0; i < 6; i++) store.write(record('t1', i, { configFingerprint: i < 3 ? 'old' : 'new' }));
      store.write(record('t2', 0));
    });

    it('lists a team’s records oldest first, and only that team’s', () => {
      expect(store.listRecords('t1').map((r) => r.executionId)).toEqual(['t1-0', 't1-1', 't1-2', 't1-3', 't1-4', 't1-5']);
      expect(store.listRecords('t2')).toEqual([record('t2', 0)]);
      expect(store.listRecords('nobody')).toEqual([]);
    });

    it('returns records exactly as written', () => {
      expect(store.listRecords('t1')[4]).toEqual(record('t1', 4, { configFingerprint: 'new' }));
    });

    it.each([
      [{ fingerprint: 'old' }, ['t1-0', 't1-1', 't1-2']],
      [{ sinceMs: 1_736_935_000_000 + 4 * 60_000 }, ['t1-4', 't1-5']],
      [{ fingerprint: 'new', sinceMs: 1_736_935_000_000 + 4 * 60_000 }, ['t1-4', 't1-5']],
      [{ limit: 2 }, ['t1-4', 't1-5']],
      [{ fingerprint: 'old', limit: 1 }, ['t1-2']],
      [{ limit: 0 }, []],
      [{ fingerprint: 'unknown' }, []],
    ])('filters with %j', (options, ids) => {
      expect(store.listRecords('t1', options).map((r) => r.executionId)).toEqual(ids);
    });

    it('orders by start time whatever the order of arrival', () => {
      store.write(record('t3', 5));
      store.write(record('t3', 1));
      store.write(record('t3', 3));
      expect(store.listRecords('t3').map((r) => r.executionId)).toEqual(['t3-1', 't3-3', 't3-5']);
    });

    it('ignores a run it already holds, so re-importing a file adds nothing', () => {
      store.write(record('t1', 2, { durationSeconds: 999 }));
      expect(store.writeMany([record('t1', 1), record('t1', 6), record('t1', 7)])).toBe(2);
      const ids = store.listRecords('t1').map((r) => r.executionId);
      expect(ids).toEqual(['t1-0', 't1-1', 't1-2', 't1-3', 't1-4', 't1-5', 't1-6', 't1-7']);
      expect(store.listRecords('t1')[2].durationSeconds).toBe(record('t1', 2).durationSeconds);
    });

    it('hands out copies that callers cannot use to change what is stored', () => {
      store.listRecords('t1')[0].durationSeconds = -1;
      expect(store.listRecords('t1')[0].durationSeconds).toBe(30);
    });
  });

  describe('experiments', () => {
    it('keeps every trial’s sample, both configs and the verdict', () => {
      const exp = experiment('t1');
      const id = store.saveExperiment(exp);
      expect(typeof id).toBe('string');
      const back = store.getExperiment(id);
      expect(back).toEqual(JSON.parse(JSON.stringify({ ...exp, id })));
      expect(back?.result.baseline).toHaveLength(10);
      expect(back?.result.candidate[3]).toEqual(exp.result.candidate[3]);
      expect(back?.verdict.status).toBe(exp.verdict.status);
    });

    it('gives every experiment its own id and knows no other', () => {
      const a = store.saveExperiment(experiment('t1'));
      const b = store.saveExperiment(experiment('t1'));
      expect(a).not.toBe(b);
      expect(store.getExperiment('exp-unknown')).toBeUndefined();
    });
  });

  describe('history', () => {
    it('lists a team’s entries newest first, so index 0 is the latest', () => {
      const ids = [store.appendHistory(entry('t1', 1)), store.appendHistory(entry('t2', 2)), store.appendHistory(entry('t1', 3))];
      expect(ids[1]).toBeGreaterThan(ids[0]);
      expect(ids[2]).toBeGreaterThan(ids[1]);
      const list = store.listHistory('t1');
      expect(list.map((e) => e.id)).toEqual([ids[2], ids[0]]);
      expect(list[0]).toEqual({ ...entry('t1', 3), id: ids[2] });
      expect(store.listHistory('none')).toEqual([]);
    });

    it('keeps the exact file texts, so a rollback can restore bytes', () => {
      const text = '# ünïcode ✓\r\nformation: parallel   # spaced\r\n\ttabbed: "x"\n';
      const id = store.appendHistory(entry('t1', 1, { fileTextBefore: text }));
      expect(store.getHistoryEntry(id)?.fileTextBefore).toBe(text);
    });

    it('updates status, reason and rollback time, and nothing else', () => {
      const id = store.appendHistory(entry('t1', 1));
      store.updateHistory(id, { status: 'rolled_back', reason: 'P95 rose by 80%', rolledBackAt: '2025-01-16T00:00:00.000Z' });
      expect(store.getHistoryEntry(id)).toEqual({ ...entry('t1', 1), id, status: 'rolled_back', reason: 'P95 rose by 80%', rolledBackAt: '2025-01-16T00:00:00.000Z' });
      store.updateHistory(id, { reason: 'again' });
      expect(store.getHistoryEntry(id)?.status).toBe('rolled_back');
    });

    it('refuses to update an entry that does not exist', () => {
      const err = lockError(() => store.updateHistory(12345, { status: 'rolled_back' }));
      expect(err.code).toBe('CORE_USAGE');
      expect(err.message).toContain('no history entry with id 12345');
      expect(store.getHistoryEntry(12345)).toBeUndefined();
    });
  });

  describe('team locks', () => {
    it('refuses a second holder while the first works, naming it', () => {
      const release = store.acquireTeamLock('t1', me);
      const err = lockError(() => store.acquireTeamLock('t1', { ...me, purpose: 'rollback' }));
      expect(err.code).toBe('CORE_LOCKED');
      expect(err.message).toBe(
        `another apply is in progress for team t1 (pid ${process.pid}, host ${hostname()}, since 2025-01-15T12:00:00.000Z); wait for it to finish and try again`,
      );
      expect(err.details).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'apply' });
      release();
    });

    it('locks teams independently', () => {
      const a = store.acquireTeamLock('t1', me);
      const b = store.acquireTeamLock('t2', me);
      a();
      b();
    });

    it('can be taken again once released, and a second release does nothing', () => {
      const first = store.acquireTeamLock('t1', me);
      first();
      const second = store.acquireTeamLock('t1', me);
      first();
      expect(lockError(() => store.acquireTeamLock('t1', me)).code).toBe('CORE_LOCKED');
      second();
    });

    it('takes over the lock of a process on this host that is gone', async () => {
      store.acquireTeamLock('t1', { ...me, pid: await deadPid() });
      const release = store.acquireTeamLock('t1', me);
      expect(lockError(() => store.acquireTeamLock('t1', me)).code).toBe('CORE_LOCKED');
      release();
    });

    it('keeps a live holder’s lock however old, on this host', () => {
      store.acquireTeamLock('t1', me, 1000);
      clock += 24 * 3600_000;
      expect(lockError(() => store.acquireTeamLock('t1', me, 1000)).code).toBe('CORE_LOCKED');
    });

    it('expires another host’s lock after staleAfterMs', () => {
      const other = { pid: 1, host: 'build-server-7', purpose: 'apply' };
      store.acquireTeamLock('t1', other);
      clock += 59 * 60_000;
      expect(lockError(() => store.acquireTeamLock('t1', me)).message).toContain('(pid 1, host build-server-7, since 2025-01-15T12:00:00.000Z)');
      clock += 2 * 60_000;
      const release = store.acquireTeamLock('t1', me);
      release();
      store.acquireTeamLock('t1', other, 10);
      clock += 11;
      store.acquireTeamLock('t1', me, 10)();
    });

    it('does not let a holder whose stale lock was taken over release the new holder’s lock', async () => {
      const oldRelease = store.acquireTeamLock('t1', { ...me, pid: await deadPid() });
      const release = store.acquireTeamLock('t1', me);
      oldRelease();
      expect(lockError(() => store.acquireTeamLock('t1', me)).code).toBe('CORE_LOCKED');
      release();
    });

    it('is seen by every store over the same data, and released when its store closes', () => {
      const other = sibling();
      store.acquireTeamLock('t1', me);
      expect(lockError(() => other.acquireTeamLock('t1', me)).code).toBe('CORE_LOCKED');
      store.close();
      other.acquireTeamLock('t1', me)();
      other.close();
    });
  });
});
