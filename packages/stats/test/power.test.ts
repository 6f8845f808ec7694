import { requiredRunsPerArm, tTestPower } from '@autotune/stats';
import { expectStatsError } from './support';

describe('tTestPower and requiredRunsPerArm', () => {
  // R documentation examples of power.t.test.
  it('power.t.test(n = 20, delta = 1): power = 0.8689528', () => {
    expect(tTestPower({ n: 20, effectSize: 1 })).toBeCloseTo(0.8689528, 7);
  });

  it.each([
    ['two-sided', 22.0211, 23],
    ['one-sided', 17.84713, 18],
  ] as const)('power.t.test(power = .90, delta = 1, %s): n = %d', (alternative, n, whole) => {
    expect(tTestPower({ n, effectSize: 1, alternative })).toBeCloseTo(0.9, 6);
    expect(requiredRunsPerArm({ effectSize: 1, power: 0.9, alternative })).toBe(whole);
  });

  // SciPy 1.17.1: nct.sf(t.ppf(1 - alpha / sides, 2n - 2), 2n - 2, d * sqrt(n / 2)), to 1e-7.
  it.each([
    [10, 1, 'one-sided', 0.6935574919366614],
    [10, 0.5, 'one-sided', 0.28476349135125045],
    [30, 0.5, 'one-sided', 0.6060253278867861],
    [5, 2, 'two-sided', 0.7905416315352444],
    [100, 0.2, 'two-sided', 0.29026640457219915],
  ] as const)('n = %d, d = %d, %s', (n, effectSize, alternative, power) => {
    expect(tTestPower({ n, effectSize, alternative })).toBeCloseTo(power, 7);
  });

  it('power at no effect is the test size', () => {
    expect(tTestPower({ n: 10, effectSize: 0, alternative: 'one-sided' })).toBeCloseTo(0.05, 8);
  });

  it('the answer is the smallest n that reaches the power', () => {
    for (const d of [0.3, 0.8, 1.5]) {
      const n = requiredRunsPerArm({ effectSize: d, alternative: 'one-sided' });
      expect(tTestPower({ n, effectSize: d, alternative: 'one-sided' })).toBeGreaterThanOrEqual(0.8);
      if (n > 2) expect(tTestPower({ n: n - 1, effectSize: d, alternative: 'one-sided' })).toBeLessThan(0.8);
    }
  });

  it('a small effect needs many runs; the search still ends', () => {
    expect(requiredRunsPerArm({ effectSize: 0.01 })).toBeGreaterThan(150000);
  });

  it.each([
    [{ effectSize: 0 }],
    [{ effectSize: -1 }],
    [{ effectSize: Number.NaN }],
    [{ effectSize: 1, alpha: 1.5 }],
    [{ effectSize: 1, power: 1 }],
    [{ effectSize: 1, alternative: 'both' }],
  ])('requiredRunsPerArm rejects %p', (o) => {
    expectStatsError(() => requiredRunsPerArm(o as never), 'STATS_INVALID_INPUT');
  });

  it('tTestPower rejects n < 2', () => {
    expectStatsError(() => tTestPower({ n: 1, effectSize: 1 }), 'STATS_INVALID_INPUT');
  });
});
