import { snakeRecordForSummary, validateParsedRecord, validateParsedRecordForSummary, validateRecord } from '../src/validate';

// The readers' fast path returns a parsed record as it is when it is already valid. It must agree with
// the full path on every input: same acceptance, same content.
const valid = () => ({
  teamId: 't',
  executionId: 'e',
  startTimeMs: 1000,
  endTimeMs: 3000,
  durationSeconds: 2,
  success: true,
  formation: 'parallel',
  memberCount: 2,
  toolBudget: 10,
  timeoutSeconds: 60,
  toolCalls: 3,
  inputTokens: 5,
  outputTokens: 6,
  costUsd: 0.5,
  limitHit: 'timeout',
  configFingerprint: 'abc',
  labels: { env: 'ci' },
  error: 'x',
  members: [
    { memberId: 'a', role: 'r', success: true, durationSeconds: 1, startTimeMs: 1000, endTimeMs: 2000, toolCalls: 1, toolsUsed: ['grep'], inputTokens: 1, outputTokens: 2, costUsd: 0.1, error: 'e', waitedFor: ['b'] },
  ],
});

const BAD_VALUES: unknown[] = [undefined, null, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '', 's', true, [], {}, ['x', 1]];
const TOP_KEYS = Object.keys(valid());
const MEMBER_KEYS = Object.keys(valid().members[0] ?? {});

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: JSON.parse(JSON.stringify(fn())) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('validateParsedRecord agrees with validateRecord', () => {
  const cases: [string, unknown][] = [['the valid record', valid()]];
  for (const key of TOP_KEYS) {
    for (const v of BAD_VALUES) cases.push([`${key} = ${String(JSON.stringify(v))}`, { ...valid(), [key]: v }]);
  }
  for (const key of MEMBER_KEYS) {
    for (const v of BAD_VALUES) {
      const r = valid();
      cases.push([`members[0].${key} = ${String(JSON.stringify(v))}`, { ...r, members: [{ ...r.members[0], [key]: v }] }]);
    }
  }
  cases.push(['endTimeMs before startTimeMs', { ...valid(), endTimeMs: 999 }]);
  // Just past each bound (docs/metrics.md, "Limits"), and formations built in, declared and unknown.
  const past: [string, number | string][] = [
    ['durationSeconds', 366 * 86400 + 1],
    ['timeoutSeconds', 1e308],
    ['startTimeMs', -1],
    ['endTimeMs', Date.UTC(2200, 0, 1) + 1],
    ['toolCalls', 1e9 + 1],
    ['memberCount', 1e300],
    ['toolBudget', 2e9],
    ['inputTokens', 1e16],
    ['costUsd', 1e10],
    ['formation', 'reflection'],
    ['formation', 'made-up'],
  ];
  for (const [key, v] of past) cases.push([`${key} = ${v} (out of bounds or unknown)`, { ...valid(), [key]: v }]);
  cases.push(['members[0].durationSeconds past 366 days', { ...valid(), members: [{ ...valid().members[0], durationSeconds: 1e308 }] }]);
  cases.push(['members null', { ...valid(), members: null }]);

  it.each(cases)('on %s', (_label, input) => {
    const where = { file: 'f', line: 1 };
    expect(outcome(() => validateParsedRecord(structuredClone(input), where))).toEqual(outcome(() => validateRecord(structuredClone(input), where)));
  });

  it.each(cases)('on %s, with formation checks on', (_label, input) => {
    const where = { file: 'f', line: 1 };
    const checks = { formations: ['reflection'] };
    expect(outcome(() => validateParsedRecord(structuredClone(input), where, checks))).toEqual(outcome(() => validateRecord(structuredClone(input), where, checks)));
  });

  it('returns the parsed object itself when it is valid', () => {
    const r = valid();
    expect(validateParsedRecord(r, {})).toBe(r);
  });
});

// The summary path reads the original's snake_case records without a FieldReader per object. It must give
// what the full path gives (an empty execution id where the file has none, as the summary path always has),
// and the same error, on every input.
const snakeValid = () => ({
  team_id: 't',
  formation: 'parallel',
  member_count: 2,
  success: true,
  duration_seconds: 2.5,
  total_tool_calls: 3,
  timestamp: '2025-01-15T10:00:02.500000',
  recursion_depth: 0,
  start_time: 1736935200,
  end_time: 1736935202.5,
  consensus_achieved: null,
  consensus_rounds: null,
  unique_tools_used: ['grep'],
  error_message: null,
  tool_budget: 10,
  timeout_seconds: 60,
  input_tokens: 5,
  output_tokens: 6,
  cost_usd: 0.5,
  limit_hit: 'timeout',
  config_fingerprint: 'abc',
  member_metrics: {
    a: { member_id: 'a', role: 'r', success: true, duration_seconds: 1.25, tool_calls_used: 1, tools_used: ['grep'], error_message: null, start_time: 1736935200, end_time: 1736935201.25, input_tokens: 1, output_tokens: 2, cost_usd: 0.1, waited_for: ['b'] },
    b: { member_id: 'b', success: false, duration_seconds: 1, tool_calls: 2, error: 'no answer' },
  },
});

const SNAKE_BAD: unknown[] = [...BAD_VALUES, 0, 1736935203, '2025-13-45T10:00:00', '2025-01-15T10:00:00+01:00', 1e12, 'reflection', 'timeout'];

function summaryOutcome(input: unknown, checks?: { formations: string[] }): unknown {
  const where = { file: 'f', line: 1 };
  return outcome(() => validateParsedRecordForSummary(structuredClone(input), where, checks));
}

function fullOutcome(input: unknown, checks?: { formations: string[] }): unknown {
  const where = { file: 'f', line: 1 };
  return outcome(() => {
    const r = validateRecord(structuredClone(input), where, checks);
    return r.executionId.startsWith('derived-') ? { ...r, executionId: '' } : r;
  });
}

describe('the summary path agrees with validateRecord on snake_case records', () => {
  const cases: [string, unknown][] = [['the valid record', snakeValid()]];
  for (const key of [...Object.keys(snakeValid()), 'execution_id', 'labels', 'error', 'teamId']) {
    for (const v of SNAKE_BAD) cases.push([`${key} = ${String(JSON.stringify(v))}`, { ...snakeValid(), [key]: v }]);
  }
  for (const member of ['a', 'b'] as const) {
    for (const key of [...Object.keys(snakeValid().member_metrics.a), 'tool_calls', 'error']) {
      for (const v of SNAKE_BAD) {
        const r = snakeValid();
        cases.push([`member_metrics.${member}.${key} = ${String(JSON.stringify(v))}`, { ...r, member_metrics: { ...r.member_metrics, [member]: { ...r.member_metrics[member], [key]: v } } }]);
      }
    }
  }
  cases.push(['member_metrics as a list', { ...snakeValid(), member_metrics: Object.values(snakeValid().member_metrics) }]);
  cases.push(['a member keyed by the empty string, without member_id', { ...snakeValid(), member_metrics: { '': { success: true, duration_seconds: 1 } } }]);

  it.each(cases)('on %s', (_label, input) => {
    expect(summaryOutcome(input)).toEqual(fullOutcome(input));
    expect(summaryOutcome(input, { formations: ['reflection'] })).toEqual(fullOutcome(input, { formations: ['reflection'] }));
  });

  it('takes the common records itself (the fast path is used, not only the fallback)', () => {
    const taken = cases.filter(([, input]) => snakeRecordForSummary(structuredClone(input), {}) !== undefined).length;
    expect(snakeRecordForSummary(snakeValid(), {})).toBeDefined();
    // Most single-field changes keep a record valid (nulls, other values in range): the fast path takes those.
    expect(taken).toBeGreaterThan(cases.length / 4);
  });
});
