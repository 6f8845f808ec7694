// Test data: runs built by a small seeded generator, folded by the real MetricsAggregator.
import { type ExecutionRecord, type LimitHit, type MemberRecord, MetricsAggregator, type TeamStats } from '@autotune/metrics';

/** mulberry32: a tiny seeded PRNG, so every generated data set is the same on every run. */
/** The first element, or a test failure naming what was expected: for results a test needs at least one of. */
export function first<T>(xs: readonly T[], what = 'an element'): T {
  const x = xs[0];
  if (x === undefined) throw new Error(`expected at least ${what}, got none`);
  return x;
}

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a seeded uniform source (Box-Muller). */
export function normalFrom(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export interface MemberSpec {
  id: string;
  role?: string;
  meanSeconds: number;
  sdSeconds?: number;
  toolCalls?: number;
  successRate?: number;
  /** Recorded dependencies; omit to record none (timing evidence only). */
  waitedFor?: string[];
}

export interface TeamSpec {
  teamId?: string;
  runs: number;
  formation?: string;
  memberCount?: number;
  /** Team duration when no members are given. */
  meanSeconds?: number;
  sdSeconds?: number;
  /** Exact share of successful runs, spread evenly over the runs. */
  successRate?: number;
  toolCalls?: number;
  toolCallsSd?: number;
  members?: MemberSpec[];
  /**
   * How members' times are laid out: one after another in the listed order, side by side, one after
   * another in a random order per run, or no times at all.
   */
  schedule?: 'sequential' | 'parallel' | 'shuffled' | 'untimed';
  /** Runs (counts, spread evenly) that end on each limit; they count as failures. */
  limitHits?: Partial<Record<LimitHit, number>>;
  toolBudget?: number;
  timeoutSeconds?: number;
  seed?: number;
  /** Epoch ms of the first run; runs are an hour apart. */
  startMs?: number;
}

/** Indexes 0..runs-1, `count` of them chosen evenly spread. */
function spread(runs: number, count: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < runs; i++) if (Math.floor(((i + 1) * count) / runs) > Math.floor((i * count) / runs)) out.add(i);
  return out;
}

/** Runs of one team as the spec says; durations and tool calls are seeded normal draws. */
export function makeRecords(spec: TeamSpec): ExecutionRecord[] {
  const rng = seededRandom(spec.seed ?? 1);
  const z = normalFrom(rng);
  const teamId = spec.teamId ?? 'team';
  const runs = spec.runs;
  const hits = spec.limitHits ?? {};
  const hitKinds: LimitHit[] = [];
  for (const kind of ['timeout', 'tool_budget', 'max_turns'] as const) for (let i = 0; i < (hits[kind] ?? 0); i++) hitKinds.push(kind);
  const failures = Math.max(hitKinds.length, runs - Math.round(runs * (spec.successRate ?? 1)));
  const failing = [...spread(runs, failures)];
  const limitAt = new Map<number, LimitHit>();
  // Limit hits take evenly spread places among the failing runs; the other failures are errors.
  [...spread(failing.length, hitKinds.length)].forEach((j, k) => limitAt.set(failing[j]!, hitKinds[k]!)); // j < failing.length, k < hitKinds.length
  const failSet = new Set(failing);
  const memberFail = new Map((spec.members ?? []).map((m) => [m.id, spread(runs, runs - Math.round(runs * (m.successRate ?? 1)))]));

  const out: ExecutionRecord[] = [];
  for (let i = 0; i < runs; i++) {
    const startMs = (spec.startMs ?? Date.UTC(2025, 0, 1)) + i * 3_600_000;
    const members: MemberRecord[] = [];
    let duration: number;
    if (spec.members && spec.members.length > 0) {
      const order = [...spec.members];
      if (spec.schedule === 'shuffled') {
        for (let k = order.length - 1; k > 0; k--) {
          const j = Math.floor(rng() * (k + 1));
          [order[k], order[j]] = [order[j]!, order[k]!]; // j <= k < order.length
        }
      }
      let t = 0;
      let end = 0;
      for (const m of order) {
        const d = Math.max(0.1, m.meanSeconds + (m.sdSeconds ?? m.meanSeconds * 0.05) * z());
        const start = spec.schedule === 'parallel' ? 0 : t;
        const rec: MemberRecord = {
          memberId: m.id,
          success: !memberFail.get(m.id)!.has(i),
          durationSeconds: d,
          toolCalls: Math.max(0, Math.round((m.toolCalls ?? 3) + z())),
        };
        if (m.role !== undefined) rec.role = m.role;
        if (m.waitedFor !== undefined) rec.waitedFor = m.waitedFor;
        if (spec.schedule !== 'untimed') {
          rec.startTimeMs = startMs + start * 1000;
          rec.endTimeMs = startMs + (start + d) * 1000;
        }
        members.push(rec);
        t = start + d;
        end = Math.max(end, start + d);
      }
      duration = end + 0.5;
    } else {
      duration = Math.max(0.1, (spec.meanSeconds ?? 20) + (spec.sdSeconds ?? (spec.meanSeconds ?? 20) * 0.1) * z());
    }
    const memberSuccess = members.every((m) => m.success);
    const limit = limitAt.get(i);
    const success = !failSet.has(i) && (spec.members && spec.successRate === undefined ? memberSuccess : true);
    const toolCalls = spec.members && spec.toolCalls === undefined
      ? members.reduce((a, m) => a + m.toolCalls, 0)
      : Math.max(0, Math.round((spec.toolCalls ?? 10) + (spec.toolCallsSd ?? 2) * z()));
    const r: ExecutionRecord = {
      teamId,
      executionId: `${teamId}-${spec.seed ?? 1}-${i}`,
      startTimeMs: startMs,
      endTimeMs: startMs + duration * 1000,
      durationSeconds: duration,
      success,
      memberCount: spec.memberCount ?? (spec.members?.length || 3),
      toolCalls,
      members,
    };
    if (spec.formation !== undefined) r.formation = spec.formation;
    if (limit !== undefined) r.limitHit = limit;
    else if (!success) r.error = 'generated failure';
    if (spec.toolBudget !== undefined) r.toolBudget = spec.toolBudget;
    if (spec.timeoutSeconds !== undefined) r.timeoutSeconds = spec.timeoutSeconds;
    out.push(r);
  }
  return out;
}

/** Several specs of one team in sequence (each starts after the previous one ends): the last is the latest. */
export function makeHistory(...specs: TeamSpec[]): ExecutionRecord[] {
  const out: ExecutionRecord[] = [];
  let start = Date.UTC(2025, 0, 1);
  specs.forEach((s, k) => {
    out.push(...makeRecords({ seed: k + 1, ...s, startMs: start }));
    start += (s.runs + 1) * 3_600_000;
  });
  return out;
}

/** The real aggregator's figures for the runs of one team. */
export function statsOf(records: Iterable<ExecutionRecord>, teamId = 'team'): TeamStats {
  const agg = new MetricsAggregator();
  for (const r of records) agg.add(r);
  const stats = agg.team(teamId);
  if (stats === undefined) throw new Error(`no runs for ${teamId}`);
  return stats;
}
