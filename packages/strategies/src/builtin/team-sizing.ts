import type { PerformanceInsight } from '@autotune/analyzer';
import type { GroupStats, TeamStats } from '@autotune/metrics';
import { applySuggestion } from '../apply-suggestion';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TargetMetric, TeamConfig } from '../contract';
import { defineStrategy } from '../define-strategy';
import { clamp, round } from '../internal/data';
import { evidenceConfidence, evidenceRisk, meanDurationPValue, relativeMove } from '../internal/evidence';
import { hasSubTeams, isEnabled, planTrim } from '../internal/members';
import type { MemberNeedEvidence, TrimPlan } from '../internal/members';
import { checkFactoryOptions, resolveOptions } from '../internal/options';
import type { NumericSpec } from '../internal/options';
import { insightsOf, makeSuggestion, runsOf } from '../internal/suggestion';

/** Options of `teamSizingStrategy`. */
export interface TeamSizingOptions {
  /** Lower end of the range a team is reduced towards, without an observed size curve. Default 3. */
  minSize?: number;
  /** Upper end of that range. Default 5. */
  maxSize?: number;
  /** Share of the members kept, without an observed size curve (the original's 0.7). Default 0.7. */
  keepShare?: number;
  /** Runs a team size needs before its runs count as evidence. Default 3. */
  minGroupRuns?: number;
  /** A smaller size within this share of the fastest observed one is preferred (fewer agents, less cost). Default 0.05. */
  speedTolerance?: number;
  /** How much lower a smaller size's success rate may be and still be chosen. Default 0.05. */
  maxSuccessRateDrop?: number;
}

const NAME = 'team_sizing';
const DEFAULTS: Required<TeamSizingOptions> = {
  minSize: 3,
  maxSize: 5,
  keepShare: 0.7,
  minGroupRuns: 3,
  speedTolerance: 0.05,
  maxSuccessRateDrop: 0.05,
};
const SPEC: NumericSpec<Required<TeamSizingOptions>> = {
  minSize: [1, 1000],
  maxSize: [1, 1000],
  keepShare: [0.05, 0.95],
  minGroupRuns: [1, 1e6],
  speedTolerance: [0, 1],
  maxSuccessRateDrop: [0, 1],
};

interface Target {
  size: number;
  basis: 'analyzer' | 'observed' | 'table';
  group?: GroupStats | undefined;
  reference?: GroupStats | TeamStats | undefined;
}

/**
 * Reads the team's own size curve: among smaller sizes with enough runs and no worse success, the smallest
 * one about as fast as the fastest. `null` means the curve exists and says no smaller size was faster, which
 * overrides the table; `undefined` means there is no curve to read.
 */
function observedTarget(stats: TeamStats | undefined, size: number, o: Required<TeamSizingOptions>): Target | null | undefined {
  if (!stats) return undefined;
  const own = stats.byMemberCount[String(size)];
  const reference = own !== undefined && own.runs >= o.minGroupRuns ? own : stats;
  const smaller = Object.entries(stats.byMemberCount)
    .map(([k, g]) => ({ size: Number(k), g }))
    .filter(({ size: s, g }) => Number.isInteger(s) && s >= 2 && s < size && g.runs >= o.minGroupRuns);
  if (smaller.length === 0) return undefined;
  const eligible = smaller.filter(
    ({ g }) => g.duration.mean < reference.duration.mean && g.successRate >= reference.successRate - o.maxSuccessRateDrop,
  );
  if (eligible.length === 0) return null;
  const fastest = Math.min(...eligible.map(({ g }) => g.duration.mean));
  const pick = eligible
    .filter(({ g }) => g.duration.mean <= fastest * (1 + o.speedTolerance))
    .sort((a, b) => a.size - b.size)[0];
  if (pick === undefined) return null; // cannot happen: the fastest eligible group passes its own filter
  return { size: pick.size, basis: 'observed', group: pick.g, reference };
}

/**
 * The analyzer's verdict from the size curve (`reasons` has `no_speedup`): the smallest size from which the
 * extra members bought no meaningful speed-up, tested with a Welch interval. It is the better-tested
 * reading of the same curve, so it comes first.
 */
function analyzerTarget(insight: PerformanceInsight, stats: TeamStats | undefined, size: number): Target | undefined {
  const details = insight.evidence?.details;
  const reasons = details?.reasons;
  const suggested = details?.suggestedMemberCount;
  if (!Array.isArray(reasons) || !reasons.includes('no_speedup') || typeof suggested !== 'number') return undefined;
  if (!Number.isInteger(suggested) || suggested < 1 || suggested >= size) return undefined;
  return { size: suggested, basis: 'analyzer', group: stats?.byMemberCount[String(suggested)], reference: stats?.byMemberCount[String(size)] };
}

function suggestSizing(
  insight: PerformanceInsight,
  config: TeamConfig,
  context: StrategyContext | undefined,
  o: Required<TeamSizingOptions>,
): OptimizationSuggestion | undefined {
  const size = config.memberCount;
  if (hasSubTeams(config.members) || !Number.isInteger(size)) return undefined;
  const observed = analyzerTarget(insight, context?.stats, size) ?? observedTarget(context?.stats, size, o);
  if (observed === null) return undefined;
  const target: Target = observed ?? {
    size: clamp(Math.floor(o.keepShare * size), Math.min(o.minSize, o.maxSize), o.maxSize),
    basis: 'table',
  };
  if (target.size >= size || target.size < 1) return undefined;

  // Members whose failures took the team down with them are kept: a smaller team without them would fail.
  const plan: TrimPlan | undefined =
    config.members && config.members.length > target.size ? planTrim(config.members, target.size, context?.stats?.members) : undefined;
  // The size counts enabled members only; the plan also drops disabled ones (first), which change no count.
  const enabledDropped = plan ? plan.dropped.filter((id) => config.members!.some((m) => m.id === id && isEnabled(m))).length : 0;
  const newSize = plan && plan.members.length > target.size ? size - enabledDropped : target.size;
  if (newSize >= size) return undefined;
  const limited = newSize !== target.size;

  const move = relativeMove(size, newSize);
  let expected: number;
  let metric: TargetMetric = 'duration';
  let pValue: number | undefined = insight.evidence?.comparison?.pValue;
  if (target.group && target.reference) {
    expected = ((target.reference.duration.mean - target.group.duration.mean) / target.reference.duration.mean) * 100;
    if (target.basis === 'observed') pValue = meanDurationPValue(target.reference, target.group);
    if (expected < 1) {
      // The smaller team is about as fast: what it saves is the dropped members' work, i.e. cost.
      metric = 'cost';
      expected = ((size - target.size) / size) * 100 * 0.8;
    }
  } else if (target.basis === 'analyzer') {
    metric = 'cost';
    expected = ((size - target.size) / size) * 100 * 0.8;
  } else {
    // The guide's 10-20%: the bigger the per-member overhead (severity), the more a cut buys.
    expected = 10 + 10 * clamp(insight.severity, 0, 1);
  }
  // Stopping short of the target buys a matching share of what reaching it would have.
  if (limited) expected *= (size - newSize) / (size - target.size);
  const runs = target.group ? target.group.runs + (target.reference?.runs ?? 0) : runsOf(insight);
  const dropped = plan?.dropped ?? [];
  const required = plan?.required ?? [];
  const why =
    target.basis === 'analyzer'
      ? `the team's own runs show members beyond ${target.size} bought no meaningful speed-up`
      : target.basis === 'observed'
      ? `this team's ${target.size}-member runs averaged ${round(target.group!.duration.mean, 1)} s ` +
        `against ${round(target.reference!.duration.mean, 1)} s`
      : size > o.maxSize
      ? `${oversizeReason(insight, size)} shows diminishing returns; ${o.minSize}-${o.maxSize} members is the usual sweet spot`
      : // Already inside the usual range: calling it the sweet spot would argue against the cut itself.
        `${oversizeReason(insight, size)} shows diminishing returns even within the usual ${o.minSize}-${o.maxSize} members; try the low end`;
  const inputs = plan?.inputs ?? [];
  const keptText = [
    required.length > 0 ? requiredText(required) : '',
    inputs.length > 0 ? `keeps ${inputs.map((i) => `${i.id} (${i.neededBy.join(', ')} waited for its output)`).join(', ')}` : '',
  ].filter((t) => t !== '');
  const kept = keptText.length > 0 ? `; ${keptText.join('; ')}${limited ? `, which stops the cut short of ${target.size}` : ''}` : '';
  const metadata: Record<string, unknown> = {
    basis: target.basis,
    fromSize: size,
    toSize: newSize,
    droppedMembers: dropped,
    requiredMembers: required.map((r) => ({ id: r.id, failures: r.failures, failuresWithTeamFailure: r.failuresWithTeamFailure })),
    inputMembers: inputs.map((i) => ({ id: i.id, neededBy: [...i.neededBy] })),
  };
  if (limited) metadata.targetSize = target.size;
  return makeSuggestion(NAME, config, {
    priority: 'high',
    description:
      `Reduce the team from ${size} to ${newSize} members${dropped.length ? ` (drop ${dropped.join(', ')})` : ''}: ${why}${kept}`,
    suggestedConfig: plan ? { memberCount: newSize, members: plan.members } : { memberCount: newSize },
    expectedImprovement: round(clamp(expected, 0, 90), 1),
    confidence: evidenceConfidence({ prior: 0.8, runs, severity: insight.severity, pValue, move }),
    riskLevel: evidenceRisk({ prior: 0.2, move, runs }),
    targetMetric: metric,
    metadata,
  });
}

/** Which members are kept as required and the counts that say so. */
function requiredText(required: readonly MemberNeedEvidence[]): string {
  const ids = required.map((r) => r.id).join(', ');
  const counts = required.map((r) => `${r.id} ${r.failuresWithTeamFailure} of ${r.failures}`).join(', ');
  return `keeps ${ids} as required (the team run failed with nearly every failure of theirs: ${counts})`;
}

/**
 * Team sizing: on an `oversized_team` insight, reduce the member count: to the analyzer's size when its
 * size-curve test found the extra members bought no meaningful speed-up (`details.reasons` has
 * `no_speedup`), else to the size the team's own runs show is as fast (`stats.byMemberCount`), else towards
 * 3-5 (the original's `min(5, floor(0.7 x size))`, at least 3). When the team's runs show no smaller size
 * was faster, and the analyzer did not say otherwise, it says nothing. It aims at duration, or at cost when
 * the smaller team is expected to be about as fast. The `members` list is trimmed with the count: disabled
 * members first, then optional ones (they failed while the team still succeeded), then those that never
 * failed, the weakest by their runs first; never a coordinator, and never a member whose failures came with
 * the team's (>= 80% of them), nor one whose output another member waited for: when the target needs one of those gone, the team stops at the smallest size
 * that keeps them, or nothing is suggested. The description and `metadata.requiredMembers` name them.
 */
export function teamSizingStrategy(options?: TeamSizingOptions): OptimizationStrategy {
  const factory = checkFactoryOptions(NAME, options, SPEC);
  return defineStrategy({
    name: NAME,
    suggest(insights, currentConfig, context) {
      const o = resolveOptions(NAME, DEFAULTS, factory, context, SPEC);
      const insight = insightsOf(insights, 'oversized_team')[0];
      if (!insight) return [];
      const s = suggestSizing(insight, currentConfig, context, o);
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}

/** Why the analyzer called the team oversized, in its own units: seconds per member, or members. */
function oversizeReason(insight: PerformanceInsight, size: number): string {
  const d = insight.evidence.details ?? {};
  const reasons = Array.isArray(d.reasons) ? d.reasons : [];
  if (reasons.includes('per_member_time') && typeof d.perMemberSeconds === 'number') {
    const base = typeof d.perMemberBaselineSeconds === 'number' ? ` against a ${round(d.perMemberBaselineSeconds, 1)} s baseline` : '';
    return `${round(d.perMemberSeconds, 1)} s per member${base}`;
  }
  const max = typeof d.maxTeamSize === 'number' ? d.maxTeamSize : undefined;
  return max !== undefined ? `${size} members, more than the ${max} a team should have,` : `${size} members`;
}
