import { tCdf } from './distributions';
import { checkAlternative, type Alternative } from './alternative';
import { invalidInput } from './errors';
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
 * `ttest_ind(a, b, equal_var=False)`. Both samples need at least two finite values.
 *
 * @throws StatsError `STATS_INVALID_INPUT` for fewer than two values in a sample, a non-finite value, or when
 *   both samples are constant (zero variance): the statistic is then undefined (R stops with "data are
 *   essentially constant"; SciPy returns NaN). Callers that must decide anyway, like `evaluateExperiment`,
 *   handle that case themselves.
 */
export function welchTTest(a: readonly number[], b: readonly number[], options: WelchTTestOptions = {}): WelchTTestResult {
  const x = finiteSample(a, 'a', 2);
  const y = finiteSample(b, 'b', 2);
  const alternative = checkAlternative(options.alternative);
  const mx = mean(x);
  const my = mean(y);
  const vx = variance(x, mx) / x.length;
  const vy = variance(y, my) / y.length;
  const standardError = Math.sqrt(vx + vy);
  // R's test for "essentially constant" data: a standard error lost in the rounding of the means.
  if (standardError <= 10 * Number.EPSILON * Math.max(Math.abs(mx), Math.abs(my))) {
    throw invalidInput('a, b', 'both samples are constant (zero variance), so the t statistic is undefined');
  }
  const statistic = (mx - my) / standardError;
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  return { statistic, df, pValue: tPValue(statistic, df, alternative), estimate: mx - my, standardError };
}

/** p-value of a t statistic; tails are taken directly (never 1 - cdf) so tiny p-values keep their precision. */
export function tPValue(t: number, df: number, alternative: Alternative): number {
  if (alternative === 'less') return tCdf(t, df);
  if (alternative === 'greater') return tCdf(-t, df);
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}
