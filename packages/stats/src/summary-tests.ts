// Tests from summaries (n, mean, sd) and counts, as the analyzer's rules work. The discrete tails (binomial,
// hypergeometric) are written here because @stdlib's live in heavier packages.
import { normalQuantile, tCdf, tQuantile } from './distributions';
import type { Alternative } from './alternative';
import { welchFromMoments } from './welch-t-test';

/** A two-sided interval at a confidence level. */
export interface Interval {
  low: number;
  high: number;
  confidenceLevel: number;
}

/** Result of a t-test. `pValue` is for the alternative the caller asked for. */
export interface TTestResult {
  t: number;
  df: number;
  pValue: number;
  /** Interval of the mean (one-sample) or of the difference of means (two-sample). */
  interval: Interval;
}

/** Summary of one sample: enough for a t-test without the raw values. */
export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1). */
  sd: number;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7): about 15 significant digits. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const y = x - 1;
  let a = 0;
  LANCZOS.forEach((c, i) => (a += i === 0 ? c : c / (y + i)));
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

function lnChoose(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

/**
 * Sum a unimodal discrete pmf from `start` away from the mode, using the ratio of neighbouring terms, until the
 * terms no longer change the sum. Starting on the far side of the mode keeps the number of terms near the
 * spread of the distribution instead of its support, which matters for a million runs.
 */
function sumTail(start: number, end: number, step: 1 | -1, logFirst: number, ratio: (i: number) => number): number {
  let term = Math.exp(logFirst);
  let sum = 0;
  for (let i = start; step > 0 ? i <= end : i >= end; i += step) {
    sum += term;
    if (term === 0 || term < sum * 1e-17) break;
    term *= ratio(i);
  }
  return Math.min(1, sum);
}

/** P(X >= k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const mode = Math.floor((n + 1) * p);
  if (k <= mode) return 1 - binomialLowerTail(k - 1, n, p);
  const odds = p / (1 - p);
  const logFirst = lnChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  return sumTail(k, n, 1, logFirst, (i) => ((n - i) / (i + 1)) * odds);
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const mode = Math.floor((n + 1) * p);
  if (k >= mode) return 1 - binomialUpperTail(k + 1, n, p);
  const odds = (1 - p) / p;
  const logFirst = lnChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  return sumTail(k, 0, -1, logFirst, (i) => (i / (n - i + 1)) * odds);
}

/**
 * P(X <= x) for X hypergeometric: `draws` drawn without replacement from `population` items of which
 * `successes` are successes. One-sided Fisher exact test that a group of `draws` runs has too few successes.
 */
export function hypergeometricLowerTail(x: number, population: number, successes: number, draws: number): number {
  const lo = Math.max(0, draws - (population - successes));
  const hi = Math.min(draws, successes);
  if (x < lo) return 0;
  if (x >= hi) return 1;
  const logPmf = (k: number) =>
    lnChoose(successes, k) + lnChoose(population - successes, draws - k) - lnChoose(population, draws);
  const mode = Math.floor(((draws + 1) * (successes + 1)) / (population + 2));
  if (x >= mode) {
    const up = (k: number) => ((successes - k) * (draws - k)) / ((k + 1) * (population - successes - draws + k + 1));
    return Math.max(0, 1 - sumTail(x + 1, hi, 1, logPmf(x + 1), up));
  }
  const down = (k: number) => (k * (population - successes - draws + k)) / ((successes - k + 1) * (draws - k + 1));
  return sumTail(x, lo, -1, logPmf(x), down);
}

/** Two-sided z for a confidence level, e.g. 1.96 for 0.95. */
export function zFor(confidenceLevel: number): number {
  return normalQuantile(1 - (1 - confidenceLevel) / 2, 0, 1);
}

/** Wilson score interval of a proportion: sound at small n and near 0 or 1, unlike the Wald interval. */
export function wilsonInterval(successes: number, n: number, confidenceLevel: number): Interval {
  if (n === 0) return { low: 0, high: 1, confidenceLevel };
  const z = zFor(confidenceLevel);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half), confidenceLevel };
}

function tCritical(df: number, confidenceLevel: number): number {
  return tQuantile(1 - (1 - confidenceLevel) / 2, df);
}

/** Upper-tail probability of Student's t, computed on the lower side for precision. */
function tUpper(t: number, df: number): number {
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  return tCdf(-t, df);
}

/**
 * One-sample t-test of H1: mean > `mu` (one-sided), with a two-sided interval of the mean. A sample with no
 * spread is decided by its mean alone.
 */
export function oneSampleGreater(s: SampleSummary, mu: number, confidenceLevel: number): TTestResult {
  const df = Math.max(1, s.n - 1);
  const se = s.sd / Math.sqrt(s.n);
  if (!(se > 0)) {
    return { t: s.mean > mu ? Infinity : s.mean < mu ? -Infinity : 0, df, pValue: s.mean > mu ? 0 : 1,
      interval: { low: s.mean, high: s.mean, confidenceLevel } };
  }
  const t = (s.mean - mu) / se;
  const h = tCritical(df, confidenceLevel) * se;
  return { t, df, pValue: tUpper(t, df), interval: { low: s.mean - h, high: s.mean + h, confidenceLevel } };
}

/** Interval of a mean from its summary. */
export function meanInterval(s: SampleSummary, confidenceLevel: number): Interval {
  return oneSampleGreater(s, s.mean, confidenceLevel).interval;
}

/**
 * Welch's unequal-variance t-test of a.mean - b.mean from summaries, with a two-sided interval of the
 * difference a - b. `alternative` 'greater' tests H1: a > b, 'less' H1: a < b. The same implementation and
 * zero-variance policy as `welchTTest` (constant samples: decided by the difference, p = 0 or 1).
 */
export function welchFromSummaries(a: SampleSummary, b: SampleSummary, confidenceLevel: number,
  alternative: Alternative = 'two-sided'): TTestResult {
  const w = welchFromMoments(a.n, a.mean, a.sd * a.sd, b.n, b.mean, b.sd * b.sd, alternative);
  const h = w.standardError > 0 ? tCritical(w.df, confidenceLevel) * w.standardError : 0;
  return { t: w.statistic, df: w.df, pValue: w.pValue, interval: { low: w.estimate - h, high: w.estimate + h, confidenceLevel } };
}

/** Pool several samples' summaries into one, as if their values had been one sample. */
export function poolSamples(parts: readonly SampleSummary[]): SampleSummary {
  const n = parts.reduce((acc, p) => acc + p.n, 0);
  if (n === 0) return { n: 0, mean: 0, sd: 0 };
  const mean = parts.reduce((acc, p) => acc + p.n * p.mean, 0) / n;
  const ss = parts.reduce((acc, p) => acc + (p.n - 1) * p.sd * p.sd + p.n * (p.mean - mean) * (p.mean - mean), 0);
  return { n, mean, sd: n > 1 ? Math.sqrt(Math.max(0, ss) / (n - 1)) : 0 };
}

/**
 * Distribution-free interval of a quantile from the sorted sample (order statistics, normal approximation
 * of the binomial ranks). Undefined when the sample is too small for the interval to be bounded.
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, confidenceLevel: number): Interval | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const z = zFor(confidenceLevel);
  const centre = n * q;
  const half = z * Math.sqrt(n * q * (1 - q));
  const lowRank = Math.floor(centre - half);
  const highRank = Math.ceil(centre + half);
  if (lowRank < 1 || highRank > n) return undefined;
  // 1 <= lowRank <= highRank <= n, checked just above.
  return { low: sorted[lowRank - 1]!, high: sorted[highRank - 1]!, confidenceLevel };
}

/** How many values of an ascending array are strictly greater than `x`. */
export function countAbove(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1; // lo <= mid < hi <= length
    else hi = mid;
  }
  return sorted.length - lo;
}
