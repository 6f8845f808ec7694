import type { ExecutionRecord } from '@autotune/metrics';
import { quantileSorted } from '@autotune/metrics';
import { invalidInput } from './errors';
import { mean, variance } from '@autotune/stats';
import type { TrialSample } from './trial-sample';

/** Figures of one arm of an experiment (or of any set of runs). Durations are in seconds. */
export interface ArmMetrics {
  runs: number;
  successes: number;
  /** successes / runs, in [0, 1]. */
  successRate: number;
  /** Mean duration of all runs, failed ones included (a failed run's duration is the time until it failed). */
  mean: number;
  /** Median duration (type 7 quantile, as `@autotune/metrics`). */
  median: number;
  /** 95th percentile of duration (type 7). */
  p95: number;
  /** Sample standard deviation of duration (n - 1); 0 for one run. */
  stdDev: number;
  meanToolCalls: number;
  /** Mean cost over the runs that reported one; undefined when none did. */
  meanCostUsd?: number;
  /** Runs that reported a cost. */
  costRuns: number;
  /** Trials cut off at the experiment's timeout. */
  timeouts: number;
  /** Runs that ended on one of their own limits (`limitHit`: timeout, tool budget, max turns). */
  limitHits: number;
  /** Trials whose runner threw or returned an invalid record. */
  errors: number;
  /** Every duration, in trial order. */
  durationsSeconds: number[];
}

/**
 * Summarises the samples of one arm (or plain execution records, e.g. live runs before and after a change).
 *
 * @throws AbtestError `ABTEST_INVALID_INPUT` for an empty list or a record without a finite duration.
 */
export function armMetrics(samples: readonly (TrialSample | ExecutionRecord)[]): ArmMetrics {
  // Checked through `unknown`: Array.isArray would narrow a readonly array to any[].
  const given: unknown = samples;
  if (!Array.isArray(given) || samples.length === 0) throw invalidInput('samples', 'expected at least one sample');
  const records = samples.map((s) => (isSample(s) ? s.record : s));
  const durations = records.map((r, i) => {
    const d = r?.durationSeconds;
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) throw invalidInput(`samples[${i}].durationSeconds`, `expected a finite duration >= 0, got ${String(d)}`);
    return d;
  });
  const successes = records.filter((r) => r.success === true).length;
  const costs = records.map((r) => r.costUsd).filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
  const sorted = Float64Array.from(durations).sort();
  const m = mean(durations);
  const tools = records.map((r) => (typeof r.toolCalls === 'number' && Number.isFinite(r.toolCalls) ? r.toolCalls : 0));
  const trials = samples.filter((s): s is TrialSample => 'record' in s);
  return {
    runs: records.length,
    successes,
    successRate: successes / records.length,
    mean: m,
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    stdDev: Math.sqrt(variance(durations, m)),
    meanToolCalls: mean(tools),
    ...(costs.length > 0 ? { meanCostUsd: mean(costs) } : {}),
    costRuns: costs.length,
    timeouts: trials.filter((s) => s.timedOut === true).length,
    limitHits: records.filter((r) => typeof r.limitHit === 'string').length,
    errors: trials.filter((s) => s.error !== undefined && s.timedOut !== true).length,
    durationsSeconds: durations,
  };
}

/** A trial sample, which holds its record, rather than a bare record (checked at run time: callers pass either). */
function isSample(s: TrialSample | ExecutionRecord): s is TrialSample {
  const record: unknown = (s as Partial<TrialSample>).record;
  return typeof record === 'object' && record !== null;
}
