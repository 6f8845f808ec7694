import { randomUUID } from 'node:crypto';
import { MetricsError } from './errors';
import { configFingerprint } from './fingerprint';
import type { ExecutionRecord, LimitHit, MemberRecord } from './record';
import type { MetricsSink } from './sink';
import { validateRecord } from './validate';

/**
 * The team config a run used. Keys are read in the workflow files' snake_case or in camelCase; the whole
 * object is hashed into the run's `configFingerprint`, so any change to it tells runs apart.
 */
export type TeamRunConfig = Readonly<Record<string, unknown>>;

/** What is known when a team run ends. Omitted figures are derived from the members where possible. */
export interface TeamRunResult {
  success: boolean;
  error?: string;
  /** Defaults to the sum of the members' tool calls. */
  toolCalls?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  limitHit?: LimitHit;
  labels?: Record<string, string>;
}

/** A member's part in a run, as reported to `recordMemberComplete`. */
export type MemberCompletion = MemberRecord;

/** The guide's summary of everything the collector has seen. */
export interface CollectorSummary {
  /** Completed runs (successful + failed); runs still in flight are `activeExecutions`. */
  totalExecutions: number;
  successfulExecutions: number;
  failedExecutions: number;
  activeExecutions: number;
  /** successful / total; 0 before any run completed. */
  successRate: number;
  averageDurationSeconds: number;
  averageMemberCount: number;
  totalToolCalls: number;
  /** Completed runs per formation (runs without a formation under `unknown`). */
  formationDistribution: Record<string, number>;
}

/** Per-formation figures of completed runs. */
export interface FormationStats {
  executions: number;
  successes: number;
  successRate: number;
  averageDurationSeconds: number;
  averageMemberCount: number;
  averageToolCalls: number;
}

/** Options of `TeamMetricsCollector`. */
export interface CollectorOptions {
  /** Where completed runs are written, in order. Add more later with `addSink`. */
  sinks?: MetricsSink[];
  /** Wall clock in epoch milliseconds; tests pass a fake one. */
  now?: () => number;
  /** Execution ids for runs started without one (default: random UUIDs). */
  newExecutionId?: () => string;
}

/** Passed to the function `track` times, to report members and final figures of the run. */
export interface TrackContext {
  readonly executionId: string;
  recordMember(member: MemberCompletion): void;
  /** Figures to merge into the run's result when it completes (tool calls, tokens, limit hit ...). */
  setResult(result: Partial<Omit<TeamRunResult, 'success'>>): void;
}

interface ActiveRun {
  teamId: string;
  startTimeMs: number;
  config: TeamRunConfig;
  fingerprint: string;
  members: MemberCompletion[];
}

interface Totals {
  runs: number;
  successes: number;
  durationSum: number;
  memberCountSum: number;
  toolCalls: number;
}

const UNKNOWN_FORMATION = 'unknown';

function emptyTotals(): Totals {
  return { runs: 0, successes: 0, durationSum: 0, memberCountSum: 0, toolCalls: 0 };
}

function pick(config: TeamRunConfig, ...keys: string[]): unknown {
  for (const k of keys) if (config[k] !== undefined && config[k] !== null) return config[k];
  return undefined;
}

/**
 * Records team runs as they happen: every run, each under its own execution id, so concurrent runs of one
 * team are all kept. Completed runs go to the sinks; the collector itself keeps only running totals, so
 * it can live as long as the process does.
 */
export class TeamMetricsCollector {
  private readonly active = new Map<string, ActiveRun>();
  private readonly sinks: MetricsSink[];
  private readonly now: () => number;
  private readonly newId: () => string;
  private totals = emptyTotals();
  private formations = new Map<string, Totals>();

  constructor(options: CollectorOptions = {}) {
    this.sinks = [...(options.sinks ?? [])];
    this.now = options.now ?? Date.now;
    this.newId = options.newExecutionId ?? randomUUID;
  }

  /** Send completed runs to one more sink as well. */
  addSink(sink: MetricsSink): void {
    this.sinks.push(sink);
  }

  /**
   * Mark the start of a team run and return its execution id (the one given, or a new one). Throws
   * `METRICS_USAGE` if a run with that id is already in flight.
   */
  recordTeamStart(teamId: string, config: TeamRunConfig = {}, executionId?: string): string {
    if (typeof teamId !== 'string' || teamId === '') {
      throw new MetricsError('METRICS_USAGE', `recordTeamStart needs a non-empty team id, got ${JSON.stringify(teamId)}`);
    }
    const id = executionId ?? this.newId();
    if (this.active.has(id)) {
      throw new MetricsError('METRICS_USAGE', `execution ${JSON.stringify(id)} is already in flight; give each run its own id`);
    }
    this.active.set(id, { teamId, startTimeMs: this.now(), config, fingerprint: configFingerprint(config), members: [] });
    return id;
  }

  /** Add one member's figures to a run in flight. */
  recordMemberComplete(executionId: string, member: MemberCompletion): void {
    this.run(executionId, 'recordMemberComplete').members.push(member);
  }

  /**
   * End a run: build and validate its record, update the totals, and write it to every sink (awaiting
   * asynchronous ones). Totals are updated before the sinks are awaited, so `getSummary` sees the run at
   * once. Throws `METRICS_VALIDATION` for bad figures and `METRICS_USAGE` for an unknown id.
   */
  async recordTeamComplete(executionId: string, result: TeamRunResult): Promise<ExecutionRecord> {
    const run = this.run(executionId, 'recordTeamComplete');
    this.active.delete(executionId);
    const endTimeMs = Math.max(this.now(), run.startTimeMs);
    const c = run.config;
    const members = pick(c, 'members');
    const record = validateRecord(
      {
        teamId: run.teamId,
        executionId,
        startTimeMs: run.startTimeMs,
        endTimeMs,
        durationSeconds: (endTimeMs - run.startTimeMs) / 1000,
        success: result.success,
        error: result.error,
        formation: pick(c, 'formation', 'team_formation'),
        memberCount: pick(c, 'member_count', 'memberCount') ?? (Array.isArray(members) ? members.length : run.members.length),
        toolBudget: pick(c, 'tool_budget', 'toolBudget', 'total_tool_budget'),
        timeoutSeconds: pick(c, 'timeout_seconds', 'timeoutSeconds'),
        toolCalls: result.toolCalls,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        costUsd: result.costUsd,
        limitHit: result.limitHit,
        configFingerprint: run.fingerprint,
        labels: result.labels,
        members: run.members,
      },
      {},
    );
    this.count(record);
    for (const sink of this.sinks) await sink.write(record);
    return record;
  }

  /**
   * Time an async team run: start it, call `fn`, and record the run as successful when `fn` resolves, or
   * as failed (with the error's message) when it throws, rethrowing the error. Returns `fn`'s value.
   */
  async track<T>(teamId: string, config: TeamRunConfig, fn: (ctx: TrackContext) => Promise<T> | T): Promise<T> {
    const executionId = this.recordTeamStart(teamId, config);
    let extra: Partial<Omit<TeamRunResult, 'success'>> = {};
    const ctx: TrackContext = {
      executionId,
      recordMember: (m) => this.recordMemberComplete(executionId, m),
      setResult: (r) => {
        extra = { ...extra, ...r };
      },
    };
    let value: T;
    try {
      value = await fn(ctx);
    } catch (e) {
      const error = extra.error ?? (e instanceof Error ? e.message : String(e));
      // The run's own error is what the caller needs; a failure to record it must not replace it.
      await this.recordTeamComplete(executionId, { ...extra, success: false, error }).catch(() => undefined);
      throw e;
    }
    await this.recordTeamComplete(executionId, { ...extra, success: true });
    return value;
  }

  /** Totals of completed runs, plus the number in flight. */
  getSummary(): CollectorSummary {
    const t = this.totals;
    const formationDistribution: Record<string, number> = {};
    for (const key of [...this.formations.keys()].sort()) formationDistribution[key] = this.formations.get(key)!.runs;
    return {
      totalExecutions: t.runs,
      successfulExecutions: t.successes,
      failedExecutions: t.runs - t.successes,
      activeExecutions: this.active.size,
      successRate: t.runs > 0 ? t.successes / t.runs : 0,
      averageDurationSeconds: t.runs > 0 ? t.durationSum / t.runs : 0,
      averageMemberCount: t.runs > 0 ? t.memberCountSum / t.runs : 0,
      totalToolCalls: t.toolCalls,
      formationDistribution,
    };
  }

  /** Figures of completed runs per formation. */
  getFormationStats(): Record<string, FormationStats> {
    const out: Record<string, FormationStats> = {};
    for (const key of [...this.formations.keys()].sort()) {
      const f = this.formations.get(key)!;
      out[key] = {
        executions: f.runs,
        successes: f.successes,
        successRate: f.successes / f.runs,
        averageDurationSeconds: f.durationSum / f.runs,
        averageMemberCount: f.memberCountSum / f.runs,
        averageToolCalls: f.toolCalls / f.runs,
      };
    }
    return out;
  }

  /**
   * Forget the totals of completed runs. Runs in flight are kept, so that their completion, which
   * concurrent code will still report, is not an error. Sinks are not touched.
   */
  clearMetrics(): void {
    this.totals = emptyTotals();
    this.formations = new Map();
  }

  /** Ids of the runs in flight. */
  activeExecutionIds(): string[] {
    return [...this.active.keys()];
  }

  /** Close every sink that can be closed. */
  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close?.();
  }

  private run(executionId: string, caller: string): ActiveRun {
    const run = this.active.get(executionId);
    if (run === undefined) {
      throw new MetricsError('METRICS_USAGE', `${caller}: no run in flight with execution id ${JSON.stringify(executionId)} (call recordTeamStart first)`);
    }
    return run;
  }

  private count(r: ExecutionRecord): void {
    const key = r.formation ?? UNKNOWN_FORMATION;
    let f = this.formations.get(key);
    if (f === undefined) {
      f = emptyTotals();
      this.formations.set(key, f);
    }
    for (const t of [this.totals, f]) {
      t.runs++;
      if (r.success) t.successes++;
      t.durationSum += r.durationSeconds;
      t.memberCountSum += r.memberCount;
      t.toolCalls += r.toolCalls;
    }
  }
}

const GLOBAL_KEY = Symbol.for('@autotune/metrics.collector');

/**
 * The process-wide collector, created on first use. It is kept on `globalThis` under a registered
 * symbol, so two copies of this package in one process still share it.
 */
export function getTeamMetricsCollector(): TeamMetricsCollector {
  const g = globalThis as unknown as Record<symbol, TeamMetricsCollector | undefined>;
  return (g[GLOBAL_KEY] ??= new TeamMetricsCollector());
}
