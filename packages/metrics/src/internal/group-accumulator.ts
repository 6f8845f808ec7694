import type { ExecutionRecord, LimitHit } from '../record';
import type { GroupStats } from '../summary-types';
import { distributionOfSorted } from '../quantile';
import { FloatBuffer } from './float-buffer';
import { OptionalSum, RunningStats } from './running-stats';
import type { OptionalSumState, RunningStatsState } from './running-stats';

/** The serialisable state of a `GroupAccumulator` (structured-clone safe; `durations` can be transferred). */
export interface GroupState {
  runs: number;
  successes: number;
  /** In ascending order (`FloatBuffer.sortedCopy`). */
  durations: Float64Array;
  toolCalls: RunningStatsState;
  memberCountSum: number;
  inputTokens: OptionalSumState;
  outputTokens: OptionalSumState;
  cost: OptionalSumState;
  limitHits: Record<LimitHit, number>;
  toolBudget: number | undefined;
  timeoutSeconds: number | undefined;
}

/** Running figures for one group of runs; durations kept as numbers so quantiles stay exact. */
export class GroupAccumulator {
  runs = 0;
  successes = 0;
  private readonly durations = new FloatBuffer();
  private readonly toolCalls = new RunningStats();
  private memberCountSum = 0;
  private readonly inputTokens = new OptionalSum();
  private readonly outputTokens = new OptionalSum();
  private readonly cost = new OptionalSum();
  private readonly limitHits: Record<LimitHit, number> = { timeout: 0, tool_budget: 0, max_turns: 0 };
  private toolBudget: number | undefined;
  private timeoutSeconds: number | undefined;

  add(r: ExecutionRecord): void {
    this.runs++;
    if (r.success) this.successes++;
    this.durations.push(r.durationSeconds);
    this.toolCalls.add(r.toolCalls);
    this.memberCountSum += r.memberCount;
    this.inputTokens.add(r.inputTokens);
    this.outputTokens.add(r.outputTokens);
    this.cost.add(r.costUsd);
    if (r.limitHit !== undefined) this.limitHits[r.limitHit]++;
    if (r.toolBudget !== undefined && (this.toolBudget === undefined || r.toolBudget > this.toolBudget)) {
      this.toolBudget = r.toolBudget;
    }
    if (r.timeoutSeconds !== undefined && (this.timeoutSeconds === undefined || r.timeoutSeconds > this.timeoutSeconds)) {
      this.timeoutSeconds = r.timeoutSeconds;
    }
  }

  state(): GroupState {
    return {
      runs: this.runs,
      successes: this.successes,
      // Sorted here, on the partial's own thread: the merged lists are then merged, not sorted again (`FloatBuffer`).
      durations: this.durations.sortedCopy(),
      toolCalls: this.toolCalls.state(),
      memberCountSum: this.memberCountSum,
      inputTokens: this.inputTokens.state(),
      outputTokens: this.outputTokens.state(),
      cost: this.cost.state(),
      limitHits: { ...this.limitHits },
      toolBudget: this.toolBudget,
      timeoutSeconds: this.timeoutSeconds,
    };
  }

  /** Fold in the figures of the same group from a later part of the input. Exact: see running-stats.ts. */
  merge(o: GroupState): void {
    this.runs += o.runs;
    this.successes += o.successes;
    this.durations.pushAll(o.durations, true);
    this.toolCalls.merge(o.toolCalls);
    // Member counts are whole numbers (validated), so this sum is exact below 2^53.
    this.memberCountSum += o.memberCountSum;
    this.inputTokens.merge(o.inputTokens);
    this.outputTokens.merge(o.outputTokens);
    this.cost.merge(o.cost);
    this.limitHits.timeout += o.limitHits.timeout;
    this.limitHits.tool_budget += o.limitHits.tool_budget;
    this.limitHits.max_turns += o.limitHits.max_turns;
    if (o.toolBudget !== undefined && (this.toolBudget === undefined || o.toolBudget > this.toolBudget)) this.toolBudget = o.toolBudget;
    if (o.timeoutSeconds !== undefined && (this.timeoutSeconds === undefined || o.timeoutSeconds > this.timeoutSeconds)) {
      this.timeoutSeconds = o.timeoutSeconds;
    }
  }

  stats(): GroupStats {
    const sorted = this.durations.sortedCopy();
    const out: GroupStats = {
      runs: this.runs,
      successes: this.successes,
      successRate: this.runs > 0 ? this.successes / this.runs : 0,
      duration: distributionOfSorted(sorted),
      durationsSeconds: sorted,
      meanToolCalls: this.toolCalls.mean,
      stdDevToolCalls: this.toolCalls.stdDev,
      meanMemberCount: this.runs > 0 ? this.memberCountSum / this.runs : 0,
      limitHits: { ...this.limitHits },
    };
    // Optional fields are left out rather than set to undefined, so deep equality across formats holds.
    setIfDefined(out, 'meanInputTokens', this.inputTokens.mean);
    setIfDefined(out, 'meanOutputTokens', this.outputTokens.mean);
    setIfDefined(out, 'meanCostUsd', this.cost.mean);
    setIfDefined(out, 'totalCostUsd', this.cost.total);
    setIfDefined(out, 'toolBudget', this.toolBudget);
    setIfDefined(out, 'timeoutSeconds', this.timeoutSeconds);
    return out;
  }
}

/** Assign only a defined value, keeping optional properties absent instead of present-but-undefined. */
export function setIfDefined<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}
