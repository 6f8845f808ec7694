import { MIN_RUNS_PER_ARM } from '@autotune/stats';
import type { OutcomeMetric } from '@autotune/metrics';
import type { SpendingFunction } from './group-sequential';
import type { TrialSample } from './trial-sample';

// Fewest runs per arm an experiment may have: defined once in @autotune/stats, because requiredRunsPerArm
// there never answers less, and re-exported here as part of the experiment API.
export { MIN_RUNS_PER_ARM };

/** What an experiment compares: run duration, cost per run, or success rate (`@autotune/metrics`'s `OutcomeMetric`). */
export type ExperimentMetric = OutcomeMetric;

/**
 * Every validation status of the guide. `evaluateExperiment` returns the first three; `skipped` (A/B testing
 * turned off) and `dry_run` (nothing was run or changed) exist for callers that report validations.
 */
export type ValidationStatus = 'passed' | 'failed' | 'inconclusive' | 'skipped' | 'dry_run';

/** The guardrails of the guide's rollback triggers; a breach makes a verdict `failed`. */
export interface GuardrailLimits {
  /** Largest allowed drop in success rate, in percentage points. Default 10. */
  maxSuccessRateDrop?: number;
  /** Largest allowed increase of P95 duration, in percent. Default 50. */
  maxP95Increase?: number;
  /**
   * Largest allowed increase, in percentage points, of the share of runs that end on a limit (timeout, tool
   * budget, max turns). Default 15. It also needs at least 2 more such runs than the baseline's share predicts,
   * so one unlucky run does not trip it.
   */
  maxLimitHitIncrease?: number;
}

/** The group-sequential design an experiment with early stopping ran under; `evaluateExperiment` applies it. */
export interface SequentialDesign {
  spending: SpendingFunction;
  /** Runs per arm at each planned look; the last is the experiment's `runsPerArm`. */
  looks: number[];
  /** Nominal one-sided level at each look (see `groupSequentialBounds`). */
  nominalAlpha: number[];
  /** The settings the interim looks were judged with; `evaluateExperiment` must use the same. */
  alpha: number;
  threshold: number;
  metric: ExperimentMetric;
  guardrails: Required<GuardrailLimits>;
  /** Whether a look that measured the candidate worse than the baseline stopped the experiment. */
  futility: boolean;
}

/** Why and where an experiment with early stopping stopped before its last planned look. */
export interface EarlyStop {
  /** 1-based look at which it stopped. */
  look: number;
  /** Runs per arm done by then. */
  runsPerArm: number;
  /** The verdict's status at that look. */
  status: 'passed' | 'failed' | 'inconclusive';
  reason: string;
}

/** Everything an experiment produced: the samples of both arms, in trial order, and how it ran. */
export interface ExperimentResult {
  teamId: string;
  baseline: TrialSample[];
  candidate: TrialSample[];
  /** Runs per arm planned (the maximum, with early stopping). */
  runsPerArm: number;
  /** Seed of the schedule and of the trials' seeds; the same seed gives the same schedule. */
  seed: number;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  /**
   * Always false in a result `runExperiment` resolves with: a cancelled experiment rejects with an
   * `AbtestError` of code `ABTEST_CANCELLED`, whose `partialResult` has `cancelled: true`.
   */
  cancelled: boolean;
  /** How the arms were ordered. */
  order?: 'interleaved' | 'blocked';
  /** Present when the experiment ran with early stopping. */
  sequential?: SequentialDesign;
  /** Present when early stopping ended the experiment before its last planned look. */
  stoppedEarly?: EarlyStop;
}
