// An application in another monorepo depends on @autotune/core alone: every type it needs to drive the
// autotuner comes from here. The typecheck target compiles this file, so a missing re-export fails CI.
import { FunctionRunner, PerformanceAutotuner } from '@autotune/core';
import type { ExecutionRecord, OptimizationSuggestion, PerformanceInsight, TeamConfig, TrialContext, TrialRunner, Verdict } from '@autotune/core';

describe('types an app needs, from @autotune/core alone', () => {
  it('runs a team function typed with TeamConfig and TrialContext (camelCase config)', async () => {
    const seen: Array<{ members: number; arm: TrialContext['arm'] }> = [];
    const runner: TrialRunner<TeamConfig> = new FunctionRunner((config: TeamConfig, context: TrialContext): Partial<ExecutionRecord> => {
      seen.push({ members: config.memberCount, arm: context.arm });
      return { success: true, toolCalls: 3 };
    }, { teamId: 'app_team' });
    const config: TeamConfig = { formation: 'parallel', memberCount: 3 };
    const record = await runner.run(config, { teamId: 'app_team', arm: 'baseline', trial: 0, signal: new AbortController().signal, seed: 1 });
    expect(seen).toEqual([{ members: 3, arm: 'baseline' }]);
    expect(record.teamId).toBe('app_team');
  });

  it('names suggestions, insights and verdicts without importing their home packages', async () => {
    const describeSuggestion = (s: OptimizationSuggestion) => `${s.type}: ${s.description}`;
    const bottleneckOf = (i: PerformanceInsight) => i.bottleneck;
    const statusOf = (v: Verdict) => v.status;
    expect(typeof describeSuggestion).toBe('function');
    expect(typeof bottleneckOf).toBe('function');
    expect(typeof statusOf).toBe('function');
    await expect(new PerformanceAutotuner().getOptimizationHistory('app_team')).resolves.toEqual([]);
  });
});
