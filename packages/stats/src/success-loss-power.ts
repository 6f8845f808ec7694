import { allOneSidedPValues, binomialPmf, checkMargin } from './barnard-exact';
import { normalCdf, normalQuantile } from './distributions';
import { invalidInput } from './errors';
import { describe, integerAtLeast, openUnit } from './internal/validate';
import { MIN_RUNS_PER_ARM } from './power';
import { hypergeometricLowerTail } from './summary-tests';

const { sqrt, ceil, max, min } = Math;

/**
 * Above this many runs per arm the power is computed by the normal approximation (Fleiss, with continuity
 * correction) instead of by enumerating every table: exact enumeration grows with the square of the runs.
 */
const EXACT_LIMIT = 300;

/** Options of {@link successLossPower}. */
export interface SuccessLossPowerOptions {
  /** The baseline's true success rate, in (0, 1]. */
  baselineRate: number;
  /** The true loss to detect, as a difference of proportions (0.1 = 10 points). Default 0.1; at most `baselineRate`. */
  loss?: number;
  /** Runs per arm; or give `baselineRuns` and `candidateRuns` for arms of different sizes. */
  runsPerArm?: number;
  baselineRuns?: number;
  candidateRuns?: number;
  /** One-sided level of both tests. Default 0.05. */
  alpha?: number;
  /**
   * The margin of the second test (Barnard's test with Chan's margin: "lower by more than the margin"), as a
   * difference of proportions. Default 0.1, the verdict's default success guardrail.
   */
  margin?: number;
}

/** Options of {@link requiredRunsForSuccessLoss}. */
export interface RequiredRunsForSuccessLossOptions extends Omit<SuccessLossPowerOptions, 'runsPerArm' | 'baselineRuns' | 'candidateRuns'> {
  /** Desired power. Default 0.8. */
  power?: number;
  /** The answer is never below this. Default {@link MIN_RUNS_PER_ARM} (10). */
  minRunsPerArm?: number;
}

/**
 * The power of autotune's success-rate checks to catch a true loss: the probability that a candidate whose true
 * success rate is `baselineRate - loss` is judged worse by either of the two one-sided tests the verdict applies
 * at `alpha`: Fisher's exact test for any drop, or Barnard's exact test (with Chan's margin) for a drop of more
 * than `margin`. Computed exactly by summing the binomial probabilities of every table the tests reject (the
 * nuisance supremum of the margin test on a 64-point grid), up to 300 runs per arm; beyond that, by the normal
 * approximation with continuity correction.
 *
 * Example: at a 90% baseline success rate and 10 runs per arm the power against a 10-point loss is about 0.05:
 * ten runs cannot tell 9 in 10 from 8 in 10.
 *
 * @throws StatsError `STATS_INVALID_INPUT` for rates outside their range, a loss above the baseline rate, fewer
 *   than 1 run in an arm, or alpha outside (0, 1).
 */
export function successLossPower(options: SuccessLossPowerOptions): number {
  const o = options ?? ({} as SuccessLossPowerOptions);
  const { pb, pc, alpha, margin } = checkRates(o);
  let nb: number;
  let nc: number;
  if (o.runsPerArm !== undefined) {
    nb = nc = integerAtLeast(o.runsPerArm, 'options.runsPerArm', 1);
  } else {
    nb = integerAtLeast(o.baselineRuns, 'options.baselineRuns', 1);
    nc = integerAtLeast(o.candidateRuns, 'options.candidateRuns', 1);
  }
  return powerAt(pb, pc, nb, nc, alpha, margin);
}

/**
 * Runs per arm for the success-rate checks of {@link successLossPower} to catch a true loss of `loss` with the
 * given power (default 0.8): the smallest n found by bisection at which the power reaches it. (The power of
 * exact tests on counts rises in small steps and can dip by a little as n grows, so a slightly smaller n may reach
 * the power by chance; the answer is a planning figure.) Never below `minRunsPerArm` (default 10). A 10-point
 * loss from 90% needs about 160 runs per arm at one-sided alpha 0.05: far more than a duration test does.
 *
 * @throws StatsError `STATS_INVALID_INPUT` as {@link successLossPower}, or for power outside (alpha, 1).
 */
export function requiredRunsForSuccessLoss(options: RequiredRunsForSuccessLossOptions): number {
  const o = options ?? ({} as RequiredRunsForSuccessLossOptions);
  const { pb, pc, alpha, margin } = checkRates(o);
  const power = o.power === undefined ? 0.8 : openUnit(o.power, 'options.power');
  if (power <= alpha) throw invalidInput('options.power', `expected a power above alpha (${alpha}), got ${power}`);
  const floorRuns = o.minRunsPerArm === undefined ? MIN_RUNS_PER_ARM : integerAtLeast(o.minRunsPerArm, 'options.minRunsPerArm', 1);
  const at = (n: number): number => powerAt(pb, pc, n, n, alpha, margin);
  if (at(floorRuns) >= power) return floorRuns;
  let lo = floorRuns;
  let hi = max(floorRuns + 1, ceil(normalRuns(pb, pc, alpha, power) * 0.9));
  while (at(hi) < power) {
    lo = hi;
    hi *= 2;
    if (hi > 1e7) throw invalidInput('options.loss', `a loss of ${o.loss ?? 0.1} cannot be detected with power ${power} at any practical size`);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}

function checkRates(o: SuccessLossPowerOptions): { pb: number; pc: number; alpha: number; margin: number } {
  const pb = o.baselineRate;
  if (typeof pb !== 'number' || !(pb > 0 && pb <= 1)) throw invalidInput('options.baselineRate', `expected a success rate in (0, 1], got ${describe(pb)}`);
  const loss = o.loss === undefined ? 0.1 : o.loss;
  if (typeof loss !== 'number' || !(loss > 0 && loss <= pb + 1e-12)) {
    throw invalidInput('options.loss', `expected a loss in (0, baselineRate] = (0, ${pb}], got ${describe(loss)}`);
  }
  const alpha = o.alpha === undefined ? 0.05 : openUnit(o.alpha, 'options.alpha');
  const margin = o.margin === undefined ? 0.1 : checkMargin(o.margin, 'less');
  return { pb, pc: max(0, pb - loss), alpha, margin };
}

function powerAt(pb: number, pc: number, nb: number, nc: number, alpha: number, margin: number): number {
  if (max(nb, nc) > EXACT_LIMIT) return approximatePower(pb, pc, nb, nc, alpha);
  // Candidate is the first row, baseline the second, as the verdict runs the tests.
  const barnard = allOneSidedPValues(nc, nb, 'less', margin);
  const fc = binomialPmf(nc, pc);
  const fb = binomialPmf(nb, pb);
  let power = 0;
  for (let xc = 0; xc <= nc; xc++) {
    const wc = fc[xc] as number;
    if (wc < 1e-15) continue;
    for (let xb = 0; xb <= nb; xb++) {
      const w = wc * (fb[xb] as number);
      if (w < 1e-15) continue;
      const fisher = hypergeometricLowerTail(xc, nc + nb, xc + xb, nc);
      if (fisher <= alpha || (barnard[xc * (nb + 1) + xb] as number) <= alpha) power += w;
    }
  }
  return min(1, power);
}

/** Fleiss's normal approximation with continuity correction (close to Fisher's test), for large arms. */
function approximatePower(pb: number, pc: number, nb: number, nc: number, alpha: number): number {
  const za = normalQuantile(1 - alpha, 0, 1);
  const pbar = (pb * nb + pc * nc) / (nb + nc);
  const se0 = sqrt(pbar * (1 - pbar) * (1 / nb + 1 / nc));
  const se1 = sqrt((pb * (1 - pb)) / nb + (pc * (1 - pc)) / nc);
  if (!(se1 > 0)) return pb > pc ? 1 : 0;
  const cc = (1 / nb + 1 / nc) / 2;
  const z = (pb - pc - cc - za * se0) / se1;
  return normalCdf(z, 0, 1);
}

/** Runs per arm by Fleiss's formula with continuity correction: the starting point of the exact search. */
function normalRuns(pb: number, pc: number, alpha: number, power: number): number {
  const za = normalQuantile(1 - alpha, 0, 1);
  const zb = normalQuantile(power, 0, 1);
  const d = pb - pc;
  const pbar = (pb + pc) / 2;
  const n0 = (za * sqrt(2 * pbar * (1 - pbar)) + zb * sqrt(pb * (1 - pb) + pc * (1 - pc))) ** 2 / (d * d);
  return (n0 / 4) * (1 + sqrt(1 + 4 / (n0 * d))) ** 2;
}
