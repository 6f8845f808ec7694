import type { BottleneckType, PerformanceInsight } from '@autotune/analyzer';
import { MetricsAggregator } from '@autotune/metrics';
import type { ExecutionRecord, LimitHit, MemberRecord, TeamStats } from '@autotune/metrics';
import type { TeamConfig } from '../contract';
import { cloneData } from '../internal/data';
import { createPrng } from '../internal/prng';

/** What `sampleRecords` generates: one group of runs of one team in one setup. Everything has a default. */
export interface SampleRunsSpec {
  /** Default `sample_team`. */
  teamId?: string;
  /** Default 30. */
  runs?: number;
  /** Default `sequential`. */
  formation?: string;
  /** Member ids, in order. Default `m1`..`m5`. */
  members?: string[];
  /** Mean run duration, seconds. Default 110. */
  meanDurationSeconds?: number;
  /** Relative spread of durations (sd / mean). Default 0.25. */
  durationSpread?: number;
  /** Default 0.9. */
  successRate?: number;
  /** Mean tool calls per run. Default 25. */
  meanToolCalls?: number;
  /** Relative spread of tool calls. Default 0.2. */
  toolCallSpread?: number;
  toolBudget?: number;
  timeoutSeconds?: number;
  /** Mean cost per run, USD (recorded when given). */
  meanCostUsd?: number;
  /**
   * Per member: relative duration weight (default 1) and success rate (default the team's). A member's
   * failure otherwise fails its run half the time; a `required` member's failure always does, an `optional`
   * member's never does (the team copes without its part).
   */
  memberProfiles?: Record<string, MemberProfile>;
  /** Runs (of `runs`) that end on a limit, counted from the first run. */
  limitHits?: Partial<Record<LimitHit, number>>;
  /** Record `waitedFor` ids: each member waited for the ones listed. */
  waitedFor?: Record<string, string[]>;
  /** Epoch ms of the first run. Default 2025-01-15T10:00:00Z. */
  startTimeMs?: number;
  /** Default 1. */
  seed?: number;
}

/** One member's behaviour in `SampleRunsSpec.memberProfiles`. */
export interface MemberProfile {
  durationWeight?: number;
  successRate?: number;
  toolCallWeight?: number;
  required?: boolean;
  optional?: boolean;
}

const DEFAULT_START = Date.UTC(2025, 0, 15, 10, 0, 0);

/**
 * Execution records for one team setup, generated from a seed (the same spec always gives the same
 * records). Sequential and pipeline teams run their members one after another; other formations run them
 * side by side, so the timing evidence the metrics package derives is realistic.
 */
export function sampleRecords(spec: SampleRunsSpec = {}): ExecutionRecord[] {
  const rng = createPrng(spec.seed ?? 1);
  const teamId = spec.teamId ?? 'sample_team';
  const runs = spec.runs ?? 30;
  const formation = spec.formation ?? 'sequential';
  const ids = spec.members ?? ['m1', 'm2', 'm3', 'm4', 'm5'];
  const mean = spec.meanDurationSeconds ?? 110;
  const spread = spec.durationSpread ?? 0.25;
  const rate = spec.successRate ?? 0.9;
  const calls = spec.meanToolCalls ?? 25;
  const callSpread = spec.toolCallSpread ?? 0.2;
  const profiles = spec.memberProfiles ?? {};
  const serial = formation === 'sequential' || formation === 'pipeline';
  const weights = ids.map((id) => profiles[id]?.durationWeight ?? 1);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const callWeights = ids.map((id) => profiles[id]?.toolCallWeight ?? 1);
  const totalCallWeight = callWeights.reduce((a, b) => a + b, 0);
  const hits: LimitHit[] = [];
  for (const [limit, n] of Object.entries(spec.limitHits ?? {}) as Array<[LimitHit, number]>) for (let i = 0; i < n; i++) hits.push(limit);
  const out: ExecutionRecord[] = [];
  let clock = spec.startTimeMs ?? DEFAULT_START;

  for (let r = 0; r < runs; r++) {
    const limitHit = hits[r];
    let duration = Math.max(1, mean * (1 + spread * rng.normal()));
    if (limitHit === 'timeout' && spec.timeoutSeconds !== undefined) duration = spec.timeoutSeconds;
    let toolCalls = Math.max(0, Math.round(calls * (1 + callSpread * rng.normal())));
    if (limitHit === 'tool_budget' && spec.toolBudget !== undefined) toolCalls = spec.toolBudget;
    const start = clock;
    let cursor = start;
    let allOk = true;
    let requiredFailed = false;
    const members: MemberRecord[] = ids.map((id, i) => {
      const weight = weights[i]!; // one weight per member id
      const share = serial ? weight / totalWeight : weight / Math.max(...weights);
      const memberDuration = duration * share;
      const ok = rng.next() < (profiles[id]?.successRate ?? Math.min(1, rate + (1 - rate) * 0.5));
      if (!ok && profiles[id]?.required) requiredFailed = true;
      if (!profiles[id]?.optional) allOk &&= ok;
      const memberStart = serial ? cursor : start;
      const memberEnd = memberStart + memberDuration * 1000;
      if (serial) cursor = memberEnd;
      const m: MemberRecord = {
        memberId: id,
        success: ok,
        durationSeconds: Math.round(memberDuration * 1000) / 1000,
        startTimeMs: Math.round(memberStart),
        endTimeMs: Math.round(memberEnd),
        toolCalls: Math.round((toolCalls * callWeights[i]!) / totalCallWeight), // one call weight per member id
      };
      if (spec.waitedFor?.[id]) m.waitedFor = [...spec.waitedFor[id]];
      return m;
    });
    const success = limitHit === undefined && rng.next() < rate && (allOk || rng.next() < 0.5) && !requiredFailed;
    const record: ExecutionRecord = {
      teamId,
      executionId: `${teamId}-${formation}-${ids.length}-${spec.seed ?? 1}-${r}`,
      startTimeMs: start,
      endTimeMs: Math.round(start + duration * 1000),
      durationSeconds: Math.round(duration * 1000) / 1000,
      success,
      formation,
      memberCount: ids.length,
      toolCalls,
      members,
    };
    if (spec.toolBudget !== undefined) record.toolBudget = spec.toolBudget;
    if (spec.timeoutSeconds !== undefined) record.timeoutSeconds = spec.timeoutSeconds;
    if (spec.meanCostUsd !== undefined) record.costUsd = Math.max(0, Math.round(spec.meanCostUsd * (1 + 0.1 * rng.normal()) * 1e4) / 1e4);
    if (limitHit !== undefined) record.limitHit = limitHit;
    if (!success) record.error = limitHit ? `${limitHit} reached` : 'task failed';
    out.push(record);
    clock = record.endTimeMs + 60_000;
  }
  return out;
}

/**
 * A team's statistics, computed by the real `MetricsAggregator` from `sampleRecords` of each spec (give
 * several to fill `byFormation` or `byMemberCount` with more than one group). Specs share the first one's
 * team id unless they set their own, and follow each other in time.
 */
export function sampleTeamStats(...specs: SampleRunsSpec[]): TeamStats {
  const list = specs.length > 0 ? specs : [{}];
  const firstSpec: SampleRunsSpec = list[0] ?? {};
  const teamId = firstSpec.teamId ?? 'sample_team';
  const agg = new MetricsAggregator();
  let start = firstSpec.startTimeMs ?? DEFAULT_START;
  list.forEach((spec, i) => {
    const records = sampleRecords({ seed: i + 1, ...spec, teamId, startTimeMs: start });
    for (const r of records) agg.add(r);
    start = (records[records.length - 1]?.endTimeMs ?? start) + 60_000;
  });
  return agg.team(teamId)!;
}

/** A team config like the guide's examples: five members, budget 50, timeout 300, and untouched extra keys. */
export function sampleTeamConfig(overrides: Partial<TeamConfig> = {}): TeamConfig {
  const base: TeamConfig = {
    formation: 'sequential',
    memberCount: 5,
    members: [
      { id: 'm1', role: 'planner' },
      { id: 'm2', role: 'researcher' },
      { id: 'm3', role: 'researcher' },
      { id: 'm4', role: 'writer' },
      { id: 'm5', role: 'reviewer' },
    ],
    toolBudget: 50,
    timeoutSeconds: 300,
    extra: { team_id: 'sample_team', labels: { owner: 'qa', tier: 2 } },
  };
  const out = { ...base, ...cloneData(overrides) };
  if (overrides.members && overrides.memberCount === undefined) out.memberCount = overrides.members.length;
  return out;
}

type InsightDefaults = Omit<PerformanceInsight, 'bottleneck'>;

function defaultsFor(bottleneck: string): InsightDefaults {
  const base = { affectedComponents: [] as string[], evidence: { runs: 30 } };
  switch (bottleneck) {
    case 'slow_execution':
      return { ...base, severity: 1, currentValue: 110, baselineValue: 30, impactMagnitude: 80, recommendation: 'Average duration 110 s is 3.7x the 30 s baseline.' };
    case 'high_latency_outliers':
      return {
        ...base,
        severity: 1,
        currentValue: 150,
        baselineValue: 60,
        impactMagnitude: 1.5,
        affectedComponents: ['timeout_seconds'],
        recommendation: 'P95 latency (150.0s) is 150.0% above the 60.0s baseline. Set the timeout to P95 plus 20% (180s, now 300s).',
        evidence: { runs: 30, details: { runsAboveBaseline: 21, suggestedTimeoutSeconds: 180, timeoutSeconds: 300 } },
      };
    case 'low_success_rate':
      return { ...base, severity: 0.26, currentValue: 0.7, baselineValue: 0.95, impactMagnitude: 0.25, recommendation: 'Success rate 70% is below the 95% baseline.' };
    case 'excessive_tool_usage':
      return {
        ...base,
        severity: 0.4,
        currentValue: 25,
        baselineValue: 15,
        impactMagnitude: 0.67,
        affectedComponents: ['tool_budget'],
        recommendation: 'Average tool calls per run (25.0) are 66.7% above baseline (15.0). Lower the tool budget.',
        evidence: { runs: 30, details: { suggestedToolBudget: 17, runsEndedOnToolBudget: 0, toolBudget: 50 } },
      };
    case 'oversized_team':
      return {
        ...base,
        severity: 0.5,
        currentValue: 45,
        baselineValue: 30,
        impactMagnitude: 0.5,
        recommendation: 'Reduce team size from 8 to 5: each member accounts for 45.0s of a run (baseline 30.0s per member).',
        evidence: { runs: 30, details: { memberCount: 8, perMemberSeconds: 45, suggestedMemberCount: 5, reasons: ['per_member_time'] } },
      };
    case 'underperforming_member':
      return {
        ...base,
        severity: 0.7,
        currentValue: 0.4,
        baselineValue: 0.9,
        impactMagnitude: 0.5,
        affectedComponents: ['m3'],
        recommendation: 'Member m3 succeeds in 40% of runs against 90% for its teammates.',
        evidence: {
          runs: 30,
          details: { memberId: 'm3', outlierMetrics: ['success_rate'], primaryMetric: 'success_rate', successRateMember: 0.4, successRateTeammates: 0.9 },
        },
      };
    case 'parallelizable_members':
      return {
        ...base,
        severity: 0.6,
        currentValue: 110,
        baselineValue: 70,
        impactMagnitude: 40,
        affectedComponents: ['m2', 'm3', 'm4', 'm5'],
        recommendation: 'Members m2, m3, m4 and m5 never wait for each other; running them in parallel saves about 40 s per run.',
        evidence: {
          runs: 30,
          details: { formation: 'sequential', independentMembers: ['m2', 'm3', 'm4', 'm5'], independentGroups: ['m2+m3+m4+m5'], estimatedSavingSeconds: 40 },
        },
      };
    case 'limit_exhaustion':
      return {
        ...base,
        severity: 0.3,
        currentValue: 0.13,
        baselineValue: 0,
        impactMagnitude: 0.13,
        affectedComponents: ['timeout_seconds'],
        recommendation: '4 of 30 runs (13.3%) ended on the timeout rather than on an error. Raise the timeout.',
        evidence: { runs: 30, details: { limit: 'timeout', hits: 4, hitRate: 4 / 30, failedOnErrors: 0 } },
      };
    default: {
      const formation = bottleneck.replace(/^suboptimal_formation_/, '');
      return {
        ...base,
        severity: 0.6,
        currentValue: 120,
        baselineValue: 80,
        impactMagnitude: 40,
        affectedComponents: ['formation'],
        recommendation: `Formation ${formation} averages 120.0s on this team against your 80.0s baseline for it. Consider switching formation.`,
        evidence: { runs: 30, details: { formation, source: 'formation baseline' } },
      };
    }
  }
}

/**
 * An insight shaped as the analyzer reports it (the same `affectedComponents` and `evidence.details` keys),
 * with plausible figures (the reference table's baselines) and evidence from 30 runs. `overrides` replace fields; `evidence` is merged key by key (so `details`, when
 * given, replaces the sample's details whole).
 */
export function sampleInsight(bottleneck: BottleneckType, overrides: Partial<Omit<PerformanceInsight, 'bottleneck'>> = {}): PerformanceInsight {
  const d = defaultsFor(bottleneck);
  // Details are replaced whole, never merged: a stale figure (an old hitRate next to new hits) would lie.
  const evidence = { ...d.evidence, ...overrides.evidence };
  return cloneData({ bottleneck, ...d, ...overrides, evidence });
}
