// How the built-in strategies turn evidence into confidence and risk. The reference table's figures are the
// priors; each adjustment below is small and bounded, so a prior stays recognisable and no single input can
// push a suggestion from "sure" to "ignore" on its own.
import type { GroupStats } from '@autotune/metrics';
import { clamp, round } from './data';

/** Weight of a number of runs: 0 at none, 0.5 at 10, tending to 1. */
export function runsWeight(runs: number): number {
  return runs > 0 ? runs / (runs + 10) : 0;
}

export interface ConfidenceInput {
  /** The reference table's confidence for this kind of change. */
  prior: number;
  /** Runs behind the evidence. */
  runs: number;
  /** Severity of the insight, 0..1: a bigger gap is more certainly real. */
  severity?: number | undefined;
  /** p-value of the comparison the change rests on, when there is one. */
  pValue?: number | undefined;
  /** How far the change moves the config, as a fraction (0.4 = 40%): far moves are less predictable. */
  move?: number | undefined;
}

/** Confidence in 0.05..0.97 (never certain, never worthless once a strategy decided to speak). */
export function evidenceConfidence(input: ConfidenceInput): number {
  let c = input.prior + 0.15 * (runsWeight(input.runs) - 0.5);
  if (input.severity !== undefined) c += 0.1 * (clamp(input.severity, 0, 1) - 0.5);
  if (input.pValue !== undefined) c += input.pValue < 0.01 ? 0.05 : input.pValue < 0.05 ? 0.02 : -0.1;
  if (input.move !== undefined) c -= 0.15 * Math.max(0, input.move - 0.5);
  return round(clamp(c, 0.05, 0.97), 2);
}

/** Risk in 0.02..0.95: the prior, raised by how far the change moves the config, eased by many runs. */
export function evidenceRisk(input: { prior: number; move?: number; runs?: number; extra?: number }): number {
  let r = input.prior + 0.2 * clamp(input.move ?? 0, 0, 1) + (input.extra ?? 0);
  if (input.runs !== undefined) r -= 0.05 * (runsWeight(input.runs) - 0.5);
  return round(clamp(r, 0.02, 0.95), 2);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, error < 1.5e-7): enough to grade evidence, not to test it. */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Two-sided p-value that two groups' mean durations differ (Welch statistic, normal approximation). The
 * analyzer runs the real tests; strategies only need to grade how strongly their own-runs evidence speaks,
 * and the runs weight already discounts small groups.
 */
export function meanDurationPValue(a: GroupStats, b: GroupStats): number {
  const va = a.duration.stdDev ** 2 / Math.max(1, a.runs);
  const vb = b.duration.stdDev ** 2 / Math.max(1, b.runs);
  const se = Math.sqrt(va + vb);
  const diff = a.duration.mean - b.duration.mean;
  if (se === 0) return diff === 0 ? 1 : 0;
  return 2 * (1 - normalCdf(Math.abs(diff / se)));
}

/** Relative change between two magnitudes, as a fraction of the first. */
export function relativeMove(from: number, to: number): number {
  return from === 0 ? (to === 0 ? 0 : 1) : Math.abs(to - from) / Math.abs(from);
}
