import type { TrialRunner } from '@autotune/abtest';
import type { TeamConfig } from '@autotune/strategies';
import { PerformanceAutotuner, type AutotuneSuggestion } from '../../src';

const base: TeamConfig = { formation: 'parallel', memberCount: 3, toolBudget: 60, timeoutSeconds: 300 };

function cut(suggested: Partial<TeamConfig>): AutotuneSuggestion {
  const resultingConfig = { ...base, ...suggested };
  return {
    type: 'tool_budget',
    strategy: 'tool_budget',
    priority: 'medium',
    description: 'cut a limit',
    currentConfig: base,
    suggestedConfig: suggested,
    expectedImprovement: 10,
    confidence: 0.8,
    riskLevel: 0.3,
    targetMetric: 'cost',
    resultingConfig,
    changes: [],
  };
}

/** Cheaper under a lower limit; the candidate runs listed in `hitOn` (0-based) end on the given limit and still succeed. */
function runner(hitOn: number[], limit: 'tool_budget' | 'timeout'): TrialRunner<TeamConfig> {
  let candidateRuns = 0;
  return {
    run(config, ctx) {
      const cheap = (config.toolBudget ?? 60) < 60 || (config.timeoutSeconds ?? 300) < 300;
      const cost = (cheap ? 0.6 : 1) + (ctx.trial % 5) * 0.01;
      const hit = ctx.arm === 'candidate' && hitOn.includes(candidateRuns++) ? { limitHit: limit } : {};
      return Promise.resolve({ teamId: 't', executionId: `r${ctx.trial}`, startTimeMs: 0, endTimeMs: 60_000, durationSeconds: 60 + (ctx.trial % 7), success: true, memberCount: 3, toolCalls: 10, costUsd: cost, members: [], ...hit });
    },
  };
}

describe('a change that lowers a limit must not make runs hit it', () => {
  it.each<[string, Partial<TeamConfig>, 'tool_budget' | 'timeout', number[], string]>([
    ['a budget cut hit once', { toolBudget: 40 }, 'tool_budget', [4], 'failed'],
    ['a timeout cut hit once', { timeoutSeconds: 100 }, 'timeout', [7], 'failed'],
    ['a budget cut never hit', { toolBudget: 40 }, 'tool_budget', [], 'passed'],
    ['a budget cut whose runs hit another limit', { toolBudget: 40 }, 'timeout', [5], 'passed'],
  ])('%s: %s', async (_name, change, limit, hitOn, status) => {
    const autotuner = new PerformanceAutotuner({ runner: runner(hitOn, limit), seed: 4 });
    const result = (await autotuner.applyOptimizations('t', [cut(change)], base)).results[0]!;
    expect(result.validationStatus).toBe(status);
    if (status === 'failed') {
      expect(result.evidence!.verdict.reasonCodes).toContain('guardrail_limit_hits');
      expect(result.error).toMatch(/was hit in 1 of 10 candidate runs against 0 of 10 before/);
      expect(result.success).toBe(false);
    }
  });
});
