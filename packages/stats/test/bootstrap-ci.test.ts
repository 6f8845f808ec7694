import { bootstrapCI } from '@autotune/stats';
import { expectStatsError, normals } from './support';

const sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('bootstrapCI', () => {
  it('is a minus b, like welchTTest, and seeded: the same seed gives the same interval', () => {
    const r1 = bootstrapCI(sleep1, sleep2, { seed: 42, resamples: 2000 });
    const r2 = bootstrapCI(sleep1, sleep2, { seed: 42, resamples: 2000 });
    const r3 = bootstrapCI(sleep1, sleep2, { seed: 43, resamples: 2000 });
    expect(r1.estimate).toBeCloseTo(0.75 - 2.33, 12);
    expect(r2).toEqual(r1);
    expect(r3.low).not.toBe(r1.low);
  });

  // SciPy 1.17.1 `bootstrap((a, b), mean(b) - mean(a), n_resamples=99999)`: BCa (0.00, 3.15), percentile
  // (0.01, 3.1505). Different random streams, so the tolerance is the Monte Carlo error of the interval ends
  // at 99,999 resamples (about 0.02) with room: 0.06. SciPy's statistic is mean(b) - mean(a), which is
  // bootstrapCI(b, a) here.
  it.each([
    ['bca', 0.0, 3.15],
    ['percentile', 0.01, 3.1505],
  ] as const)('%s interval agrees with SciPy on the sleep data', (method, low, high) => {
    const r = bootstrapCI(sleep2, sleep1, { seed: 7, resamples: 99999, method });
    expect(r.method).toBe(method);
    expect(Math.abs(r.low - low)).toBeLessThan(0.06);
    expect(Math.abs(r.high - high)).toBeLessThan(0.06);
  });

  it('median and custom statistics', () => {
    const med = bootstrapCI([1, 2, 3, 4, 100], [2, 3, 4, 5, 6], { seed: 1, statistic: 'median', resamples: 500, method: 'percentile' });
    expect(med.estimate).toBe(-1);
    const ratio = bootstrapCI([10, 11, 12, 9], [5, 6, 5, 4], { seed: 1, statistic: (a, b) => b.reduce((s, v) => s + v, 0) / a.reduce((s, v) => s + v, 0), resamples: 500 });
    expect(ratio.estimate).toBeCloseTo(20 / 42, 12);
    expect(ratio.low).toBeLessThan(ratio.estimate);
    expect(ratio.high).toBeGreaterThan(ratio.estimate);
  });

  it('is the percentile interval unless BCa is asked for', () => {
    expect(bootstrapCI(sleep1, sleep2, { seed: 1, resamples: 200 }).method).toBe('percentile');
    expect(bootstrapCI(sleep1, sleep2, { seed: 1, resamples: 200, method: 'bca' }).method).toBe('bca');
  });

  it('constant samples give a zero-width interval and fall back from BCa to percentile (no NaN)', () => {
    const r = bootstrapCI([5, 5, 5], [7, 7, 7], { seed: 3, resamples: 200, method: 'bca' });
    expect(r).toMatchObject({ estimate: -2, low: -2, high: -2, method: 'percentile' });
  });

  it('covers the true difference about 95% of the time (400 normal data sets, 10 per arm)', () => {
    // Bootstrap intervals are known to under-cover a little at n = 10; the band allows 0.88 to 0.98.
    let covered = 0;
    const sets = 400;
    for (let s = 0; s < sets; s++) {
      const a = normals(1000 + s, 10, 100, 20);
      const b = normals(5000 + s, 10, 90, 20);
      const r = bootstrapCI(a, b, { seed: s, resamples: 1000 });
      if (r.low <= 10 && 10 <= r.high) covered++;
    }
    expect(covered / sets).toBeGreaterThan(0.88);
    expect(covered / sets).toBeLessThan(0.98);
  });

  it.each([
    ['a single value', [1], [1, 2], { seed: 1 }],
    ['NaN', [1, Number.NaN], [1, 2], { seed: 1 }],
    ['no seed', [1, 2], [1, 2], {}],
    ['a fractional seed', [1, 2], [1, 2], { seed: 1.5 }],
    ['too few resamples', [1, 2], [1, 2], { seed: 1, resamples: 10 }],
    ['a confidence level of 1', [1, 2], [1, 2], { seed: 1, confidenceLevel: 1 }],
    ['an unknown method', [1, 2], [1, 2], { seed: 1, method: 'studentized' }],
    ['a statistic that returns NaN', [1, 2], [1, 2], { seed: 1, statistic: () => Number.NaN }],
  ])('rejects %s', (_name, a, b, options) => {
    expectStatsError(() => bootstrapCI(a, b, options as never), 'STATS_INVALID_INPUT');
  });
});
