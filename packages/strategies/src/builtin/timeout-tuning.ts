import type { PerformanceInsight } from '@autotune/analyzer';
import { applySuggestion } from '../apply-suggestion';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TeamConfig } from '../contract';
import { defineStrategy } from '../define-strategy';
import { clamp, round } from '../internal/data';
import { evidenceConfidence, evidenceRisk, relativeMove } from '../internal/evidence';
import { checkFactoryOptions, resolveOptions } from '../internal/options';
import type { NumericSpec } from '../internal/options';
import { detailString, insightsOf, limitHits, makeSuggestion, runsOf } from '../internal/suggestion';

/** Options of `timeoutTuningStrategy`. */
export interface TimeoutTuningOptions {
  /** Multiplier over the observed P95 duration (the guide's 20% buffer). Default 1.2. */
  buffer?: number;
  /** A cut smaller than this share of the timeout is not worth a change. Default 0.1. */
  minCutShare?: number;
}

const NAME = 'timeout_tuning';
const DEFAULTS: Required<TimeoutTuningOptions> = { buffer: 1.2, minCutShare: 0.1 };
const SPEC: NumericSpec<Required<TimeoutTuningOptions>> = { buffer: [1, 10], minCutShare: [0, 0.9] };

/** Share of total run time that runs longer than `limit` spent beyond it: what a cut saves, percent. */
function savedShare(durations: ArrayLike<number>, limit: number): { savedPercent: number; cutRuns: number } {
  let total = 0;
  let saved = 0;
  let cutRuns = 0;
  for (let i = 0; i < durations.length; i++) {
    const d = durations[i]!; // i < length
    total += d;
    if (d > limit) {
      saved += d - limit;
      cutRuns++;
    }
  }
  return { savedPercent: total > 0 ? (saved / total) * 100 : 0, cutRuns };
}

function suggestTimeout(
  latency: PerformanceInsight | undefined,
  exhausted: PerformanceInsight | undefined,
  config: TeamConfig,
  context: StrategyContext | undefined,
  o: Required<TimeoutTuningOptions>,
): OptimizationSuggestion | undefined {
  const stats = context?.stats;
  const p95 = stats?.duration.p95 ?? (latency ? latency.currentValue : undefined);
  if (p95 === undefined || !Number.isFinite(p95) || p95 <= 0) return undefined;
  // ceil keeps the timeout at or above the observed P95 whatever the buffer.
  const target = Math.ceil(o.buffer * p95);
  const current = config.timeoutSeconds ?? stats?.timeoutSeconds;
  const trigger = (exhausted ?? latency)!;
  const runs = stats?.runs ?? runsOf(trigger);
  const move = current !== undefined ? relativeMove(current, target) : 0;
  const basis = `P95 ${round(p95, 1)} s + ${Math.round((o.buffer - 1) * 100)}% buffer`;

  if (current !== undefined && target > current) {
    const { hits: count, rate } = exhausted ? limitHits(exhausted, runs) : { hits: 0, rate: 0 };
    return makeSuggestion(NAME, config, {
      priority: rate >= 0.1 ? 'critical' : 'high',
      description:
        `Raise the timeout from ${current} s to ${target} s (${basis})` +
        (count > 0 ? `: ${count} of ${runs} runs were stopped by the timeout` : ': runs are finishing close to the limit'),
      suggestedConfig: { timeoutSeconds: target },
      // Runs stopped by the timeout are censored at it: about half of them would finish with more room.
      expectedImprovement: round(clamp(rate * 100 * 0.5, 1, 50), 1),
      confidence: evidenceConfidence({ prior: 0.85, runs, severity: trigger.severity, move }),
      riskLevel: evidenceRisk({ prior: 0.1, move, runs }),
      targetMetric: 'success_rate',
      metadata: { direction: 'raise', p95Seconds: round(p95, 2), timedOutRuns: count },
    });
  }
  // Cutting only speeds up giving up on hung runs: made on a latency insight, never while runs hit the limit.
  if (!latency || exhausted || (current !== undefined && target > current * (1 - o.minCutShare))) return undefined;
  if (config.timeoutSeconds !== undefined && target === config.timeoutSeconds) return undefined;
  const durations = stats?.durationsSeconds;
  const observed = durations && durations.length > 0 ? savedShare(durations, target) : undefined;
  // A cut shortens only runs longer than the new limit (and turns them into failures: that is the risk).
  const expected = observed ? Math.max(observed.savedPercent, 1) : clamp(5 * (0.5 + latency.severity), 2.5, 10);
  const cutShare = observed && durations ? observed.cutRuns / durations.length : 0.05;
  return makeSuggestion(NAME, config, {
    priority: observed && observed.savedPercent < 5 ? 'medium' : 'high',
    description:
      current !== undefined
        ? `Lower the timeout from ${current} s to ${target} s (${basis}) to detect hung runs sooner`
        : `Set a timeout of ${target} s (${basis}) so that hung runs are stopped`,
    suggestedConfig: { timeoutSeconds: target },
    expectedImprovement: round(expected, 1),
    confidence: evidenceConfidence({ prior: 0.9, runs, severity: latency.severity, move }),
    riskLevel: evidenceRisk({ prior: 0.1, move: move / 2, runs, extra: 2 * cutShare }),
    targetMetric: 'duration',
    metadata: {
      direction: current !== undefined ? 'cut' : 'set',
      p95Seconds: round(p95, 2),
      ...(observed ? { runsBeyondNewTimeout: observed.cutRuns, observedSavingPercent: round(observed.savedPercent, 2) } : {}),
    },
  });
}

/**
 * Timeout tuning: timeout = ceil(1.2 x P95 duration), never below the observed P95. On
 * `high_latency_outliers` a timeout well above that is cut (aims at duration: it mostly speeds up failure
 * detection) or a missing one set; on `limit_exhaustion` of `timeout`, or whenever P95 x 1.2 exceeds the
 * timeout, it is raised (aims at success rate). P95 comes from `context.stats`, else the latency insight.
 */
export function timeoutTuningStrategy(options?: TimeoutTuningOptions): OptimizationStrategy {
  const factory = checkFactoryOptions(NAME, options, SPEC);
  return defineStrategy({
    name: NAME,
    suggest(insights, currentConfig, context) {
      const o = resolveOptions(NAME, DEFAULTS, factory, context, SPEC);
      const latency = insightsOf(insights, 'high_latency_outliers')[0];
      const exhausted = insightsOf(insights, 'limit_exhaustion').find((i) => detailString(i, 'limit') === 'timeout');
      if (!latency && !exhausted) return [];
      const s = suggestTimeout(latency, exhausted, currentConfig, context, o);
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}
