import type { MemberRecord } from '../record';
import type { MemberStats } from '../summary-types';
import { setIfDefined } from './group-accumulator';
import { OptionalSum, RunningStats } from './running-stats';

/** Running figures for one member of one team. Only counters and sums: no per-run values are kept. */
export class MemberAccumulator {
  role: string | undefined;
  runs = 0;
  successes = 0;
  private readonly duration = new RunningStats();
  private readonly toolCalls = new RunningStats();
  private readonly cost = new OptionalSum();
  private waitedFor: Set<string> | undefined;
  readonly startedAfterEndOf = new Map<string, number>();
  readonly timedRunsWith = new Map<string, number>();

  constructor(readonly memberId: string) {}

  add(m: MemberRecord): void {
    this.runs++;
    if (m.success) this.successes++;
    if (m.role !== undefined) this.role = m.role;
    this.duration.add(m.durationSeconds);
    this.toolCalls.add(m.toolCalls);
    this.cost.add(m.costUsd);
    if (m.waitedFor !== undefined) {
      this.waitedFor ??= new Set();
      for (const id of m.waitedFor) this.waitedFor.add(id);
    }
  }

  /** Record that this member and `other` both had times in one run, and whether this one started after it ended. */
  addTiming(other: string, startedAfterEnd: boolean): void {
    this.timedRunsWith.set(other, (this.timedRunsWith.get(other) ?? 0) + 1);
    // Zero counts are kept too, so a key present in timedRunsWith is always present here.
    this.startedAfterEndOf.set(other, (this.startedAfterEndOf.get(other) ?? 0) + (startedAfterEnd ? 1 : 0));
  }

  stats(): MemberStats {
    const out: MemberStats = {
      memberId: this.memberId,
      runs: this.runs,
      successes: this.successes,
      successRate: this.runs > 0 ? this.successes / this.runs : 0,
      meanDurationSeconds: this.duration.mean,
      stdDevDurationSeconds: this.duration.stdDev,
      meanToolCalls: this.toolCalls.mean,
      stdDevToolCalls: this.toolCalls.stdDev,
      startedAfterEndOf: sortedRecord(this.startedAfterEndOf),
      timedRunsWith: sortedRecord(this.timedRunsWith),
    };
    setIfDefined(out, 'role', this.role);
    setIfDefined(out, 'meanCostUsd', this.cost.mean);
    if (this.waitedFor !== undefined) out.waitedFor = [...this.waitedFor].sort();
    return out;
  }
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...map.keys()].sort()) out[key] = map.get(key)!;
  return out;
}
