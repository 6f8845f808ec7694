import { analyzeTeamStats, type PerformanceInsight } from '@autotune/analyzer';
import { makeRecords, statsOf, type TeamSpec } from '../helpers';

const limits = (spec: TeamSpec): PerformanceInsight[] =>
  analyzeTeamStats(statsOf(makeRecords(spec))).filter((i) => i.bottleneck === 'limit_exhaustion');

describe('limit_exhaustion', () => {
  it.each<[string, TeamSpec, string, number, RegExp]>([
    ['timeouts', { runs: 40, limitHits: { timeout: 10 }, timeoutSeconds: 120 }, 'timeout', 10,
      /^10 of 40 runs \(25\.0%\) ended on the timeout of 120s rather than on an error\. Raise the timeout/],
    ['an exhausted tool budget', { runs: 40, limitHits: { tool_budget: 8 }, toolBudget: 30 }, 'tool_budget', 8,
      /^8 of 40 runs \(20\.0%\) ran out of their tool budget of 30 calls rather than failing on an error\./],
    ['the turn limit', { runs: 40, limitHits: { max_turns: 6 } }, 'max_turns', 6, /hit the turn limit/],
  ])('fires on %s, saying which limit and how often', (_, spec, limit, hits, text) => {
    const [i, ...rest] = limits(spec);
    expect(rest).toEqual([]);
    if (i === undefined) throw new Error('expected an insight');
    expect(i.evidence.details).toMatchObject({ limit, hits, hitRate: hits / 40, failedOnErrors: 0 });
    expect(i.currentValue).toBeCloseTo(hits / 40, 10);
    expect(i.severity).toBeCloseTo(Math.min(1, (2 * hits) / 40), 10);
    expect(i.recommendation).toMatch(text);
    expect(i.evidence.comparison!.test).toBe('binomial test');
  });

  it('reports each limit apart, and errors apart from both', () => {
    const insights = limits({ runs: 60, successRate: 0.5, limitHits: { timeout: 8, tool_budget: 9 } });
    expect(insights.map((i) => i.evidence.details!.limit).sort()).toEqual(['timeout', 'tool_budget']);
    expect(insights[0]?.evidence.details?.failedOnErrors).toBe(13);
  });

  it.each<[string, TeamSpec]>([
    ['one timeout in 40 runs', { runs: 40, limitHits: { timeout: 1 } }],
    ['many failures, all errors', { runs: 40, successRate: 0.5 }],
    ['one timeout in 5 runs: too few to tell from the 5% allowed', { runs: 5, limitHits: { timeout: 1 } }],
  ])('does not fire: %s', (_, spec) => {
    expect(limits(spec)).toEqual([]);
  });
});
