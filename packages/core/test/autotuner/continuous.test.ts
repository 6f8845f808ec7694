import { PerformanceAutotuner } from '../../src';
import { scenarioFixture } from './helpers';

describe('PerformanceAutotuner.runContinuous', () => {
  it('checks, suggests and applies each cycle, and stops cleanly when aborted', async () => {
    const { scenario, analyzer, runner, config } = scenarioFixture('sequential-independent');
    const autotuner = new PerformanceAutotuner({ analyzer, runner, seed: 5 });
    // Seed the history with the team's current config so the loop knows what is in force.
    await autotuner.applyOptimizations(scenario.teamId, [], config, { enableAbTesting: false });
    const controller = new AbortController();
    const cycles: Array<{ suggestions: number; applied: number; error?: string | undefined }> = [];
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
    expect(cycles[0]!.error).toBeUndefined();
    expect(cycles[0]!.suggestions).toBeGreaterThan(0);
    expect(cycles[0]!.applied).toBeGreaterThan(0);
    expect((await autotuner.getOptimizationHistory(scenario.teamId)).some((h) => h.status === 'applied')).toBe(true);
  });

  it('waits out an interval longer than a timer can hold (30 days) instead of looping at once', async () => {
    // Fake timers make the 30 days pass on demand, so the test waits for events (a cycle reported), never for
    // wall-clock time. Promise callbacks and I/O stay real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { scenario, analyzer } = scenarioFixture('sequential-independent');
      const autotuner = new PerformanceAutotuner({ analyzer });
      const controller = new AbortController();
      const DAY_MS = 24 * 3600_000;
      let cycles = 0;
      let reported: () => void = () => undefined;
      const nextCycle = () => new Promise<void>((resolve) => (reported = resolve));
      let cycle = nextCycle();
      const loop = autotuner.runContinuous(scenario.teamId, {
        intervalMs: 30 * DAY_MS,
        signal: controller.signal,
        onCycle: () => {
          cycles++;
          reported();
        },
      });
      await cycle;
      expect(cycles).toBe(1);
      cycle = nextCycle();
      // 30 days is more than setTimeout can hold (about 24.8 days); a loop that handed it to setTimeout as
      // it is would get a 1 ms timer and run the next cycle at once.
      await jest.advanceTimersByTimeAsync(30 * DAY_MS - 1);
      expect(cycles).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      await cycle;
      expect(cycles).toBe(2);
      controller.abort();
      await loop;
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a non-positive interval', async () => {
    await expect(new PerformanceAutotuner().runContinuous('t', { intervalMs: 0 })).rejects.toMatchObject({ code: 'CORE_CONFIG_INVALID' });
  });
});
