import type { LimitHit } from '@autotune/metrics';
import type { PerformanceInsight } from '../insight';
import { binomialUpperTail, wilsonInterval } from '@autotune/stats';
import { pct, type Rule, severityOf, significant } from '../internal/rule-kit';

const LIMITS: { limit: LimitHit; component: string }[] = [
  { limit: 'timeout', component: 'timeout_seconds' },
  { limit: 'tool_budget', component: 'tool_budget' },
  { limit: 'max_turns', component: 'max_turns' },
];

/**
 * limit_exhaustion: runs that ended by hitting a limit (timeout, tool budget, max turns), counted apart from
 * runs that failed on an error. One insight per limit whose share of runs exceeds `limitHitRate`
 * significantly (exact binomial test). Severity min(1, 2 x share): half the runs lost to a limit is as bad
 * as it gets.
 */
export const limitExhaustion: Rule = (stats, o) => {
  if (stats.runs < o.minRuns) return [];
  const allowed = o.thresholds.limitHitRate;
  const totalHits = stats.limitHits.timeout + stats.limitHits.tool_budget + stats.limitHits.max_turns;
  const errors = Math.max(0, stats.runs - stats.successes - totalHits);
  const out: PerformanceInsight[] = [];
  for (const { limit, component } of LIMITS) {
    const hits = stats.limitHits[limit];
    const rate = hits / stats.runs;
    if (!(rate > allowed)) continue;
    const pValue = binomialUpperTail(hits, stats.runs, allowed);
    if (!significant(pValue, o.alpha)) continue;
    const head = `${hits} of ${stats.runs} runs (${pct(rate)})`;
    const setting = limit === 'timeout' ? stats.timeoutSeconds : limit === 'tool_budget' ? stats.toolBudget : undefined;
    const recommendation =
      limit === 'timeout'
        ? `${head} ended on the timeout${setting !== undefined ? ` of ${setting}s` : ''} rather than on an error. ` +
          'Raise the timeout, or make runs shorter (reduce team size or switch formation) so they finish within it.'
        : limit === 'tool_budget'
          ? `${head} ran out of their tool budget${setting !== undefined ? ` of ${setting} calls` : ''} rather than failing on an error. ` +
            'Raise the tool budget or narrow the task; lowering the budget would make this worse.'
          : `${head} hit the turn limit rather than failing on an error. Raise the turn limit or split the task.`;
    out.push({
      bottleneck: 'limit_exhaustion',
      severity: severityOf(2 * rate),
      currentValue: rate,
      baselineValue: allowed,
      impactMagnitude: rate,
      recommendation,
      affectedComponents: [component],
      evidence: {
        runs: stats.runs,
        interval: wilsonInterval(hits, stats.runs, o.confidenceLevel),
        unit: 'share',
        comparison: { test: 'binomial test', pValue, description: `share of runs ending on the ${limit} limit above ${pct(allowed)}` },
        details: {
          limit,
          hits,
          hitRate: rate,
          failedOnErrors: errors,
          ...(setting !== undefined ? { limitSetting: setting } : {}),
        },
      },
    });
  }
  return out;
};
