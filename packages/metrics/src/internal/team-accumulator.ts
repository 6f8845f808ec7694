import type { ExecutionRecord, MemberRecord } from '../record';
import type { GroupStats, MemberStats, TeamStats } from '../summary-types';
import { GroupAccumulator, setIfDefined } from './group-accumulator';
import { MemberAccumulator } from './member-accumulator';

/** Everything kept about one team: its groups, its members, and the config of its latest run. */
export class TeamAccumulator {
  private readonly all = new GroupAccumulator();
  private readonly byFormation = new Map<string, GroupAccumulator>();
  private readonly byMemberCount = new Map<string, GroupAccumulator>();
  private readonly byFingerprint = new Map<string, GroupAccumulator>();
  private readonly members = new Map<string, MemberAccumulator>();
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
    groupFor(this.byMemberCount, String(r.memberCount)).add(r);
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
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i];
      let acc = this.members.get(m.memberId);
      if (acc === undefined) {
        acc = new MemberAccumulator(m.memberId);
        this.members.set(m.memberId, acc);
      }
      acc.add(m);
    }
    this.addTimingEvidence(ms);
  }

  /**
   * Pairwise timing evidence: for each ordered pair of members that both have start and end times, count
   * the run, and whether the first started at or after the second ended. Teams are small (a handful of
   * members), so the quadratic pass is cheap.
   */
  private addTimingEvidence(ms: MemberRecord[]): void {
    for (let i = 0; i < ms.length; i++) {
      const a = ms[i];
      if (a.startTimeMs === undefined || a.endTimeMs === undefined) continue;
      const accA = this.members.get(a.memberId)!;
      for (let j = 0; j < ms.length; j++) {
        if (i === j) continue;
        const b = ms[j];
        if (b.memberId === a.memberId || b.startTimeMs === undefined || b.endTimeMs === undefined) continue;
        accA.addTiming(b.memberId, a.startTimeMs >= b.endTimeMs);
      }
    }
  }

  stats(): TeamStats {
    const members: Record<string, MemberStats> = {};
    for (const id of [...this.members.keys()].sort()) members[id] = this.members.get(id)!.stats();
    const out: TeamStats = {
      teamId: this.teamId,
      ...this.all.stats(),
      byFormation: groupStats(this.byFormation),
      byMemberCount: groupStats(this.byMemberCount),
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

function groupFor(map: Map<string, GroupAccumulator>, key: string): GroupAccumulator {
  let g = map.get(key);
  if (g === undefined) {
    g = new GroupAccumulator();
    map.set(key, g);
  }
  return g;
}

function groupStats(map: Map<string, GroupAccumulator>): Record<string, GroupStats> {
  const out: Record<string, GroupStats> = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key)!.stats();
  return out;
}
