import { MetricsError } from './errors';
import type { ErrorLocation } from '@autotune/errors';
import { canonicalJson, configFingerprint } from './fingerprint';
import { FORMATIONS } from './record';
import type { ExecutionRecord, LimitHit, MemberRecord } from './record';

const LIMIT_HITS: readonly LimitHit[] = ['timeout', 'tool_budget', 'max_turns'];

/**
 * The bounds a record's values must keep (docs/metrics.md, "Limits"). Values past them are not measurements
 * but bugs or tampering, and passed on they become nonsense downstream (a suggested timeout of 1.2e308 s).
 */
export const RECORD_LIMITS = {
  /** Longest duration, in seconds, of a run or member (and largest timeout): 366 days. */
  maxDurationSeconds: 366 * 24 * 3600,
  /** Earliest time, epoch ms: 1970-01-01T00:00:00Z. */
  minTimeMs: 0,
  /** Latest time, epoch ms: 2200-01-01T00:00:00Z. */
  maxTimeMs: Date.UTC(2200, 0, 1),
  /** Most tool calls, members, or tool budget: one billion. */
  maxCount: 1e9,
  /** Most input or output tokens: one quadrillion. */
  maxTokens: 1e15,
  /** Largest cost of a run or member, USD: one billion. */
  maxCostUsd: 1e9,
} as const;

/** Which bound a numeric field keeps. */
type Bound = 'duration' | 'count' | 'tokens' | 'cost';
const BOUND_MAX: Record<Bound, number> = {
  duration: RECORD_LIMITS.maxDurationSeconds,
  count: RECORD_LIMITS.maxCount,
  tokens: RECORD_LIMITS.maxTokens,
  cost: RECORD_LIMITS.maxCostUsd,
};

/**
 * Checks beyond the record's shape that depend on the caller's project. Passing a `RecordChecks` (even `{}`)
 * turns the formation check on; the readers always do.
 */
export interface RecordChecks {
  /**
   * Formations accepted besides the built-in {@link FORMATIONS} (for example the legacy `reflection`,
   * `adaptive`, `hybrid`). A record naming any other formation is refused.
   */
  formations?: readonly string[] | undefined;
}

/**
 * Formations are checked where records come in from outside (every file reader passes its options as
 * `checks`, and so do trial runners); a caller handing records over in memory without `checks` (records read
 * back from autotune's own database) is not second-guessed.
 */
function formationAllowed(f: string, checks: RecordChecks | undefined): boolean {
  return checks === undefined || (FORMATIONS as readonly string[]).includes(f) || (checks.formations?.includes(f) ?? false);
}

type Obj = Record<string, unknown>;

/**
 * Reads fields of one input object and throws a `MetricsError` naming the file, line or record and the
 * field path as the user wrote it (`member_metrics.reviewer_1.duration_seconds`).
 */
class FieldReader {
  constructor(
    private readonly obj: Obj,
    private readonly location: ErrorLocation,
    private readonly prefix: string,
  ) {}

  fail(key: string, message: string): never {
    throw new MetricsError('METRICS_VALIDATION', message, { location: { ...this.location, field: this.prefix + key } });
  }

  /** The value, with JSON null read as absent (Python writes None as null). */
  raw(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(key, `expected a string, got ${describe(v)}`);
    return v;
  }

  requiredString(key: string, what: string): string {
    const v = this.string(key);
    if (v === undefined || v === '') this.fail(key, `missing ${what}: expected a non-empty string`);
    return v;
  }

  boolean(key: string): boolean {
    const v = this.raw(key);
    if (v === undefined) this.fail(key, 'missing: expected true or false');
    if (typeof v !== 'boolean') this.fail(key, `expected true or false, got ${describe(v)}`);
    return v;
  }

  /** A finite number from 0 to the `bound`'s maximum; `integer` also demands a whole number (counts). */
  count(key: string, bound: Bound, integer = false): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `expected a number, got ${describe(v)}`);
    if (v < 0) this.fail(key, `must not be negative, got ${v}`);
    if (integer && !Number.isInteger(v)) this.fail(key, `expected a whole number, got ${v}`);
    if (v > BOUND_MAX[bound]) this.fail(key, `${v} is out of range: the most is ${BOUND_MAX[bound]}${bound === 'duration' ? ' s (366 days)' : ''}`);
    return v;
  }

  /** A finite number (a point in time; `unit` says how to read it for the range check). */
  time(key: string, unit: 'ms' | 's'): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `expected a number, got ${describe(v)}`);
    this.checkTime(key, unit === 's' ? v * 1000 : v, v);
    return v;
  }

  /** Fails unless `ms` lies between 1970 and 2200. */
  checkTime(key: string, ms: number, shown: unknown = ms): void {
    if (!(ms >= RECORD_LIMITS.minTimeMs && ms <= RECORD_LIMITS.maxTimeMs)) {
      this.fail(key, `time ${String(shown)} is out of range: expected a time from 1970 to 2200`);
    }
  }

  /** A formation, built in or declared in `checks`. */
  formation(key: string, checks: RecordChecks | undefined): string | undefined {
    const v = this.string(key);
    if (v === undefined || formationAllowed(v, checks)) return v;
    const declared = checks?.formations?.length ? ` or one declared (${checks.formations.join(', ')})` : '';
    return this.fail(
      key,
      `unknown formation ${JSON.stringify(v)}: expected one of ${FORMATIONS.join(', ')}${declared}; list any other formation your teams use under "formations" in autotune.config.*`,
    );
  }

  strings(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(key, `expected a list of strings, got ${describe(v)}`);
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'string') this.fail(`${key}[${i}]`, `expected a string, got ${describe(v[i])}`);
    }
    return v.slice() as string[];
  }

  limitHit(key: string): LimitHit | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(LIMIT_HITS as readonly string[]).includes(v)) {
      this.fail(key, `expected one of ${LIMIT_HITS.join(', ')}, got ${describe(v)}`);
    }
    return v as LimitHit;
  }

  labels(key: string): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(key, `expected an object of string labels, got ${describe(v)}`);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') this.fail(`${key}.${k}`, `expected a string label, got ${describe(val)}`);
      out[k] = val;
    }
    return out;
  }

  /** An ISO 8601 time as epoch ms. A time without an offset is read as UTC, as the original writes it. */
  isoTime(key: string): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const ms = isoTimeMs(v);
    if (Number.isNaN(ms)) this.fail(key, `expected an ISO 8601 time such as 2025-01-15T10:00:00, got ${JSON.stringify(v)}`);
    this.checkTime(key, ms, JSON.stringify(v));
    return ms;
  }
}

/** An ISO 8601 time as epoch ms (NaN if it is not one); no offset means UTC, as the original writes it. */
function isoTimeMs(v: string): number {
  const hasZone = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(v);
  return Date.parse(hasZone || !v.includes('T') ? v : `${v}Z`);
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return `${typeof v} ${String(v)}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}

/** Seconds to integer epoch milliseconds: sub-millisecond digits of float seconds are noise, not data. */
function secondsToMs(s: number): number {
  return Math.round(s * 1000);
}

function put<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}

/** Execution id for a record that has none: a hash of its content, so reading a file twice gives the same ids. */
function derivedExecutionId(u: unknown): string {
  if (!deriveIds) return '';
  return `derived-${configFingerprint(canonicalJson(u))}`;
}

/**
 * Check one record in autotune's own (camelCase) shape or the original's snake_case shape and return a
 * new, normalised `ExecutionRecord`. Throws `MetricsError` (`METRICS_VALIDATION`) naming `location`
 * (file, line or record index) and the offending field.
 *
 * Normalisation: JSON null reads as absent; snake_case times (epoch seconds, ISO `timestamp`) become epoch
 * milliseconds; a missing end time or duration is derived from the other; a missing member count is the
 * number of members; a missing total of tool calls is the members' sum; a missing execution id is derived
 * from a hash of the record, so it is stable across reads.
 *
 * Bounds: durations up to 366 days, times from 1970 to 2200, counts up to 1e9, tokens up to 1e15, costs up to
 * 1e9 USD ({@link RECORD_LIMITS}). With `checks`, a formation must be built in or listed in `checks.formations`.
 */
export function validateRecord(u: unknown, location: ErrorLocation = {}, checks?: RecordChecks): ExecutionRecord {
  if (!isObject(u)) {
    throw new MetricsError('METRICS_VALIDATION', `expected a record object, got ${describe(u)}`, { location: location });
  }
  if (u.teamId !== undefined || u.executionId !== undefined || u.durationSeconds !== undefined) {
    return fromAutotune(u, location, checks);
  }
  if (u.team_id !== undefined || u.duration_seconds !== undefined || u.member_metrics !== undefined) {
    return fromSnakeCase(u, location, checks);
  }
  throw new MetricsError('METRICS_VALIDATION', 'missing team id: expected "teamId" (autotune record) or "team_id" (original snake_case record)', { location: { ...location, field: 'teamId' } });
}

/**
 * `validateRecord` for a value the caller owns (fresh from `JSON.parse`): a complete, valid autotune
 * record is returned as it is, without a copy; anything else (snake_case, nulls, derived fields, errors)
 * takes the full path. Readers use this to keep validation off the profile of a million-record load.
 */
export function validateParsedRecord(u: unknown, location: ErrorLocation, checks?: RecordChecks): ExecutionRecord {
  return isCompleteAutotuneRecord(u, checks) ? u : validateRecord(u, location, checks);
}

/** False only inside `validateParsedRecordForSummary` (synchronous, so no other caller can observe it). */
let deriveIds = true;

/**
 * `validateParsedRecord` for callers that only aggregate (`MetricsAggregator` never reads an execution
 * id): a record without one gets the empty string instead of a derived id. Deriving it (a canonical JSON
 * and a SHA-256 of the whole record) was half the time of loading the original's files, which have no
 * execution ids. The checks are the same; such a record must never leave the package.
 */
export function validateParsedRecordForSummary(u: unknown, location: ErrorLocation, checks?: RecordChecks): ExecutionRecord {
  if (isCompleteAutotuneRecord(u, checks)) return u;
  const fast = snakeRecordForSummary(u, checks);
  if (fast !== undefined) return fast;
  deriveIds = false;
  try {
    return validateRecord(u, location, checks);
  } finally {
    deriveIds = true;
  }
}

function isCount(v: unknown, bound: Bound = 'count'): boolean {
  return typeof v === 'number' && v >= 0 && v <= BOUND_MAX[bound];
}

function isOptCount(v: unknown, bound: Bound = 'count'): boolean {
  return v === undefined || isCount(v, bound);
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && v >= RECORD_LIMITS.minTimeMs && v <= RECORD_LIMITS.maxTimeMs;
}

function isOptString(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}

function isOptStrings(v: unknown): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/**
 * True when `validateRecord` would accept `u` and return it unchanged (apart from dropping unknown keys).
 * Must never accept what the full path rejects: every check here mirrors one there.
 */
export function isCompleteAutotuneRecord(u: unknown, checks: RecordChecks | undefined): u is ExecutionRecord {
  if (typeof u !== 'object' || u === null) return false;
  const r = u as Obj;
  const { teamId, executionId, startTimeMs, endTimeMs, durationSeconds, memberCount, members, limitHit, labels } = r;
  if (typeof teamId !== 'string' || teamId === '' || typeof executionId !== 'string' || executionId === '') return false;
  if (!isTime(startTimeMs) || !isTime(endTimeMs) || endTimeMs < startTimeMs) return false;
  if (!isCount(durationSeconds, 'duration') || typeof r.success !== 'boolean' || !isCount(r.toolCalls)) return false;
  if (!isCount(memberCount) || !Number.isInteger(memberCount)) return false;
  if (!isOptString(r.error) || !isOptString(r.formation) || !isOptString(r.configFingerprint)) return false;
  if (typeof r.formation === 'string' && !formationAllowed(r.formation, checks)) return false;
  if (!isOptCount(r.toolBudget) || !isOptCount(r.timeoutSeconds, 'duration') || !isOptCount(r.inputTokens, 'tokens')) return false;
  if (!isOptCount(r.outputTokens, 'tokens') || !isOptCount(r.costUsd, 'cost')) return false;
  if (limitHit !== undefined && !(LIMIT_HITS as readonly unknown[]).includes(limitHit)) return false;
  if (labels !== undefined) {
    if (!isObject(labels)) return false;
    for (const k in labels) if (typeof labels[k] !== 'string') return false;
  }
  if (!Array.isArray(members)) return false;
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as Obj;
    if (typeof m !== 'object' || m === null) return false;
    if (typeof m.memberId !== 'string' || m.memberId === '' || typeof m.success !== 'boolean') return false;
    if (!isCount(m.durationSeconds, 'duration') || !isCount(m.toolCalls)) return false;
    if ((m.startTimeMs !== undefined && !isTime(m.startTimeMs)) || (m.endTimeMs !== undefined && !isTime(m.endTimeMs))) return false;
    if (!isOptString(m.role) || !isOptString(m.error) || !isOptStrings(m.toolsUsed) || !isOptStrings(m.waitedFor)) return false;
    if (!isOptCount(m.inputTokens, 'tokens') || !isOptCount(m.outputTokens, 'tokens') || !isOptCount(m.costUsd, 'cost')) return false;
  }
  return true;
}

/** JSON null read as absent, as `FieldReader.raw` does. */
function nn(v: unknown): unknown {
  return v === null ? undefined : v;
}

/** What `FieldReader.count` returns for a valid value: the number, undefined when absent, NaN when it would fail. */
function countOf(v: unknown, bound: Bound): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && v >= 0 && v <= BOUND_MAX[bound] ? v : Number.NaN;
}

/** What `FieldReader.time(key, 's')` returns for a valid value, undefined when absent, NaN when it would fail. */
function secondsOf(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') return Number.NaN;
  const ms = v * 1000;
  return ms >= RECORD_LIMITS.minTimeMs && ms <= RECORD_LIMITS.maxTimeMs ? v : Number.NaN;
}

/** What `FieldReader.string` returns: the string, undefined when absent, null when it would fail. */
function stringOf(v: unknown): string | undefined | null {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : null;
}

/** What `FieldReader.strings` returns (a copy), undefined when absent, null when it would fail. */
function stringsOf(v: unknown): string[] | undefined | null {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return null;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return null;
  return v.slice() as string[];
}

/**
 * `fromSnakeCase` for a summary, on the path every record of the original's files takes: the same checks, the
 * same record (with an empty execution id where the file has none, as `validateParsedRecordForSummary` gives),
 * read with plain property loads instead of a `FieldReader` per object, which made validation cost more than
 * `JSON.parse` of the line. Undefined for anything it does not take in one pass (a failed check, a member list,
 * labels, derived durations): the full path then gives the record or the error. Tested to agree with the
 * full path on every field, valid and not. @internal (exported for that test only)
 */
export function snakeRecordForSummary(u: unknown, checks: RecordChecks | undefined): ExecutionRecord | undefined {
  if (!isObject(u)) return undefined;
  if (u.teamId !== undefined || u.executionId !== undefined || u.durationSeconds !== undefined) return undefined;
  const teamId = u.team_id;
  const success = u.success;
  if (typeof teamId !== 'string' || teamId === '' || typeof success !== 'boolean') return undefined;
  const mm = u.member_metrics;
  const members: MemberRecord[] = [];
  if (mm !== undefined && mm !== null) {
    if (!isObject(mm)) return undefined;
    for (const key in mm) {
      const m = mm[key];
      if (!isObject(m)) return undefined;
      const member = snakeMemberForSummary(m, key);
      if (member === undefined) return undefined;
      members.push(member);
    }
  }
  const duration = countOf(u.duration_seconds, 'duration');
  const start = secondsOf(u.start_time);
  const end = secondsOf(u.end_time);
  if (Number.isNaN(duration) || Number.isNaN(start) || Number.isNaN(end)) return undefined;
  // Only a run with its start, and a duration, is taken here; the timestamp is still checked.
  if (start === undefined || duration === undefined) return undefined;
  const stamp = stringOf(u.timestamp);
  if (stamp === null) return undefined;
  if (stamp !== undefined) {
    const ms = isoTimeMs(stamp);
    if (!(ms >= RECORD_LIMITS.minTimeMs && ms <= RECORD_LIMITS.maxTimeMs)) return undefined;
  }
  const startTimeMs = secondsToMs(start);
  const endTimeMs = end === undefined ? startTimeMs + Math.round(duration * 1000) : secondsToMs(end);
  if (endTimeMs < startTimeMs || !(endTimeMs >= RECORD_LIMITS.minTimeMs && endTimeMs <= RECORD_LIMITS.maxTimeMs)) return undefined;
  if (!(startTimeMs >= RECORD_LIMITS.minTimeMs && startTimeMs <= RECORD_LIMITS.maxTimeMs)) return undefined;
  const executionId = stringOf(u.execution_id);
  const memberCount = countOf(u.member_count, 'count');
  const toolCalls = countOf(u.total_tool_calls, 'count');
  if (executionId === null || Number.isNaN(memberCount) || Number.isNaN(toolCalls)) return undefined;
  if (memberCount !== undefined && !Number.isInteger(memberCount)) return undefined;
  const rec: ExecutionRecord = {
    teamId,
    executionId: executionId || '',
    startTimeMs,
    endTimeMs,
    durationSeconds: duration,
    success,
    memberCount: memberCount ?? members.length,
    toolCalls: toolCalls ?? sumToolCalls(members),
    members,
  };
  const errorMessage = stringOf(u.error_message);
  if (errorMessage === null) return undefined;
  const error = errorMessage ?? stringOf(u.error);
  if (error === null) return undefined;
  if (error !== undefined) rec.error = error;
  const formation = stringOf(u.formation);
  if (formation === null || (formation !== undefined && !formationAllowed(formation, checks))) return undefined;
  if (formation !== undefined) rec.formation = formation;
  const toolBudget = countOf(u.tool_budget, 'count');
  const timeoutSeconds = countOf(u.timeout_seconds, 'duration');
  const inputTokens = countOf(u.input_tokens, 'tokens');
  const outputTokens = countOf(u.output_tokens, 'tokens');
  const costUsd = countOf(u.cost_usd, 'cost');
  if (Number.isNaN(toolBudget) || Number.isNaN(timeoutSeconds) || Number.isNaN(inputTokens) || Number.isNaN(outputTokens) || Number.isNaN(costUsd)) return undefined;
  if (toolBudget !== undefined) rec.toolBudget = toolBudget;
  if (timeoutSeconds !== undefined) rec.timeoutSeconds = timeoutSeconds;
  if (inputTokens !== undefined) rec.inputTokens = inputTokens;
  if (outputTokens !== undefined) rec.outputTokens = outputTokens;
  if (costUsd !== undefined) rec.costUsd = costUsd;
  const limitHit = nn(u.limit_hit);
  if (limitHit !== undefined) {
    if (typeof limitHit !== 'string' || !(LIMIT_HITS as readonly string[]).includes(limitHit)) return undefined;
    rec.limitHit = limitHit as LimitHit;
  }
  const fingerprint = stringOf(u.config_fingerprint);
  if (fingerprint === null) return undefined;
  if (fingerprint !== undefined) rec.configFingerprint = fingerprint;
  if (nn(u.labels) !== undefined) return undefined;
  let labels: Record<string, string> | undefined;
  for (const key of SNAKE_LABEL_KEYS) {
    const v = nn(u[key]);
    if (v !== undefined && !(key === 'recursion_depth' && v === 0)) (labels ??= {})[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (labels !== undefined) rec.labels = labels;
  return rec;
}

const SNAKE_LABEL_KEYS = ['recursion_depth', 'consensus_achieved', 'consensus_rounds'] as const;

/** One member of `snakeRecordForSummary`, as `snakeMembers` builds it; undefined where that would fail or derive. */
function snakeMemberForSummary(m: Obj, key: string): MemberRecord | undefined {
  const id = stringOf(m.member_id);
  if (id === null) return undefined;
  const memberId = id || key;
  const success = m.success;
  if (memberId === '' || typeof success !== 'boolean') return undefined;
  const start = secondsOf(m.start_time);
  const end = secondsOf(m.end_time);
  const duration = countOf(m.duration_seconds, 'duration');
  if (Number.isNaN(start) || Number.isNaN(end) || duration === undefined || Number.isNaN(duration)) return undefined;
  if (start !== undefined && end !== undefined && end < start) return undefined;
  let toolCalls = countOf(m.tool_calls_used, 'count');
  if (toolCalls === undefined) toolCalls = countOf(m.tool_calls, 'count');
  if (Number.isNaN(toolCalls)) return undefined;
  const member: MemberRecord = { memberId, success, durationSeconds: duration, toolCalls: toolCalls ?? 0 };
  const role = stringOf(m.role);
  if (role === null) return undefined;
  if (role !== undefined) member.role = role;
  if (start !== undefined) member.startTimeMs = secondsToMs(start);
  if (end !== undefined) member.endTimeMs = secondsToMs(end);
  const toolsUsed = stringsOf(m.tools_used);
  if (toolsUsed === null) return undefined;
  if (toolsUsed !== undefined) member.toolsUsed = toolsUsed;
  const inputTokens = countOf(m.input_tokens, 'tokens');
  const outputTokens = countOf(m.output_tokens, 'tokens');
  const costUsd = countOf(m.cost_usd, 'cost');
  if (Number.isNaN(inputTokens) || Number.isNaN(outputTokens) || Number.isNaN(costUsd)) return undefined;
  if (inputTokens !== undefined) member.inputTokens = inputTokens;
  if (outputTokens !== undefined) member.outputTokens = outputTokens;
  if (costUsd !== undefined) member.costUsd = costUsd;
  const errorMessage = stringOf(m.error_message);
  if (errorMessage === null) return undefined;
  const error = errorMessage ?? stringOf(m.error);
  if (error === null) return undefined;
  if (error !== undefined) member.error = error;
  const waitedFor = stringsOf(m.waited_for);
  if (waitedFor === null) return undefined;
  if (waitedFor !== undefined) member.waitedFor = waitedFor;
  return member;
}

function fromAutotune(u: Obj, location: ErrorLocation, checks: RecordChecks | undefined): ExecutionRecord {
  const f: FieldReader = new FieldReader(u, location, '');
  const teamId = f.requiredString('teamId', 'team id');
  const success = f.boolean('success');
  const members = autotuneMembers(f, u.members, location);
  const startTimeMs = f.time('startTimeMs', 'ms');
  if (startTimeMs === undefined) f.fail('startTimeMs', 'missing: expected the start time in epoch milliseconds');
  const times = completeTimes(f, startTimeMs, f.time('endTimeMs', 'ms'), f.count('durationSeconds', 'duration'), {
    start: 'startTimeMs',
    end: 'endTimeMs',
    duration: 'durationSeconds',
  });
  const rec: ExecutionRecord = {
    teamId,
    executionId: f.string('executionId') || derivedExecutionId(u),
    startTimeMs,
    endTimeMs: times.endTimeMs,
    durationSeconds: times.durationSeconds,
    success,
    memberCount: f.count('memberCount', 'count', true) ?? members.length,
    toolCalls: f.count('toolCalls', 'count') ?? sumToolCalls(members),
    members,
  };
  put(rec, 'error', f.string('error'));
  put(rec, 'formation', f.formation('formation', checks));
  put(rec, 'toolBudget', f.count('toolBudget', 'count'));
  put(rec, 'timeoutSeconds', f.count('timeoutSeconds', 'duration'));
  put(rec, 'inputTokens', f.count('inputTokens', 'tokens'));
  put(rec, 'outputTokens', f.count('outputTokens', 'tokens'));
  put(rec, 'costUsd', f.count('costUsd', 'cost'));
  put(rec, 'limitHit', f.limitHit('limitHit'));
  put(rec, 'configFingerprint', f.string('configFingerprint'));
  put(rec, 'labels', f.labels('labels'));
  return rec;
}

function autotuneMembers(f: FieldReader, v: unknown, location: ErrorLocation): MemberRecord[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) f.fail('members', `expected a list of member records, got ${describe(v)}`);
  const items: readonly unknown[] = v;
  const out = new Array<MemberRecord>(items.length);
  for (let i = 0; i < items.length; i++) {
    const mv = items[i];
    if (!isObject(mv)) f.fail(`members[${i}]`, `expected a member record, got ${describe(mv)}`);
    const m: FieldReader = new FieldReader(mv, location, `members[${i}].`);
    const member: MemberRecord = {
      memberId: m.requiredString('memberId', 'member id'),
      success: m.boolean('success'),
      durationSeconds: 0,
      toolCalls: 0,
    };
    const start = m.time('startTimeMs', 'ms');
    const end = m.time('endTimeMs', 'ms');
    let duration = m.count('durationSeconds', 'duration');
    if (duration === undefined) {
      if (start === undefined || end === undefined) m.fail('durationSeconds', 'missing: expected seconds >= 0, or both startTimeMs and endTimeMs');
      if (end < start) m.fail('endTimeMs', `ends before it starts (${end} < ${start})`);
      duration = (end - start) / 1000;
      if (duration > RECORD_LIMITS.maxDurationSeconds) m.fail('endTimeMs', `the member would run ${duration} s; the most is ${RECORD_LIMITS.maxDurationSeconds} s (366 days)`);
    }
    member.durationSeconds = duration;
    put(member, 'role', m.string('role'));
    put(member, 'startTimeMs', start);
    put(member, 'endTimeMs', end);
    member.toolCalls = m.count('toolCalls', 'count') ?? 0;
    put(member, 'toolsUsed', m.strings('toolsUsed'));
    put(member, 'inputTokens', m.count('inputTokens', 'tokens'));
    put(member, 'outputTokens', m.count('outputTokens', 'tokens'));
    put(member, 'costUsd', m.count('costUsd', 'cost'));
    put(member, 'error', m.string('error'));
    put(member, 'waitedFor', m.strings('waitedFor'));
    out[i] = member;
  }
  return out;
}

/** Fill in whichever of end time and duration is missing; reject a run that ends before it starts. */
function completeTimes(
  f: FieldReader,
  startTimeMs: number,
  endTimeMs: number | undefined,
  durationSeconds: number | undefined,
  names: { start: string; end: string; duration: string },
): { endTimeMs: number; durationSeconds: number } {
  if (endTimeMs !== undefined && endTimeMs < startTimeMs) {
    f.fail(names.end, `ends before it starts (${endTimeMs} < ${startTimeMs})`);
  }
  // Times derived from others (a start from end minus duration) must keep the bounds too.
  f.checkTime(names.start, startTimeMs);
  if (durationSeconds === undefined) {
    if (endTimeMs === undefined) f.fail(names.duration, `missing: expected seconds >= 0 (or an end time)`);
    const derived = (endTimeMs - startTimeMs) / 1000;
    if (derived > RECORD_LIMITS.maxDurationSeconds) f.fail(names.end, `the run would last ${derived} s; the most is ${RECORD_LIMITS.maxDurationSeconds} s (366 days)`);
    return { endTimeMs, durationSeconds: derived };
  }
  const end = endTimeMs ?? startTimeMs + Math.round(durationSeconds * 1000);
  f.checkTime(names.duration, end, `${end} (start plus duration)`);
  return { endTimeMs: end, durationSeconds };
}

function sumToolCalls(members: MemberRecord[]): number {
  let s = 0;
  for (const m of members) s += m.toolCalls;
  return s;
}

function fromSnakeCase(u: Obj, location: ErrorLocation, checks: RecordChecks | undefined): ExecutionRecord {
  const f: FieldReader = new FieldReader(u, location, '');
  const teamId = f.requiredString('team_id', 'team id');
  const success = f.boolean('success');
  const members = snakeMembers(f, u.member_metrics, location);
  const duration = f.count('duration_seconds', 'duration');
  const start = f.time('start_time', 's');
  const end = f.time('end_time', 's');
  const stamp = f.isoTime('timestamp');
  let startTimeMs: number;
  let endTimeMs: number | undefined = end === undefined ? undefined : secondsToMs(end);
  if (start !== undefined) {
    startTimeMs = secondsToMs(start);
  } else if (endTimeMs !== undefined && duration !== undefined) {
    startTimeMs = endTimeMs - Math.round(duration * 1000);
  } else if (stamp !== undefined && duration !== undefined) {
    // The original stamps a record when the run completes, so the timestamp is the end time.
    endTimeMs = stamp;
    startTimeMs = stamp - Math.round(duration * 1000);
  } else if (stamp !== undefined) {
    startTimeMs = stamp;
  } else {
    f.fail('start_time', 'missing: expected start_time (epoch seconds) or timestamp (ISO 8601)');
  }
  const times = completeTimes(f, startTimeMs, endTimeMs, duration, { start: 'start_time', end: 'end_time', duration: 'duration_seconds' });
  const rec: ExecutionRecord = {
    teamId,
    executionId: f.string('execution_id') || derivedExecutionId(u),
    startTimeMs,
    endTimeMs: times.endTimeMs,
    durationSeconds: times.durationSeconds,
    success,
    memberCount: f.count('member_count', 'count', true) ?? members.length,
    toolCalls: f.count('total_tool_calls', 'count') ?? sumToolCalls(members),
    members,
  };
  put(rec, 'error', f.string('error_message') ?? f.string('error'));
  put(rec, 'formation', f.formation('formation', checks));
  put(rec, 'toolBudget', f.count('tool_budget', 'count'));
  put(rec, 'timeoutSeconds', f.count('timeout_seconds', 'duration'));
  put(rec, 'inputTokens', f.count('input_tokens', 'tokens'));
  put(rec, 'outputTokens', f.count('output_tokens', 'tokens'));
  put(rec, 'costUsd', f.count('cost_usd', 'cost'));
  put(rec, 'limitHit', f.limitHit('limit_hit'));
  put(rec, 'configFingerprint', f.string('config_fingerprint'));
  const labels = f.labels('labels') ?? {};
  // Fields of the original that autotune has no column for are kept as labels rather than dropped.
  // recursion_depth 0 is the original's constant default and says nothing.
  for (const key of ['recursion_depth', 'consensus_achieved', 'consensus_rounds']) {
    const v = f.raw(key);
    if (v !== undefined && !(key === 'recursion_depth' && v === 0)) labels[key] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (Object.keys(labels).length > 0) rec.labels = labels;
  return rec;
}

function snakeMembers(f: FieldReader, v: unknown, location: ErrorLocation): MemberRecord[] {
  if (v === undefined || v === null) return [];
  // The original writes a map keyed by member id; a list is accepted too.
  const entries: [string, unknown, string | undefined][] = Array.isArray(v)
    ? v.map((m, i) => [`member_metrics[${i}].`, m, undefined])
    : isObject(v)
      ? Object.entries(v).map(([k, m]) => [`member_metrics.${k}.`, m, k])
      : f.fail('member_metrics', `expected a map of member id to member record, got ${describe(v)}`);
  const out: MemberRecord[] = [];
  for (const [prefix, mv, key] of entries) {
    if (!isObject(mv)) f.fail(prefix.slice(0, -1), `expected a member record, got ${describe(mv)}`);
    const m: FieldReader = new FieldReader(mv, location, prefix);
    const memberId = m.string('member_id') || key || m.requiredString('member_id', 'member id');
    const success = m.boolean('success');
    const start = m.time('start_time', 's');
    const end = m.time('end_time', 's');
    let duration = m.count('duration_seconds', 'duration');
    if (start !== undefined && end !== undefined && end < start) m.fail('end_time', `ends before it starts (${end} < ${start})`);
    if (duration === undefined) {
      if (start === undefined || end === undefined) m.fail('duration_seconds', 'missing: expected seconds >= 0, or both start_time and end_time');
      duration = end - start;
      if (duration > RECORD_LIMITS.maxDurationSeconds) m.fail('end_time', `the member would run ${duration} s; the most is ${RECORD_LIMITS.maxDurationSeconds} s (366 days)`);
    }
    const member: MemberRecord = { memberId, success, durationSeconds: duration, toolCalls: m.count('tool_calls_used', 'count') ?? m.count('tool_calls', 'count') ?? 0 };
    put(member, 'role', m.string('role'));
    put(member, 'startTimeMs', start === undefined ? undefined : secondsToMs(start));
    put(member, 'endTimeMs', end === undefined ? undefined : secondsToMs(end));
    put(member, 'toolsUsed', m.strings('tools_used'));
    put(member, 'inputTokens', m.count('input_tokens', 'tokens'));
    put(member, 'outputTokens', m.count('output_tokens', 'tokens'));
    put(member, 'costUsd', m.count('cost_usd', 'cost'));
    put(member, 'error', m.string('error_message') ?? m.string('error'));
    put(member, 'waitedFor', m.strings('waited_for'));
    out.push(member);
  }
  return out;
}

/**
 * The original's snake_case shape of a record (times in epoch seconds, `member_metrics` as a map), for
 * writing files the original tools and `validateRecord` both read. Fields the original lacks are written
 * in snake_case too (`execution_id`, `tool_budget`, ...), and read back by `validateRecord`.
 */
export function toSnakeCaseRecord(r: ExecutionRecord): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  const tools = new Set<string>();
  for (const m of r.members) {
    for (const t of m.toolsUsed ?? []) tools.add(t);
    members[m.memberId] = dropUndefined({
      member_id: m.memberId,
      role: m.role,
      success: m.success,
      duration_seconds: m.durationSeconds,
      tool_calls_used: m.toolCalls,
      tools_used: m.toolsUsed ?? [],
      error_message: m.error ?? null,
      start_time: m.startTimeMs === undefined ? undefined : m.startTimeMs / 1000,
      end_time: m.endTimeMs === undefined ? undefined : m.endTimeMs / 1000,
      input_tokens: m.inputTokens,
      output_tokens: m.outputTokens,
      cost_usd: m.costUsd,
      waited_for: m.waitedFor,
    });
  }
  const labels = { ...r.labels };
  const extra: Record<string, unknown> = {};
  for (const key of ['recursion_depth', 'consensus_achieved', 'consensus_rounds']) {
    if (labels[key] !== undefined) {
      extra[key] = parseLabel(labels[key]);
      delete labels[key];
    }
  }
  return dropUndefined({
    team_id: r.teamId,
    execution_id: r.executionId,
    formation: r.formation,
    member_count: r.memberCount,
    success: r.success,
    duration_seconds: r.durationSeconds,
    total_tool_calls: r.toolCalls,
    timestamp: new Date(r.endTimeMs).toISOString().replace(/Z$/, ''),
    recursion_depth: 0,
    start_time: r.startTimeMs / 1000,
    end_time: r.endTimeMs / 1000,
    consensus_achieved: null,
    consensus_rounds: null,
    ...extra,
    unique_tools_used: [...tools].sort(),
    error_message: r.error ?? null,
    tool_budget: r.toolBudget,
    timeout_seconds: r.timeoutSeconds,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cost_usd: r.costUsd,
    limit_hit: r.limitHit,
    config_fingerprint: r.configFingerprint,
    labels: Object.keys(labels).length > 0 ? labels : undefined,
    member_metrics: members,
  });
}

function parseLabel(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
