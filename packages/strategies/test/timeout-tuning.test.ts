import { timeoutTuningStrategy } from '@autotune/strategies';
import type { PerformanceInsight, StrategyContext, TeamConfig, TeamStats } from '@autotune/strategies';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import { first, without } from './support';

const strategy = timeoutTuningStrategy();
const stats = sampleTeamStats({ timeoutSeconds: 300 });
const latency = [sampleInsight('high_latency_outliers')];
const timedOut = sampleTeamStats({ timeoutSeconds: 120, limitHits: { timeout: 4 } });
const timeout = (timeoutSeconds?: number): TeamConfig => (timeoutSeconds === undefined ? without(sampleTeamConfig(), 'timeoutSeconds') : { ...sampleTeamConfig(), timeoutSeconds });

/** Stats with chosen durations, so what a cut saves can be computed by hand. */
function withDurations(durations: number[], p95: number): TeamStats {
  return { ...stats, durationsSeconds: Float64Array.from(durations), duration: { ...stats.duration, p95 } };
}

describe('timeout tuning', () => {
  it.each<[string, PerformanceInsight[], TeamConfig, StrategyContext | undefined, number, string, string]>([
    ['cuts a loose timeout to P95 x 1.2', latency, timeout(300), { stats }, Math.ceil(1.2 * stats.duration.p95), 'duration', 'cut'],
    ['uses the latency insight\'s P95 without stats (the guide: 300 -> 180)', latency, timeout(300), undefined, 180, 'duration', 'cut'],
    ['sets a timeout for a team without one', latency, timeout(undefined), { stats: without(stats, 'timeoutSeconds') }, Math.ceil(1.2 * stats.duration.p95), 'duration', 'set'],
    ['raises a timeout runs are stopped by', [sampleInsight('limit_exhaustion')], timeout(120), { stats: timedOut }, Math.ceil(1.2 * timedOut.duration.p95), 'success_rate', 'raise'],
    ['raises a timeout runs finish close to', latency, timeout(170), undefined, 180, 'success_rate', 'raise'],
  ])('%s', (_label, insights, config, context, target, metric, direction) => {
    const [s, ...rest] = strategy.suggest(insights, config, context);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ type: 'timeout_tuning', targetMetric: metric, suggestedConfig: { timeoutSeconds: target }, metadata: { direction } });
    expect(target).toBeGreaterThanOrEqual(context?.stats?.duration.p95 ?? 150);
  });

  it('expects from a cut what the runs beyond the new timeout would have saved', () => {
    const s = first(strategy.suggest(latency, timeout(600), { stats: withDurations([50, 60, 80, 100, 200], 100) }));
    expect(s.suggestedConfig).toEqual({ timeoutSeconds: 120 });
    expect(s.expectedImprovement).toBeCloseTo((80 / 490) * 100, 1);
    expect(s.metadata).toMatchObject({ runsBeyondNewTimeout: 1 });
    expect(s.priority).toBe('high');
  });

  it('counts the runs a cut would stop as risk', () => {
    const none = first(strategy.suggest(latency, timeout(600), { stats: withDurations([50, 60, 80, 100, 110], 100) }));
    const some = first(strategy.suggest(latency, timeout(600), { stats: withDurations([50, 60, 80, 100, 200], 100) }));
    expect(some.riskLevel).toBeGreaterThan(none.riskLevel);
    expect(none.riskLevel).toBeLessThanOrEqual(0.2);
  });

  it('makes a raise critical when at least 10% of runs time out', () => {
    const s = first(strategy.suggest([sampleInsight('limit_exhaustion')], timeout(120), { stats: timedOut }));
    expect(s.priority).toBe('critical');
    expect(s.description).toMatch(/4 of 30 runs were stopped by the timeout/);
  });

  it.each<[string, PerformanceInsight[], TeamConfig, StrategyContext | undefined]>([
    ['without a latency or timeout insight', [sampleInsight('slow_execution')], timeout(300), { stats }],
    ['when the timeout already is P95 x 1.2', latency, timeout(180), undefined],
    ['for a cut under 10%', latency, timeout(195), undefined],
    ['to cut while runs are stopped by the timeout', [sampleInsight('limit_exhaustion'), ...latency], timeout(300), undefined],
    ['on a timeout exhaustion without any P95', [sampleInsight('limit_exhaustion')], timeout(120), undefined],
    ['on a tool budget exhaustion', [sampleInsight('limit_exhaustion', { evidence: { runs: 30, details: { limit: 'tool_budget', count: 5 } } })], timeout(300), { stats }],
  ])('does not fire %s', (_label, insights, config, context) => {
    expect(strategy.suggest(insights, config, context)).toEqual([]);
  });

  it('takes its buffer from options', () => {
    const s = first(timeoutTuningStrategy({ buffer: 1.5 }).suggest(latency, timeout(300)));
    expect(s.suggestedConfig).toEqual({ timeoutSeconds: 225 });
  });
});
