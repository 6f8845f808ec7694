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
  /** Per member: relative duration weight (default 1) and success rate (default the team's). */
  memberProfiles?: Record<string, { durationWeight?: number; successRate?: number; toolCallWeight?: number }>;
  /** Runs (of `runs`) that end on a limit, counted from the first run. */
  limitHits?: Partial<Record<LimitHit, number>>;
  /** Record `waitedFor` ids: each member waited for the ones listed. */
  waitedFor?: Record<string, string[]>;
  /** Epoch ms of the first run. Default 2025-01-15T10:00:00Z. */
  startTimeMs?: number;
  /** Default 1. */
  seed?: number;
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
    const members: MemberRecord[] = ids.map((id, i) => {
      const share = serial ? weights[i] / totalWeight : weights[i] / Math.max(...weights);
      const memberDuration = duration * share;
      const ok = rng.next() < (profiles[id]?.successRate ?? Math.min(1, rate + (1 - rate) * 0.5));
      allOk &&= ok;
      const memberStart = serial ? cursor : start;
      const memberEnd = memberStart + memberDuration * 1000;
      if (serial) cursor = memberEnd;
      const m: MemberRecord = {
        memberId: id,
        success: ok,
        durationSeconds: Math.round(memberDuration * 1000) / 1000,
        startTimeMs: Math.round(memberStart),
        endTimeMs: Math.round(memberEnd),
        toolCalls: Math.round((toolCalls * callWeights[i]) / totalCallWeight),
      };
      if (spec.waitedFor?.[id]) m.waitedFor = [...spec.waitedFor[id]];
      return m;
    });
    const success = limitHit === undefined && rng.next() < rate && (allOk || rng.next() < 0.5);
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
  const teamId = list[0].teamId ?? 'sample_team';
  const agg = new MetricsAggregator();
  let start = list[0].startTimeMs ?? DEFAULT_START;
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
      return { ...base, severity: 1, currentValue: 150, baselineValue: 60, impactMagnitude: 90, recommendation: 'P95 latency 150 s exceeds 90 s; set the timeout to P95 plus 20% (180 s).' };
    case 'low_success_rate':
      return { ...base, severity: 0.26, currentValue: 0.7, baselineValue: 0.95, impactMagnitude: 0.25, recommendation: 'Success rate 70% is below the 95% baseline.' };
    case 'excessive_tool_usage':
      return { ...base, severity: 0.4, currentValue: 25, baselineValue: 15, impactMagnitude: 10, recommendation: 'Runs use 25 tool calls against a 15 baseline; lower the tool budget.' };
    case 'oversized_team':
      return { ...base, severity: 0.5, currentValue: 45, baselineValue: 30, impactMagnitude: 15, recommendation: 'Each of 8 members takes 45 s; reduce team size to 3-5 members.' };
    case 'underperforming_member':
      return {
        ...base,
        severity: 0.7,
        currentValue: 0.4,
        baselineValue: 0.9,
        impactMagnitude: 0.5,
        affectedComponents: ['m3'],
        recommendation: 'Member m3 succeeds in 40% of runs against 90% for its teammates.',
        evidence: { runs: 30, details: { metric: 'success_rate', memberSuccessRate: 0.4, teamSuccessRate: 0.9 } },
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
        evidence: { runs: 30, details: { independentMembers: ['m2', 'm3', 'm4', 'm5'], estimatedSavingSeconds: 40 } },
      };
    case 'limit_exhaustion':
      return {
        ...base,
        severity: 0.3,
        currentValue: 0.13,
        baselineValue: 0,
        impactMagnitude: 0.13,
        affectedComponents: ['timeout'],
        recommendation: '4 of 30 runs were stopped by the timeout.',
        evidence: { runs: 30, details: { limit: 'timeout', count: 4 } },
      };
    default: {
      const formation = bottleneck.replace(/^suboptimal_formation_/, '');
      return {
        ...base,
        severity: 0.6,
        currentValue: 120,
        baselineValue: 80,
        impactMagnitude: 40,
        affectedComponents: [formation],
        recommendation: `The ${formation} formation averages 120 s against 80 s expected; switch formation.`,
      };
    }
  }
}

/**
 * An insight as the analyzer would report it, with plausible figures (the reference table's baselines) and
 * evidence from 30 runs. `overrides` replace fields; `evidence` is merged, and so are its `details`.
 */
export function sampleInsight(bottleneck: BottleneckType, overrides: Partial<Omit<PerformanceInsight, 'bottleneck'>> = {}): PerformanceInsight {
  const d = defaultsFor(bottleneck);
  const evidence = {
    ...d.evidence,
    ...overrides.evidence,
    ...(d.evidence.details || overrides.evidence?.details ? { details: { ...d.evidence.details, ...overrides.evidence?.details } } : {}),
  };
  return cloneData({ bottleneck, ...d, ...overrides, evidence });
}
