// Issue 14 items 1, 2 and 12: the workflow file and the history agree whatever write fails, and a rollback
// writes only the file the history really describes. Real SQLite files, real workflow files, the simulator
// as the team; the full disk is a store that fails its Nth write, or the test fault at a file write.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRuns, loadScenario, SimulatedTeamRunner } from '@autotune/simulator';
import { PerformanceAnalyzer } from '@autotune/analyzer';
import type { ExecutionRecord } from '@autotune/metrics';
import {
  CoreError,
  isCoreError,
  loadWorkflowFile,
  PerformanceAutotuner,
  settlePendingHistory,
  SqliteStore,
  teamConfigFromUser,
  textHash,
  type ApplyOptions,
  type AutotuneStore,
  type HistoryWrite,
  type StoredExperiment,
} from '../../src';

jest.setTimeout(120_000);

const TEAM = 'release_audit_team';
const fixture = path.join(__dirname, '..', 'fixtures', 'autotuner', 'workflow.yaml');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-agree-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A store that fails its Nth write (records, experiments, history) as a full disk makes SQLite fail. */
function failingAt(store: AutotuneStore, failAt: number): { store: AutotuneStore; writes: () => number } {
  let writes = 0;
  const fail = (what: string) => {
    writes++;
    if (writes === failAt) throw new CoreError('CORE_STORE', `${what}: database or disk is full`);
  };
  const wrapped: AutotuneStore = Object.create(store) as AutotuneStore;
  Object.assign(wrapped, {
    write: async (r: ExecutionRecord) => (fail('storing a run'), store.write(r)),
    writeMany: async (r: Iterable<ExecutionRecord>) => (fail('storing execution records'), store.writeMany(r)),
    saveExperiment: async (e: StoredExperiment) => (fail('saving an experiment'), store.saveExperiment(e)),
    writeHistory: async (c: HistoryWrite) => (fail('recording history'), store.writeHistory(c)),
    listRecords: store.listRecords.bind(store),
    getExperiment: store.getExperiment.bind(store),
    listHistory: store.listHistory.bind(store),
    getHistoryEntry: store.getHistoryEntry.bind(store),
    acquireTeamLock: store.acquireTeamLock.bind(store),
    readTeamLock: store.readTeamLock.bind(store),
    breakTeamLock: store.breakTeamLock.bind(store),
    close: store.close.bind(store),
  });
  return { store: wrapped, writes: () => writes };
}

let serial = 0;
function workspace() {
  const dir = path.join(scratch, `w${serial++}`);
  fs.mkdirSync(path.join(dir, '.autotune'), { recursive: true });
  const workflowPath = path.join(dir, 'workflow.yaml');
  fs.copyFileSync(fixture, workflowPath);
  const db = new Database(path.join(dir, '.autotune', 'autotune.db'));
  return { dir, workflowPath, original: fs.readFileSync(workflowPath, 'utf8'), db, store: SqliteStore.open(db) };
}

const scenario = loadScenario('sequential-independent');
const records = generateRuns(scenario.model, teamConfigFromUser(scenario.workflow), { runs: 40, seed: 5, teamId: TEAM });

function autotunerOver(store: AutotuneStore, dir: string): PerformanceAutotuner {
  const analyzer = new PerformanceAnalyzer();
  analyzer.loadMetrics(records);
  return new PerformanceAutotuner({ analyzer, store, runner: new SimulatedTeamRunner(scenario.model, { teamId: TEAM }), seed: 3, rollbackGuard: { projectRoot: dir } });
}

async function applyAll(autotuner: PerformanceAutotuner, workflowPath: string, options: ApplyOptions = {}) {
  const file = await loadWorkflowFile(workflowPath, TEAM);
  return autotuner.applyOptimizations(TEAM, await autotuner.suggestOptimizations(TEAM, file), file, options);
}

/** File and history agree: with no applied change the file holds its first bytes, else the latest change's. */
async function expectAgreement(store: AutotuneStore, workflowPath: string, original: string): Promise<'applied' | 'unchanged'> {
  const history = await store.listHistory(TEAM);
  expect(history.filter((e) => e.status === 'pending')).toEqual([]);
  const applied = history.filter((e) => e.status === 'applied');
  const text = fs.readFileSync(workflowPath, 'utf8');
  if (applied.length === 0) {
    expect(text).toBe(original);
    return 'unchanged';
  }
  expect(text).toBe(applied[0]!.fileTextAfter);
  expect(textHash(text)).toBe(applied[0]!.fileHashAfter);
  return 'applied';
}

/** The next command succeeds: a rollback of what is applied (back to the first bytes), else a new apply. */
async function nextCommandSucceeds(store: AutotuneStore, dir: string, workflowPath: string, original: string, state: 'applied' | 'unchanged') {
  const autotuner = autotunerOver(store, dir);
  if (state === 'applied') {
    const applied = (await store.listHistory(TEAM)).filter((e) => e.status === 'applied');
    await autotuner.rollbackOptimization(TEAM, applied.length - 1);
    expect(fs.readFileSync(workflowPath, 'utf8')).toBe(original);
  } else {
    const outcome = await applyAll(autotuner, workflowPath);
    expect(outcome.written).toBeDefined();
  }
  await expectAgreement(store, workflowPath, original);
}

describe('disk full at every store write of an apply', () => {
  it('leaves file and history in agreement, says whether the file changed, and the next command succeeds', async () => {
    const seen: Array<{ failAt: number; fileChanged: boolean | undefined; state: string }> = [];
    let total = 0;
    for (let failAt = 1; ; failAt++) {
      const { dir, workflowPath, original, db, store } = workspace();
      const failing = failingAt(store, failAt);
      let error: unknown;
      try {
        await applyAll(autotunerOver(failing.store, dir), workflowPath);
      } catch (e) {
        error = e;
      }
      if (!error) {
        // Every write succeeded: the failure points are all behind us.
        total = failing.writes();
        db.close();
        break;
      }
      expect(isCoreError(error)).toBe(true);
      const err = error as CoreError;
      expect(err.message).toMatch(/database or disk is full/);
      const changed = fs.readFileSync(workflowPath, 'utf8') !== original;
      if (err.details.fileChanged !== undefined) {
        // A failure after the backup says in words and in details whether the file changed, and truly.
        expect(err.details.fileChanged).toBe(changed);
        expect(err.message).toContain(changed ? 'WAS changed' : 'is unchanged');
      } else {
        // Before any file step (an experiment's save): nothing was written.
        expect(changed).toBe(false);
      }
      // The next command settles what was pending, under the lock, then file and history agree.
      const lock = await store.acquireTeamLock(TEAM, { pid: process.pid, host: os.hostname(), purpose: 'test' });
      await settlePendingHistory(store, TEAM);
      await lock.release();
      const state = await expectAgreement(store, workflowPath, original);
      expect(state).toBe(changed ? 'applied' : 'unchanged');
      await nextCommandSucceeds(store, dir, workflowPath, original, state);
      seen.push({ failAt, fileChanged: err.details.fileChanged as boolean | undefined, state });
      db.close();
    }
    // The intent and the confirmation are among the writes, and the confirmation failing left a changed file.
    expect(total).toBeGreaterThanOrEqual(4);
    expect(seen).toHaveLength(total);
    expect(seen.some((s) => s.fileChanged === true && s.state === 'applied')).toBe(true);
    expect(seen.some((s) => s.fileChanged === false)).toBe(true);
  });
});

describe.each(['backup', 'intent', 'file', 'confirm'])('disk full (test fault) at the %s write', (step) => {
  afterEach(() => delete process.env.AUTOTUNE_TEST_FAULT);

  it.each(['apply', 'rollback'])('of %s: the error says whether the file changed, and file and history agree', async (kind) => {
    const { dir, workflowPath, original, db, store } = workspace();
    if (kind === 'rollback') await applyAll(autotunerOver(store, dir), workflowPath);
    const before = fs.readFileSync(workflowPath, 'utf8');
    process.env.AUTOTUNE_TEST_FAULT = `enospc@${kind}:${step}`;
    const autotuner = autotunerOver(store, dir);
    const run = kind === 'apply' ? applyAll(autotuner, workflowPath) : autotuner.rollbackOptimization(TEAM, 0);
    const err = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as CoreError;
    delete process.env.AUTOTUNE_TEST_FAULT;
    expect(err).toBeInstanceOf(CoreError);
    expect(err.message).toMatch(new RegExp(`^${kind} failed: ENOSPC: no space left on device`));
    const changed = fs.readFileSync(workflowPath, 'utf8') !== before;
    expect(changed).toBe(step === 'confirm');
    expect(err.details.fileChanged).toBe(changed);
    const lock = await store.acquireTeamLock(TEAM, { pid: process.pid, host: os.hostname(), purpose: 'test' });
    const settled = await settlePendingHistory(store, TEAM);
    await lock.release();
    if (step === 'confirm') expect(settled).toMatchObject([{ kind, outcome: 'confirmed' }]);
    const state = await expectAgreement(store, workflowPath, original);
    await nextCommandSucceeds(store, dir, workflowPath, original, state);
    db.close();
  });
});

describe('rollback writes only the file the history describes (issue 14 item 2)', () => {
  it('refuses a history row edited to point at another file, inside or outside the project, and writes nothing', async () => {
    const { dir, workflowPath, db, store } = workspace();
    await applyAll(autotunerOver(store, dir), workflowPath);
    const victimInside = path.join(dir, 'notes.txt');
    const victimOutside = path.join(scratch, `victim-${serial}.txt`);
    fs.writeFileSync(victimInside, 'precious inside\n');
    fs.writeFileSync(victimOutside, 'precious outside\n');
    const applied = (await store.listHistory(TEAM)).filter((e) => e.status === 'applied');
    const latest = applied[0]!;
    for (const victim of [victimInside, victimOutside]) {
      // The row is edited in the database, as anyone with the file (or a shared .autotune/) could.
      const row = db.prepare('SELECT json FROM history WHERE id = ?').get(latest.id) as { json: string };
      const edited = { ...JSON.parse(row.json), filePath: victim, fileTextBefore: 'overwritten!\n' };
      delete edited.fileHashBefore;
      db.prepare('UPDATE history SET json = ? WHERE id = ?').run(JSON.stringify(edited), latest.id);
      const before = fs.readFileSync(victim, 'utf8');
      await expect(autotunerOver(store, dir).rollbackOptimization(TEAM, 0)).rejects.toMatchObject({
        code: 'CORE_ROLLBACK',
        message: expect.stringMatching(/: refusing to restore this file: .*Nothing was written/),
      });
      expect(fs.readFileSync(victim, 'utf8')).toBe(before);
    }
    const err = (await autotunerOver(store, dir)
      .rollbackOptimization(TEAM, 0)
      .catch((e: unknown) => e)) as CoreError;
    expect(err.message).toContain(`lies outside ${fs.realpathSync(dir)}, the project folder the database belongs to`);
    expect(err.message).toContain('its bytes are not the ones autotune wrote');
    // Nothing was recorded as rolled back either.
    expect((await store.listHistory(TEAM)).filter((e) => e.status === 'applied')).toHaveLength(applied.length);
    db.close();
  });

  it('refuses restored bytes that do not match their recorded hash, even for the named workflow', async () => {
    const { dir, workflowPath, db, store } = workspace();
    await applyAll(autotunerOver(store, dir), workflowPath);
    const applied = (await store.listHistory(TEAM)).filter((e) => e.status === 'applied');
    const oldest = applied.at(-1)!;
    const row = db.prepare('SELECT json FROM history WHERE id = ?').get(oldest.id) as { json: string };
    db.prepare('UPDATE history SET json = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row.json), fileTextBefore: 'evil: true\n' }), oldest.id);
    const text = fs.readFileSync(workflowPath, 'utf8');
    await expect(autotunerOver(store, dir).rollbackOptimization(TEAM, applied.length - 1, 'test', { workflowPath })).rejects.toThrow(/do not match their recorded hash/);
    expect(fs.readFileSync(workflowPath, 'utf8')).toBe(text);
    db.close();
  });

  it('restores an edited workflow only when the user names it', async () => {
    const { dir, workflowPath, original, db, store } = workspace();
    await applyAll(autotunerOver(store, dir), workflowPath);
    fs.appendFileSync(workflowPath, '# edited by hand after the apply\n');
    const applied = (await store.listHistory(TEAM)).filter((e) => e.status === 'applied');
    await expect(autotunerOver(store, dir).rollbackOptimization(TEAM, applied.length - 1)).rejects.toThrow(/its bytes are not the ones autotune wrote/);
    const outcome = await autotunerOver(store, dir).rollbackOptimization(TEAM, applied.length - 1, 'manual rollback', { workflowPath });
    expect(fs.readFileSync(workflowPath, 'utf8')).toBe(original);
    // The hand edit is kept in the backup.
    expect(fs.readFileSync(outcome.backupPath!, 'utf8')).toMatch(/# edited by hand after the apply\n$/);
    db.close();
  });

  it('undoes one whole apply by its apply id', async () => {
    const { dir, workflowPath, original, db, store } = workspace();
    // Without A/B tests every suggestion is kept: one apply, several history entries.
    const outcome = await applyAll(autotunerOver(store, dir), workflowPath, { enableAbTesting: false });
    const kept = outcome.results.filter((r) => r.success).length;
    expect(kept).toBeGreaterThan(1);
    expect(outcome.applyId).toMatch(/^[0-9a-f]{8}$/);
    const rollback = await autotunerOver(store, dir).rollbackOptimization(TEAM, 0, 'undo the apply', { applyId: outcome.applyId! });
    expect(rollback.undone).toHaveLength(kept);
    expect(fs.readFileSync(workflowPath, 'utf8')).toBe(original);
    await expect(autotunerOver(store, dir).rollbackOptimization(TEAM, 0, 'again', { applyId: outcome.applyId! })).rejects.toThrow(/no applied change from apply/);
    db.close();
  });

  it("undoes the latest apply whole with applyId 'latest' (every change it kept), and says so when nothing is applied", async () => {
    const { dir, workflowPath, original, db, store } = workspace();
    const first = await applyAll(autotunerOver(store, dir), workflowPath, { enableAbTesting: false });
    expect(first.results.filter((r) => r.success).length).toBeGreaterThan(1);
    const undoFirst = await autotunerOver(store, dir).rollbackOptimization(TEAM, 0, 'undo the first apply', { applyId: 'latest' });
    expect(undoFirst.undone).toHaveLength(first.results.filter((r) => r.success).length);
    expect(fs.readFileSync(workflowPath, 'utf8')).toBe(original);
    await expect(autotunerOver(store, dir).rollbackOptimization(TEAM, 0, 'again', { applyId: 'latest' })).rejects.toThrow(/has no applied change to roll back/);
    db.close();
  });
});
