import { checkAlternative, type Alternative } from './alternative';
import { quantileSorted } from './descriptive';
import { invalidInput } from './errors';
import { checkSeed, describe, finiteSample, integerAtLeast } from './internal/validate';
import { createRng } from './prng';

const { abs, max } = Math;

/** Options of {@link quantileRatioTest}. */
export interface QuantileRatioTestOptions {
  /** The quantile compared, in (0, 1). Default 0.95 (the P95), type 7 as everywhere in autotune. */
  probability?: number;
  /**
   * The ratio of quantiles the null hypothesis allows, > 0. Default 1. With `'greater'` and ratio 1.5 the test is
   * of H0: q(a) <= 1.5 q(b) against H1: q(a) > 1.5 q(b), "a's P95 is more than 50% above b's".
   */
  ratio?: number;
  /** Default `'greater'`. `'less'`: q(a) < ratio q(b). `'two-sided'`: either, by the absolute statistic. */
  alternative?: Alternative;
  /** Random permutations when the splits are too many to enumerate. Default 1999, at least 99. */
  permutations?: number;
  /** Integer seed of the permutations: the same seed gives the same p-value. Required. */
  seed: number;
  /**
   * Stop drawing permutations after this many at least as extreme as the observed split (Besag and Clifford's
   * sequential Monte Carlo p-value, 1991): the p-value is then hits / draws. The test keeps its level, and a
   * clearly unremarkable result costs a fraction of the draws. Default: no early stop.
   */
  stopAfterHits?: number;
}

/** What {@link quantileRatioTest} returns. */
export interface QuantileRatioTestResult {
  pValue: number;
  /** q(a) / q(b) observed (Infinity when only q(b) is 0, 1 when both are; never NaN). */
  estimate: number;
  /** The test statistic: q(a / ratio) - q(b), in the samples' units. */
  statistic: number;
  /** `'exact'` when every split of the pooled values was enumerated, otherwise `'monte-carlo'`. */
  method: 'exact' | 'monte-carlo';
  /** Splits evaluated: all of them (exact) or the random permutations drawn (fewer with `stopAfterHits`). */
  permutations: number;
}

/**
 * A permutation test comparing a quantile of two samples as a ratio: is a's P95 more than `ratio` times b's?
 * The values of `a` are divided by `ratio`, pooled with `b`, and split at random into groups of the original
 * sizes; the p-value is the share of splits whose quantile difference is at least the observed one (with the
 * observed split counted, (1 + k) / (1 + B), so a Monte Carlo p-value is never 0 and the test keeps its level;
 * Phipson and Smyth, 2010). When `a` is `b` scaled by exactly `ratio` (a change that stretches every run alike,
 * the common shape of a latency regression) the divided values and `b` are exchangeable, so the test is exact at
 * any sample size: it rejects at most alpha of the time. For smaller true ratios it rejects less often. A change
 * that only fattens the tail is not a pure scaling; there the test was conservative in simulations (see
 * docs/statistics.md).
 *
 * Every split is enumerated when there are no more of them than `permutations` (tiny samples); otherwise
 * `permutations` random ones are drawn from the seeded generator.
 *
 * @throws StatsError `STATS_INVALID_INPUT` for a sample with fewer than 2 values, a non-finite value, or an
 *   option out of range.
 */
export function quantileRatioTest(a: readonly number[], b: readonly number[], options: QuantileRatioTestOptions): QuantileRatioTestResult {
  const x = finiteSample(a, 'a', 2);
  const y = finiteSample(b, 'b', 2);
  if (options === undefined || options === null) throw invalidInput('options.seed', 'a seed is required, so the p-value can be reproduced');
  const seed = checkSeed(options.seed, 'options.seed');
  const q = options.probability === undefined ? 0.95 : options.probability;
  if (typeof q !== 'number' || !(q > 0 && q < 1)) throw invalidInput('options.probability', `expected a probability strictly between 0 and 1, got ${describe(q)}`);
  const ratio = options.ratio === undefined ? 1 : options.ratio;
  if (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio)) throw invalidInput('options.ratio', `expected a finite ratio > 0, got ${describe(ratio)}`);
  const alternative = options.alternative === undefined ? 'greater' : checkAlternative(options.alternative);
  const permutations = options.permutations === undefined ? 1999 : integerAtLeast(options.permutations, 'options.permutations', 99);
  const stopAfterHits = options.stopAfterHits === undefined ? Number.POSITIVE_INFINITY : integerAtLeast(options.stopAfterHits, 'options.stopAfterHits', 1);

  const na = x.length;
  const nb = y.length;
  const qa = quantileOf(Float64Array.from(x), q);
  const qb = quantileOf(Float64Array.from(y), q);
  const estimate = qb === 0 ? (qa === 0 ? 1 : qa > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY) : qa / qb;
  const pool = Float64Array.from([...x.map((v) => v / ratio), ...y]);
  const statistic = quantileOf(pool.slice(0, na), q) - quantileOf(pool.slice(na), q);
  const tol = 1e-9 * max(1, abs(statistic));
  const extreme = (t: number): boolean =>
    alternative === 'greater' ? t >= statistic - tol : alternative === 'less' ? t <= statistic + tol : abs(t) >= abs(statistic) - tol;

  const first = new Float64Array(na);
  const second = new Float64Array(nb);
  const splitStatistic = (inFirst: (i: number) => boolean): number => {
    let i1 = 0;
    let i2 = 0;
    for (let i = 0; i < pool.length; i++) {
      if (inFirst(i)) first[i1++] = pool[i] as number;
      else second[i2++] = pool[i] as number;
    }
    return quantileOf(first, q) - quantileOf(second, q);
  };

  const splits = choose(na + nb, na);
  if (splits <= permutations) {
    // Every split once: the exact permutation distribution.
    let hits = 0;
    const chosen = new Uint8Array(na + nb);
    const idx = Array.from({ length: na }, (_, i) => i);
    for (;;) {
      chosen.fill(0);
      for (const i of idx) chosen[i] = 1;
      if (extreme(splitStatistic((i) => chosen[i] === 1))) hits++;
      let k = na - 1;
      while (k >= 0 && (idx[k] as number) === na + nb - na + k) k--;
      if (k < 0) break;
      idx[k] = (idx[k] as number) + 1;
      for (let j = k + 1; j < na; j++) idx[j] = (idx[j - 1] as number) + 1;
    }
    return { pValue: hits / splits, estimate, statistic, method: 'exact', permutations: splits };
  }
  const rng = createRng(seed);
  const work = pool.slice();
  let hits = 0;
  for (let r = 0; r < permutations; r++) {
    // Partial Fisher-Yates: the first na places become a uniformly random subset.
    for (let i = 0; i < na; i++) {
      const j = i + rng.int(work.length - i);
      const t = work[i] as number;
      work[i] = work[j] as number;
      work[j] = t;
    }
    first.set(work.subarray(0, na));
    second.set(work.subarray(na));
    if (extreme(quantileOf(first, q) - quantileOf(second, q))) hits++;
    if (hits >= stopAfterHits) return { pValue: hits / (r + 1), estimate, statistic, method: 'monte-carlo', permutations: r + 1 };
  }
  return { pValue: (1 + hits) / (1 + permutations), estimate, statistic, method: 'monte-carlo', permutations };
}

/** Type-7 quantile of the values (sorted in place). */
function quantileOf(values: Float64Array, q: number): number {
  values.sort();
  return quantileSorted(values, q);
}

/** C(n, k) as a float (exact below 2^53, which is all that matters for comparing with `permutations`). */
function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i;
    if (c > 1e15) return c;
  }
  return Math.round(c);
}
