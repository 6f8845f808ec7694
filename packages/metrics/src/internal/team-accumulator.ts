import type { ExecutionRecord } from '../record';
import type { GroupStats, MemberStats, TeamStats } from '../summary-types';
import { GroupAccumulator, setIfDefined } from './group-accumulator';
import { MemberAccumulator } from './member-accumulator';
import { PairCounts } from './pair-counts';

/** Everything kept about one team: its groups, its members, and the config of its latest run. */
export class TeamAccumulator {
  private readonly all = new GroupAccumulator();
  private readonly byFormation = new Map<string, GroupAccumulator>();
  /** Keyed by the number itself: no string is built per run on the hot path. */
  private readonly byMemberCount = new Map<number, GroupAccumulator>();
  private readonly byFingerprint = new Map<string, GroupAccumulator>();
  private readonly members = new Map<string, MemberAccumulator>();
  private readonly memberList: MemberAccumulator[] = [];
  /** timed(i, j): runs in which members i and j both had times; after(i, j): of those, i started after j ended. */
  private readonly timed = new PairCounts();
  private readonly after = new PairCounts();
  /** Scratch space for one run's timed members, reused to keep the hot path allocation-free. */
  private readonly scratch: { index: number; start: number; end: number }[] = [];
  private firstStartTimeMs = Number.POSITIVE_INFINITY;
  private lastStartTimeMs = Number.NEGATIVE_INFINITY;
  private latestFormation: string | undefined;
  private latestFormationAt = Number.NEGATIVE_INFINITY;
  private latestMemberCount: number | undefined;
  private latestMemberCountAt = Number.NEGATIVE_INFINITY;
  private latestFingerprint: string | undefined;
  private latestFingerprintAt = Number.NEGATIVE_INFINITY;

  constructor(readonly teamId: string) {}

  add(r: ExecutionRecord): void {
    this.all.add(r);
    if (r.formation !== undefined) groupFor(this.byFormation, r.formation).add(r);
    groupFor(this.byMemberCount, r.memberCount).add(r);
    if (r.configFingerprint !== undefined) groupFor(this.byFingerprint, r.configFingerprint).add(r);

    const t = r.startTimeMs;
    if (t < this.firstStartTimeMs) this.firstStartTimeMs = t;
    if (t > this.lastStartTimeMs) this.lastStartTimeMs = t;
    // ">=" so that among runs that started at the same instant the one added last wins, as a reader expects.
    if (r.formation !== undefined && t >= this.latestFormationAt) {
      this.latestFormation = r.formation;
      this.latestFormationAt = t;
    }
    if (t >= this.latestMemberCountAt) {
      this.latestMemberCount = r.memberCount;
      this.latestMemberCountAt = t;
    }
    if (r.configFingerprint !== undefined && t >= this.latestFingerprintAt) {
      this.latestFingerprint = r.configFingerprint;
      this.latestFingerprintAt = t;
    }

    const ms = r.members;
    let timedCount = 0;
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i];
      let acc = this.members.get(m.memberId);
      if (acc === undefined) {
        acc = new MemberAccumulator(m.memberId, this.memberList.length);
        this.members.set(m.memberId, acc);
        this.memberList.push(acc);
      }
      acc.add(m, r.success);
      if (m.startTimeMs !== undefined && m.endTimeMs !== undefined) {
        const slot = this.scratch[timedCount];
        if (slot === undefined) this.scratch.push({ index: acc.index, start: m.startTimeMs, end: m.endTimeMs });
        else {
          slot.index = acc.index;
          slot.start = m.startTimeMs;
          slot.end = m.endTimeMs;
        }
        timedCount++;
      }
    }
    this.addTimingEvidence(timedCount);
  }

  /**
   * Pairwise timing evidence: for each ordered pair of timed members of one run, count the run, and
   * whether the first started at or after the second ended. Teams are small (a handful of members), so
   * the quadratic pass is cheap. A member listed twice in a run is not paired with itself.
   */
  private addTimingEvidence(n: number): void {
    const s = this.scratch;
    for (let i = 0; i < n; i++) {
      const a = s[i];
      for (let j = 0; j < n; j++) {
        const b = s[j];
        if (a.index === b.index) continue;
        this.timed.increment(a.index, b.index);
        if (a.start >= b.end) this.after.increment(a.index, b.index);
      }
    }
  }

  stats(): TeamStats {
    const members: Record<string, MemberStats> = {};
    const sorted = [...this.memberList].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    for (const a of sorted) {
      const timedRunsWith: Record<string, number> = {};
      const startedAfterEndOf: Record<string, number> = {};
      for (const b of sorted) {
        const n = this.timed.get(a.index, b.index);
        if (n === 0) continue;
        timedRunsWith[b.memberId] = n;
        startedAfterEndOf[b.memberId] = this.after.get(a.index, b.index);
      }
      members[a.memberId] = a.stats(timedRunsWith, startedAfterEndOf);
    }
    const out: TeamStats = {
      teamId: this.teamId,
      ...this.all.stats(),
      byFormation: groupStats(this.byFormation),
      byMemberCount: groupStats(new Map([...this.byMemberCount].sort((a, b) => a[0] - b[0]).map(([k, g]) => [String(k), g])), false),
      byFingerprint: groupStats(this.byFingerprint),
      members,
      firstStartTimeMs: this.firstStartTimeMs,
      lastStartTimeMs: this.lastStartTimeMs,
    };
    setIfDefined(out, 'latestFormation', this.latestFormation);
    setIfDefined(out, 'latestMemberCount', this.latestMemberCount);
    setIfDefined(out, 'latestFingerprint', this.latestFingerprint);
    return out;
  }
}

function groupFor<K>(map: Map<K, GroupAccumulator>, key: K): GroupAccumulator {
  let g = map.get(key);
  if (g === undefined) {
    g = new GroupAccumulator();
    map.set(key, g);
  }
  return g;
}

/** Stats per key, keys in sorted order (numeric keys arrive pre-sorted and stay in that order). */
function groupStats(map: Map<string, GroupAccumulator>, sort = true): Record<string, GroupStats> {
  const out: Record<string, GroupStats> = {};
  const keys = [...map.keys()];
  if (sort) keys.sort();
  for (const key of keys) out[key] = map.get(key)!.stats();
  return out;
}
