import type { ExecutionRecord } from '../record';
import type { GroupStats, MemberStats, TeamStats } from '../summary-types';
import { GroupAccumulator, setIfDefined } from './group-accumulator';
import type { GroupState } from './group-accumulator';
import { MemberAccumulator } from './member-accumulator';
import type { MemberState } from './member-accumulator';
import { PairCounts } from './pair-counts';

/**
 * The serialisable state of a `TeamAccumulator`: what a worker thread sends back for the teams of its byte
 * range. Plain data (structured-clone safe); the duration arrays can be transferred instead of copied.
 */
export interface TeamState {
  teamId: string;
  all: GroupState;
  byFormation: [string, GroupState][];
  byMemberCount: [number, GroupState][];
  byFingerprint: [string, GroupState][];
  /** In member-number order: `pairs` refers to members by their position here. */
  members: MemberState[];
  pairs: number[];
  firstStartTimeMs: number;
  lastStartTimeMs: number;
  latestFormation: string | undefined;
  latestFormationAt: number;
  latestMemberCount: number | undefined;
  latestMemberCountAt: number;
  latestFingerprint: string | undefined;
  latestFingerprintAt: number;
}

/** Everything kept about one team: its groups, its members, and the config of its latest run. */
export class TeamAccumulator {
  private readonly all = new GroupAccumulator();
  private readonly byFormation = new Map<string, GroupAccumulator>();
  /** Keyed by the number itself: no string is built per run on the hot path. */
  private readonly byMemberCount = new Map<number, GroupAccumulator>();
  private readonly byFingerprint = new Map<string, GroupAccumulator>();
  private readonly members = new Map<string, MemberAccumulator>();
  private readonly memberList: MemberAccumulator[] = [];
  /** Per ordered pair (i, j): runs in which both had times, and of those, runs in which i started after j ended. */
  private readonly pairs = new PairCounts();
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
    for (const m of ms) {
      const acc = this.member(m.memberId);
      acc.add(m, r.success, t);
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
    // The first n scratch slots were filled by add() for this run (n <= s.length).
    for (let i = 0; i < n; i++) {
      const a = s[i]!;
      for (let j = 0; j < n; j++) {
        const b = s[j]!;
        if (a.index === b.index) continue;
        this.pairs.add(a.index, b.index, a.start >= b.end);
      }
    }
  }

  private member(memberId: string): MemberAccumulator {
    let acc = this.members.get(memberId);
    if (acc === undefined) {
      acc = new MemberAccumulator(memberId, this.memberList.length);
      this.members.set(memberId, acc);
      this.memberList.push(acc);
    }
    return acc;
  }

  state(): TeamState {
    const entries = <K>(map: Map<K, GroupAccumulator>): [K, GroupState][] => [...map].map(([k, g]) => [k, g.state()]);
    return {
      teamId: this.teamId,
      all: this.all.state(),
      byFormation: entries(this.byFormation),
      byMemberCount: entries(this.byMemberCount),
      byFingerprint: entries(this.byFingerprint),
      members: this.memberList.map((m) => m.state()),
      pairs: this.pairs.state(),
      firstStartTimeMs: this.firstStartTimeMs,
      lastStartTimeMs: this.lastStartTimeMs,
      latestFormation: this.latestFormation,
      latestFormationAt: this.latestFormationAt,
      latestMemberCount: this.latestMemberCount,
      latestMemberCountAt: this.latestMemberCountAt,
      latestFingerprint: this.latestFingerprint,
      latestFingerprintAt: this.latestFingerprintAt,
    };
  }

  /**
   * Fold in the same team's figures from a later part of the input. The result equals adding those runs
   * one by one after this team's own: sums are exact, and "latest" ties go to the later part, as they go
   * to the later run.
   */
  merge(o: TeamState): void {
    this.all.merge(o.all);
    for (const [k, g] of o.byFormation) groupFor(this.byFormation, k).merge(g);
    for (const [k, g] of o.byMemberCount) groupFor(this.byMemberCount, k).merge(g);
    for (const [k, g] of o.byFingerprint) groupFor(this.byFingerprint, k).merge(g);
    const index = o.members.map((m) => {
      const acc = this.member(m.memberId);
      acc.merge(m);
      return acc.index;
    });
    // The other partial's pair counts name only its own members, each of which has an entry in index.
    this.pairs.merge(o.pairs, (i) => index[i]!);
    if (o.firstStartTimeMs < this.firstStartTimeMs) this.firstStartTimeMs = o.firstStartTimeMs;
    if (o.lastStartTimeMs > this.lastStartTimeMs) this.lastStartTimeMs = o.lastStartTimeMs;
    this.mergeLatestOfTeam(o);
  }

  /**
   * Fold in only what the order of adding runs decides (`latestValues`), as `merge` does: enough to see whether
   * merging partial figures in another order would change it, without merging their sums and durations again.
   */
  mergeLatest(o: TeamState): void {
    for (const m of o.members) this.member(m.memberId).mergeRole(m);
    this.mergeLatestOfTeam(o);
  }

  private mergeLatestOfTeam(o: TeamState): void {
    if (o.latestFormation !== undefined && o.latestFormationAt >= this.latestFormationAt) {
      this.latestFormation = o.latestFormation;
      this.latestFormationAt = o.latestFormationAt;
    }
    if (o.latestMemberCount !== undefined && o.latestMemberCountAt >= this.latestMemberCountAt) {
      this.latestMemberCount = o.latestMemberCount;
      this.latestMemberCountAt = o.latestMemberCountAt;
    }
    if (o.latestFingerprint !== undefined && o.latestFingerprintAt >= this.latestFingerprintAt) {
      this.latestFingerprint = o.latestFingerprint;
      this.latestFingerprintAt = o.latestFingerprintAt;
    }
  }

  /**
   * What the order of adding runs decides: the latest formation, member count and fingerprint and each member's
   * role (members by id), with the start times they were taken at. Only runs that start at the same instant make
   * them depend on that order (see `AGGREGATOR_LATEST`).
   */
  latestValues(): unknown[] {
    const roles = this.memberList.map((m) => [m.memberId, m.role, m.roleAt] as const).sort((a, b) => byId(a[0], b[0]));
    return [this.latestFormation, this.latestFormationAt, this.latestMemberCount, this.latestMemberCountAt, this.latestFingerprint, this.latestFingerprintAt, roles];
  }

  stats(): TeamStats {
    const members: Record<string, MemberStats> = {};
    const sorted = [...this.memberList].sort((a, b) => byId(a.memberId, b.memberId));
    // Only the pairs that ran together are visited: linear in pairs seen, not quadratic in members.
    const others: MemberAccumulator[] = [];
    const counts = new Map<number, [number, number]>();
    for (const a of sorted) {
      others.length = 0;
      counts.clear();
      this.pairs.forEachOf(a.index, (j, timed, after) => {
        others.push(this.memberList[j]!); // pair counts hold indexes of memberList only
        counts.set(j, [timed, after]);
      });
      others.sort((x, y) => byId(x.memberId, y.memberId));
      const timedRunsWith: Record<string, number> = {};
      const startedAfterEndOf: Record<string, number> = {};
      for (const b of others) {
        const [timed, after] = counts.get(b.index)!;
        timedRunsWith[b.memberId] = timed;
        startedAfterEndOf[b.memberId] = after;
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

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
