import { validateParsedRecord, validateRecord } from '../src/validate';

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
