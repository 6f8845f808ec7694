import type { MemberStats } from '@autotune/metrics';
import { listWords, pct, type Rule, sec, severityOf } from '../internal/rule-kit';

type DependencySource = 'recorded' | 'timing';

/**
 * Who waits for whom: B depends on A when B recorded A in `waitedFor`; for a member with no recorded
 * dependencies, when B started after A ended in at least `share` of the runs timed for both (and at
 * least `minRuns` such runs). Undefined when some pair can be judged neither way: independence is then
 * not shown, and the rule stays silent.
 */
function dependencies(
  members: MemberStats[],
  share: number,
  minRuns: number,
): { deps: Map<string, Set<string>>; sources: Set<DependencySource> } | undefined {
  const ids = new Set(members.map((m) => m.memberId));
  const deps = new Map<string, Set<string>>();
  const sources = new Set<DependencySource>();
  for (const b of members) {
    const set = new Set<string>();
    if (b.waitedFor !== undefined) {
      sources.add('recorded');
      for (const a of b.waitedFor) if (a !== b.memberId && ids.has(a)) set.add(a);
    } else {
      sources.add('timing');
      for (const a of members) {
        if (a === b) continue;
        const timed = b.timedRunsWith[a.memberId] ?? 0;
        if (timed < minRuns) return undefined;
        if ((b.startedAfterEndOf[a.memberId] ?? 0) / timed >= share) set.add(a.memberId);
      }
    }
    deps.set(b.memberId, set);
  }
  return { deps, sources };
}

/**
 * parallelizable_members: in a team whose current formation runs members one after another
 * (`parallelizableFormations`, default sequential and pipeline), members that never wait for each other's
 * output. Dependencies come from the recorded `waitedFor`, or from timing when none were recorded (timing
 * can only show independence when the order of members varied between runs). With each member's mean
 * duration as its weight, the critical path through the dependencies is what the team would take with
 * independent members side by side; the estimated saving is the current mean duration (at most the sum
 * of the members' means) minus the critical path. Fires when the saving is at least `minParallelSaving` of
 * the mean duration. `details.independentGroups` holds the groups that could run together ("a+b+c"),
 * `details.independentMembers` their members, `details.estimatedSavingSeconds` the saving.
 */
export const parallelizableMembers: Rule = (stats, o) => {
  const formation = stats.latestFormation;
  if (formation === undefined || !o.thresholds.parallelizableFormations.includes(formation)) return [];
  const group = stats.byFormation[formation];
  if (group === undefined || group.runs < o.minRuns) return [];
  const members = Object.values(stats.members).filter((m) => m.runs >= o.minRuns);
  if (members.length < 2) return [];
  const found = dependencies(members, o.thresholds.dependencyTimingShare, o.minRuns);
  if (found === undefined) return [];
  const { deps, sources } = found;

  // Longest path (critical path) and depth level of each member, in topological order.
  const byId = new Map(members.map((m) => [m.memberId, m]));
  const finish = new Map<string, number>();
  const level = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const pending = new Map([...deps].map(([id, d]) => [id, d.size]));
  const queue = [...pending].filter(([, n]) => n === 0).map(([id]) => id).sort();
  while (queue.length > 0) {
    const id = queue.shift()!;
    let start = 0;
    let lvl = 0;
    let before: string | undefined;
    for (const a of deps.get(id)!) {
      if (finish.get(a)! > start) {
        start = finish.get(a)!;
        before = a;
      }
      lvl = Math.max(lvl, level.get(a)! + 1);
    }
    finish.set(id, start + byId.get(id)!.meanDurationSeconds);
    level.set(id, lvl);
    via.set(id, before);
    for (const [b, d] of deps) {
      if (d.has(id)) {
        pending.set(b, pending.get(b)! - 1);
        if (pending.get(b) === 0) queue.push(b);
      }
    }
  }
  if (finish.size < members.length) return []; // a cycle: recorded dependencies are not a schedule

  const sequential = members.reduce((a, m) => a + m.meanDurationSeconds, 0);
  const current = Math.min(group.duration.mean, sequential);
  const critical = Math.max(...finish.values());
  const saving = current - critical;
  if (!(saving > 0) || saving < o.thresholds.minParallelSaving * group.duration.mean) return [];

  const levels = new Map<number, string[]>();
  for (const [id, l] of level) levels.set(l, [...(levels.get(l) ?? []), id]);
  const groups = [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([, ids]) => ids.sort()).filter((ids) => ids.length > 1);
  const firstGroup = groups[0];
  if (firstGroup === undefined) return [];
  const independent = groups.flat();
  let last = [...finish].reduce((a, b) => (b[1] > a[1] ? b : a))[0] as string | undefined;
  const path: string[] = [];
  while (last !== undefined) {
    path.unshift(last);
    last = via.get(last);
  }

  const source = sources.size === 2 ? 'recorded dependencies and member timings' : sources.has('recorded') ? 'recorded dependencies' : 'member timings';
  const share = saving / group.duration.mean;
  return [{
    bottleneck: 'parallelizable_members',
    severity: severityOf(share),
    currentValue: current,
    baselineValue: critical,
    impactMagnitude: share,
    recommendation:
      `Members ${groups.map((g) => listWords(g)).join('; ')} never wait for each other's output (per ${source}); ` +
      `running them side by side would cut the critical path from ${sec(current)} to ${sec(critical)}, ` +
      `saving about ${sec(saving)} per run (${pct(share)}). Split the ${formation} team into parallel sub-teams ` +
      `(for example a hierarchical team with ${listWords(firstGroup)} in a parallel sub-team).`,
    affectedComponents: independent,
    evidence: {
      runs: group.runs,
      details: {
        formation,
        independentMembers: independent,
        independentGroups: groups.map((g) => g.join('+')),
        criticalPath: path,
        criticalPathSeconds: critical,
        sumOfMemberSeconds: sequential,
        estimatedSavingSeconds: saving,
        dependencySource: source,
      },
    },
  }];
};
