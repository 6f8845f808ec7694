import type { PerformanceInsight } from '@autotune/analyzer';
import { applySuggestion } from '../apply-suggestion';
import type { MemberConfig, OptimizationStrategy, OptimizationSuggestion, StrategyContext, TeamConfig } from '../contract';
import { defineStrategy } from '../define-strategy';
import { clamp, cloneData, round } from '../internal/data';
import { evidenceConfidence, evidenceRisk } from '../internal/evidence';
import { countAgents, hasSubTeams, isCoordinator, isEnabled, uniqueId } from '../internal/members';
import { checkFactoryOptions, resolveOptions } from '../internal/options';
import type { NumericSpec } from '../internal/options';
import { detailNumber, detailStrings, insightsOf, makeSuggestion, runsOf } from '../internal/suggestion';

/** Options of `parallelizationStrategy`. */
export interface ParallelizationOptions {
  /** Fewest independent members worth splitting off. Default 2. */
  minIndependentMembers?: number;
  /** Most parallel sub-teams to create. Default 2 (as the guide's example). */
  maxSubTeams?: number;
  /** Members per parallel sub-team before another sub-team is opened. Default 2. */
  subTeamSize?: number;
}

const NAME = 'parallelization';
const DEFAULTS: Required<ParallelizationOptions> = { minIndependentMembers: 2, maxSubTeams: 2, subTeamSize: 2 };
const SPEC: NumericSpec<Required<ParallelizationOptions>> = {
  minIndependentMembers: [2, 1000],
  maxSubTeams: [1, 100],
  subTeamSize: [1, 1000],
};
const SPLITTABLE = new Set(['sequential', 'pipeline']);

/**
 * Splits members into `k` contiguous groups of near-equal size, keeping their order. Members of a parallel
 * sub-team run side by side, so a group's time is its slowest member's, not a sum to balance; contiguous
 * groups keep the split readable (the guide's `sub_team_1`, `sub_team_2`).
 */
function chunk(members: MemberConfig[], k: number): MemberConfig[][] {
  const out: MemberConfig[][] = [];
  let from = 0;
  for (let i = 0; i < k; i++) {
    const size = Math.floor(members.length / k) + (i < members.length % k ? 1 : 0);
    out.push(members.slice(from, from + size));
    from += size;
  }
  return out.filter((g) => g.length > 0);
}

function inAnyGroup(groups: MemberConfig[][], m: MemberConfig): boolean {
  return groups.some((g) => g.includes(m));
}

/**
 * Every enabled member independent and no coordinator to keep: a hierarchy would only add a coordinator
 * and its overhead around one parallel sub-team, so the plain parallel formation is the better change.
 */
function wholeTeamParallel(
  insight: PerformanceInsight,
  config: TeamConfig,
  independent: MemberConfig[],
  saving: number | undefined,
  mean: number | undefined,
  runs: number,
): OptimizationSuggestion {
  // Parallel coordination costs a little more than sequential (0.5 vs 0.3): keep 90% of the raw saving.
  const expected =
    saving !== undefined && mean !== undefined && mean > 0 ? clamp((saving / mean) * 100 * 0.9, 1, 90) : 30 + 20 * clamp(insight.severity, 0, 1);
  const confidence = evidenceConfidence({ prior: 0.7, runs, severity: insight.severity });
  return makeSuggestion(NAME, config, {
    priority: expected >= 30 && confidence >= 0.7 ? 'high' : 'medium',
    description:
      `Run all ${independent.length} members of the ${config.formation} team in parallel: none waits for another's output` +
      (saving !== undefined ? `; estimated saving ${round(saving, 1)} s per run` : ''),
    suggestedConfig: { formation: 'parallel' },
    expectedImprovement: round(expected, 1),
    confidence,
    riskLevel: evidenceRisk({ prior: 0.45, runs }),
    targetMetric: 'duration',
    metadata: {
      independentMembers: independent.map((m) => m.id),
      subTeams: [],
      addedCoordinator: false,
      ...(saving !== undefined ? { estimatedSavingSeconds: saving } : {}),
    },
  });
}

function suggestSplit(
  insight: PerformanceInsight,
  config: TeamConfig,
  context: StrategyContext | undefined,
  o: Required<ParallelizationOptions>,
): OptimizationSuggestion | undefined {
  const members = config.members;
  if (!members || members.length === 0 || hasSubTeams(members)) return undefined;
  const usable = (m: MemberConfig | undefined): m is MemberConfig => m !== undefined && isEnabled(m) && !isCoordinator(m);
  const byId = new Map(members.map((m) => [m.id, m]));
  // The analyzer's groups ("a+b+c", in dependency order) are members that can run side by side; without
  // them, the independent members are cut into contiguous chunks.
  const levelGroups = (detailStrings(insight, 'independentGroups') ?? [])
    .map((g) => g.split('+').map((id) => byId.get(id)).filter(usable))
    .map((g) => g.sort((a, b) => members.indexOf(a) - members.indexOf(b)))
    .filter((g) => g.length >= 2);
  const named = new Set(detailStrings(insight, 'independentMembers') ?? insight.affectedComponents);
  const listed = members.filter((m) => named.has(m.id) && usable(m));
  const groups = levelGroups.length > 0 ? levelGroups : chunk(listed, clamp(Math.floor(listed.length / o.subTeamSize), 1, o.maxSubTeams));
  const independent = groups.flat();
  if (independent.length < o.minIndependentMembers) return undefined;

  const existing = members.find(isCoordinator);
  const saving = detailNumber(insight, 'estimatedSavingSeconds');
  const mean = context?.stats?.duration.mean ?? (insight.currentValue > 0 ? insight.currentValue : undefined);
  const runs = runsOf(insight);
  const everyone = members.filter(isEnabled);
  if (!existing && groups.length === 1 && everyone.every((m) => inAnyGroup(groups, m))) {
    return wholeTeamParallel(insight, config, independent, saving, mean, runs);
  }
  const coordinator: MemberConfig = existing ? cloneData(existing) : { id: uniqueId('coordinator', members), role: 'manager' };
  const groupOf = new Map(groups.flatMap((g, i) => g.map((m) => [m, i] as const)));
  const taken: MemberConfig[] = [...members];
  const subTeams: MemberConfig[] = [];
  // Each sub-team takes the place of its first member; everyone else keeps their place and order.
  const next: MemberConfig[] = [coordinator];
  for (const m of members) {
    if (m === existing) continue;
    const g = groupOf.get(m);
    if (g === undefined) next.push(cloneData(m));
    else if (groups[g]?.[0] === m) {
      // groupOf maps members to indexes of groups.
      const team: MemberConfig = { id: uniqueId(`sub_team_${subTeams.length + 1}`, taken), formation: 'parallel', members: groups[g].map((x) => cloneData(x)) };
      taken.push(team);
      subTeams.push(team);
      next.push(team);
    }
  }
  const memberCount = countAgents(next);

  // Coordination is dearer in a hierarchy (0.6 vs 0.3 in the formation table): keep 85% of the raw saving.
  const expected =
    saving !== undefined && mean !== undefined && mean > 0
      ? clamp((saving / mean) * 100 * 0.85, 1, 90)
      : 30 + 20 * clamp(insight.severity, 0, 1);
  const move = independent.length / members.length;
  const confidence = evidenceConfidence({ prior: 0.68, runs, severity: insight.severity, move });
  return makeSuggestion(NAME, config, {
    priority: expected >= 30 && confidence >= 0.7 ? 'high' : 'medium',
    description:
      `Split ${independent.length} independent members (${independent.map((m) => m.id).join(', ')}) of the ` +
      `${config.formation} team into ${subTeams.length} parallel sub-team${subTeams.length > 1 ? 's' : ''} under ` +
      `${existing ? `coordinator ${existing.id}` : `a new coordinator "${coordinator.id}"`} (hierarchical)` +
      (saving !== undefined ? `; estimated saving ${round(saving, 1)} s per run` : ''),
    suggestedConfig: {
      formation: 'hierarchical',
      members: next,
      ...(memberCount !== config.memberCount ? { memberCount } : {}),
    },
    expectedImprovement: round(expected, 1),
    confidence,
    riskLevel: evidenceRisk({ prior: 0.6, move, runs, extra: existing ? 0 : 0.05 }),
    targetMetric: 'duration',
    metadata: {
      independentMembers: independent.map((m) => m.id),
      subTeams: subTeams.map((t) => t.id),
      addedCoordinator: !existing,
      ...(saving !== undefined ? { estimatedSavingSeconds: saving } : {}),
    },
  });
}

/**
 * Parallelization: on `parallelizable_members` for a sequential or pipeline team, make the team
 * hierarchical: a coordinator (the existing one, or a new `coordinator` with role `manager`), the members
 * that others depend on kept in place and order, and one parallel sub-team per group of members that can
 * run side by side (the analyzer's `details.independentGroups`, in the place of the group's first member);
 * without groups, the `independentMembers` go into up to 2 parallel sub-teams of near-equal size. When every
 * member is independent and there is no coordinator, it suggests the plain `parallel` formation instead. The member
 * count counts agents, so it grows by one when a coordinator is added. Expected saving comes from the
 * insight's `estimatedSavingSeconds` over the mean run duration.
 */
export function parallelizationStrategy(options?: ParallelizationOptions): OptimizationStrategy {
  const factory = checkFactoryOptions(NAME, options, SPEC);
  return defineStrategy({
    name: NAME,
    suggest(insights, currentConfig, context) {
      const o = resolveOptions(NAME, DEFAULTS, factory, context, SPEC);
      if (!SPLITTABLE.has(currentConfig.formation)) return [];
      const insight = insightsOf(insights, 'parallelizable_members')[0];
      const s = insight && suggestSplit(insight, currentConfig, context, o);
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}
