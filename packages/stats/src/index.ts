// The public surface of @autotune/stats, listed by name: the one statistics kernel of autotune.
export { StatsError } from './errors';
export type { StatsErrorCode } from './errors';
export type { Alternative } from './alternative';
export { normalCdf, normalQuantile, tCdf, tQuantile } from './distributions';
export { mean, variance, quantileSorted } from './descriptive';
export { createRng } from './prng';
export type { Rng } from './prng';
export { welchTTest, tPValue } from './welch-t-test';
export type { WelchTTestOptions, WelchTTestResult } from './welch-t-test';
export { mannWhitneyU } from './mann-whitney-u';
export type { MannWhitneyOptions, MannWhitneyResult } from './mann-whitney-u';
export { fisherExact } from './fisher-exact';
export type { FisherExactOptions, FisherExactResult, Table2x2 } from './fisher-exact';
export { barnardExact } from './barnard-exact';
export type { BarnardExactOptions, BarnardExactResult } from './barnard-exact';
export { quantileRatioTest } from './quantile-ratio-test';
export type { QuantileRatioTestOptions, QuantileRatioTestResult } from './quantile-ratio-test';
export { successLossPower, requiredRunsForSuccessLoss } from './success-loss-power';
export type { SuccessLossPowerOptions, RequiredRunsForSuccessLossOptions } from './success-loss-power';
export { bootstrapCI } from './bootstrap-ci';
export type { BootstrapOptions, BootstrapResult, TwoSampleStatistic } from './bootstrap-ci';
export { holmAdjust } from './holm-adjust';
export { MIN_RUNS_PER_ARM, requiredRunsPerArm, tTestPower } from './power';
export type { RequiredRunsOptions, TTestPowerOptions } from './power';
export {
  lnGamma,
  binomialUpperTail,
  binomialLowerTail,
  hypergeometricLowerTail,
  zFor,
  wilsonInterval,
  oneSampleGreater,
  meanInterval,
  welchFromSummaries,
  poolSamples,
  quantileInterval,
  countAbove,
} from './summary-tests';
export type { Interval, TTestResult, SampleSummary } from './summary-tests';
