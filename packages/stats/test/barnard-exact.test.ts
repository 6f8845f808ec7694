import { barnardExact, fisherExact } from '@autotune/stats';
import { expectStatsError } from './support';

describe('barnardExact', () => {
  // SciPy's documented example (scipy.stats.barnard_exact, from Chan 1998): vaccine 7 of 15 infected against
  // placebo 12 of 15. SciPy puts the groups in columns, [[7, 12], [8, 3]]; here they are rows. SciPy documents
  // statistic -1.894 and p = 0.03407; Chan reports 0.0341. The statistic matches SciPy to 1e-10. The p-value
  // here is 0.034109: one other table has exactly the same statistic, and counting ties as "at least as extreme"
  // (R's convention in fisher.test, relative tolerance 1e-7) adds its probability, which SciPy's floating-point
  // comparison happens to drop. Both round to Chan's 0.0341.
  it('SciPy docs / Chan 1998: the vaccine example, less: statistic -1.894, p = 0.0341', () => {
    const r = barnardExact([[7, 8], [12, 3]], { alternative: 'less' });
    expect(r.statistic).toBeCloseTo(-1.8943380760602064, 10);
    expect(r.pValue).toBeCloseTo(0.0341, 4);
  });

  // Tables without ties on the statistic: SciPy 1.17.1 barnard_exact(table.T, pooled=True, n=256), to 1e-6.
  it.each([
    ['8/10 vs 10/10, less', [[8, 2], [10, 0]], 'less', -1.4907119849998594, 0.10748668093995128],
    ['20/40 vs 32/40, less', [[20, 20], [32, 8]], 'less', -2.812843385630973, 0.0025087302839764372],
    ['0/5 vs 5/5, less', [[0, 5], [5, 0]], 'less', -3.162277660168379, 0.0009765625],
    ['6/10 vs 10/10, greater', [[6, 4], [10, 0]], 'greater', -2.2360679774997902, 1],
    ['10/10 vs 10/10, less', [[10, 0], [10, 0]], 'less', 0, 1],
  ] as const)('SciPy: %s', (_name, table, alternative, statistic, p) => {
    const r = barnardExact(table, { alternative });
    expect(r.statistic).toBeCloseTo(statistic, 10);
    expect(Math.abs(r.pValue - p)).toBeLessThan(1e-6);
  });

  // Tables with ties (e.g. 6/10 vs 10/10 and 0/10 vs 4/10 both give z = -sqrt(5)): SciPy's statistic, and the
  // p-value with the tied tables counted, computed with SciPy 1.17.1's binom.pmf and the nuisance supremum on a
  // 100,001-point grid (SciPy's own p-value, which drops the ties by rounding, in the comment), to 1e-6.
  it.each([
    ['vaccine, two-sided', [[7, 8], [12, 3]], 'two-sided', -1.8943380760602064, 0.06821830930970682], // SciPy 0.068153
    ['6/10 vs 10/10, less', [[6, 4], [10, 0]], 'less', -2.2360679774997902, 0.021095275878906264], // SciPy 0.020932
    ['6/10 vs 10/10, two-sided', [[6, 4], [10, 0]], 'two-sided', -2.2360679774997902, 0.04219055175781253], // SciPy 0.041864
    ['3/10 vs 9/10, less', [[3, 7], [9, 1]], 'less', -2.738612787525831, 0.003977775573730469], // SciPy 0.003465
  ] as const)('ties counted: %s', (_name, table, alternative, statistic, p) => {
    const r = barnardExact(table, { alternative });
    expect(r.statistic).toBeCloseTo(statistic, 10);
    expect(Math.abs(r.pValue - p)).toBeLessThan(1e-6);
  });

  // Chan's test with a margin, against an independent computation: SciPy 1.17.1 with the restricted MLE found by
  // scipy.optimize.minimize_scalar on the binomial likelihood (not the closed form used here) and the nuisance
  // supremum on a 20,001-point grid. Tolerance 1e-5 (the grid's resolution).
  it.each([
    ['6/10 vs 10/10, margin 0.1', [[6, 4], [10, 0]], 'less', 0.1, -1.8379663734672531, 0.05165148542205316],
    ['3/10 vs 9/10, margin 0.1', [[3, 7], [9, 1]], 'less', 0.1, -2.3064407285142194, 0.013061256754079835],
    ['20/40 vs 32/40, margin 0.1', [[20, 20], [32, 8]], 'less', 0.1, -1.894751635773689, 0.046728009173190976],
    ['5/10 vs 10/10, margin 0.2', [[5, 5], [10, 0]], 'less', 0.2, -1.806285249080458, 0.0593703572167726],
    ['9/10 vs 5/10, greater, margin 0.1', [[9, 1], [5, 5]], 'greater', 0.1, 1.4970835861632108, 0.0830467822891593],
    ['14/20 vs 19/20, margin 0.05', [[14, 6], [19, 1]], 'less', 0.05, -1.7181398335861846, 0.06297207955860916],
  ] as const)('margin (Chan 1998): %s', (_name, table, alternative, margin, statistic, p) => {
    const r = barnardExact(table, { alternative, margin });
    expect(r.statistic).toBeCloseTo(statistic, 6);
    expect(Math.abs(r.pValue - p)).toBeLessThan(1e-5);
  });

  it('is exact: over every table at 10 and 15 runs, it rejects a true boundary null at most alpha of the time', () => {
    for (const [n1, n2, margin] of [[10, 10, 0.1], [15, 10, 0.2], [10, 10, 0]] as const) {
      const p = new Map<string, number>();
      for (let a = 0; a <= n1; a++) for (let b = 0; b <= n2; b++) p.set(`${a},${b}`, barnardExact([[a, n1 - a], [b, n2 - b]], { alternative: 'less', margin }).pValue);
      let worst = 0;
      for (let g = 0; g <= 40; g++) {
        const p2 = margin + ((1 - margin) * g) / 40;
        const p1 = p2 - margin;
        let size = 0;
        for (let a = 0; a <= n1; a++) for (let b = 0; b <= n2; b++) if ((p.get(`${a},${b}`) as number) <= 0.05) size += binom(a, n1, p1) * binom(b, n2, p2);
        worst = Math.max(worst, size);
      }
      expect(worst).toBeLessThanOrEqual(0.05 + 1e-9);
      // ... and not trivially: somewhere on the boundary it uses most of its level.
      expect(worst).toBeGreaterThan(0.02);
    }
  });

  it('is more powerful than Fisher at ten runs per arm: 6/10 against 10/10', () => {
    expect(barnardExact([[6, 4], [10, 0]], { alternative: 'less' }).pValue).toBeLessThan(fisherExact([[6, 4], [10, 0]], { alternative: 'less' }).pValue);
  });

  it('a larger margin asks for more evidence: the p-value grows with the margin', () => {
    const ps = [0, 0.05, 0.1, 0.2].map((margin) => barnardExact([[12, 8], [19, 1]], { alternative: 'less', margin }).pValue);
    for (let i = 1; i < ps.length; i++) expect(ps[i]).toBeGreaterThan(ps[i - 1] as number);
  });

  it('rejects bad input with the field named', () => {
    expect(expectStatsError(() => barnardExact([[1, 2], [3]] as never), 'STATS_INVALID_INPUT').location.field).toBe('table');
    expect(expectStatsError(() => barnardExact([[1, -2], [3, 4]]), 'STATS_INVALID_INPUT').location.field).toBe('table[0][1]');
    expect(expectStatsError(() => barnardExact([[0, 0], [3, 4]]), 'STATS_INVALID_INPUT').location.field).toBe('table[0]');
    expect(expectStatsError(() => barnardExact([[1, 2], [3, 4]], { alternative: 'less', margin: 1 }), 'STATS_INVALID_INPUT').location.field).toBe('options.margin');
    expect(expectStatsError(() => barnardExact([[1, 2], [3, 4]], { margin: 0.1 }), 'STATS_INVALID_INPUT').message).toMatch(/one-sided/);
  });
});

function binom(k: number, n: number, p: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c * p ** k * (1 - p) ** (n - k);
}
