import type { PerformanceInsight } from '@autotune/analyzer';
import type { StrategyContext, TeamConfig } from '../contract';
import { deepFreeze } from './deep-freeze';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from './samples';

/** One input the conformance kit hands a strategy. */
export interface ConformanceCase {
  name: string;
  insights: readonly PerformanceInsight[];
  config: TeamConfig;
  context?: StrategyContext;
  /** The strategy must return an empty list here (nothing to say). */
  expectEmpty?: boolean;
}

const EIGHT = ['lead', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

function build(): ConformanceCase[] {
  const sequentialStats = sampleTeamStats({
    formation: 'sequential',
    toolBudget: 50,
    timeoutSeconds: 300,
    memberProfiles: { m3: { durationWeight: 2.5, successRate: 0.4 }, m1: { durationWeight: 0.6, successRate: 1 } },
  });
  return [
    {
      name: 'no insights and no context',
      insights: [],
      config: sampleTeamConfig(),
      expectEmpty: true,
    },
    {
      name: 'no insights, with statistics',
      insights: [],
      config: sampleTeamConfig(),
      context: { teamId: 'sample_team', stats: sequentialStats },
    },
    {
      name: 'oversized team of eight with a lead',
      insights: [sampleInsight('oversized_team'), sampleInsight('slow_execution')],
      config: sampleTeamConfig({
        formation: 'parallel',
        members: EIGHT.map((id) => (id === 'lead' ? { id, role: 'coordinator' } : { id })),
      }),
      context: { stats: sampleTeamStats({ formation: 'parallel', members: EIGHT, meanDurationSeconds: 360 }) },
    },
    {
      name: 'slow consensus team',
      insights: [sampleInsight('suboptimal_formation_consensus'), sampleInsight('slow_execution')],
      config: sampleTeamConfig({ formation: 'consensus' }),
      context: { stats: sampleTeamStats({ formation: 'consensus', meanDurationSeconds: 200 }) },
    },
    {
      name: 'sequential team whose members are independent',
      insights: [sampleInsight('parallelizable_members'), sampleInsight('suboptimal_formation_sequential')],
      config: sampleTeamConfig(),
      context: { stats: sequentialStats },
    },
    {
      name: 'excessive tool usage for standard development',
      insights: [sampleInsight('excessive_tool_usage')],
      config: sampleTeamConfig(),
      context: { stats: sequentialStats, taskType: 'standard_development' },
    },
    {
      name: 'runs exhaust the tool budget',
      insights: [
        sampleInsight('limit_exhaustion', {
          affectedComponents: ['tool_budget'],
          evidence: { runs: 30, details: { limit: 'tool_budget', hits: 6, hitRate: 0.2, limitSetting: 20 } },
        }),
      ],
      config: sampleTeamConfig({ toolBudget: 20 }),
      context: { stats: sampleTeamStats({ toolBudget: 20, meanToolCalls: 18, limitHits: { tool_budget: 6 } }) },
    },
    {
      name: 'high latency outliers under a loose timeout',
      insights: [sampleInsight('high_latency_outliers')],
      config: sampleTeamConfig(),
      context: { stats: sequentialStats },
    },
    {
      name: 'runs stopped by the timeout',
      insights: [sampleInsight('limit_exhaustion'), sampleInsight('high_latency_outliers')],
      config: sampleTeamConfig({ timeoutSeconds: 120 }),
      context: { stats: sampleTeamStats({ timeoutSeconds: 120, limitHits: { timeout: 4 } }) },
    },
    {
      name: 'one member drags the team down',
      insights: [sampleInsight('underperforming_member'), sampleInsight('low_success_rate')],
      config: sampleTeamConfig(),
      context: { stats: sequentialStats },
    },
    {
      name: 'every insight at once, options given per strategy',
      insights: [
        sampleInsight('slow_execution'),
        sampleInsight('high_latency_outliers'),
        sampleInsight('low_success_rate'),
        sampleInsight('excessive_tool_usage'),
        sampleInsight('suboptimal_formation_sequential'),
        sampleInsight('oversized_team'),
        sampleInsight('underperforming_member'),
        sampleInsight('parallelizable_members'),
        sampleInsight('limit_exhaustion'),
      ],
      config: sampleTeamConfig(),
      context: { teamId: 'sample_team', stats: sequentialStats, taskType: 'complex_features', options: {} },
    },
    {
      name: 'every insight, a config without a members list',
      insights: [
        sampleInsight('oversized_team'),
        sampleInsight('excessive_tool_usage'),
        sampleInsight('high_latency_outliers'),
        sampleInsight('underperforming_member'),
        sampleInsight('parallelizable_members'),
        sampleInsight('suboptimal_formation_parallel'),
      ],
      config: { formation: 'parallel', memberCount: 8 },
    },
    {
      name: 'hierarchical team with a parallel sub-team',
      insights: [sampleInsight('oversized_team'), sampleInsight('excessive_tool_usage'), sampleInsight('underperforming_member', { affectedComponents: ['w2'] })],
      config: {
        formation: 'hierarchical',
        memberCount: 4,
        members: [{ id: 'boss', role: 'manager' }, { id: 'sub_team_1', formation: 'parallel', members: [{ id: 'w1' }, { id: 'w2' }, { id: 'w3' }] }],
        toolBudget: 50,
        timeoutSeconds: 300,
      },
    },
    {
      name: 'insights about a formation the team no longer uses',
      insights: [sampleInsight('suboptimal_formation_pipeline'), sampleInsight('low_success_rate')],
      config: sampleTeamConfig({ formation: 'hierarchical', members: [{ id: 'boss', role: 'manager' }, { id: 'w1' }, { id: 'w2' }] }),
    },
  ];
}

/**
 * The kit's default cases: sample configs and insights that make each built-in strategy fire, a case with
 * nothing to say (no insights, no context: every strategy must return `[]`), a config without a members
 * list, a hierarchical config with a sub-team, and insights a strategy should ignore. Extend them: `[...DEFAULT_CONFORMANCE_CASES, myCase]`.
 */
export const DEFAULT_CONFORMANCE_CASES: readonly ConformanceCase[] = deepFreeze(build());
