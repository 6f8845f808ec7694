import { mannWhitneyU } from '@autotune/stats';
import { expectStatsError } from './support';

// R documentation example of wilcox.test (Hollander & Wolfe 1973, p. 69: permeability constants).
const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const y = [1.15, 0.88, 0.9, 0.74, 1.21];
// SciPy documentation example of mannwhitneyu (ages of male and female staff).
const males = [19, 22, 16, 29, 24];
const females = [20, 11, 17, 12];

describe('mannWhitneyU', () => {
  it.each([
    // [source, a, b, options, U, p, method, tolerance digits]
    ['R: exact, greater (W = 35, p = 0.1272)', x, y, { alternative: 'greater' }, 35, 0.1272, 'exact', 4],
    ['R: normal, no continuity (p = 0.1103)', x, y, { alternative: 'greater', method: 'asymptotic', continuity: false }, 35, 0.1103, 'asymptotic', 4],
    ['SciPy: exact two-sided', males, females, {}, 17, 0.1111111111111111, 'exact', 12],
    ['SciPy: asymptotic two-sided', males, females, { method: 'asymptotic' }, 17, 0.11134688653314041, 'asymptotic', 12],
  ] as const)('%s', (_src, a, b, options, u, p, method, digits) => {
    const r = mannWhitneyU([...a], [...b], options);
    expect(r.statistic).toBe(u);
    expect(r.pValue).toBeCloseTo(p, digits);
    expect(r.method).toBe(method);
  });

  // SciPy 1.17.1 mannwhitneyu on tied data (normal approximation with tie correction), to 1e-12.
  it.each([
    ['two-sided', {}, 0.11390314458853068],
    ['less', { alternative: 'less' }, 0.05695157229426534],
    ['less without continuity', { alternative: 'less', continuity: false }, 0.047076724689382066],
  ] as const)('ties: %s', (_name, options, p) => {
    const r = mannWhitneyU([1, 2, 2, 3, 4], [2, 3, 3, 5, 6, 7], options);
    expect(r.statistic).toBe(6);
    expect(r.method).toBe('asymptotic');
    expect(r.pValue).toBeCloseTo(p, 12);
  });

  it.each([
    ['equal samples', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], {}, 12.5, 1],
    ['every value tied', [3, 3, 3], [3, 3], {}, 3, 1],
    ['tiny samples, exact less', [1, 2], [3, 4], { alternative: 'less' }, 0, 1 / 6],
    ['one value each', [1], [2], {}, 0, 1],
    ['10 x 10 exact (SciPy)', [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5], [3.2, 4.2, 5.2, 6.2, 7.2, 8.2, 9.2, 10.2, 11.2, 12.2], {}, 28, 0.10512243174781875],
  ] as const)('%s', (_name, a, b, options, u, p) => {
    const r = mannWhitneyU([...a], [...b], options);
    expect(r.statistic).toBe(u);
    expect(r.pValue).toBeCloseTo(p, 12);
  });

  it('auto uses the exact distribution below 50 per sample without ties, the normal approximation above', () => {
    const a = Array.from({ length: 49 }, (_, i) => i * 2);
    const b = Array.from({ length: 49 }, (_, i) => i * 2 + 1.5);
    expect(mannWhitneyU(a, b).method).toBe('exact');
    expect(mannWhitneyU([...a, 1000], b).method).toBe('asymptotic');
  });

  it('exact and normal p-values agree closely at 49 per arm', () => {
    const a = Array.from({ length: 49 }, (_, i) => i * 2);
    const b = Array.from({ length: 49 }, (_, i) => i * 2 + 7.5);
    const exact = mannWhitneyU(a, b, { alternative: 'less' });
    const normal = mannWhitneyU(a, b, { alternative: 'less', method: 'asymptotic' });
    expect(Math.abs(exact.pValue - normal.pValue)).toBeLessThan(2e-3);
  });

  it("'exact' with ties falls back to the normal approximation, as R does, and says so", () => {
    expect(mannWhitneyU([1, 2, 2], [2, 3, 4], { method: 'exact' }).method).toBe('asymptotic');
  });

  it('the exact two-sided p-value is symmetric in the samples', () => {
    expect(mannWhitneyU(x, y).pValue).toBeCloseTo(mannWhitneyU(y, x).pValue, 14);
    expect(mannWhitneyU(y, x).statistic).toBe(x.length * y.length - 35);
  });

  it.each([
    ['an empty sample', [], [1]],
    ['NaN', [1, Number.NaN], [2]],
  ])('rejects %s', (_name, a, b) => {
    expectStatsError(() => mannWhitneyU(a, b), 'STATS_INVALID_INPUT');
  });

  it('rejects an unknown method', () => {
    expectStatsError(() => mannWhitneyU([1], [2], { method: 'permutation' as never }), 'STATS_INVALID_INPUT');
  });
});

describe('mannWhitneyU on large samples', () => {
  it("'exact' on samples too large to tabulate uses the normal approximation and says so", () => {
    const a = Array.from({ length: 400 }, (_, i) => i);
    const b = Array.from({ length: 400 }, (_, i) => i + 0.5);
    expect(mannWhitneyU(a, b, { method: 'exact' }).method).toBe('asymptotic');
  });
});
