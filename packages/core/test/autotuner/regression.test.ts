import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { createRng } from '@autotune/simulator';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadWorkflowFile, MemoryStore, PerformanceAutotuner, teamConfigToUser, type AutotuneSuggestion } from '../../src';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const before: TeamConfig = { formation: 'sequential', memberCount: 4, toolBudget: 40, timeoutSeconds: 400 };
const after: TeamConfig = { ...before, formation: 'parallel' };

function change(): AutotuneSuggestion {
  return {
    type: 'formation_selection',
    strategy: 'formation_selection',
    priority: 'high',
    description: 'Switch formation from sequential to parallel',
    currentConfig: before,
    suggestedConfig: { formation: 'parallel' },
    expectedImprovement: 30,
    confidence: 0.8,
    riskLevel: 0.4,
    targetMetric: 'duration',
    resultingConfig: after,
    changes: [{ key: 'formation', before: 'sequential', after: 'parallel' }],
  };
}

function runs(config: TeamConfig, n: number, startMs: number, draw: (i: number, rnd: () => number) => { duration: number; success: boolean }): ExecutionRecord[] {
  const rng = createRng(n * 7 + (startMs % 1000));
  return Array.from({ length: n }, (_, i) => {
    const { duration, success } = draw(i, () => rng.next());
    const start = startMs + i * 60_000;
    return {
      teamId: 'team',
      executionId: `${config.formation}-${startMs}-${i}`,
      startTimeMs: start,
      endTimeMs: start + duration * 1000,
      durationSeconds: duration,
      success,
      formation: config.formation,
      memberCount: config.memberCount,
      toolCalls: 10,
      configFingerprint: configFingerprint(config),
      members: [],
    };
  });
}

const steady = (mean: number, spread = 6) => (_i: number, rnd: () => number) => ({ duration: mean + (rnd() - 0.5) * spread, success: true });

async function withLiveChange(enableAutoRollback = true) {
  const store = new MemoryStore();
  let now = T0;
  const autotuner = new PerformanceAutotuner({ store, enableAutoRollback, now: () => new Date(now) });
  await autotuner.applyOptimizations('team', [change()], before, { enableAbTesting: false });
  now = T0 + 24 * 3600_000;
  await store.writeMany(runs(before, 20, T0 - 48 * 3600_000, steady(60)));
  return { store, autotuner };
}

describe('PerformanceAutotuner.checkForRegression (monitoring a live change)', () => {
  it.each([
    ['measured performance worse than the baseline', steady(75), 'significant_regression'],
    [
      // The guardrail is a test of a drop beyond 10 points: 10 of 20 against 20 of 20 is clear evidence of one.
      'success rate credibly down by more than 10 points',
      (i: number, rnd: () => number) => ({ duration: 60 + (rnd() - 0.5) * 6, success: i % 2 !== 0 }),
      'guardrail_success_rate',
    ],
    [
      // A permutation test of the P95 ratio: 6 slow runs of 20 are evidence of a longer tail, 2 would not be.
      'P95 credibly up by more than 50%',
      (i: number, rnd: () => number) => ({ duration: i >= 14 ? 140 : 58 + (rnd() - 0.5) * 6, success: true }),
      'guardrail_p95',
    ],
  ])('rolls back when %s', async (_name, draw, code) => {
    const { store, autotuner } = await withLiveChange();
    await store.writeMany(runs(after, 20, T0 + 3600_000, draw));
    const check = await autotuner.checkForRegression('team');
    expect(check.status).toBe('regressed');
    expect(check.verdict!.reasonCodes).toContain(code);
    expect(check.rolledBack).toBe(true);
    const [rollbackEntry, undone] = await autotuner.getOptimizationHistory('team');
    if (!rollbackEntry || !undone) throw new Error('expected the rollback and the entry it undid in the history');
    expect(rollbackEntry.status).toBe('rollback');
    expect(rollbackEntry.configAfter).toEqual(before);
    expect(undone.status).toBe('rolled_back');
    expect(undone.reason).toMatch(/auto-rollback/);
    // Nothing left to monitor.
    expect((await autotuner.checkForRegression('team')).status).toBe('no_change');
  });

  it('keeps a change that performs as well or better', async () => {
    const { store, autotuner } = await withLiveChange();
    await store.writeMany(runs(after, 20, T0 + 3600_000, steady(40)));
    const check = await autotuner.checkForRegression('team');
    expect(check).toMatchObject({ status: 'ok', rolledBack: false, runsBefore: 20, runsAfter: 20 });
    expect((await autotuner.getOptimizationHistory('team'))[0]!.status).toBe('applied');
  });

  it('reports a regression without rolling back when auto-rollback is off', async () => {
    const { store, autotuner } = await withLiveChange(false);
    await store.writeMany(runs(after, 20, T0 + 3600_000, steady(80)));
    const check = await autotuner.checkForRegression('team');
    expect(check).toMatchObject({ status: 'regressed', rolledBack: false });
    expect((await autotuner.getOptimizationHistory('team'))[0]!.status).toBe('applied');
  });

  it('recognises live runs fingerprinted from the snake_case config, as a collector records them', async () => {
    const { store, autotuner } = await withLiveChange();
    const userFingerprint = configFingerprint(teamConfigToUser(after));
    await store.writeMany(runs(after, 20, T0 + 3600_000, steady(75)).map((r) => ({ ...r, configFingerprint: userFingerprint })));
    const check = await autotuner.checkForRegression('team');
    expect(check).toMatchObject({ status: 'regressed', runsAfter: 20, rolledBack: true });
  });

  it('does not roll back while an apply holds the team', async () => {
    const { store, autotuner } = await withLiveChange();
    const lock = await store.acquireTeamLock('team', { pid: process.pid, host: 'test', purpose: 'apply' });
    await expect(autotuner.rollbackOptimization('team', 0)).rejects.toMatchObject({ code: 'CORE_LOCKED' });
    await lock.release();
    await expect(autotuner.rollbackOptimization('team', 0)).resolves.toMatchObject({ success: true });
  });

  it('waits for enough runs on both sides', async () => {
    const { store, autotuner } = await withLiveChange();
    await store.writeMany(runs(after, 4, T0 + 3600_000, steady(200)));
    const check = await autotuner.checkForRegression('team');
    expect(check).toMatchObject({ status: 'insufficient_data', runsAfter: 4, rolledBack: false });
    expect(check.reason).toMatch(/need 10/);
  });

  it('ignores runs of the new config recorded before the change went live', async () => {
    const { store, autotuner } = await withLiveChange();
    await store.writeMany(runs(after, 20, T0 - 3 * 3600_000, steady(200)));
    const check = await autotuner.checkForRegression('team');
    expect(check.status).toBe('insufficient_data');
  });

  it('does not let its automatic rollback overwrite a workflow edited since the apply (rollbackGuard)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-guard-'));
    try {
      const workflowPath = path.join(dir, 'workflow.yaml');
      fs.writeFileSync(workflowPath, 'team_id: team\nformation: sequential\nmember_count: 4\ntool_budget: 40\ntimeout_seconds: 400\n');
      const store = new MemoryStore();
      let now = T0;
      const autotuner = new PerformanceAutotuner({ store, now: () => new Date(now), rollbackGuard: { projectRoot: dir } });
      await autotuner.applyOptimizations('team', [change()], await loadWorkflowFile(workflowPath, 'team'), { enableAbTesting: false });
      now = T0 + 24 * 3600_000;
      // The configs as the file holds them (with its team_id), so the live runs match the change's fingerprints.
      const entry = (await store.listHistory('team'))[0]!;
      await store.writeMany(runs(entry.configBefore, 20, T0 - 48 * 3600_000, steady(60)));
      await store.writeMany(runs(entry.configAfter, 20, T0 + 3600_000, steady(75)));
      fs.appendFileSync(workflowPath, '# tuned by hand since\n');
      const edited = fs.readFileSync(workflowPath, 'utf8');
      await expect(autotuner.checkForRegression('team')).rejects.toMatchObject({ code: 'CORE_ROLLBACK', message: expect.stringMatching(/its bytes are not the ones autotune wrote/) });
      expect(fs.readFileSync(workflowPath, 'utf8')).toBe(edited);
      expect((await store.listHistory('team'))[0]!.status).toBe('applied');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
