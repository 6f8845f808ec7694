import { configFingerprint } from '@autotune/metrics';
import { MemoryStore, PerformanceAutotuner, teamConfigFromUser } from '../../src';
import { scenarioFixture } from './helpers';

describe('PerformanceAutotuner.applyOptimizations with real A/B tests on the simulator', () => {
  it('keeps the change that really helps and proves it with measured numbers', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('sequential-independent');
    const store = new MemoryStore();
    const autotuner = new PerformanceAutotuner({ analyzer, runner, store, seed: 42 });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    const progress: number[] = [];
    const outcome = await autotuner.applyOptimizations(scenario.teamId, suggestions, scenario.workflow, {
      onProgress: (p) => progress.push(p.completed),
    });

    expect(outcome.results).toHaveLength(suggestions.length);
    const parallel = outcome.results.find((r) => r.optimization.type === 'parallelization')!;
    expect(parallel.validationStatus).toBe('passed');
    expect(parallel.success).toBe(true);
    expect(parallel.improvementPercentage).toBeGreaterThan(30);
    expect(parallel.afterMetrics!.mean).toBeLessThan(parallel.beforeMetrics!.mean);
    expect(parallel.afterMetrics!.runs).toBe(10);
    expect((outcome.finalConfig as Record<string, unknown>).formation).toBe('parallel');
    // Snake_case in, snake_case out.
    expect(outcome.finalConfig).toHaveProperty('member_count');
    expect(parallel.rollbackConfig).toMatchObject({ formation: 'sequential' });
    expect(progress.length).toBeGreaterThanOrEqual(20);

    // Every experiment is stored with all its samples; the history says what happened to each change.
    const experiment = (await store.getExperiment(parallel.evidence!.experimentId))!;
    expect(experiment.result.baseline).toHaveLength(10);
    expect(experiment.result.candidate).toHaveLength(10);
    const history = await autotuner.getOptimizationHistory(scenario.teamId);
    expect(history).toHaveLength(outcome.results.filter((r) => r.validationStatus !== 'skipped').length);
    const applied = history.filter((h) => h.status === 'applied');
    expect(applied.map((h) => h.experimentId)).toContain(parallel.evidence!.experimentId);
    // Only passed changes are in force.
    for (const r of outcome.results) {
      if (r.validationStatus !== 'passed') expect(r.success).toBe(false);
    }
  });

  it('tests each change against the config in force when it is reached', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer, runner, seed: 7 });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    const outcome = await autotuner.applyOptimizations(scenario.teamId, suggestions, scenario.workflow);
    let inForce = teamConfigFromUser(scenario.workflow);
    for (const r of outcome.results) {
      expect(configFingerprint(teamConfigFromUser(r.rollbackConfig))).toBe(configFingerprint(inForce));
      if (r.success) inForce = r.optimization.resultingConfig;
    }
    expect(configFingerprint(teamConfigFromUser(outcome.finalConfig))).toBe(configFingerprint(inForce));
  });

  it('rejects the tempting change of the regression trap and never keeps it', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('regression-trap');
    const autotuner = new PerformanceAutotuner({ analyzer, runner, seed: 3 });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    const sizing = suggestions.find((s) => s.type === 'team_sizing');
    expect(sizing).toBeDefined();
    const outcome = await autotuner.applyOptimizations(scenario.teamId, [sizing!], scenario.workflow);
    const result = outcome.results[0]!;
    expect(result.success).toBe(false);
    expect(result.validationStatus).toBe('failed');
    expect(result.rolledBack?.reason).toMatch(/success rate|regress/i);
    expect(outcome.finalConfig).toEqual(teamConfigToUserSafe(scenario.workflow));
    expect((await autotuner.getOptimizationHistory(scenario.teamId))[0]).toMatchObject({ status: 'rolled_back', validationStatus: 'failed' });
  });

  it('records a failed candidate as rejected when auto-rollback is off', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('regression-trap');
    const autotuner = new PerformanceAutotuner({ analyzer, runner, seed: 3, enableAutoRollback: false });
    const sizing = (await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow)).find((s) => s.type === 'team_sizing')!;
    const outcome = await autotuner.applyOptimizations(scenario.teamId, [sizing], scenario.workflow);
    expect(outcome.results[0]!.rolledBack).toBeUndefined();
    expect((await autotuner.getOptimizationHistory(scenario.teamId))[0]).toMatchObject({ status: 'rejected', validationStatus: 'failed' });
  });

  it('applies every change as skipped when A/B testing is off', async () => {
    const { scenario, analyzer } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    const outcome = await autotuner.applyOptimizations(scenario.teamId, suggestions, scenario.workflow, { enableAbTesting: false });
    for (const r of outcome.results) expect(r.validationStatus).toBe('skipped');
    expect(outcome.results.filter((r) => r.success).length).toBeGreaterThan(0);
    expect((await autotuner.getOptimizationHistory(scenario.teamId)).every((h) => h.status === 'applied')).toBe(true);
  });

  it('changes nothing and runs nothing on a dry run', async () => {
    const { scenario, analyzer } = scenarioFixture('sequential-independent');
    const run = jest.fn();
    const autotuner = new PerformanceAutotuner({ analyzer, runner: { run } });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    const outcome = await autotuner.applyOptimizations(scenario.teamId, suggestions, scenario.workflow, { dryRun: true });
    expect(outcome.results.every((r) => r.validationStatus === 'dry_run' && !r.success)).toBe(true);
    expect(outcome.finalConfig).toEqual(teamConfigToUserSafe(scenario.workflow));
    expect(run).not.toHaveBeenCalled();
    expect(await autotuner.getOptimizationHistory(scenario.teamId)).toEqual([]);
  });

  it('refuses to A/B test without a runner, before changing anything', async () => {
    const { scenario, analyzer } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    await expect(autotuner.applyOptimizations(scenario.teamId, suggestions, scenario.workflow)).rejects.toMatchObject({ code: 'CORE_CONFIG_INVALID' });
    expect(await autotuner.getOptimizationHistory(scenario.teamId)).toEqual([]);
  });

  it('stops on cancellation without recording a decision', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer, runner, seed: 1 });
    const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
    const controller = new AbortController();
    const pending = autotuner.applyOptimizations(scenario.teamId, suggestions, scenario.workflow, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.completed === 5) controller.abort();
      },
    });
    await expect(pending).rejects.toThrow(/cancel|abort/i);
    expect(await autotuner.getOptimizationHistory(scenario.teamId)).toEqual([]);
  });
});

/** The user's config after a round trip through TeamConfig: what "unchanged" looks like in the user's shape. */
function teamConfigToUserSafe(workflow: Record<string, unknown>): Record<string, unknown> {
  const { teamConfigToUser } = require('../../src') as typeof import('../../src');
  return teamConfigToUser(teamConfigFromUser(workflow));
}

describe('early stopping', () => {
  it('stops a clear win at an interim look and still proves it', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('sequential-independent');
    const store = new MemoryStore();
    const autotuner = new PerformanceAutotuner({ analyzer, runner, store, seed: 42, runsPerArm: 30, earlyStopping: true });
    const suggestion = (await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow)).find((s) => s.type === 'parallelization')!;
    const result = (await autotuner.applyOptimizations(scenario.teamId, [suggestion], scenario.workflow)).results[0]!;
    expect(result.validationStatus).toBe('passed');
    const experiment = (await store.getExperiment(result.evidence!.experimentId))!;
    expect(experiment.result.stoppedEarly).toBeDefined();
    expect(experiment.result.candidate.length).toBeLessThan(30);
    expect(result.evidence!.verdict.sequential?.stoppedEarly).toBe(true);
  });

  it('runs the full fixed design when there is no room for an interim look', async () => {
    const { scenario, analyzer, runner } = scenarioFixture('sequential-independent');
    const store = new MemoryStore();
    const autotuner = new PerformanceAutotuner({ analyzer, runner, store, seed: 42, earlyStopping: true });
    const suggestion = (await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow)).find((s) => s.type === 'parallelization')!;
    const result = (await autotuner.applyOptimizations(scenario.teamId, [suggestion], scenario.workflow)).results[0]!;
    expect((await store.getExperiment(result.evidence!.experimentId))!.result.candidate).toHaveLength(10);
    expect(result.evidence!.verdict.sequential).toBeUndefined();
  });
});
