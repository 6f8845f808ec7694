import { normalCdf, normalQuantile, tQuantile } from './distributions';
import { invalidInput } from './errors';
import { checkAlternative, type Alternative } from './alternative';
import { describe, integerAtLeast, openUnit } from './internal/validate';

// Math's functions are bound once: a global `Math` lookup in a hot loop is ~10x slower inside Jest's VM sandbox.
const { exp, sqrt, log, max, floor, ceil } = Math;

/**
 * The fewest runs per arm an experiment accepts (`runExperiment` in @autotune/abtest refuses fewer): below
 * ten, a t-test's verdict rests on too little. {@link requiredRunsPerArm} never answers less.
 */
export const MIN_RUNS_PER_ARM = 10;

/** `'two-sided'`, or one-sided (`'less'` and `'greater'` have the same power against an effect of that size in their direction). */
function sidesOf(alternative: unknown): 1 | 2 {
  return (alternative === undefined ? 'greater' : checkAlternative(alternative)) === 'two-sided' ? 2 : 1;
}

/** Options of {@link tTestPower}. */
export interface TTestPowerOptions {
  /** Runs per arm (may be fractional, as in R, for planning curves); at least 2. */
  n: number;
  /** Standardised effect: difference in means divided by the common standard deviation (Cohen's d). */
  effectSize: number;
  /** Default 0.05. */
  alpha?: number;
  /**
   * Default `'greater'`: one-sided, as autotune's verdicts test (R's `power.t.test` defaults to two-sided;
   * pass `'two-sided'` for its figures). `'less'` is one-sided too, with the same power.
   */
  alternative?: Alternative;
}

/** Options of {@link requiredRunsPerArm}. */
export interface RequiredRunsOptions {
  /** Standardised effect to detect (Cohen's d), > 0. */
  effectSize: number;
  /** Default 0.05. */
  alpha?: number;
  /** Desired probability of a significant result when the effect is real. Default 0.8. */
  power?: number;
  /** Default `'greater'` (one-sided, as autotune's verdicts test); `'two-sided'` for R's `power.t.test` default. */
  alternative?: Alternative;
  /**
   * The answer is never below this. Default {@link MIN_RUNS_PER_ARM} (10), the fewest runs an experiment
   * accepts, so the answer can be used as `runsPerArm` as it is; pass 2 for the bare planning figure.
   */
  minRunsPerArm?: number;
}

/**
 * Power of the two-sample t-test with `n` runs per arm, as R's `power.t.test(n, delta = effectSize, sd = 1,
 * sig.level = alpha, type = "two.sample")`: the probability that a non-central t variable with 2(n - 1)
 * degrees of freedom exceeds the critical value (for two-sided tests only the tail in the effect's direction,
 * R's default `strict = FALSE`).
 *
 * @throws StatsError `STATS_INVALID_INPUT` for n < 2, a non-finite or negative effect, or alpha outside (0, 1).
 */
export function tTestPower(options: TTestPowerOptions): number {
  const { n, effectSize } = options ?? ({} as TTestPowerOptions);
  if (typeof n !== 'number' || !(n >= 2) || !Number.isFinite(n)) throw invalidInput('options.n', `expected at least 2 runs per arm, got ${describe(n)}`);
  if (typeof effectSize !== 'number' || !(effectSize >= 0) || !Number.isFinite(effectSize)) {
    throw invalidInput('options.effectSize', `expected a finite effect size >= 0, got ${describe(effectSize)}`);
  }
  const alpha = options.alpha === undefined ? 0.05 : openUnit(options.alpha, 'options.alpha');
  const sides = sidesOf(options.alternative);
  const df = 2 * (n - 1);
  const critical = tQuantile(1 - alpha / sides, df);
  return noncentralTUpperTail(critical, df, effectSize * sqrt(n / 2));
}

/**
 * The smallest whole number of runs per arm at which the two-sample t-test reaches `power` against
 * `effectSize` (R's `power.t.test(power =, delta =)` rounded up), one-sided unless asked otherwise, and never
 * fewer than `minRunsPerArm` (default {@link MIN_RUNS_PER_ARM}, the fewest an experiment accepts). Planning rule: the effect size is the smallest
 * improvement worth detecting divided by the run-to-run standard deviation, e.g. 10% of a 60 s mean with a
 * 9 s standard deviation is 6 / 9 = 0.67.
 *
 * @throws StatsError `STATS_INVALID_INPUT` for an effect size <= 0, alpha outside (0, 1), or power not in (alpha, 1).
 */
export function requiredRunsPerArm(options: RequiredRunsOptions): number {
  const effectSize = options?.effectSize;
  if (typeof effectSize !== 'number' || !(effectSize > 0) || !Number.isFinite(effectSize)) {
    throw invalidInput('options.effectSize', `expected a finite effect size > 0, got ${describe(effectSize)}`);
  }
  const alpha = options.alpha === undefined ? 0.05 : openUnit(options.alpha, 'options.alpha');
  const power = options.power === undefined ? 0.8 : openUnit(options.power, 'options.power');
  const alternative: Alternative = options.alternative === undefined ? 'greater' : checkAlternative(options.alternative);
  const sides = sidesOf(alternative);
  const floorRuns = options.minRunsPerArm === undefined ? MIN_RUNS_PER_ARM : integerAtLeast(options.minRunsPerArm, 'options.minRunsPerArm', 2);
  return Math.max(floorRuns, plannedRuns(effectSize, alpha, power, alternative, sides));
}

/** The smallest n >= 2 whose power reaches `power` (R's `power.t.test(power =)` rounded up). */
function plannedRuns(effectSize: number, alpha: number, power: number, alternative: Alternative, sides: 1 | 2): number {
  if (power <= alpha / sides) throw invalidInput('options.power', `expected a power above the test's size, got ${power}`);
  const powerAt = (n: number): number => tTestPower({ n, effectSize, alpha, alternative });
  // Guenther's (1981) approximation, normal plus a t correction, is usually exact; check it and walk.
  const za = normalQuantile(1 - alpha / sides, 0, 1);
  const zb = normalQuantile(power, 0, 1);
  let lo = max(2, ceil(2 * ((za + zb) / effectSize) ** 2 + (za * za) / 4));
  if (powerAt(lo) >= power) {
    while (lo > 2 && powerAt(lo - 1) >= power) lo--;
    return lo;
  }
  for (let n = lo + 1; n <= lo + 4; n++) if (powerAt(n) >= power) return n;
  lo += 4;
  let hi = lo * 2;
  while (powerAt(hi) < power) hi *= 2;
  while (hi - lo > 1) {
    const mid = floor((lo + hi) / 2);
    if (powerAt(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * P(T > t) for a non-central t with `df` degrees of freedom and non-centrality `delta`: T = (Z + delta) / S with
 * S = sqrt(chi2_df / df), so P(T > t) = E[Phi(delta - t S)]. The expectation is integrated numerically over the
 * density of S (Simpson's rule, normalised on the same grid so quadrature error largely cancels).
 */
export function noncentralTUpperTail(t: number, df: number, delta: number): number {
  if (df > 1e7) return normalCdf(delta - t, 0, 1);
  const mode = sqrt(max(df - 1, 0) / df);
  const sd = 1 / sqrt(2 * df);
  const from = max(0, mode - 12 * sd);
  const to = mode + 16 * sd + (df < 3 ? 6 : 0);
  // Simpson's rule on this smooth integrand: 400 steps agree with SciPy's nct to 1e-14 for df >= 10.
  const steps = df < 10 ? 2000 : 400;
  const h = (to - from) / steps;
  const logDensity = (s: number): number => (s === 0 ? (df === 1 ? 0 : Number.NEGATIVE_INFINITY) : (df - 1) * log(s) - (df * s * s) / 2);
  const peak = logDensity(max(mode, from + h));
  let mass = 0;
  let acc = 0;
  for (let i = 0; i <= steps; i++) {
    const s = from + i * h;
    const w = (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * exp(logDensity(s) - peak);
    mass += w;
    acc += w * normalCdf(delta - t * s, 0, 1);
  }
  return acc / mass;
}
