import { MIN_RUNS_PER_ARM, requiredRunsPerArm, tTestPower } from '@autotune/stats';
import { expectStatsError } from './support';

describe('tTestPower and requiredRunsPerArm', () => {
  // R documentation examples of power.t.test.
  it('power.t.test(n = 20, delta = 1): power = 0.8689528', () => {
    expect(tTestPower({ n: 20, effectSize: 1, alternative: 'two-sided' })).toBeCloseTo(0.8689528, 7);
  });

  it('is one-sided by default, like the verdicts; less and greater are both one-sided', () => {
    const oneSided = tTestPower({ n: 10, effectSize: 1, alternative: 'greater' });
    expect(tTestPower({ n: 10, effectSize: 1 })).toBe(oneSided);
    expect(tTestPower({ n: 10, effectSize: 1, alternative: 'less' })).toBe(oneSided);
    expect(requiredRunsPerArm({ effectSize: 1, power: 0.9, minRunsPerArm: 2 })).toBe(18);
  });

  it.each([
    ['two-sided', 22.0211, 23],
    ['greater', 17.84713, 18],
  ] as const)('power.t.test(power = .90, delta = 1, %s): n = %d', (alternative, n, whole) => {
    expect(tTestPower({ n, effectSize: 1, alternative })).toBeCloseTo(0.9, 6);
    expect(requiredRunsPerArm({ effectSize: 1, power: 0.9, alternative })).toBe(whole);
  });

  // SciPy 1.17.1: nct.sf(t.ppf(1 - alpha / sides, 2n - 2), 2n - 2, d * sqrt(n / 2)), to 1e-7.
  it.each([
    [10, 1, 'greater', 0.6935574919366614],
    [10, 0.5, 'greater', 0.28476349135125045],
    [30, 0.5, 'greater', 0.6060253278867861],
    [5, 2, 'two-sided', 0.7905416315352444],
    [100, 0.2, 'two-sided', 0.29026640457219915],
  ] as const)('n = %d, d = %d, %s', (n, effectSize, alternative, power) => {
    expect(tTestPower({ n, effectSize, alternative })).toBeCloseTo(power, 7);
  });

  it('power at no effect is the test size', () => {
    expect(tTestPower({ n: 10, effectSize: 0, alternative: 'greater' })).toBeCloseTo(0.05, 8);
  });

  it('the answer is the smallest n that reaches the power', () => {
    for (const d of [0.3, 0.8, 1.5]) {
      const n = requiredRunsPerArm({ effectSize: d, alternative: 'greater', minRunsPerArm: 2 });
      expect(tTestPower({ n, effectSize: d, alternative: 'greater' })).toBeGreaterThanOrEqual(0.8);
      if (n > 2) expect(tTestPower({ n: n - 1, effectSize: d, alternative: 'greater' })).toBeLessThan(0.8);
    }
  });

  it('never answers fewer runs than an experiment accepts, unless asked to', () => {
    expect(requiredRunsPerArm({ effectSize: 3 })).toBe(MIN_RUNS_PER_ARM);
    expect(MIN_RUNS_PER_ARM).toBe(10);
    expect(requiredRunsPerArm({ effectSize: 3, minRunsPerArm: 2 })).toBeLessThan(MIN_RUNS_PER_ARM);
    expectStatsError(() => requiredRunsPerArm({ effectSize: 1, minRunsPerArm: 1 }), 'STATS_INVALID_INPUT');
  });

  it('a small effect needs many runs; the search still ends', () => {
    // Normal approximation 2 (z_0.95 + z_0.8)^2 / d^2 = 123,652 one-sided, 156,978 two-sided.
    expect(requiredRunsPerArm({ effectSize: 0.01 })).toBeGreaterThan(123000);
    expect(requiredRunsPerArm({ effectSize: 0.01, alternative: 'two-sided' })).toBeGreaterThan(156000);
  });

  it.each([
    [{ effectSize: 0 }],
    [{ effectSize: -1 }],
    [{ effectSize: Number.NaN }],
    [{ effectSize: 1, alpha: 1.5 }],
    [{ effectSize: 1, power: 1 }],
    [{ effectSize: 1, alternative: 'both' }],
    [{ effectSize: 1, alternative: 'one-sided' }],
  ])('requiredRunsPerArm rejects %p', (o) => {
    expectStatsError(() => requiredRunsPerArm(o as never), 'STATS_INVALID_INPUT');
  });

  it('tTestPower rejects n < 2', () => {
    expectStatsError(() => tTestPower({ n: 1, effectSize: 1 }), 'STATS_INVALID_INPUT');
  });
});
