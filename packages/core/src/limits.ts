import type { TeamConfig } from '@autotune/strategies';

/**
 * The limits a change lowers: the team's tool budget (or a member's share of it) and the run timeout. A run that
 * ends on a lowered limit is the direct trace of a cut too far, so `apply` and `tune` both check for it.
 */
export function tightenedLimits(before: TeamConfig, after: TeamConfig): Array<'tool_budget' | 'timeout'> {
  const out: Array<'tool_budget' | 'timeout'> = [];
  const lower = (a?: number, b?: number) => b !== undefined && (a === undefined || b < a);
  const shares = (c: TeamConfig) => new Map((c.members ?? []).map((m) => [m.id, m.toolBudgetMultiplier ?? 1]));
  const beforeShares = shares(before);
  const memberCut = [...shares(after)].some(([id, m]) => beforeShares.has(id) && m < beforeShares.get(id)!);
  if (lower(before.toolBudget, after.toolBudget) || memberCut) out.push('tool_budget');
  if (lower(before.timeoutSeconds, after.timeoutSeconds)) out.push('timeout');
  return out;
}
