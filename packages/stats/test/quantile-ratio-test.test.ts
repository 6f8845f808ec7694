import { createRng, quantileRatioTest } from '@autotune/stats';
import { expectStatsError } from './support';

const A = [3.1, 4.7, 5.2, 9.8, 6.0];
const B = [2.9, 4.1, 5.5, 6.3, 4.4];

describe('quantileRatioTest', () => {
  // Exact permutation p-values, enumerated independently with Python's itertools.combinations and numpy's default
  // (type-7) quantile, to 1e-12.
  it.each([
    ['a far above b: only the observed split is as extreme, p = 1/20', [10, 20, 30], [1, 2, 3], 1, 'greater', 0.05, 20, 26.1],
    ['a is 10 b: on the boundary, ties count, p = 14/20', [10, 20, 30], [1, 2, 3], 10, 'greater', 0.7, 20, 0],
    ['ratio 1.2, greater', A, B, 1.2, 'greater', 0.44047619047619047, 252, 1.3933333333333344],
    ['ratio 1.2, less', A, B, 1.2, 'less', 0.6388888888888888, 252, 1.3933333333333344],
    ['ratio 1, two-sided', A, B, 1, 'two-sided', 0.7222222222222222, 252, 2.8999999999999995],
  ] as const)('exact: %s', (_name, a, b, ratio, alternative, p, splits, statistic) => {
    const r = quantileRatioTest(a, b, { ratio, alternative, seed: 1 });
    expect(r.method).toBe('exact');
    expect(r.permutations).toBe(splits);
    expect(r.pValue).toBeCloseTo(p, 12);
    expect(r.statistic).toBeCloseTo(statistic, 10);
  });

  it('reports the observed ratio of P95s, never NaN', () => {
    expect(quantileRatioTest([10, 20, 30], [1, 2, 3], { seed: 1 }).estimate).toBeCloseTo(29 / 2.9, 12);
    expect(quantileRatioTest([0, 0], [0, 0], { seed: 1 }).estimate).toBe(1);
    expect(quantileRatioTest([1, 2], [0, 0], { seed: 1 }).estimate).toBe(Number.POSITIVE_INFINITY);
  });

  it('Monte Carlo: (1 + k) / (1 + B), reproducible for a seed, close to the exact value', () => {
    const x = [1, 3, 2, 5, 8, 4, 6, 7, 9, 12];
    const y = [2, 1, 4, 3, 6, 5, 2, 8, 3, 4];
    const r1 = quantileRatioTest(x, y, { seed: 7, permutations: 999 });
    const r2 = quantileRatioTest(x, y, { seed: 7, permutations: 999 });
    expect(r1.method).toBe('monte-carlo');
    expect(r1).toEqual(r2);
    expect(Number.isInteger(r1.pValue * 1000)).toBe(true);
    const big = quantileRatioTest(x, y, { seed: 8, permutations: 20000 });
    // Two Monte Carlo estimates of one p-value agree within their binomial error (about 0.016 at 999 draws).
    expect(Math.abs(r1.pValue - big.pValue)).toBeLessThan(0.05);
  });

  it('stopAfterHits: an unremarkable result stops early with hits / draws (Besag and Clifford), a remarkable one runs on', () => {
    const x = [1, 3, 2, 5, 8, 4, 6, 7, 9, 12];
    const y = [2, 1, 4, 3, 6, 5, 2, 8, 3, 4];
    const early = quantileRatioTest(y, x, { seed: 3, permutations: 1999, stopAfterHits: 20 });
    expect(early.permutations).toBeLessThan(200);
    expect(early.pValue).toBeCloseTo(20 / early.permutations, 12);
    const full = quantileRatioTest(y, x, { seed: 3, permutations: 1999 });
    expect(Math.abs(early.pValue - full.pValue)).toBeLessThan(0.25);
    const strong = quantileRatioTest([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], x, { seed: 3, permutations: 999, stopAfterHits: 20 });
    expect(strong.permutations).toBe(999);
    expect(strong.pValue).toBeLessThan(0.02);
  });

  // Calibration by simulation: b log-normal (CV 0.5), a = 1.5 b in distribution, the boundary of H0: ratio <= 1.5.
  it('keeps its level on the boundary: a true 1.5x scaling is rejected at most alpha (+ 3 sd) of the time; 3x is caught', () => {
    const rng = createRng(20261201);
    const draw = (scale: number): number[] => Array.from({ length: 10 }, () => scale * Math.exp(0.47 * rng.normal()));
    const N = 600;
    let atBoundary = 0;
    let tripled = 0;
    for (let i = 0; i < N; i++) {
      if (quantileRatioTest(draw(1.5), draw(1), { ratio: 1.5, seed: i, permutations: 199 }).pValue <= 0.05) atBoundary++;
      if (quantileRatioTest(draw(3), draw(1), { ratio: 1.5, seed: i, permutations: 199 }).pValue <= 0.05) tripled++;
    }
    expect(atBoundary / N).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / N));
    expect(atBoundary / N).toBeGreaterThan(0.01);
    expect(tripled / N).toBeGreaterThan(0.5);
  });

  it('rejects bad input with the field named', () => {
    expect(expectStatsError(() => quantileRatioTest([1], [1, 2], { seed: 1 }), 'STATS_INVALID_INPUT').location.field).toBe('a');
    expect(expectStatsError(() => quantileRatioTest([1, 2], [1, Number.NaN], { seed: 1 }), 'STATS_INVALID_INPUT').location.field).toBe('b[1]');
    expect(expectStatsError(() => quantileRatioTest([1, 2], [1, 2], { seed: 1, ratio: 0 }), 'STATS_INVALID_INPUT').location.field).toBe('options.ratio');
    expect(expectStatsError(() => quantileRatioTest([1, 2], [1, 2], { seed: 1, probability: 1 }), 'STATS_INVALID_INPUT').location.field).toBe('options.probability');
    expect(expectStatsError(() => quantileRatioTest([1, 2], [1, 2], { seed: 1.5 }), 'STATS_INVALID_INPUT').location.field).toBe('options.seed');
    expect(expectStatsError(() => quantileRatioTest([1, 2], [1, 2], undefined as never), 'STATS_INVALID_INPUT').location.field).toBe('options.seed');
  });
});
