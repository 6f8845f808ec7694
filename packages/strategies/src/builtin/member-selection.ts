import type { PerformanceInsight } from '@autotune/analyzer';
import type { MemberStats } from '@autotune/metrics';
import { applySuggestion } from '../apply-suggestion';
import type { MemberConfig, OptimizationStrategy, OptimizationSuggestion, StrategyContext, TargetMetric, TeamConfig } from '../contract';
import { defineStrategy } from '../define-strategy';
import { clamp, cloneData, round } from '../internal/data';
import { evidenceConfidence, evidenceRisk } from '../internal/evidence';
import { isCoordinator, isEnabled, memberNeed } from '../internal/members';
import type { MemberNeedEvidence } from '../internal/members';
import { checkFactoryOptions, resolveOptions } from '../internal/options';
import type { NumericSpec } from '../internal/options';
import { detailString, insightsOf, makeSuggestion, runsOf } from '../internal/suggestion';

/** Options of `memberSelectionStrategy`. */
export interface MemberSelectionOptions {
  /** Fewest enabled members a team is left with. Default 2. */
  minEnabledMembers?: number;
  /** Severity from which an underperforming member is disabled rather than given less budget. Default 0.6. */
  disableSeverity?: number;
  /** A member whose own success rate is below this is disabled. Default 0.5. */
  disableSuccessRate?: number;
  /** Budget multiplier for a weak member at severity 0.5 (scaled by severity). Default 0.8. */
  weakMultiplier?: number;
  /** Budget multiplier for the team's clearly strongest member. Default 1.5. */
  strongMultiplier?: number;
  /** Runs a member needs before its own figures count. Default 3. */
  minMemberRuns?: number;
}

const NAME = 'member_selection';
const DEFAULTS: Required<MemberSelectionOptions> = {
  minEnabledMembers: 2,
  disableSeverity: 0.6,
  disableSuccessRate: 0.5,
  weakMultiplier: 0.8,
  strongMultiplier: 1.5,
  minMemberRuns: 3,
};
const SPEC: NumericSpec<Required<MemberSelectionOptions>> = {
  minEnabledMembers: [1, 1000],
  disableSeverity: [0, 1],
  disableSuccessRate: [0, 1],
  weakMultiplier: [0.05, 1],
  strongMultiplier: [1, 10],
  minMemberRuns: [1, 1e6],
};

const SEQUENTIAL = new Set(['sequential', 'pipeline']);

/** Multipliers are kept to steps of 0.05 so they read like settings a person would write. */
function step(x: number): number {
  return Math.round(x * 20) / 20;
}

/** What the underperformance is about: the analyzer's word if it gave one, else the member's own figures. */
function metricOf(insight: PerformanceInsight, own: MemberStats | undefined, team: MemberStats[]): TargetMetric {
  const said = detailString(insight, 'primaryMetric') ?? detailString(insight, 'metric') ?? '';
  if (/success|fail/i.test(said)) return 'success_rate';
  if (/tool|cost|call/i.test(said)) return 'cost';
  if (/duration|time|slow|latency/i.test(said)) return 'duration';
  if (own && team.length > 1) {
    const avg = (f: (m: MemberStats) => number): number => team.reduce((a, m) => a + f(m), 0) / team.length;
    if (own.successRate < avg((m) => m.successRate) - 0.1) return 'success_rate';
    if (own.meanToolCalls > 1.5 * avg((m) => m.meanToolCalls)) return 'cost';
  }
  return 'duration';
}

type Change = { id: string; action: 'disable' } | { id: string; action: 'reduce' | 'boost'; multiplier: number };

function suggestMembers(
  under: PerformanceInsight[],
  config: TeamConfig,
  context: StrategyContext | undefined,
  o: Required<MemberSelectionOptions>,
): OptimizationSuggestion | undefined {
  if (!config.members || config.members.length === 0) return undefined;
  const memberStats = context?.stats?.members ?? {};
  const counted = Object.values(memberStats).filter((m) => m.runs >= o.minMemberRuns);
  const byId = new Map(config.members.map((m) => [m.id, m]));
  let enabled = config.members.filter(isEnabled).length;
  const changes = new Map<string, Change>();
  const used: PerformanceInsight[] = [];
  const keptRequired: MemberNeedEvidence[] = [];

  for (const insight of under) {
    const id = insight.affectedComponents[0];
    const m = id !== undefined ? byId.get(id) : undefined;
    if (!m || !isEnabled(m) || changes.has(m.id)) continue;
    const own = memberStats[m.id];
    const failing = own !== undefined && own.runs >= o.minMemberRuns && own.successRate < o.disableSuccessRate;
    const drags = insight.severity >= o.disableSeverity || failing;
    // A member whose failures took the team down with them is one the team needs: without it every run would fail.
    const need = memberNeed(m.id, own);
    if (drags && need.need === 'critical') keptRequired.push(need);
    if (drags && need.need !== 'critical' && !isCoordinator(m) && enabled - 1 >= o.minEnabledMembers) {
      changes.set(m.id, { id: m.id, action: 'disable' });
      enabled--;
      used.push(insight);
      continue;
    }
    const current = m.toolBudgetMultiplier ?? 1;
    const multiplier = step(clamp(current * (1 - (1 - o.weakMultiplier) * (0.5 + insight.severity)), 0.1, current));
    if (multiplier < current) {
      changes.set(m.id, { id: m.id, action: 'reduce', multiplier });
      used.push(insight);
    }
  }
  if (changes.size === 0) return undefined;

  // Give the budget taken from weak members to the clearly strongest one: best success, then fastest.
  if (counted.length > 1) {
    const meanRate = counted.reduce((a, m) => a + m.successRate, 0) / counted.length;
    const meanDuration = counted.reduce((a, m) => a + m.meanDurationSeconds, 0) / counted.length;
    const strong = counted
      .filter((s) => byId.has(s.memberId) && isEnabled(byId.get(s.memberId)!) && !changes.has(s.memberId))
      .filter((s) => s.successRate >= meanRate && s.meanDurationSeconds <= 0.9 * meanDuration)
      .sort((a, b) => b.successRate - a.successRate || a.meanDurationSeconds - b.meanDurationSeconds)[0];
    const current = strong ? (byId.get(strong.memberId)!.toolBudgetMultiplier ?? 1) : 1;
    if (strong && o.strongMultiplier > current) {
      changes.set(strong.memberId, { id: strong.memberId, action: 'boost', multiplier: step(o.strongMultiplier) });
    }
  }

  const members: MemberConfig[] = config.members.map((m) => {
    const c = changes.get(m.id);
    if (!c) return cloneData(m);
    return c.action === 'disable' ? { ...cloneData(m), enabled: false } : { ...cloneData(m), toolBudgetMultiplier: c.multiplier };
  });
  const worst = used[0];
  if (worst === undefined) return undefined; // every change above came with the insight behind it
  const worstId = worst.affectedComponents[0];
  const own = worstId === undefined ? undefined : memberStats[worstId];
  const metric = metricOf(worst, own, counted);
  const disabled = [...changes.values()].filter((c) => c.action === 'disable');
  let expected = 10 + 20 * clamp(worst.severity, 0, 1);
  const teamMean = context?.stats?.duration.mean;
  if (metric === 'duration' && disabled.length > 0 && SEQUENTIAL.has(config.formation) && teamMean && teamMean > 0) {
    // In a sequential team a disabled member's whole time comes off every run.
    const share = disabled.reduce((a, c) => a + (memberStats[c.id]?.meanDurationSeconds ?? 0), 0) / teamMean;
    if (share > 0) expected = clamp(share * 100, 5, 60);
  }
  const text = [...changes.values()].map((c) =>
    c.action === 'disable' ? `disable ${c.id}` : `${c.action === 'boost' ? 'raise' : 'lower'} ${c.id}'s tool budget multiplier to ${c.multiplier}`,
  );
  const kept = keptRequired.length > 0
    ? `; ${keptRequired.map((r) => r.id).join(', ')} kept enabled as required (the team run failed with nearly every failure of theirs: ${keptRequired.map((r) => `${r.id} ${r.failuresWithTeamFailure} of ${r.failures}`).join(', ')})`
    : '';
  const move = changes.size / config.members.length;
  const runs = Math.max(...used.map(runsOf));
  return makeSuggestion(NAME, config, {
    priority: disabled.length > 0 && worst.severity >= 0.7 ? 'high' : 'medium',
    description: `Reconfigure members: ${text.join('; ')} (${worst.recommendation || `${worst.affectedComponents[0]} underperforms its teammates`})${kept}`,
    suggestedConfig: { members },
    expectedImprovement: round(expected, 1),
    confidence: evidenceConfidence({ prior: 0.72, runs, severity: worst.severity, move }),
    riskLevel: evidenceRisk({ prior: 0.35, move, runs, extra: 0.1 * disabled.length }),
    targetMetric: metric,
    metadata: {
      changes: [...changes.values()].map((c) => ({ ...c })),
      enabledAfter: enabled,
      requiredMembers: keptRequired.map((r) => ({ id: r.id, failures: r.failures, failuresWithTeamFailure: r.failuresWithTeamFailure })),
    },
  });
}

/**
 * Member selection: on `underperforming_member` insights (the member id in `affectedComponents[0]`), disable
 * a member that drags the team down (severity >= 0.6, or its own success rate below 0.5), or lower its tool
 * budget multiplier; the team's clearly strongest member (best success rate, >= 10% faster than the average
 * member) gets 1.5x. Never disables a coordinator, nor a member whose failures came with the team's (>= 80% of
 * them: the team needs it; its budget may still be lowered), never leaves fewer than 2 enabled members. Needs the
 * config's `members` list; the member count is unchanged (a disabled member stays listed).
 */
export function memberSelectionStrategy(options?: MemberSelectionOptions): OptimizationStrategy {
  const factory = checkFactoryOptions(NAME, options, SPEC);
  return defineStrategy({
    name: NAME,
    suggest(insights, currentConfig, context) {
      const o = resolveOptions(NAME, DEFAULTS, factory, context, SPEC);
      const under = insightsOf(insights, 'underperforming_member');
      if (under.length === 0) return [];
      const s = suggestMembers(under, currentConfig, context, o);
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}
