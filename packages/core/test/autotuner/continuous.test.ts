import { PerformanceAutotuner } from '../../src';
import { scenarioFixture } from './helpers';

describe('PerformanceAutotuner.runContinuous', () => {
  it('checks, suggests and applies each cycle, and stops cleanly when aborted', async () => {
    const { scenario, analyzer, runner, config } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer, runner, seed: 5 });
    // Seed the history with the team's current config so the loop knows what is in force.
    await autotuner.applyOptimizations(scenario.teamId, [], config, { enableAbTesting: false });
    const controller = new AbortController();
    const cycles: Array<{ suggestions: number; applied: number; error?: string }> = [];
    let before = 0;
    await autotuner.runContinuous(scenario.teamId, {
      intervalMs: 5,
      signal: controller.signal,
      beforeCycle: () => {
        before++;
      },
      onCycle: (e) => {
        cycles.push({ suggestions: e.suggestions, applied: e.outcome?.results.filter((r) => r.success).length ?? 0, error: e.error });
        if (cycles.length === 2) controller.abort();
      },
    });
    expect(cycles).toHaveLength(2);
    expect(before).toBe(2);
    expect(cycles[0].error).toBeUndefined();
    expect(cycles[0].suggestions).toBeGreaterThan(0);
    expect(cycles[0].applied).toBeGreaterThan(0);
    expect((await autotuner.getOptimizationHistory(scenario.teamId)).some((h) => h.status === 'applied')).toBe(true);
  });

  it('waits out an interval longer than a timer can hold (30 days) instead of looping at once', async () => {
    const { scenario, analyzer } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer });
    const controller = new AbortController();
    let cycles = 0;
    const loop = autotuner.runContinuous(scenario.teamId, {
      intervalMs: 30 * 24 * 3600_000,
      signal: controller.signal,
      onCycle: () => {
        cycles++;
      },
    });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    await loop;
    expect(cycles).toBe(1);
  });

  it('refuses a non-positive interval', async () => {
    await expect(new PerformanceAutotuner().runContinuous('t', { intervalMs: 0 })).rejects.toMatchObject({ code: 'CORE_CONFIG_INVALID' });
  });
});
