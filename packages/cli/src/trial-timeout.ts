import type { TeamStats } from '@autotune/metrics';
import { MAX_DURATION_MS } from './limits';

/** Trial timeout when the team has no recorded runs to judge by: one hour. */
export const FALLBACK_TRIAL_TIMEOUT_MS = 60 * 60 * 1000;
/** How many times the P99 of recorded runs a trial may take before it counts as hung. */
export const TRIAL_TIMEOUT_P99_FACTOR = 10;
/** The shortest derived timeout: process start-up on a busy machine must never count as a hang. */
export const MIN_TRIAL_TIMEOUT_MS = 10_000;

/**
 * The trial timeout used when neither `trialTimeout` (config) nor anything else sets one, so that a runner
 * that hangs cannot hang `apply`, `benchmark` or `validate` forever: {@link TRIAL_TIMEOUT_P99_FACTOR} times
 * the P99 duration of the team's recorded runs (at least {@link MIN_TRIAL_TIMEOUT_MS}), or
 * {@link FALLBACK_TRIAL_TIMEOUT_MS} without recorded runs. Never beyond what a timer can wait (24.8 days).
 */
export function defaultTrialTimeout(stats: Pick<TeamStats, 'runs' | 'duration'> | undefined): { ms: number; reason: string } {
  const p99 = stats && stats.runs > 0 ? stats.duration.p99 : undefined;
  if (p99 === undefined || !Number.isFinite(p99)) return { ms: FALLBACK_TRIAL_TIMEOUT_MS, reason: 'no recorded runs: 1 hour' };
  const ms = Math.min(MAX_DURATION_MS, Math.max(MIN_TRIAL_TIMEOUT_MS, Math.ceil(p99 * 1000 * TRIAL_TIMEOUT_P99_FACTOR)));
  return { ms, reason: `${TRIAL_TIMEOUT_P99_FACTOR} × the P99 (${p99.toFixed(1)} s) of ${stats!.runs} recorded run(s)` };
}
