import { welchFromSummaries, welchTTest } from '@autotune/stats';
import { expectStatsError, hasAutotuneBrand } from './support';

// R's `t.test(extra ~ group, data = sleep)` (Student's sleep data; R documentation example).
const sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('welchTTest', () => {
  it('matches R on the sleep data (t = -1.8608, df = 17.776, p = 0.07939; R prints 4-5 digits)', () => {
    const r = welchTTest(sleep1, sleep2);
    expect(r.statistic).toBeCloseTo(-1.8608, 4);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.pValue).toBeCloseTo(0.07939, 5);
    expect(r.estimate).toBeCloseTo(0.75 - 2.33, 12);
  });

  it.each([
    // [alternative, expected p] - one-sided p-values are half the two-sided one, on the side of the sign of t.
    ['less', 0.079394140187 / 2],
    ['greater', 1 - 0.079394140187 / 2],
  ] as const)('one-sided %s on the sleep data', (alternative, p) => {
    expect(welchTTest(sleep1, sleep2, { alternative }).pValue).toBeCloseTo(p, 9);
  });

  it('statistic is of a relative to b: swapping the samples flips its sign', () => {
    expect(welchTTest(sleep2, sleep1).statistic).toBeCloseTo(1.8608, 4);
  });

  // SciPy 1.17.1 `ttest_ind(a, b, equal_var=False, alternative=...)`, to 1e-9.
  it.each([
    ['tiny samples', [1, 2], [3, 5], 'less', -2.23606797749979, 1.4705882352941178, 0.09936369446726301],
    ['one constant sample', [5, 5, 5], [1, 2, 4], 'greater', 3.023715784073818, 2, 0.04708918634216169],
    ['equal samples', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 'two-sided', 0, 8, 1],
  ] as const)('%s', (_name, a, b, alternative, t, df, p) => {
    const r = welchTTest([...a], [...b], { alternative });
    expect(r.statistic).toBeCloseTo(t, 9);
    expect(r.df).toBeCloseTo(df, 9);
    expect(r.pValue).toBeCloseTo(p, 9);
  });

  it('keeps tiny p-values precise (computed from the tail, not 1 - cdf)', () => {
    const r = welchTTest([100, 101, 102, 103], [1, 2, 3, 4], { alternative: 'greater' });
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThan(1e-8);
  });

  it.each([
    ['an empty sample', [], [1, 2]],
    ['a single value', [1], [1, 2]],
    ['NaN', [1, Number.NaN], [1, 2]],
    ['Infinity', [1, 2], [1, Number.POSITIVE_INFINITY]],
  ])('rejects %s with STATS_INVALID_INPUT, never NaN', (_name, a, b) => {
    const e = expectStatsError(() => welchTTest(a, b), 'STATS_INVALID_INPUT');
    expect(hasAutotuneBrand(e)).toBe(true);
  });

  // One zero-variance policy for every test in the package: constant samples make the difference exact, so
  // the test decides by it instead of throwing (R) or returning NaN (SciPy).
  it.each([
    ['lower, asked less', [3, 3, 3], [4, 4], 'less', -Infinity, 0],
    ['lower, asked greater', [3, 3, 3], [4, 4], 'greater', -Infinity, 1],
    ['lower, two-sided', [3, 3, 3], [4, 4], 'two-sided', -Infinity, 0],
    ['equal, two-sided', [4, 4, 4], [4, 4], 'two-sided', 0, 1],
    ['equal, asked less', [4, 4, 4], [4, 4], 'less', 0, 1],
    ['higher, asked greater', [5, 5], [4, 4, 4], 'greater', Infinity, 0],
  ] as const)('both samples constant (%s): decided by the exact difference', (_name, a, b, alternative, statistic, pValue) => {
    const r = welchTTest([...a], [...b], { alternative });
    expect(r).toEqual({ statistic, df: a.length + b.length - 2, pValue, estimate: a[0] - b[0], standardError: 0 });
  });

  it('applies the same policy to summaries (welchFromSummaries)', () => {
    const r = welchFromSummaries({ n: 3, mean: 3, sd: 0 }, { n: 2, mean: 4, sd: 0 }, 0.95, 'less');
    expect(r).toMatchObject({ t: -Infinity, df: 3, pValue: 0, interval: { low: -1, high: -1 } });
  });

  it('names the offending element', () => {
    expect(expectStatsError(() => welchTTest([1, 2, Number.NaN], [1, 2]), 'STATS_INVALID_INPUT').message).toMatch(/a\[2\].*NaN/);
  });

  it('rejects an unknown alternative', () => {
    expectStatsError(() => welchTTest([1, 2], [3, 4], { alternative: 'smaller' as never }), 'STATS_INVALID_INPUT');
  });
});
