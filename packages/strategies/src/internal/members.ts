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
 * The list cut to `target` entries, order kept. Dropped first: disabled members, then the weakest by their
 * runs (failures weigh double, then slowness), then the last listed. A coordinator is never dropped.
 */
export function trimMembers(
  members: readonly MemberConfig[],
  target: number,
  stats?: Record<string, MemberStats>,
): MemberConfig[] {
  const excess = members.length - target;
  if (excess <= 0) return cloneData([...members]);
  const means = members.map((m) => stats?.[m.id]?.meanDurationSeconds).filter((x): x is number => x !== undefined);
  const teamMean = means.length > 0 ? means.reduce((a, b) => a + b, 0) / means.length : 0;
  const candidates = members
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => !isCoordinator(m))
    .sort(
      (a, b) =>
        Number(isEnabled(a.m)) - Number(isEnabled(b.m)) ||
        weakness(b.m, stats, teamMean) - weakness(a.m, stats, teamMean) ||
        b.index - a.index,
    );
  const drop = new Set(candidates.slice(0, excess).map((c) => c.index));
  return cloneData(members.filter((_, i) => !drop.has(i)));
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
