import type { TrialContext } from '@autotune/abtest';
import { configFingerprint } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../../src/errors';
import { FunctionRunner } from '../../src/runners/function-runner';

const config: TeamConfig = { formation: 'sequential', memberCount: 2, toolBudget: 10 };

function context(overrides: Partial<TrialContext> = {}): TrialContext {
  return { teamId: 'fn_team', arm: 'baseline', trial: 0, seed: 5, signal: new AbortController().signal, ...overrides };
}

describe('FunctionRunner', () => {
  it('times a function that returns nothing and counts it a success', async () => {
    const before = Date.now();
    const record = await new FunctionRunner(async () => {
      await new Promise((r) => setTimeout(r, 20));
    }).run(config, context());
    expect(record).toMatchObject({ teamId: 'fn_team', success: true, formation: 'sequential', memberCount: 2, toolBudget: 10, toolCalls: 0, members: [] });
    expect(record.startTimeMs).toBeGreaterThanOrEqual(before);
    expect(record.endTimeMs).toBeGreaterThan(record.startTimeMs);
    expect(record.durationSeconds).toBe((record.endTimeMs - record.startTimeMs) / 1000);
    expect(record.configFingerprint).toBe(configFingerprint(config));
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a partial camelCase record', { success: false, durationSeconds: 3, toolCalls: 9, error: 'gave up' }, { success: false, durationSeconds: 3, toolCalls: 9, error: 'gave up', memberCount: 2 }],
    ['a partial snake_case record', { success: true, duration_seconds: 4, total_tool_calls: 5, member_count: 4 }, { success: true, durationSeconds: 4, toolCalls: 5, memberCount: 4 }],
    ['a record with its own limits', { durationSeconds: 1, formation: 'parallel', toolBudget: 3, timeoutSeconds: 9 }, { success: true, formation: 'parallel', toolBudget: 3, timeoutSeconds: 9 }],
  ])('completes %s', async (_label, returned, expected) => {
    const record = await new FunctionRunner(() => returned).run(config, context());
    expect(record).toMatchObject({ teamId: 'fn_team', ...expected });
  });

  it('hands the function a copy of the config it may change freely', async () => {
    const seen: TeamConfig[] = [];
    await new FunctionRunner((c) => {
      seen.push(c);
      c.memberCount = 99;
    }).run(config, context());
    expect(seen[0]).not.toBe(config);
    expect(config.memberCount).toBe(2);
  });

  it('lets a thrown error through, so the experiment records a failed sample', async () => {
    await expect(new FunctionRunner(() => Promise.reject(new Error('team exploded'))).run(config, context())).rejects.toThrow('team exploded');
  });

  it.each([['done'], [[1, 2]], [42]])('rejects a return value that is not a record: %j', async (value) => {
    const err = await new FunctionRunner(() => value as never).run(config, context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe('CORE_RUNNER_OUTPUT');
  });

  it('rejects an invalid record, naming the field', async () => {
    const err = await new FunctionRunner(() => ({ success: true, toolCalls: -1 })).run(config, context()).catch((e: unknown) => e);
    expect((err as CoreError).code).toBe('CORE_RUNNER_OUTPUT');
    expect((err as CoreError).message).toContain('the record returned by the team function is not a valid execution record');
    expect((err as CoreError).message).toContain('field "toolCalls"');
  });

  it('does not start a cancelled trial', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    let ran = false;
    await expect(new FunctionRunner(() => void (ran = true)).run(config, context({ signal: controller.signal }))).rejects.toThrow('stop');
    expect(ran).toBe(false);
  });
});
