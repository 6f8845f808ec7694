import { fisherExact, holmAdjust, tPValue } from '@autotune/stats';
import { invalidInput } from './errors';
import { openUnit } from './internal/validate';

/**
 * One racer's observations in a race run in rounds. Round `r` is a block: every racer still in the race ran once
 * in it, with the same trial seed and at about the same time, so comparing two racers round by round cancels
 * what the round shares (drift, load, and with a seeded runner the luck of the draw), as F-race blocks on
 * instances.
 */
export interface RacerObservations {
  id: string;
  /** Objective value per round, lower is better; `undefined` where the racer did not run (or the value is missing). */
  values: ReadonlyArray<number | undefined>;
  /** Runs and successes, for the success-rate constraint (may include runs outside the rounds, e.g. history). */
  runs: number;
  successes: number;
}

/** A paired comparison of two racers over the rounds both ran. */
export interface PairedComparison {
  /** Rounds both ran (with a value). */
  rounds: number;
  /** Mean of `other - reference` over those rounds. */
  meanDifference: number;
  /** Standard deviation of the differences (0 with fewer than 2 rounds). */
  sdDifference: number;
  /** Mean of the reference over those rounds. */
  referenceMean: number;
  /** (reference - other) / reference, percent: positive when `other` is better (lower). */
  improvementPercentage: number;
  /** One-sided paired t-test p-value for "`other` is worse (higher) than the reference"; 1 with fewer than 2 rounds. */
  pWorse: number;
  /** One-sided paired t-test p-value for "`other` is better (lower)"; 1 with fewer than 2 rounds. */
  pBetter: number;
}

/** Compares `other` with `reference` round by round (a paired t-test on the rounds both ran). */
export function pairedComparison(reference: RacerObservations, other: RacerObservations): PairedComparison {
  const diffs: number[] = [];
  let refSum = 0;
  const n = Math.min(reference.values.length, other.values.length);
  for (let r = 0; r < n; r++) {
    const a = reference.values[r];
    const b = other.values[r];
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    diffs.push(b - a);
    refSum += a;
  }
  const k = diffs.length;
  if (k === 0) return { rounds: 0, meanDifference: 0, sdDifference: 0, referenceMean: 0, improvementPercentage: 0, pWorse: 1, pBetter: 1 };
  const mean = diffs.reduce((s, d) => s + d, 0) / k;
  const referenceMean = refSum / k;
  const sd = k > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (k - 1)) : 0;
  const improvementPercentage = referenceMean > 0 ? (-mean / referenceMean) * 100 : 0;
  if (k < 2) return { rounds: k, meanDifference: mean, sdDifference: 0, referenceMean, improvementPercentage, pWorse: 1, pBetter: 1 };
  if (sd === 0) {
    // Every round differed by the same amount: the difference is exact.
    return { rounds: k, meanDifference: mean, sdDifference: 0, referenceMean, improvementPercentage, pWorse: mean > 0 ? 0 : 1, pBetter: mean < 0 ? 0 : 1 };
  }
  const t = mean / (sd / Math.sqrt(k));
  return { rounds: k, meanDifference: mean, sdDifference: sd, referenceMean, improvementPercentage, pWorse: tPValue(t, k - 1, 'greater'), pBetter: tPValue(t, k - 1, 'less') };
}

/** Options of {@link raceEliminations}. */
export interface RaceEliminationOptions {
  /** Family-wise error of one round's eliminations (Holm over the racers compared). Default 0.05. */
  alpha?: number;
  /** Rounds two racers must share before one can eliminate the other. Default 3. */
  minRounds?: number;
  /**
   * The success-rate constraint: the bar is the reference racer's success rate minus this many points (0..1).
   * A racer whose success rate is significantly below the bar (one-sided Fisher against the reference, Holm)
   * is eliminated whatever its speed. Default 0.02.
   */
  successMargin?: number;
}

/** Why a racer leaves the race. */
export interface RaceElimination {
  id: string;
  /** `objective`: significantly worse than `by`; `success`: success rate significantly below the bar. */
  reason: 'objective' | 'success';
  /** The racer it lost to (the leader for `objective`, the reference for `success`). */
  by: string;
  /** Holm-adjusted p-value of the deciding test. */
  pValue: number;
  /** Rounds compared (objective) or runs (success). */
  n: number;
}

/**
 * One round's eliminations of an F-race-style race: every racer is compared with the leader, round by round
 * (paired one-sided t-tests on the blocked rounds), and with the reference for the success-rate constraint
 * (one-sided Fisher exact tests). Each family is Holm-adjusted at `alpha`. The caller picks the leader from the
 * same data, so among truly equal racers some are eliminated more often than `alpha` (docs/statistics.md gives the
 * measured rates); the rule is meant to drop racers that are worse than the best, not to certify equals. The
 * leader and the reference are never eliminated here.
 *
 * @throws AbtestError `ABTEST_INVALID_INPUT` when `leaderId` or `referenceId` is not among `racers`.
 */
export function raceEliminations(racers: readonly RacerObservations[], leaderId: string, referenceId: string, options: RaceEliminationOptions = {}): RaceElimination[] {
  const alpha = options.alpha === undefined ? 0.05 : openUnit(options.alpha, 'options.alpha');
  const minRounds = options.minRounds ?? 3;
  const margin = options.successMargin ?? 0.02;
  const leader = racers.find((r) => r.id === leaderId);
  const reference = racers.find((r) => r.id === referenceId);
  if (!leader) throw invalidInput('leaderId', `expected the id of a racer, got "${leaderId}"`);
  if (!reference) throw invalidInput('referenceId', `expected the id of a racer, got "${referenceId}"`);
  const out: RaceElimination[] = [];

  const successTests: Array<{ id: string; p: number; n: number }> = [];
  for (const r of racers) {
    if (r.id === referenceId || r.runs === 0 || reference.runs === 0) continue;
    // The bar as a count: the reference's successes less the margin, so the test is of "below the bar".
    const barSuccesses = Math.max(0, Math.round(reference.successes - margin * reference.runs));
    const p = fisherExact(
      [
        [r.successes, r.runs - r.successes],
        [barSuccesses, reference.runs - barSuccesses],
      ],
      { alternative: 'less' },
    ).pValue;
    successTests.push({ id: r.id, p, n: r.runs });
  }
  const successAdjusted = holmAdjust(successTests.map((t) => t.p));
  const dropped = new Set<string>();
  successTests.forEach((t, i) => {
    const pValue = successAdjusted[i]!; // holmAdjust returns one adjusted p-value per input, in order
    if (pValue <= alpha && t.id !== leaderId) {
      out.push({ id: t.id, reason: 'success', by: referenceId, pValue, n: t.n });
      dropped.add(t.id);
    }
  });

  const objectiveTests: Array<{ id: string; p: number; n: number }> = [];
  for (const r of racers) {
    if (r.id === leaderId || r.id === referenceId || dropped.has(r.id)) continue;
    const c = pairedComparison(leader, r);
    if (c.rounds < minRounds) continue;
    objectiveTests.push({ id: r.id, p: c.pWorse, n: c.rounds });
  }
  const objectiveAdjusted = holmAdjust(objectiveTests.map((t) => t.p));
  objectiveTests.forEach((t, i) => {
    const pValue = objectiveAdjusted[i]!; // one adjusted p-value per test, in order
    if (pValue <= alpha) out.push({ id: t.id, reason: 'objective', by: leaderId, pValue, n: t.n });
  });
  return out;
}
