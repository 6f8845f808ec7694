import type { Alternative, BootstrapResult, FisherExactResult, MannWhitneyResult, WelchTTestResult } from '@autotune/stats';
import type { ArmMetrics } from './arm-metrics';
import type { ExperimentMetric, GuardrailLimits } from './experiment-types';

/** Options of `evaluateExperiment`. */
export interface EvaluateOptions {
  /** Smallest improvement that counts, in percent (percentage points for `success_rate`). Default 5. */
  threshold?: number;
  /** One-sided significance level. Default 0.05. */
  alpha?: number;
  /** Default `'duration'`. */
  metric?: ExperimentMetric;
  /** Seed of the bootstrap interval. Default: the experiment's seed. */
  seed?: number;
  /** Confidence level of the bootstrap interval. Default 0.95. */
  confidenceLevel?: number;
  /** Bootstrap resamples. Default 9999. */
  resamples?: number;
  /**
   * Guardrail limits. Default: success rate down at most 10 points, P95 up at most 50%. A guardrail fails the
   * candidate when a one-sided test at `alpha` shows the harm exceeds its limit.
   */
  guardrails?: GuardrailLimits;
}

/** Machine-readable reasons behind a verdict; `reason` says the same in words. */
export type VerdictReasonCode =
  /** passed: the improvement reaches the threshold and is significant. */
  | 'significant_improvement'
  /** inconclusive: the measured improvement is positive (or significant) but below the threshold. */
  | 'below_threshold'
  /** inconclusive: the improvement is not significant at alpha. */
  | 'not_significant'
  /** inconclusive: the candidate measured worse, but not significantly so. */
  | 'measured_worse'
  /** failed: the candidate is significantly worse on the metric. */
  | 'significant_regression'
  /** failed: the success rate dropped significantly (Fisher's exact test at alpha). */
  | 'success_rate_regression'
  /** failed: the success rate is significantly lower by more than the guardrail's limit. */
  | 'guardrail_success_rate'
  /** failed: the P95 duration is significantly higher by more than the guardrail's limit. */
  | 'guardrail_p95'
  /** failed: more runs ended on a limit (a budget or timeout cut too far) than the guardrail allows. */
  | 'guardrail_limit_hits'
  /** inconclusive: too few runs, or the metric was not recorded. */
  | 'insufficient_data';

/** A test result as used in a verdict, with the direction it was run in. */
export type VerdictTest<T> = T & {
  /** Candidate relative to baseline: `'less'` means "the candidate's values are smaller". */
  alternative: Alternative;
};

/** A guardrail's measured value and whether it was breached. */
export interface GuardrailCheck {
  /** Success rate: drop in percentage points; P95: increase in percent. Negative values are improvements. */
  value: number;
  limit: number;
  breached: boolean;
}

/** The verdict on an experiment: a status, the numbers behind it, and why. */
export interface Verdict {
  status: 'passed' | 'failed' | 'inconclusive';
  metric: ExperimentMetric;
  /**
   * Positive when the candidate is better: for duration and cost, (baseline mean - candidate mean) / baseline
   * mean x 100; for success rate, the difference in percentage points. `null` when it cannot be measured
   * (fewer than 2 runs in an arm, the metric not recorded, a baseline mean of 0): never a made-up 0.
   */
  improvementPercentage: number | null;
  threshold: number;
  alpha: number;
  before: ArmMetrics;
  after: ArmMetrics;
  /**
   * One-sided tests of the candidate against the baseline, in the improving direction. For duration and
   * cost: Welch's t-test (absent when both arms are constant) and Mann-Whitney on the metric, Fisher on success.
   * For success rate: Fisher only.
   */
  tests: {
    welch?: VerdictTest<WelchTTestResult>;
    mannWhitney?: VerdictTest<MannWhitneyResult>;
    fisher?: VerdictTest<FisherExactResult>;
  };
  /** The test whose p-value decided significance: Welch for duration and cost, Fisher for success rate. */
  decidedBy: 'welch' | 'fisher';
  /** p-value of the deciding test in the regression direction (candidate worse). */
  regressionPValue: number;
  /**
   * Bootstrap interval of the improvement, in the units of `improvementPercentage`: for duration and cost the
   * interval of the difference in means as a percentage of the baseline mean. Not resampled (interim looks of
   * early stopping): `low = high = estimate`, `resamples` 0 and `method` `'none'`. `null` when the improvement
   * itself could not be measured.
   */
  bootstrap: (Pick<BootstrapResult, 'estimate' | 'low' | 'high' | 'confidenceLevel' | 'resamples'> & { method: BootstrapResult['method'] | 'none' }) | null;
  guardrails: {
    /**
     * `breached` when Barnard's exact test with Chan's margin finds the success rate lower by more than `limit`
     * points (one-sided, `marginPValue` <= alpha); `value` is the observed drop.
     */
    successRateDrop: GuardrailCheck & {
      /** Fisher's one-sided p-value for a lower success rate (any drop): decides `success_rate_regression`. */
      pValue: number;
      /** One-sided p-value for a drop of more than `limit` points (Barnard's exact test, Chan's margin). */
      marginPValue: number;
      /**
       * The power of these success checks, at these arm sizes and alpha, to catch a true 10-point loss from the
       * baseline's observed success rate (`successLossPower` of @autotune/stats): how much a pass says about success.
       */
      powerTenPointLoss: number;
    };
    /**
     * `breached` when a permutation test finds the candidate's P95 duration more than `limit` percent above the
     * baseline's (one-sided, `pValue` <= alpha); `value` is the observed increase.
     */
    p95Increase: GuardrailCheck & { /** One-sided p-value for a P95 more than `limit` percent higher. */ pValue: number };
    /** Increase, in percentage points, of the share of runs ending on a limit (timeout, tool budget, max turns). */
    limitHitIncrease: GuardrailCheck & { /** Extra runs on a limit beyond the baseline's share. */ extraRuns: number };
  };
  /** One sentence: which conditions decided the status. */
  reason: string;
  reasonCodes: VerdictReasonCode[];
  /** A paragraph a person can read: the numbers, the tests, and what they mean. */
  explanation: string;
  /** For an inconclusive verdict that more runs could settle: runs per arm for 80% power at the larger of the measured improvement and the threshold. */
  recommendedRunsPerArm?: number;
  /** For experiments with early stopping: the look the verdict was made at and its nominal level. */
  sequential?: { look: number; looks: number; nominalAlpha: number; stoppedEarly: boolean };
}

/**
 * What a history entry keeps of a verdict (`HistoryEntry.evidence` in `@autotune/core`): the decision and the
 * numbers it was made on. The arms' metrics, the tests and the interval stay with the stored experiment that
 * the entry names by id. Every field here has been in every verdict autotune has written, so entries recorded
 * by older versions read back as this type.
 */
export type VerdictSummary = Pick<
  Verdict,
  'status' | 'metric' | 'improvementPercentage' | 'threshold' | 'alpha' | 'decidedBy' | 'regressionPValue' | 'reason' | 'reasonCodes' | 'explanation'
>;
