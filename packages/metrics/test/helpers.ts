import type { ExecutionRecord, MemberRecord } from '@autotune/metrics';

let counter = 0;

/** A valid run with sensible defaults; override what the test is about. */
export function run(overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  counter++;
  const startTimeMs = overrides.startTimeMs ?? 1_736_935_125_000 + counter * 1000;
  const durationSeconds = overrides.durationSeconds ?? 10;
  return {
    teamId: 'team_a',
    executionId: `exec-${counter}`,
    startTimeMs,
    endTimeMs: startTimeMs + durationSeconds * 1000,
    durationSeconds,
    success: true,
    memberCount: 2,
    toolCalls: 4,
    members: [],
    ...overrides,
  };
}

/** A member record with defaults. */
export function member(memberId: string, overrides: Partial<MemberRecord> = {}): MemberRecord {
  return { memberId, success: true, durationSeconds: 5, toolCalls: 2, ...overrides };
}
