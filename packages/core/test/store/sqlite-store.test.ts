import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { CoreError } from '../../src/errors';
import { openDefaultDatabasePath } from '../../src/store/default-path';
import { MemoryStore } from '../../src/store/memory-store';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite-migrations';
import { DEFAULT_LOCK_STALE_MS } from '../../src/store/team-lock';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { HistoryEntry } from '../../src/store/store-types';

// Each test starts node processes that open the database; on a busy 2-core CI machine that takes seconds.
jest.setTimeout(120_000);

/** Everything this file writes goes under one folder, removed at the end. */
const scratchRoot = mkdtempSync(path.join(tmpdir(), 'autotune-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

// Child processes start slowly on a busy CI machine (they transpile core's sources on load).
jest.setTimeout(60_000);

const CHILD = path.join(__dirname, '..', 'fixtures', 'store', 'store-child.cjs');

function dbFile(): string {
  return path.join(mkdtempSync(path.join(scratchRoot, 'autotune-sqlite-')), 'autotune.db');
}

const children: Child[] = [];
afterEach(() => {
  // A failed test must not leave a racer waiting for "release".
  for (const child of children.splice(0)) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
});

/** A child process speaking JSON lines, with a way to wait for its next message. */
class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  private readonly queue: unknown[] = [];
  private waiting: Array<(m: unknown) => void> = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CHILD, ...args]);
    children.push(this);
    this.proc.stderr.on('data', (d) => (this.stderr += String(d)));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const message: unknown = JSON.parse(line);
      const next = this.waiting.shift();
      if (next) next(message);
      else this.queue.push(message);
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  next<T = Record<string, unknown>>(): Promise<T> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift() as T);
    return new Promise((resolve, reject) => {
      this.waiting.push((m) => resolve(m as T));
      void this.exited.then((code) => reject(new Error(`child exited (${code}) before answering: ${this.stderr}`)));
    });
  }

  send(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }
}

function entry(teamId: string, n: number): Omit<HistoryEntry, 'id'> {
  return {
    teamId,
    timestamp: `2025-01-15T10:0${n}:00.000Z`,
    optimization: { description: `change ${n}`, changes: [{ key: 'formation', before: 'sequential', after: 'parallel' }] },
    validationStatus: 'passed',
    status: 'applied',
    improvementPercentage: n * 10,
    configBefore: { formation: 'sequential', memberCount: 5 },
    configAfter: { formation: 'parallel', memberCount: 5 },
    fingerprintBefore: `before-${n}`,
    fingerprintAfter: `after-${n}`,
    filePath: '/work/workflow.yaml',
    fileTextBefore: `# n=${n}\nformation: sequential   # keep\r\n`,
  };
}

describe('SqliteStore on a database file', () => {
  it('sets WAL journaling and the latest schema version', () => {
    const db = new Database(dbFile());
    const store = SqliteStore.open(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    expect(store.schemaVersion).toBe(SQLITE_SCHEMA_VERSION);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['experiment_samples', 'experiments', 'history', 'records', 'team_locks']));
    db.close();
  });

  it('opens a database it already migrated without migrating again, keeping its data', async () => {
    const file = dbFile();
    const first = new Database(file);
    const [id] = await SqliteStore.open(first).writeHistory({ append: [entry('t', 1)] });
    first.close();
    const again = new Database(file);
    expect(await SqliteStore.open(again).getHistoryEntry(id!)).toEqual({ ...entry('t', 1), id });
    again.close();
  });

  it('upgrades a version 1 database: a lock taken before heartbeats existed counts as beaten when taken', async () => {
    const file = dbFile();
    const old = new Database(file);
    SQLITE_MIGRATIONS[0]!(old);
    old.pragma('user_version = 1');
    old.prepare('INSERT INTO team_locks (team_id, token, pid, host, purpose, acquired_at_ms) VALUES (?, ?, ?, ?, ?, ?)').run('t', 'x', 1, 'elsewhere', 'apply', 1000);
    old.close();
    const db = new Database(file);
    const store = SqliteStore.open(db, { now: () => 1000 + DEFAULT_LOCK_STALE_MS });
    expect(store.schemaVersion).toBe(SQLITE_SCHEMA_VERSION);
    expect(await store.readTeamLock('t')).toEqual({ teamId: 't', pid: 1, host: 'elsewhere', purpose: 'apply', acquiredAtMs: 1000, heartbeatAtMs: 1000 });
    await expect(store.acquireTeamLock('t', { pid: process.pid, host: hostname(), purpose: 'apply' })).rejects.toThrow('another apply is in progress');
    db.close();
  });

  it('reads a history row as autotune 0.1 stored it: typed, its whole verdict cut to the summary', async () => {
    const file = dbFile();
    const old = new Database(file);
    SQLITE_MIGRATIONS[0]!(old);
    old.pragma('user_version = 1');
    // The row's JSON as 0.1 wrote it, byte for byte in shape: the suggestion without `changes`, the whole
    // verdict (guardrails without the later limit-hit check, a made-up 0 where today's verdict says null).
    const row = {
      teamId: 't',
      timestamp: '2026-11-26T19:49:01.000Z',
      optimization: {
        type: 'timeout_tuning',
        priority: 'medium',
        description: 'lower the timeout to 300 s',
        currentConfig: { formation: 'sequential', memberCount: 4, timeoutSeconds: 600 },
        suggestedConfig: { timeoutSeconds: 300 },
        expectedImprovement: 5,
        confidence: 0.7,
        riskLevel: 0.3,
        targetMetric: 'cost',
        strategy: 'timeout_tuning',
      },
      validationStatus: 'inconclusive',
      status: 'applied',
      improvementPercentage: 0,
      configBefore: { formation: 'sequential', memberCount: 4, timeoutSeconds: 600 },
      configAfter: { formation: 'sequential', memberCount: 4, timeoutSeconds: 300 },
      fingerprintBefore: 'f0',
      fingerprintAfter: 'f1',
      experimentId: 'exp-1',
      evidence: {
        status: 'inconclusive',
        metric: 'cost',
        improvementPercentage: 0,
        threshold: 5,
        alpha: 0.05,
        before: { runs: 10, successRate: 1, meanDurationSeconds: 60, p95DurationSeconds: 70 },
        after: { runs: 10, successRate: 1, meanDurationSeconds: 60, p95DurationSeconds: 70 },
        tests: { mannWhitney: { u: 50, pValue: 0.5, alternative: 'less' } },
        decidedBy: 'welch',
        regressionPValue: 1,
        bootstrap: { estimate: 0, low: 0, high: 0, confidenceLevel: 0.95, resamples: 0, method: 'none' },
        guardrails: { successRateDrop: { value: 0, limit: 10, breached: false, pValue: 1 }, p95Increase: { value: 0, limit: 50, breached: false } },
        reason: 'no cost recorded',
        reasonCodes: ['insufficient_data'],
        explanation: 'Neither arm recorded a cost.',
      },
    };
    old.prepare('INSERT INTO history (team_id, timestamp, status, json) VALUES (?, ?, ?, ?)').run('t', row.timestamp, 'applied', JSON.stringify(row));
    old.close();
    const db = new Database(file);
    const [back] = await SqliteStore.open(db).listHistory('t');
    expect(back!.optimization).toMatchObject({ type: 'timeout_tuning', targetMetric: 'cost', changes: [{ key: 'timeout_seconds', before: 600, after: 300 }] });
    expect(back!.evidence).toEqual({
      status: 'inconclusive',
      metric: 'cost',
      improvementPercentage: 0,
      threshold: 5,
      alpha: 0.05,
      decidedBy: 'welch',
      regressionPValue: 1,
      reason: 'no cost recorded',
      reasonCodes: ['insufficient_data'],
      explanation: 'Neither arm recorded a cost.',
    });
    db.close();
  });

  it('names the entry and the field of a history row it cannot read', async () => {
    const db = new Database(dbFile());
    const store = SqliteStore.open(db);
    const bad = { ...entry('t', 1), evidence: { status: 'won', metric: 'duration' } };
    db.prepare('INSERT INTO history (team_id, timestamp, status, json) VALUES (?, ?, ?, ?)').run('t', bad.timestamp, 'applied', JSON.stringify(bad));
    await expect(store.listHistory('t')).rejects.toMatchObject({
      code: 'CORE_STORE',
      message: expect.stringMatching(/evidence\.reasonCodes.*history entry 1 cannot be read: expected a list of reason codes, got nothing/),
    });
    db.close();
  });

  it('refuses a database written by a newer autotune', () => {
    const db = new Database(dbFile());
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    let caught: unknown;
    try {
      SqliteStore.open(db);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CoreError);
    expect((caught as CoreError).code).toBe('CORE_STORE');
    expect((caught as CoreError).message).toContain(`schema version ${SQLITE_SCHEMA_VERSION + 1}`);
    expect((caught as CoreError).message).toContain('upgrade autotune');
    db.close();
  });

  it('reports a database another process keeps busy as CORE_STORE, after its busy timeout', async () => {
    const file = dbFile();
    const blocker = new Database(file);
    SqliteStore.open(blocker);
    const db = new Database(file);
    const store = SqliteStore.open(db, { busyTimeoutMs: 50 });
    blocker.exec('BEGIN IMMEDIATE');
    const caught: unknown = await store.acquireTeamLock('t', { pid: process.pid, host: hostname(), purpose: 'apply' }).catch((e: unknown) => e);
    blocker.exec('ROLLBACK');
    expect(caught).toBeInstanceOf(CoreError);
    expect((caught as CoreError).code).toBe('CORE_STORE');
    expect((caught as CoreError).message).toContain('locking team t: the database is busy');
    await (await store.acquireTeamLock('t', { pid: process.pid, host: hostname(), purpose: 'apply' })).release();
    db.close();
    blocker.close();
  });

  it('closes the database only when asked to', async () => {
    const mine = new Database(':memory:');
    await SqliteStore.open(mine).close();
    expect(mine.open).toBe(true);
    const handed = new Database(':memory:');
    await SqliteStore.open(handed, { closeDatabase: true }).close();
    expect(handed.open).toBe(false);
    mine.close();
  });

  it('refuses calls after close', async () => {
    const db = new Database(':memory:');
    const store = SqliteStore.open(db);
    await store.close();
    await expect(store.listHistory('t')).rejects.toThrow('the store is closed');
    db.close();
  });
});

describe('SqliteStore across processes', () => {
  it('lets exactly one of two racing processes take a team’s lock; the other gets CORE_LOCKED', async () => {
    const file = dbFile();
    await SqliteStore.open(new Database(file), { closeDatabase: true }).close();
    const racers = [new Child(['race', file, 'team_a']), new Child(['race', file, 'team_a'])];
    await Promise.all(racers.map((r) => r.next()));
    racers.forEach((r) => r.send('go'));
    const results = await Promise.all(racers.map((r) => r.next<{ result: string; pid: number; code?: string; message?: string }>()));
    const winners = results.filter((r) => r.result === 'acquired');
    const losers = results.filter((r) => r.result === 'locked');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]!.code).toBe('CORE_LOCKED');
    expect(losers[0]!.message).toContain(`another apply is in progress for team team_a (pid ${winners[0]!.pid}, host ${hostname()}, since `);

    // While the winner still holds it, this process is refused too; once released, the lock is free.
    const db = new Database(file);
    const store = SqliteStore.open(db);
    const me = { pid: process.pid, host: hostname(), purpose: 'apply' };
    await expect(store.acquireTeamLock('team_a', me)).rejects.toThrow('another apply is in progress');
    const winner = racers[results.indexOf(winners[0]!)]!;
    winner.send('release');
    expect(await winner.next()).toEqual({ released: true });
    await Promise.all(racers.map((r) => r.exited));
    await (await store.acquireTeamLock('team_a', me)).release();
    db.close();
  });

  it('takes over the lock of a process that died holding it', async () => {
    const file = dbFile();
    const holder = new Child(['hold-and-die', file, 'team_b']);
    const said = await holder.next<{ pid: number }>();
    await holder.exited;
    const db = new Database(file);
    const row = db.prepare('SELECT pid FROM team_locks WHERE team_id = ?').get('team_b') as { pid: number };
    expect(row.pid).toBe(said.pid);
    await (await SqliteStore.open(db).acquireTeamLock('team_b', { pid: process.pid, host: hostname(), purpose: 'apply' })).release();
    db.close();
  });

  it('keeps history that a new process reads, and reads history a new process wrote', async () => {
    const file = dbFile();
    const db = new Database(file);
    const store = SqliteStore.open(db);
    const ids = await store.writeHistory({ append: [entry('team_c', 1), entry('team_c', 2)] });
    await store.writeHistory({ update: [{ id: ids[0]!, patch: { status: 'rolled_back', reason: 'regression', rolledBackAt: '2025-01-16T00:00:00.000Z' } }] });
    const expected = await store.listHistory('team_c');
    await store.close();
    db.close();

    const reader = new Child(['history', file, 'team_c']);
    expect(await reader.next()).toEqual(expected);
    expect(await reader.exited).toBe(0);

    const writer = new Child(['append', file, 'team_c', JSON.stringify(entry('team_c', 3))]);
    const { id } = await writer.next<{ id: number }>();
    await writer.exited;
    const reopened = new Database(file);
    const history = await SqliteStore.open(reopened).listHistory('team_c');
    expect(history.map((e) => e.id)).toEqual([id, ids[1], ids[0]]);
    expect(history[0]).toEqual({ ...entry('team_c', 3), id });
    reopened.close();
  });
});

describe('openDefaultDatabasePath', () => {
  it('puts the database in .autotune beside the workflow file, creating the folder', () => {
    const dir = realpathSync(mkdtempSync(path.join(scratchRoot, 'autotune-path-')));
    const p = openDefaultDatabasePath(path.join(dir, 'workflow.yaml'));
    expect(p).toBe(path.join(dir, '.autotune', 'autotune.db'));
    expect(statSync(path.dirname(p)).isDirectory()).toBe(true);
    expect(existsSync(p)).toBe(false);
  });

  it('uses the current directory without a workflow file', () => {
    const dir = realpathSync(mkdtempSync(path.join(scratchRoot, 'autotune-path-')));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(openDefaultDatabasePath()).toBe(path.join(dir, '.autotune', 'autotune.db'));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('MemoryStore bounds', () => {
  it('keeps at most maxRecordsPerTeam records per team, dropping the oldest', async () => {
    const store = new MemoryStore({ maxRecordsPerTeam: 3 });
    for (let i = 0; i < 5; i++) {
      await store.write({ teamId: 't', executionId: `r${i}`, startTimeMs: i, endTimeMs: i + 1, durationSeconds: 0.001, success: true, memberCount: 1, toolCalls: 0, members: [] });
    }
    expect((await store.listRecords('t')).map((r) => r.executionId)).toEqual(['r2', 'r3', 'r4']);
  });

  it('keeps at most maxExperiments experiments, dropping the oldest', async () => {
    const store = new MemoryStore({ maxExperiments: 2 });
    const exp = { teamId: 't', createdAt: '', baselineConfig: { formation: 'a', memberCount: 1 }, candidateConfig: { formation: 'b', memberCount: 1 } };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await store.saveExperiment({ ...exp, result: {} as never, verdict: {} as never }));
    expect(await Promise.all(ids.map(async (id) => (await store.getExperiment(id)) !== undefined))).toEqual([false, true, true]);
  });
});
