import type { MemberRecord } from '../record';
import type { MemberStats } from '../summary-types';
import { setIfDefined } from './group-accumulator';
import { OptionalSum, RunningStats } from './running-stats';
import type { OptionalSumState, RunningStatsState } from './running-stats';

/** The serialisable state of a `MemberAccumulator`. */
export interface MemberState {
  memberId: string;
  role: string | undefined;
  roleAt: number;
  runs: number;
  successes: number;
  failuresWithTeamFailure: number;
  duration: RunningStatsState;
  toolCalls: RunningStatsState;
  cost: OptionalSumState;
  waitedFor: string[] | undefined;
}

/** Running figures for one member of one team. Only counters and sums: no per-run values are kept. */
export class MemberAccumulator {
  /**
   * The role named in the team's latest run that names one (by the run's start; at equal starts, the run added
   * later), as the team's latest formation is: so partial figures merge to the same role in any order, as
   * long as no two of them name roles in runs that start at the same instant.
   */
  role: string | undefined;
  roleAt = Number.NEGATIVE_INFINITY;
  runs = 0;
  successes = 0;
  failuresWithTeamFailure = 0;
  private readonly duration = new RunningStats();
  private readonly toolCalls = new RunningStats();
  private readonly cost = new OptionalSum();
  private waitedFor: Set<string> | undefined;

  /** `index` numbers the member within its team, for the team's pair counts. */
  constructor(
    readonly memberId: string,
    readonly index: number,
  ) {}

  /** `teamSuccess` and `runStartMs` are the outcome and start of the run the member took part in. */
  add(m: MemberRecord, teamSuccess: boolean, runStartMs: number): void {
    this.runs++;
    if (m.success) this.successes++;
    else if (!teamSuccess) this.failuresWithTeamFailure++;
    if (m.role !== undefined && runStartMs >= this.roleAt) {
      this.role = m.role;
      this.roleAt = runStartMs;
    }
    this.duration.add(m.durationSeconds);
    this.toolCalls.add(m.toolCalls);
    this.cost.add(m.costUsd);
    if (m.waitedFor !== undefined) {
      this.waitedFor ??= new Set();
      for (const id of m.waitedFor) this.waitedFor.add(id);
    }
  }

  state(): MemberState {
    return {
      memberId: this.memberId,
      role: this.role,
      roleAt: this.roleAt,
      runs: this.runs,
      successes: this.successes,
      failuresWithTeamFailure: this.failuresWithTeamFailure,
      duration: this.duration.state(),
      toolCalls: this.toolCalls.state(),
      cost: this.cost.state(),
      waitedFor: this.waitedFor === undefined ? undefined : [...this.waitedFor],
    };
  }

  /** Fold in the role only (see `merge`). */
  mergeRole(o: MemberState): void {
    if (o.role !== undefined && o.roleAt >= this.roleAt) {
      this.role = o.role;
      this.roleAt = o.roleAt;
    }
  }

  /** Fold in the same member's figures from a later part of the input (at equal starts, its role wins). */
  merge(o: MemberState): void {
    this.mergeRole(o);
    this.runs += o.runs;
    this.successes += o.successes;
    this.failuresWithTeamFailure += o.failuresWithTeamFailure;
    this.duration.merge(o.duration);
    this.toolCalls.merge(o.toolCalls);
    this.cost.merge(o.cost);
    if (o.waitedFor !== undefined) {
      this.waitedFor ??= new Set();
      for (const id of o.waitedFor) this.waitedFor.add(id);
    }
  }

  /**
   * This member's figures. `timedRunsWith` and `startedAfterEndOf` come from the team, which counts them
   * per pair; a member timed with another always has an entry (maybe 0) in both.
   */
  stats(timedRunsWith: Record<string, number>, startedAfterEndOf: Record<string, number>): MemberStats {
    const out: MemberStats = {
      memberId: this.memberId,
      runs: this.runs,
      successes: this.successes,
      successRate: this.runs > 0 ? this.successes / this.runs : 0,
      meanDurationSeconds: this.duration.mean,
      stdDevDurationSeconds: this.duration.stdDev,
      meanToolCalls: this.toolCalls.mean,
      stdDevToolCalls: this.toolCalls.stdDev,
      failures: this.runs - this.successes,
      failuresWithTeamFailure: this.failuresWithTeamFailure,
      startedAfterEndOf,
      timedRunsWith,
    };
    setIfDefined(out, 'role', this.role);
    setIfDefined(out, 'meanCostUsd', this.cost.mean);
    if (this.waitedFor !== undefined) out.waitedFor = [...this.waitedFor].sort();
    return out;
  }
}
