// Keeping a members list and a member count in step. memberCount counts agents: a sub-team counts as its
// own agents (recursively), so splitting five members into a coordinator and two sub-teams of two still
// reads `member_count: 5`.
import type { MemberStats } from '@autotune/metrics';
import type { MemberConfig } from '../contract';
import { cloneData } from './data';

const COORDINATOR_PATTERN = /coordinat|manager|orchestrat|supervis|lead/i;

/** True for a member that directs the others; team changes never drop or disable it. */
export function isCoordinator(m: MemberConfig): boolean {
  return COORDINATOR_PATTERN.test(m.role ?? '') || COORDINATOR_PATTERN.test(m.id);
}

export function isEnabled(m: MemberConfig): boolean {
  return m.enabled !== false;
}

/** Agents in a members list, counting a sub-team's members instead of the sub-team. */
export function countAgents(members: readonly MemberConfig[]): number {
  let n = 0;
  for (const m of members) n += m.members && m.members.length > 0 ? countAgents(m.members) : 1;
  return n;
}

export function hasSubTeams(members: readonly MemberConfig[] | undefined): boolean {
  return (members ?? []).some((m) => m.members !== undefined && m.members.length > 0);
}

/** How weak a member looks from its runs: higher is weaker. Members without figures rank neutral (0). */
function weakness(m: MemberConfig, stats: Record<string, MemberStats> | undefined, teamMean: number): number {
  const s = stats?.[m.id];
  if (!s || s.runs === 0) return 0;
  const slowness = teamMean > 0 ? s.meanDurationSeconds / teamMean - 1 : 0;
  return (1 - s.successRate) * 2 + slowness;
}

/**
 * What a member's failures say about whether the team needs it: `critical` when (nearly) every one of its
 * failures came with a failed team run, `optional` when the team succeeded despite one of them, `unknown`
 * when it never failed (or its figures do not say how the team fared).
 */
export type MemberNeed = 'critical' | 'optional' | 'unknown';

/** A member's need and the counts behind it. */
export interface MemberNeedEvidence {
  id: string;
  need: MemberNeed;
  failures: number;
  failuresWithTeamFailure: number;
}

/** Share of a member's failures that must coincide with team failures for it to count as critical. */
export const CRITICAL_FAILURE_SHARE = 0.8;

/**
 * Classifies a member from its own runs. 80% rather than 100% leaves room for a run the team rescued (a
 * retry, a consensus outvoting it) without calling the member optional; one failure is enough evidence,
 * since dropping a member the team cannot do without costs far more than keeping one it could.
 */
export function memberNeed(id: string, s: MemberStats | undefined): MemberNeedEvidence {
  const failures = s ? (s.failures ?? s.runs - s.successes) : 0;
  const withTeam = s?.failuresWithTeamFailure;
  const base = { id, failures, failuresWithTeamFailure: withTeam ?? 0 };
  if (failures < 1 || withTeam === undefined) return { ...base, need: 'unknown' };
  return { ...base, need: withTeam >= CRITICAL_FAILURE_SHARE * failures ? 'critical' : 'optional' };
}

const NEED_RANK: Record<MemberNeed, number> = { optional: 0, unknown: 1, critical: 2 };

/**
 * Non-coordinators in the order they are dropped: disabled members, then by need (optional, unknown,
 * critical), then the weakest by their runs (failures weigh double, then slowness), then the last listed.
 */
function dropOrder(members: readonly MemberConfig[], stats: Record<string, MemberStats> | undefined) {
  const means = members.map((m) => stats?.[m.id]?.meanDurationSeconds).filter((x): x is number => x !== undefined);
  const teamMean = means.length > 0 ? means.reduce((a, b) => a + b, 0) / means.length : 0;
  return members
    .map((m, index) => ({ m, index, evidence: memberNeed(m.id, stats?.[m.id]) }))
    .filter(({ m }) => !isCoordinator(m))
    .sort(
      (a, b) =>
        Number(isEnabled(a.m)) - Number(isEnabled(b.m)) ||
        NEED_RANK[a.evidence.need] - NEED_RANK[b.evidence.need] ||
        weakness(b.m, stats, teamMean) - weakness(a.m, stats, teamMean) ||
        b.index - a.index,
    );
}

/**
 * The list cut to `target` entries, order kept, in `dropOrder`; a critical member goes only when nothing
 * else is left to reach the count. A coordinator is never dropped.
 */
export function trimMembers(
  members: readonly MemberConfig[],
  target: number,
  stats?: Record<string, MemberStats>,
): MemberConfig[] {
  const excess = members.length - target;
  if (excess <= 0) return cloneData([...members]);
  const drop = new Set(dropOrder(members, stats).slice(0, excess).map((c) => c.index));
  return cloneData(members.filter((_, i) => !drop.has(i)));
}

/** What `planTrim` keeps and drops, and the members it kept because the team needs them. */
export interface TrimPlan {
  members: MemberConfig[];
  dropped: string[];
  /** Enabled members classified critical, in list order: never dropped. */
  required: MemberNeedEvidence[];
  /** Members whose output other enabled members recorded waiting for (`waitedFor`), with those members: never dropped. */
  inputs: Array<{ id: string; neededBy: string[] }>;
}

/**
 * Like `trimMembers`, but it never drops a critical enabled member, one whose output another enabled member
 * waited for (the latter would run without its input), nor a coordinator: when `target` cannot be reached
 * without one, the list stops at the smallest length that keeps them all.
 */
export function planTrim(members: readonly MemberConfig[], target: number, stats?: Record<string, MemberStats>): TrimPlan {
  const required = members.filter((m) => isEnabled(m) && !isCoordinator(m)).map((m) => memberNeed(m.id, stats?.[m.id])).filter((e) => e.need === 'critical');
  const listed = new Set(members.map((m) => m.id));
  const neededBy = new Map<string, string[]>();
  for (const m of members) {
    if (!isEnabled(m)) continue;
    for (const dep of stats?.[m.id]?.waitedFor ?? []) {
      if (dep === m.id || !listed.has(dep)) continue;
      neededBy.set(dep, [...(neededBy.get(dep) ?? []), m.id]);
    }
  }
  const inputs = members.filter((m) => isEnabled(m) && !isCoordinator(m) && neededBy.has(m.id)).map((m) => ({ id: m.id, neededBy: neededBy.get(m.id)! }));
  const excess = members.length - target;
  const droppable = dropOrder(members, stats).filter((c) => !isEnabled(c.m) || (c.evidence.need !== 'critical' && !neededBy.has(c.m.id)));
  const drop = new Set(droppable.slice(0, Math.max(0, excess)).map((c) => c.index));
  return {
    members: cloneData(members.filter((_, i) => !drop.has(i))),
    dropped: members.filter((_, i) => drop.has(i)).map((m) => m.id),
    required,
    inputs,
  };
}

/** The list grown to `target` entries with new members `member_<n>` (unique ids), keeping the others. */
export function padMembers(members: readonly MemberConfig[], target: number): MemberConfig[] {
  const out = cloneData([...members]);
  const ids = new Set(out.map((m) => m.id));
  let n = out.length + 1;
  while (out.length < target) {
    while (ids.has(`member_${n}`)) n++;
    ids.add(`member_${n}`);
    out.push({ id: `member_${n}` });
  }
  return out;
}

/** A new id with `base` as stem that none of `members` (at any depth) uses. */
export function uniqueId(base: string, members: readonly MemberConfig[]): string {
  const ids = new Set<string>();
  const walk = (ms: readonly MemberConfig[]): void => {
    for (const m of ms) {
      ids.add(m.id);
      if (m.members) walk(m.members);
    }
  };
  walk(members);
  if (!ids.has(base)) return base;
  let i = 2;
  while (ids.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}
