import type { PerformanceInsight } from '@autotune/analyzer';
import type { GroupStats, TeamStats } from '@autotune/metrics';
import { applySuggestion } from '../apply-suggestion';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TargetMetric, TeamConfig } from '../contract';
import { defineStrategy } from '../define-strategy';
import { clamp, round } from '../internal/data';
import { dependencyLevel } from '../internal/dependencies';
import { evidenceConfidence, evidenceRisk, meanDurationPValue } from '../internal/evidence';
import { hasSubTeams, isEnabled } from '../internal/members';
import { checkFactoryOptions, resolveOptions } from '../internal/options';
import type { NumericSpec } from '../internal/options';
import { detailStrings, insightsOf, makeSuggestion, runsOf } from '../internal/suggestion';
import { FORMATION_TRAITS } from './formation-traits';

/** Options of `formationSelectionStrategy`. */
export interface FormationSelectionOptions {
  /** Runs a formation needs in the team's own history before they count as evidence. Default 3. */
  minGroupRuns?: number;
  /** How much lower another formation's success rate may be and still be chosen for speed. Default 0.05. */
  maxSuccessRateDrop?: number;
  /** Own-runs differences with a larger p-value are treated as noise (the table decides). Default 0.2. */
  maxPValue?: number;
  /** Share of dependent members at which dependencies count as strong. Default 0.5. */
  dependencyShare?: number;
}

const NAME = 'formation_selection';
const DEFAULTS: Required<FormationSelectionOptions> = { minGroupRuns: 3, maxSuccessRateDrop: 0.05, maxPValue: 0.2, dependencyShare: 0.5 };
const SPEC: NumericSpec<Required<FormationSelectionOptions>> = {
  minGroupRuns: [1, 1e6],
  maxSuccessRateDrop: [0, 1],
  maxPValue: [0, 1],
  dependencyShare: [0.01, 1],
};

interface Choice {
  formation: string;
  basis: 'observed' | 'table';
  reason: string;
  group?: GroupStats | undefined;
  reference?: GroupStats | undefined;
  pValue?: number | undefined;
  /** Expected improvement when it is known without the groups (from the insight's figures). */
  expected?: number | undefined;
}

function observedChoice(stats: TeamStats | undefined, current: string, o: Required<FormationSelectionOptions>): Choice | undefined {
  if (!stats) return undefined;
  const own = stats.byFormation[current];
  const reference = own && own.runs >= o.minGroupRuns ? own : stats;
  const best = Object.entries(stats.byFormation)
    .filter(([f, g]) => f !== current && g.runs >= o.minGroupRuns)
    .filter(([, g]) => g.duration.mean < reference.duration.mean && g.successRate >= reference.successRate - o.maxSuccessRateDrop)
    .map(([f, g]) => ({ f, g, p: meanDurationPValue(reference, g) }))
    .filter(({ p }) => p <= o.maxPValue)
    .sort((a, b) => a.g.duration.mean - b.g.duration.mean)[0];
  if (!best) return undefined;
  return {
    formation: best.f,
    basis: 'observed',
    group: best.g,
    reference,
    pValue: best.p,
    reason:
      `this team's ${best.f} runs averaged ${round(best.g.duration.mean, 1)} s (${best.g.runs} runs) against ` +
      `${round(reference.duration.mean, 1)} s in ${current}, with no lower success rate`,
  };
}

/** The analyzer's own-runs verdict (`details.betterFormation`), tested with Welch and a success-rate guard. */
function analyzerChoice(insight: PerformanceInsight, stats: TeamStats | undefined, current: string): Choice | undefined {
  const better = insight.evidence?.details?.betterFormation;
  if (typeof better !== 'string' || better === '' || better === current) return undefined;
  const betterMean = insight.evidence.details?.betterFormationMeanSeconds;
  const group = stats?.byFormation[better];
  const reference = stats?.byFormation[current];
  return {
    formation: better,
    basis: 'observed',
    group,
    reference,
    pValue: insight.evidence.comparison?.pValue,
    reason:
      typeof betterMean === 'number'
        ? `this team's ${better} runs averaged ${round(betterMean, 1)} s against ${round(insight.currentValue, 1)} s in ${current}`
        : `this team's own runs were faster in ${better}`,
    ...(group && reference ? {} : { expected: typeof betterMean === 'number' && insight.currentValue > 0 ? ((insight.currentValue - betterMean) / insight.currentValue) * 100 : undefined }),
  };
}

/** The guide's selection table, read with the evidence at hand about dependencies and quality. */
function tableChoice(
  config: TeamConfig,
  insights: readonly PerformanceInsight[],
  stats: TeamStats | undefined,
  o: Required<FormationSelectionOptions>,
): Choice | undefined {
  const current = config.formation;
  const deps = dependencyLevel(stats, current, o.dependencyShare);
  // Only a team whose every member is independent goes parallel as a whole; a partial split is parallelization's.
  const parallelizable = insightsOf(insights, 'parallelizable_members')[0];
  const named = new Set(parallelizable ? (detailStrings(parallelizable, 'independentMembers') ?? parallelizable.affectedComponents) : []);
  const everyone = config.members ? config.members.filter(isEnabled).map((m) => m.id) : Object.keys(stats?.members ?? {});
  const independent = deps === 'none' || (everyone.length > 1 && everyone.every((id) => named.has(id)));
  const qualityIssue = insightsOf(insights, 'low_success_rate').length > 0;
  const table = (formation: string, reason: string): Choice => ({ formation, basis: 'table', reason });
  if (deps === 'strong' && current !== 'sequential') {
    return table('sequential', 'most members wait for another member\'s output: strong dependencies favour sequential');
  }
  switch (current) {
    case 'consensus': {
      // The table's condition, "low quality risk", read from the runs: consensus outvotes a failing member,
      // parallel does not, so without consensus the team works about as often as all its members do.
      const alone = allMembersSucceed(stats, config, o.minGroupRuns);
      if (alone !== undefined && stats && alone < stats.successRate - o.maxSuccessRateDrop) return undefined;
      if (deps === 'some' || deps === 'strong') {
        return table('hierarchical', 'consensus is the slowest formation, and some members wait for another\'s output: a coordinator keeps that order while the rest work side by side');
      }
      return table('parallel', 'consensus is the slowest formation; parallel is faster when the quality risk is low');
    }
    case 'sequential':
      return independent
        ? table('parallel', 'the members work independently, so they can run in parallel')
        : table('pipeline', 'staged refinement runs faster as a pipeline than strictly in sequence');
    case 'parallel':
      return qualityIssue ? table('pipeline', 'runs fail too often; a pipeline adds staged refinement') : undefined;
    case 'pipeline':
    case 'hierarchical':
      return independent ? table('parallel', 'the members work independently, so they can run in parallel') : undefined;
    default:
      return undefined;
  }
}

/**
 * The chance that every enabled member succeeds in a run, from the members' own success rates: what the team's
 * success rate becomes when no vote covers for a failing member. Undefined without enough member runs.
 */
function allMembersSucceed(stats: TeamStats | undefined, config: TeamConfig, minRuns: number): number | undefined {
  if (!stats) return undefined;
  const ids = config.members ? config.members.filter(isEnabled).map((m) => m.id) : Object.keys(stats.members);
  const known = ids.map((id) => stats.members[id]).filter((m): m is NonNullable<typeof m> => m !== undefined && m.runs >= minRuns);
  if (known.length === 0 || known.length < ids.length) return undefined;
  return known.reduce((p, m) => p * m.successRate, 1);
}

/** True when the team's own runs in `formation` show it is no better than the current one. */
function refutedByOwnRuns(stats: TeamStats | undefined, current: string, formation: string, minRuns: number): boolean {
  const g = stats?.byFormation[formation];
  if (!stats || !g || g.runs < minRuns) return false;
  const own = stats.byFormation[current];
  const reference = own !== undefined && own.runs >= minRuns ? own : stats;
  return g.duration.mean >= reference.duration.mean && g.successRate <= reference.successRate;
}

function suggestFormation(
  insight: PerformanceInsight,
  insights: readonly PerformanceInsight[],
  config: TeamConfig,
  context: StrategyContext | undefined,
  o: Required<FormationSelectionOptions>,
  maxPriority?: 'high',
): OptimizationSuggestion | undefined {
  const current = config.formation;
  const stats = context?.stats;
  const choice = analyzerChoice(insight, stats, current) ?? observedChoice(stats, current, o) ?? tableChoice(config, insights, stats, o);
  if (!choice || choice.formation === current) return undefined;
  if (choice.basis === 'table' && refutedByOwnRuns(stats, current, choice.formation, o.minGroupRuns)) return undefined;

  const from = FORMATION_TRAITS[current];
  const to = FORMATION_TRAITS[choice.formation];
  let expected: number;
  let metric: TargetMetric = 'duration';
  if (choice.group && choice.reference) {
    expected = ((choice.reference.duration.mean - choice.group.duration.mean) / choice.reference.duration.mean) * 100;
  } else if (choice.expected !== undefined) {
    expected = choice.expected;
  } else if (from && to && to.speed / from.speed >= 1.1) {
    // The guide's 20-50%, placed by the formations' relative speed and by how badly this one does.
    expected = clamp((1 - from.speed / to.speed) * 100 * (0.5 + 0.5 * insight.severity), 20, 50);
  } else {
    metric = 'success_rate';
    const gain = from && to ? (to.quality - from.quality) / from.quality : 0.1;
    expected = clamp(gain * 100 * (0.5 + 0.5 * insight.severity), 5, 30);
  }
  const qualityLoss = from && to ? Math.max(0, from.quality - to.quality) : 0.1;
  const runs = choice.group ? choice.group.runs + (choice.reference?.runs ?? 0) : runsOf(insight);
  const pValue = choice.pValue ?? insight.evidence?.comparison?.pValue;
  const confidence = evidenceConfidence({ prior: choice.basis === 'observed' ? 0.78 : 0.72, runs, severity: insight.severity, pValue });
  return makeSuggestion(NAME, config, {
    priority: maxPriority ?? (choice.basis === 'observed' || insight.severity >= 0.5 ? 'critical' : 'high'),
    description: `Switch formation from ${current} to ${choice.formation}: ${choice.reason}`,
    suggestedConfig: { formation: choice.formation },
    expectedImprovement: round(expected, 1),
    confidence,
    // Tried formations are less risky than the table's guesses; losing quality for speed is the main risk.
    riskLevel: evidenceRisk({ prior: choice.basis === 'observed' ? 0.3 : 0.4, extra: 0.3 * qualityLoss, runs }),
    targetMetric: metric,
    metadata: { basis: choice.basis, from: current, to: choice.formation, ...(pValue !== undefined ? { pValue: round(pValue, 4) } : {}) },
  });
}

/**
 * Formation selection: on `suboptimal_formation_<current>`, switch to the formation the team's own runs
 * show is faster (the analyzer's `details.betterFormation`, else `stats.byFormation` with no lower success
 * rate), else to the guide's table choice:
 * consensus -> parallel, sequential -> parallel (every member independent: no recorded dependencies, or all
 * named by `parallelizable_members`) or pipeline (staged refinement),
 * parallel -> pipeline when runs fail, any -> sequential when strong dependencies appear. A table choice
 * that the team's own runs refute is not made. Insights about a formation the team no longer uses are ignored.
 * Without a formation insight, a `slow_execution` insight makes the same choice at `high` priority at most:
 * a team that only ran in one formation is where the table is the only guide, and the A/B test checks it.
 */
export function formationSelectionStrategy(options?: FormationSelectionOptions): OptimizationStrategy {
  const factory = checkFactoryOptions(NAME, options, SPEC);
  return defineStrategy({
    name: NAME,
    suggest(insights, currentConfig, context) {
      const o = resolveOptions(NAME, DEFAULTS, factory, context, SPEC);
      if (hasSubTeams(currentConfig.members)) return [];
      const insight = insightsOf(insights, `suboptimal_formation_${currentConfig.formation}`)[0];
      if (insight) {
        const s = suggestFormation(insight, insights, currentConfig, context, o);
        return s ? [s] : [];
      }
      // A team that only ever ran in one formation has no formation insight (the analyzer will not guess), but
      // when it is slow the guide's table still names the formation to try; the A/B test decides, so the guess
      // costs runs, never a regression.
      const slow = insightsOf(insights, 'slow_execution')[0];
      if (!slow) return [];
      const s = suggestFormation(slow, insights, currentConfig, context, o, 'high');
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}
