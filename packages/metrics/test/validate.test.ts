import { isAutotuneError } from '@autotune/errors';
import { MetricsError, RECORD_LIMITS, parseMetricsText, toSnakeCaseRecord, validateRecord } from '@autotune/metrics';

const at = { file: 'runs.jsonl', line: 7 };
const camel = (o: Record<string, unknown> = {}) => ({
  teamId: 't',
  executionId: 'e1',
  startTimeMs: 1000,
  durationSeconds: 2,
  success: true,
  memberCount: 1,
  toolCalls: 3,
  members: [{ memberId: 'm', success: true, durationSeconds: 1, toolCalls: 3 }],
  ...o,
});
const snake = (o: Record<string, unknown> = {}) => ({
  team_id: 't',
  success: true,
  duration_seconds: 2,
  start_time: 1.5,
  member_metrics: { m: { member_id: 'm', success: true, duration_seconds: 1, tool_calls_used: 3 } },
  ...o,
});

describe('validateRecord rejects bad input, naming place and field', () => {
  it.each([
    ['negative duration', camel({ durationSeconds: -1 }), 'durationSeconds', /must not be negative, got -1/],
    ['success not boolean', camel({ success: 'yes' }), 'success', /expected true or false, got the string "yes"/],
    ['missing success', camel({ success: undefined }), 'success', /missing: expected true or false/],
    ['empty team id', camel({ teamId: '' }), 'teamId', /missing team id/],
    ['team id a number', camel({ teamId: 42 }), 'teamId', /expected a string, got number 42/],
    ['missing start', camel({ startTimeMs: undefined }), 'startTimeMs', /epoch milliseconds/],
    ['ends before start', camel({ endTimeMs: 500, durationSeconds: undefined }), 'endTimeMs', /ends before it starts/],
    ['fractional member count', camel({ memberCount: 2.5 }), 'memberCount', /whole number/],
    ['unknown limit', camel({ limitHit: 'budget' }), 'limitHit', /timeout, tool_budget, max_turns/],
    ['members not a list', camel({ members: {} }), 'members', /list of member records/],
    ['member missing id', camel({ members: [{ success: true, durationSeconds: 1 }] }), 'members[0].memberId', /missing member id/],
    ['member negative tool calls', camel({ members: [{ memberId: 'm', success: true, durationSeconds: 1, toolCalls: -2 }] }), 'members[0].toolCalls', /negative/],
    ['label not a string', camel({ labels: { a: 1 } }), 'labels.a', /string label/],
    ['snake negative duration', snake({ duration_seconds: -3 }), 'duration_seconds', /must not be negative/],
    ['snake success string', snake({ success: 'True' }), 'success', /true or false/],
    ['snake missing team id', snake({ team_id: null }), 'team_id', /missing team id/],
    ['snake no time at all', snake({ start_time: undefined }), 'start_time', /start_time \(epoch seconds\) or timestamp/],
    ['snake bad timestamp', snake({ start_time: undefined, timestamp: 'yesterday' }), 'timestamp', /ISO 8601/],
    ['snake member duration', snake({ member_metrics: { r1: { success: true, duration_seconds: -1 } } }), 'member_metrics.r1.duration_seconds', /negative/],
    ['snake member tools', snake({ member_metrics: { r1: { success: true, duration_seconds: 1, tools_used: ['a', 3] } } }), 'member_metrics.r1.tools_used[1]', /expected a string/],
    ['neither shape', { team: 'x' }, 'teamId', /"teamId" \(autotune record\) or "team_id"/],
  ])('%s', (_label, input, field, message) => {
    let error: unknown;
    try {
      validateRecord(input, at);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetricsError);
    expect(isAutotuneError(error)).toBe(true);
    const err = error as MetricsError;
    expect(err.code).toBe('METRICS_VALIDATION');
    expect(err.location).toEqual({ ...at, field });
    expect(err.message.startsWith(`runs.jsonl, line 7, field "${field}": `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('rejects a value that is not an object', () => {
    expect(() => validateRecord([1], { index: 3 })).toThrow('record 3: expected a record object, got a list');
  });
});

describe('validateRecord normalises', () => {
  it('derives end time, and a stable execution id when none is given', () => {
    const a = validateRecord(camel({ executionId: undefined }));
    const b = validateRecord(camel({ executionId: undefined }));
    expect(a.endTimeMs).toBe(3000);
    expect(a.executionId).toMatch(/^derived-[0-9a-f]{16}$/);
    expect(b.executionId).toBe(a.executionId);
    expect(validateRecord(camel({ executionId: undefined, startTimeMs: 1001 })).executionId).not.toBe(a.executionId);
  });

  it('derives duration from the times and member count and tool calls from the members', () => {
    const r = validateRecord({
      teamId: 't',
      startTimeMs: 1000,
      endTimeMs: 4500,
      success: false,
      members: [
        { memberId: 'a', success: true, startTimeMs: 1000, endTimeMs: 2000, toolCalls: 2 },
        { memberId: 'b', success: false, durationSeconds: 1, toolCalls: 5 },
      ],
    });
    expect(r).toMatchObject({ durationSeconds: 3.5, memberCount: 2, toolCalls: 7 });
    expect(r.members[0]?.durationSeconds).toBe(1);
  });

  it('reads the original snake_case record: seconds to ms, member map, nulls as absent', () => {
    const r = validateRecord({
      team_id: 'code_review_team',
      formation: 'parallel',
      member_count: 5,
      success: true,
      duration_seconds: 75.0,
      total_tool_calls: 25,
      timestamp: '2025-01-15T10:00:00',
      recursion_depth: 0,
      start_time: 1736935125.0,
      end_time: 1736935200.0,
      consensus_achieved: true,
      consensus_rounds: null,
      unique_tools_used: ['read_file', 'grep'],
      member_metrics: {
        reviewer_1: { role: 'reviewer', success: true, duration_seconds: 70.2, tool_calls_used: 6, tools_used: ['read_file'], error_message: null, start_time: 1736935125.0, end_time: 1736935195.2 },
      },
    });
    expect(r).toEqual({
      teamId: 'code_review_team',
      executionId: expect.stringMatching(/^derived-/),
      startTimeMs: 1736935125000,
      endTimeMs: 1736935200000,
      durationSeconds: 75,
      success: true,
      formation: 'parallel',
      memberCount: 5,
      toolCalls: 25,
      labels: { consensus_achieved: 'true' },
      members: [
        { memberId: 'reviewer_1', role: 'reviewer', success: true, durationSeconds: 70.2, toolCalls: 6, toolsUsed: ['read_file'], startTimeMs: 1736935125000, endTimeMs: 1736935195200 },
      ],
    });
  });

  it.each([
    ['timestamp without offset is UTC and marks the end', { timestamp: '2025-01-15T10:00:00' }, Date.UTC(2025, 0, 15, 9, 59, 58)],
    ['timestamp with offset', { timestamp: '2025-01-15T11:00:00+01:00' }, Date.UTC(2025, 0, 15, 9, 59, 58)],
    ['end_time and duration', { end_time: 1736935200 }, 1736935198000],
  ])('finds the start from %s', (_label, times, start) => {
    const r = validateRecord(snake({ start_time: undefined, ...times }));
    expect(r.startTimeMs).toBe(start);
    expect(r.endTimeMs).toBe(start + 2000);
  });

  it('round-trips through toSnakeCaseRecord', () => {
    const original = validateRecord(
      camel({
        formation: 'pipeline',
        toolBudget: 30,
        timeoutSeconds: 90,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.5,
        limitHit: 'max_turns',
        configFingerprint: 'abc',
        labels: { env: 'ci', consensus_rounds: '3' },
        error: 'boom',
        members: [{ memberId: 'm', role: 'r', success: false, durationSeconds: 1, startTimeMs: 1000, endTimeMs: 2000, toolCalls: 3, toolsUsed: ['x'], inputTokens: 1, outputTokens: 2, costUsd: 0.25, error: 'bad', waitedFor: ['n'] }],
      }),
    );
    const snakeForm = toSnakeCaseRecord(original);
    expect(snakeForm).toMatchObject({ team_id: 't', start_time: 1, end_time: 3, consensus_rounds: 3, member_metrics: { m: { tool_calls_used: 3 } } });
    expect(validateRecord(JSON.parse(JSON.stringify(snakeForm)))).toEqual(original);
  });
});

describe('validateRecord bounds values (docs/metrics.md, "Limits")', () => {
  it.each([
    ['a duration of 1e308 s', camel({ durationSeconds: 1e308 }), 'durationSeconds', /out of range: the most is 31622400 s \(366 days\)/],
    ['a timeout of 1e308 s', camel({ timeoutSeconds: 1e308 }), 'timeoutSeconds', /out of range/],
    ['a start in the year 31 million', camel({ startTimeMs: 1e18 }), 'startTimeMs', /out of range: expected a time from 1970 to 2200/],
    ['a start before 1970', camel({ startTimeMs: -5 }), 'startTimeMs', /from 1970 to 2200/],
    ['an end far after the start', camel({ durationSeconds: undefined, endTimeMs: Date.UTC(2199, 0, 1) }), 'endTimeMs', /the run would last .* the most is 31622400 s/],
    ['1e300 tool calls', camel({ toolCalls: 1e300 }), 'toolCalls', /out of range: the most is 1000000000$/],
    ['1e300 members', camel({ memberCount: 1e300 }), 'memberCount', /out of range/],
    ['1e20 tokens', camel({ inputTokens: 1e20 }), 'inputTokens', /the most is 1000000000000000$/],
    ['a cost of 1e300 USD', camel({ costUsd: 1e300 }), 'costUsd', /out of range/],
    ['a member lasting 1e308 s', camel({ members: [{ memberId: 'm', success: true, durationSeconds: 1e308 }] }), 'members[0].durationSeconds', /out of range/],
    ['snake start time in seconds past 2200', snake({ start_time: 1e12 }), 'start_time', /time 1000000000000 is out of range/],
    ['snake ISO timestamp in the year 9999', snake({ start_time: undefined, timestamp: '9999-01-01T00:00:00' }), 'timestamp', /out of range/],
    ['snake member end years after its start', snake({ member_metrics: { m: { success: true, start_time: 0, end_time: 4e9 } } }), 'member_metrics.m.end_time', /the member would run/],
  ])('refuses %s', (_label, input, field, message) => {
    let caught: unknown;
    try {
      validateRecord(input, at);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MetricsError);
    expect((caught as MetricsError).location.field).toBe(field);
    expect((caught as MetricsError).message).toMatch(message);
  });

  it('accepts values at the bounds', () => {
    const r = validateRecord(camel({ durationSeconds: RECORD_LIMITS.maxDurationSeconds, toolCalls: RECORD_LIMITS.maxCount, costUsd: RECORD_LIMITS.maxCostUsd, startTimeMs: 0 }), at);
    expect(r.durationSeconds).toBe(RECORD_LIMITS.maxDurationSeconds);
  });
});

describe('formations', () => {
  it('refuses an unknown formation when checks are on, naming the line and how to declare it', () => {
    const text = `${JSON.stringify(camel({ formation: 'parallel' }))}\n${JSON.stringify(camel({ executionId: 'e2', formation: 'hybrid' }))}\n`;
    expect(() => parseMetricsText(text, { sourceName: 'runs.jsonl' })).toThrow(
      /runs\.jsonl, line 2.*formation.*unknown formation "hybrid": expected one of sequential, parallel, pipeline, hierarchical, consensus; list any other formation your teams use under "formations" in autotune\.config\.\*/,
    );
  });

  it.each(['reflection', 'adaptive', 'hybrid'])('accepts the legacy %s only when declared', (formation) => {
    const text = `${JSON.stringify(snake({ formation }))}\n`;
    expect(() => parseMetricsText(text, { sourceName: 'runs.jsonl' })).toThrow(/unknown formation/);
    expect(parseMetricsText(text, { sourceName: 'runs.jsonl', formations: [formation] })[0]?.formation).toBe(formation);
  });

  it('skips an undeclared formation under lenient reading, counting it', () => {
    const text = `${JSON.stringify(camel({ formation: 'swarm' }))}\n${JSON.stringify(camel({ executionId: 'e2' }))}\n`;
    expect(parseMetricsText(text, { lenient: true })).toHaveLength(1);
  });

  it('leaves records handed over in memory without checks alone (autotune reads its own database this way)', () => {
    expect(validateRecord(camel({ formation: 'reflection' })).formation).toBe('reflection');
  });
});
