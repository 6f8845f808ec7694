import { tCdf } from './distributions';
import { checkAlternative, type Alternative } from './alternative';
import { mean, variance } from './descriptive';
import { finiteSample } from './internal/validate';

/** Options of {@link welchTTest}. */
export interface WelchTTestOptions {
  /** Default `'two-sided'`. `'less'`: the mean of `a` is smaller than the mean of `b`. */
  alternative?: Alternative;
}

/** What {@link welchTTest} returns. */
export interface WelchTTestResult {
  /** t = (mean(a) - mean(b)) / standard error, as R's `t.test(a, b)` and SciPy's `ttest_ind(a, b, equal_var=False)`. */
  statistic: number;
  /** Welch-Satterthwaite degrees of freedom (not an integer in general). */
  df: number;
  pValue: number;
  /** mean(a) - mean(b). */
  estimate: number;
  /** sqrt(var(a)/n_a + var(b)/n_b). */
  standardError: number;
}

/**
 * Welch's two-sample t-test (unequal variances), the convention of R's `t.test(a, b)` and SciPy's
 * `ttest_ind(a, b, equal_var=False)`: the statistic and `estimate` are of mean(a) - mean(b). Both samples
 * need at least two finite values.
 *
 * Zero variance: when both samples are constant (the standard error is lost in the rounding of the means,
 * R's "essentially constant" test), the difference is exact, so the test decides by it: `standardError` is 0,
 * `statistic` is +-Infinity (0 when the means are equal), and `pValue` is 0 when the difference lies in the
 * direction of `alternative` (any non-zero difference for `'two-sided'`) and 1 otherwise. R stops and SciPy
 * returns NaN there; autotune must still decide, and every test in this package follows this one policy
 * (`welchFromSummaries`, `oneSampleGreater`).
 *
 * @throws StatsError `STATS_INVALID_INPUT` for fewer than two values in a sample or a non-finite value.
 */
export function welchTTest(a: readonly number[], b: readonly number[], options: WelchTTestOptions = {}): WelchTTestResult {
  const x = finiteSample(a, 'a', 2);
  const y = finiteSample(b, 'b', 2);
  const alternative = checkAlternative(options.alternative);
  const mx = mean(x);
  const my = mean(y);
  return welchFromMoments(x.length, mx, variance(x, mx), y.length, my, variance(y, my), alternative);
}

/**
 * Welch's test from each sample's size, mean and variance (n - 1 denominator): the one implementation behind
 * {@link welchTTest} and `welchFromSummaries`. A sample of one value contributes no degrees of freedom.
 */
export function welchFromMoments(na: number, ma: number, va: number, nb: number, mb: number, vb: number, alternative: Alternative): WelchTTestResult {
  const sa = va / na;
  const sb = vb / nb;
  const standardError = Math.sqrt(sa + sb);
  const estimate = ma - mb;
  // R's test for "essentially constant" data: a standard error lost in the rounding of the means.
  if (!(standardError > 10 * Number.EPSILON * Math.max(Math.abs(ma), Math.abs(mb)))) {
    const statistic = estimate > 0 ? Infinity : estimate < 0 ? -Infinity : 0;
    const inDirection = alternative === 'less' ? estimate < 0 : alternative === 'greater' ? estimate > 0 : estimate !== 0;
    return { statistic, df: Math.max(1, na + nb - 2), pValue: inDirection ? 0 : 1, estimate, standardError: 0 };
  }
  const statistic = estimate / standardError;
  const dfDen = (na > 1 ? (sa * sa) / (na - 1) : 0) + (nb > 1 ? (sb * sb) / (nb - 1) : 0);
  const df = dfDen > 0 ? ((sa + sb) * (sa + sb)) / dfDen : Math.max(1, na + nb - 2);
  return { statistic, df, pValue: tPValue(statistic, df, alternative), estimate, standardError };
}

/** p-value of a t statistic; tails are taken directly (never 1 - cdf) so tiny p-values keep their precision. */
export function tPValue(t: number, df: number, alternative: Alternative): number {
  if (alternative === 'less') return tCdf(t, df);
  if (alternative === 'greater') return tCdf(-t, df);
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}
