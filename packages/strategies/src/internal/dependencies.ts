// How dependent a team's members are on each other, read from their runs. Recorded `waitedFor` ids are
// direct evidence. Start-after-end timing is evidence only when the formation did not impose the order:
// in a sequential team every member starts after the previous one ends, whatever it needs.
import type { TeamStats } from '@autotune/metrics';

/** `strong`: at least `share` of the members depend on another; `none`: evidence exists and shows none. */
export type DependencyLevel = 'strong' | 'some' | 'none' | 'unknown';

const ORDERED_FORMATIONS = new Set(['sequential', 'pipeline']);

export function dependencyLevel(stats: TeamStats | undefined, formation: string, share = 0.5): DependencyLevel {
  if (!stats) return 'unknown';
  const members = Object.values(stats.members);
  const timingCounts = !ORDERED_FORMATIONS.has(formation);
  let withEvidence = 0;
  let dependent = 0;
  for (const m of members) {
    const waited = (m.waitedFor ?? []).filter((id) => id !== m.memberId && id in stats.members);
    let timed = false;
    let afterOther = false;
    if (timingCounts) {
      for (const [other, runs] of Object.entries(m.timedRunsWith)) {
        if (runs < 3 || other === m.memberId) continue;
        timed = true;
        if ((m.startedAfterEndOf[other] ?? 0) / runs >= 0.8) afterOther = true;
      }
    }
    if (m.waitedFor === undefined && !timed) continue;
    withEvidence++;
    if (waited.length > 0 || afterOther) dependent++;
  }
  if (withEvidence === 0) return 'unknown';
  if (dependent === 0) return 'none';
  return dependent / withEvidence >= share ? 'strong' : 'some';
}
