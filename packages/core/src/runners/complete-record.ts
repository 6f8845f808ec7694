import { randomUUID } from 'node:crypto';
import type { TrialContext } from '@autotune/abtest';
import { configFingerprint, MetricsError, validateRecord } from '@autotune/metrics';
import type { ExecutionRecord, LimitHit } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';

/** What the runner itself saw of a trial, used where the team's own record is silent. */
export interface TrialFacts {
  config: TeamConfig;
  teamId: string;
  context: TrialContext;
  startMs: number;
  endMs: number;
  /** The process exited 0, or the function resolved. */
  ok: boolean;
  error?: string;
  limitHit?: LimitHit;
  /** Execution ids of the runner's earlier trials: a repeated one is refused. The id is added when accepted. */
  seenExecutionIds?: Set<string>;
}

type Obj = Record<string, unknown>;

const CAMEL_KEYS = ['teamId', 'executionId', 'startTimeMs', 'endTimeMs', 'durationSeconds', 'toolCalls', 'memberCount', 'members'];
const SNAKE_KEYS = ['team_id', 'execution_id', 'start_time', 'end_time', 'timestamp', 'duration_seconds', 'total_tool_calls', 'member_count', 'member_metrics'];
const SHARED_KEYS = ['success', 'formation', 'error'];

/** Whether a parsed JSON line means to be an execution record (a JSON log line does not). */
export function looksLikeRecord(u: unknown): u is Obj {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
  return [...CAMEL_KEYS, ...SNAKE_KEYS, ...SHARED_KEYS].some((k) => k in u);
}

function newExecutionId(teamId: string, context: TrialContext): string {
  // Unique even when two experiments share a seed, so a store never drops a run as a duplicate.
  return `${teamId}-${context.arm}-${context.trial}-${randomUUID().slice(0, 8)}`;
}

function has(obj: Obj, key: string): boolean {
  return obj[key] !== undefined && obj[key] !== null;
}

/**
 * Turns what a team reported (autotune's camelCase record or the original's snake_case one, whole or in part)
 * into a full execution record: the runner's clock, exit status and team id fill what the record lacks,
 * then `validateRecord` checks it, then the trial's config fills formation, member count, budget, timeout
 * and fingerprint where the record is silent about them.
 *
 * @param reported the team's record, or undefined when it reported none (the run is then timed).
 * @param source names the record's origin in error messages.
 * @throws CoreError `CORE_RUNNER_OUTPUT` when the record is not valid, names another team than the trial's, or
 *   repeats an execution id of `facts.seenExecutionIds` (these two stop the experiment: the runner is broken).
 */
export function completeRecord(reported: Obj | undefined, facts: TrialFacts, source: string): ExecutionRecord {
  const { config, teamId, context, startMs, endMs } = facts;
  let record: ExecutionRecord;
  if (reported === undefined) {
    record = {
      teamId,
      executionId: newExecutionId(teamId, context),
      startTimeMs: startMs,
      endTimeMs: endMs,
      durationSeconds: (endMs - startMs) / 1000,
      success: facts.ok,
      memberCount: config.memberCount,
      toolCalls: 0,
      members: [],
    };
  } else {
    const raw: Obj = { ...reported };
    const snake = SNAKE_KEYS.some((k) => k in raw) && !CAMEL_KEYS.some((k) => k in raw);
    if (snake) {
      if (!has(raw, 'team_id')) raw.team_id = teamId;
      if (!has(raw, 'execution_id')) raw.execution_id = newExecutionId(teamId, context);
      if (!has(raw, 'start_time') && !has(raw, 'timestamp') && !has(raw, 'end_time')) raw.start_time = startMs / 1000;
      if (!has(raw, 'duration_seconds') && !has(raw, 'end_time')) raw.duration_seconds = (endMs - startMs) / 1000;
    } else {
      if (!has(raw, 'teamId')) raw.teamId = teamId;
      if (!has(raw, 'executionId')) raw.executionId = newExecutionId(teamId, context);
      if (!has(raw, 'startTimeMs')) {
        raw.startTimeMs = has(raw, 'endTimeMs') && has(raw, 'durationSeconds') ? Number(raw.endTimeMs) - Number(raw.durationSeconds) * 1000 : startMs;
      }
      if (!has(raw, 'durationSeconds') && !has(raw, 'endTimeMs')) raw.durationSeconds = (endMs - startMs) / 1000;
    }
    if (!has(raw, 'success')) raw.success = facts.ok;
    try {
      // The team may report the formation it was given (the workflow declares it) or a built-in one.
      record = validateRecord(raw, {}, { formations: config.formation ? [config.formation] : [] });
    } catch (e) {
      if (e instanceof MetricsError) throw new CoreError('CORE_RUNNER_OUTPUT', `${source} is not a valid execution record: ${e.message}`, { cause: e });
      throw e;
    }
    // The configured team size, not the number of member records the team chose to report.
    if (!has(raw, 'memberCount') && !has(raw, 'member_count')) record.memberCount = config.memberCount;
    // A record for another team would be stored under that team's name, poisoning its history.
    if (record.teamId !== teamId) {
      throw new CoreError('CORE_RUNNER_OUTPUT', `${source} is not valid trial output: it reports team "${record.teamId}", but this trial runs team "${teamId}"`, {
        stopsExperiment: true,
      });
    }
  }
  if (facts.seenExecutionIds) {
    // Stores keep one row per execution id: a team that prints a fixed id would collapse every trial into one.
    if (facts.seenExecutionIds.has(record.executionId)) {
      throw new CoreError(
        'CORE_RUNNER_OUTPUT',
        `${source} is not valid trial output: execution id "${record.executionId}" was already reported by an earlier trial; each run needs its own id (or none, and autotune makes one)`,
        { stopsExperiment: true },
      );
    }
    facts.seenExecutionIds.add(record.executionId);
  }
  if (facts.error !== undefined && record.error === undefined && !record.success) record.error = facts.error;
  if (facts.limitHit !== undefined && record.limitHit === undefined) record.limitHit = facts.limitHit;
  record.formation ??= config.formation;
  if (record.toolBudget === undefined && config.toolBudget !== undefined) record.toolBudget = config.toolBudget;
  if (record.timeoutSeconds === undefined && config.timeoutSeconds !== undefined) record.timeoutSeconds = config.timeoutSeconds;
  record.configFingerprint ??= configFingerprint(config);
  return record;
}
