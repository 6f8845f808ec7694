import {
  binomialLowerTail, binomialUpperTail, countAbove, hypergeometricLowerTail, lnGamma, oneSampleGreater, poolSamples,
  quantileInterval, welchFromSummaries, wilsonInterval,
  createRng,
} from '@autotune/stats';

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
const binomPmf = (k: number, n: number, p: number) => choose(n, k) * p ** k * (1 - p) ** (n - k);

describe('lnGamma', () => {
  it.each([[1, 0], [2, 0], [5, Math.log(24)], [0.5, Math.log(Math.sqrt(Math.PI))], [101, 363.73937555556347]])(
    'lnGamma(%f) = %f', (x, expected) => expect(lnGamma(x)).toBeCloseTo(expected, 10));
});

describe('binomial tails', () => {
  it.each([
    [0, 5, 0.05], [1, 5, 0.05], [3, 20, 0.05], [15, 20, 0.95], [19, 20, 0.95], [7, 30, 0.3], [0, 10, 0.5], [10, 10, 0.5],
  ])('P(X >= %i) and P(X <= %i) for Binomial(%i, %f) match a direct sum', (k, n, p) => {
    let upper = 0;
    let lower = 0;
    for (let i = 0; i <= n; i++) {
      if (i >= k) upper += binomPmf(i, n, p);
      if (i <= k) lower += binomPmf(i, n, p);
    }
    expect(binomialUpperTail(k, n, p)).toBeCloseTo(upper, 12);
    expect(binomialLowerTail(k, n, p)).toBeCloseTo(lower, 12);
  });

  it('one slow run in five when 5% are allowed: 1 - 0.95^5', () => {
    expect(binomialUpperTail(1, 5, 0.05)).toBeCloseTo(0.2262190625, 12);
  });

  it('stays fast and finite for a million runs', () => {
    // Normal approximation of P(X >= 50500) for Binomial(1e6, 0.05): z = 500 / 217.9 = 2.294.
    expect(binomialUpperTail(50_500, 1_000_000, 0.05)).toBeCloseTo(0.0109, 3);
    expect(binomialLowerTail(49_000, 1_000_000, 0.05)).toBeLessThan(1e-5);
  });
});

describe('hypergeometric lower tail (one-sided Fisher exact test)', () => {
  it("Fisher's tea-tasting table: 1 of 4 right among 8 cups, 4 with milk first, is P = 17/70", () => {
    expect(hypergeometricLowerTail(1, 8, 4, 4)).toBeCloseTo(17 / 70, 12);
  });

  it.each([[0, 20, 10, 5], [3, 20, 10, 5], [5, 20, 10, 5], [12, 60, 45, 20], [20, 60, 45, 20]])(
    'P(X <= %i) for population %i, %i successes, %i draws matches a direct sum', (x, N, K, n) => {
      let expected = 0;
      for (let k = Math.max(0, n - (N - K)); k <= Math.min(x, n, K); k++) expected += (choose(K, k) * choose(N - K, n - k)) / choose(N, n);
      expect(hypergeometricLowerTail(x, N, K, n)).toBeCloseTo(expected, 12);
    });
});

describe('t-tests', () => {
  it('Welch t and Welch-Satterthwaite df by the textbook formulas', () => {
    const r = welchFromSummaries({ n: 10, mean: 5, sd: 1 }, { n: 20, mean: 4, sd: 2 }, 0.95);
    const se = Math.sqrt(1 / 10 + 4 / 20);
    expect(r.t).toBeCloseTo(1 / se, 12);
    expect(r.df).toBeCloseTo((0.3 * 0.3) / ((0.1 * 0.1) / 9 + (0.2 * 0.2) / 19), 10);
    // Equal n and sd: Student's t with 18 df; t = 2.2361 has two-sided p = 0.0381 (t tables).
    const s = welchFromSummaries({ n: 10, mean: 5, sd: 1 }, { n: 10, mean: 4, sd: 1 }, 0.95);
    expect(s.df).toBeCloseTo(18, 10);
    expect(s.pValue).toBeCloseTo(0.0381, 3);
    // t(0.975, 18) = 2.1009: the interval is 1 +- 2.1009 * sqrt(0.2).
    expect(s.interval.low).toBeCloseTo(1 - 2.1009 * Math.sqrt(0.2), 3);
  });

  it('one-sample test: t = 2.262 on 9 df is the 0.975 quantile, so the one-sided p is 0.025', () => {
    const r = oneSampleGreater({ n: 10, mean: 2.262157 / Math.sqrt(10), sd: 1 }, 0, 0.95);
    expect(r.pValue).toBeCloseTo(0.025, 5);
  });

  it('a sample with no spread is decided by its mean', () => {
    expect(oneSampleGreater({ n: 5, mean: 40, sd: 0 }, 30, 0.95).pValue).toBe(0);
    expect(oneSampleGreater({ n: 5, mean: 30, sd: 0 }, 30, 0.95).pValue).toBe(1);
    expect(welchFromSummaries({ n: 5, mean: 3, sd: 0 }, { n: 5, mean: 3, sd: 0 }, 0.95).pValue).toBe(1);
  });

  it('calibration: an A/A Welch test rejects at about alpha', () => {
    const rng = createRng(7);
    const z = () => rng.normal();
    const sample = (n: number) => {
      const xs = Array.from({ length: n }, () => 30 + 5 * z());
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      return { n, mean, sd: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) };
    };
    const sims = 4000;
    let rejected = 0;
    for (let i = 0; i < sims; i++) if (welchFromSummaries(sample(10), sample(15), 0.95).pValue < 0.05) rejected++;
    // 4000 draws: the standard error of the rate is 0.0034; allow about 3 of them.
    expect(rejected / sims).toBeGreaterThan(0.04);
    expect(rejected / sims).toBeLessThan(0.06);
  });
});

describe('intervals and helpers', () => {
  it('Wilson interval of 8/10 at 95% is 0.490-0.943 (Newcombe 1998)', () => {
    const w = wilsonInterval(8, 10, 0.95);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
  });

  it('pools samples as if they were one', () => {
    const a = [1, 2, 3, 4];
    const b = [10, 12];
    const all = [...a, ...b];
    const summary = (xs: number[]) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return { n: xs.length, mean, sd: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) };
    };
    const pooled = poolSamples([summary(a), summary(b)]);
    expect(pooled.n).toBe(6);
    expect(pooled.mean).toBeCloseTo(summary(all).mean, 12);
    expect(pooled.sd).toBeCloseTo(summary(all).sd, 12);
  });

  it('P95 interval from order statistics: bounded only with enough runs', () => {
    const sorted = Float64Array.from({ length: 200 }, (_, i) => i + 1);
    const i = quantileInterval(sorted, 0.95, 0.95)!;
    expect(i.low).toBeLessThan(190);
    expect(i.high).toBeGreaterThan(190);
    expect(quantileInterval(sorted.subarray(0, 20), 0.95, 0.95)).toBeUndefined();
  });

  it.each([[0, 5], [2, 3], [2.5, 3], [5, 0], [-1, 5]])('countAbove(%f) in [1..5] is %i', (x, n) => {
    expect(countAbove(Float64Array.of(1, 2, 3, 4, 5), x)).toBe(n);
  });
});
