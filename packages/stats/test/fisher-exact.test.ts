import { fisherExact } from '@autotune/stats';
import { expectStatsError } from './support';

describe('fisherExact', () => {
  // R documentation examples of fisher.test. R's odds ratio comes from uniroot (tolerance ~1e-4), hence 4 digits.
  it.each([
    ['TeaTasting, greater', [[3, 1], [1, 3]], 'greater', 0.2429, 6.408309],
    ['TeaTasting, two-sided', [[3, 1], [1, 3]], 'two-sided', 0.4857, 6.408309],
    ['Convictions, less', [[2, 15], [10, 3]], 'less', 0.0004652, 0.04693661],
    ['Convictions, two-sided', [[2, 15], [10, 3]], 'two-sided', 0.0005367, 0.04693661],
  ] as const)('R: %s', (_name, table, alternative, p, or) => {
    const r = fisherExact(table, { alternative });
    expect(r.pValue).toBeCloseTo(p, 4);
    expect(r.oddsRatio / or).toBeCloseTo(1, 4);
  });

  it('TeaTasting p-values are exact hypergeometric sums (17/70 and 34/70)', () => {
    expect(fisherExact([[3, 1], [1, 3]], { alternative: 'greater' }).pValue).toBeCloseTo(17 / 70, 14);
    expect(fisherExact([[3, 1], [1, 3]]).pValue).toBeCloseTo(34 / 70, 14);
  });

  // SciPy 1.17.1 fisher_exact p-values, and scipy.stats.contingency.odds_ratio (conditional MLE), to 1e-10.
  it.each([
    ['10/10 vs 6/10, greater', [[10, 0], [6, 4]], 'greater', 0.04334365325077399, Number.POSITIVE_INFINITY],
    ['10/10 vs 6/10, two-sided', [[10, 0], [6, 4]], 'two-sided', 0.08668730650154799, Number.POSITIVE_INFINITY],
    ['7/10 vs 9/10, less', [[7, 3], [9, 1]], 'less', 0.2910216718266254, 0.2769451917034445],
    ['7/10 vs 9/10, two-sided', [[7, 3], [9, 1]], 'two-sided', 0.5820433436532508, 0.2769451917034445],
  ] as const)('SciPy: %s', (_name, table, alternative, p, or) => {
    const r = fisherExact(table, { alternative });
    expect(r.pValue).toBeCloseTo(p, 10);
    if (Number.isFinite(or)) expect(r.oddsRatio).toBeCloseTo(or, 8);
    else expect(r.oddsRatio).toBe(or);
  });

  it('an all-zero table gives p = 1 and odds ratio 0, as R (never NaN)', () => {
    expect(fisherExact([[0, 0], [0, 0]])).toEqual({ pValue: 1, oddsRatio: 0 });
  });

  it('equal rows give an odds ratio of 1 and a two-sided p of 1', () => {
    const r = fisherExact([[9, 1], [9, 1]]);
    expect(r.oddsRatio).toBeCloseTo(1, 10);
    expect(r.pValue).toBeCloseTo(1, 12);
  });

  it('less and greater p-values overlap by the probability of the observed table', () => {
    const less = fisherExact([[7, 3], [9, 1]], { alternative: 'less' }).pValue;
    const greater = fisherExact([[7, 3], [9, 1]], { alternative: 'greater' }).pValue;
    expect(less + greater).toBeGreaterThan(1);
  });

  it.each([
    ['a negative count', [[-1, 2], [3, 4]]],
    ['a fraction', [[1.5, 2], [3, 4]]],
    ['NaN', [[Number.NaN, 2], [3, 4]]],
    ['a 2x3 table', [[1, 2, 3], [3, 4, 5]]],
    ['not a table', 'abcd'],
  ])('rejects %s', (_name, table) => {
    expectStatsError(() => fisherExact(table as never), 'STATS_INVALID_INPUT');
  });
});
