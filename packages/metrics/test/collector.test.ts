import { configFingerprint, getTeamMetricsCollector, MemoryMetricsSink, MetricsError, TeamMetricsCollector } from '@autotune/metrics';
import type { ExecutionRecord, MetricsSink } from '@autotune/metrics';

/** A clock the test moves by hand. */
function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function setup() {
  const clock = fakeClock();
  const sink = new MemoryMetricsSink();
  let n = 0;
  const collector = new TeamMetricsCollector({ sinks: [sink], now: clock.now, newExecutionId: () => `run-${++n}` });
  return { clock, sink, collector };
}

describe('TeamMetricsCollector', () => {
  it('records a run with its config, members and timing', async () => {
    const { clock, sink, collector } = setup();
    const config = { formation: 'pipeline', member_count: 3, tool_budget: 40, timeout_seconds: 300 };
    const id = collector.recordTeamStart('docs_team', config);
    clock.advance(1500);
    collector.recordMemberComplete(id, { memberId: 'writer', success: true, durationSeconds: 1.2, toolCalls: 4, waitedFor: ['researcher'] });
    clock.advance(500);
    const record = await collector.recordTeamComplete(id, { success: true, inputTokens: 900, limitHit: 'tool_budget' });
    expect(record).toEqual({
      teamId: 'docs_team',
      executionId: 'run-1',
      startTimeMs: 1_700_000_000_000,
      endTimeMs: 1_700_000_002_000,
      durationSeconds: 2,
      success: true,
      formation: 'pipeline',
      memberCount: 3,
      toolBudget: 40,
      timeoutSeconds: 300,
      toolCalls: 4,
      inputTokens: 900,
      limitHit: 'tool_budget',
      configFingerprint: configFingerprint(config),
      members: [{ memberId: 'writer', success: true, durationSeconds: 1.2, toolCalls: 4, waitedFor: ['researcher'] }],
    });
    expect(sink.records()).toEqual([record]);
  });

  it('keeps every one of many concurrent runs of the same team', async () => {
    const { clock, sink, collector } = setup();
    const ids = Array.from({ length: 5 }, () => collector.recordTeamStart('t', { formation: 'parallel', member_count: 2 }));
    expect(new Set(ids).size).toBe(5);
    expect(collector.getSummary().activeExecutions).toBe(5);
    for (const [k, id] of [...ids].reverse().entries()) {
      clock.advance(1000);
      collector.recordMemberComplete(id, { memberId: `m${k}`, success: true, durationSeconds: 1, toolCalls: k });
      await collector.recordTeamComplete(id, { success: k !== 0 });
    }
    expect(sink.records().map((r) => r.executionId)).toEqual([...ids].reverse());
    expect(sink.records().map((r) => r.durationSeconds)).toEqual([1, 2, 3, 4, 5]);
    expect(collector.getSummary()).toEqual({
      totalExecutions: 5,
      successfulExecutions: 4,
      failedExecutions: 1,
      activeExecutions: 0,
      successRate: 0.8,
      averageDurationSeconds: 3,
      averageMemberCount: 2,
      totalToolCalls: 10,
      formationDistribution: { parallel: 5 },
    });
  });

  it('gives figures per formation and clears completed totals only', async () => {
    const { clock, collector } = setup();
    const run = async (formation: string | undefined, ms: number, success: boolean) => {
      const id = collector.recordTeamStart('t', formation ? { formation, member_count: 2 } : { members: ['a', 'b', 'c'] });
      clock.advance(ms);
      await collector.recordTeamComplete(id, { success, toolCalls: 6 });
    };
    await run('sequential', 4000, true);
    await run('sequential', 2000, false);
    await run('parallel', 1000, true);
    await run(undefined, 3000, true);
    expect(collector.getFormationStats()).toEqual({
      parallel: { executions: 1, successes: 1, successRate: 1, averageDurationSeconds: 1, averageMemberCount: 2, averageToolCalls: 6 },
      sequential: { executions: 2, successes: 1, successRate: 0.5, averageDurationSeconds: 3, averageMemberCount: 2, averageToolCalls: 6 },
      unknown: { executions: 1, successes: 1, successRate: 1, averageDurationSeconds: 3, averageMemberCount: 3, averageToolCalls: 6 },
    });
    expect(collector.getSummary().formationDistribution).toEqual({ parallel: 1, sequential: 2, unknown: 1 });

    const inFlight = collector.recordTeamStart('t', {});
    collector.clearMetrics();
    expect(collector.getSummary()).toMatchObject({ totalExecutions: 0, activeExecutions: 1, successRate: 0, formationDistribution: {} });
    await collector.recordTeamComplete(inFlight, { success: true });
    expect(collector.getSummary().totalExecutions).toBe(1);
  });

  it('track records a resolved run as a success and returns its value', async () => {
    const { clock, sink, collector } = setup();
    const value = await collector.track('t', { formation: 'consensus' }, (ctx) => {
      clock.advance(2500);
      ctx.recordMember({ memberId: 'judge', success: true, durationSeconds: 2, toolCalls: 1 });
      ctx.setResult({ costUsd: 0.3 });
      return Promise.resolve(42);
    });
    expect(value).toBe(42);
    expect(sink.records()[0]).toMatchObject({ success: true, durationSeconds: 2.5, costUsd: 0.3, toolCalls: 1, memberCount: 1 });
  });

  it('track records a thrown error as a failed run and rethrows it', async () => {
    const { clock, sink, collector } = setup();
    const boom = new Error('model unavailable');
    await expect(
      collector.track('t', {}, () => {
        clock.advance(100);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(sink.records()[0]).toMatchObject({ success: false, error: 'model unavailable', durationSeconds: 0.1 });
    expect(collector.getSummary()).toMatchObject({ failedExecutions: 1, activeExecutions: 0 });
  });

  it('awaits asynchronous sinks in order', async () => {
    const written: string[] = [];
    const slow: MetricsSink = {
      write: async (r: ExecutionRecord) => {
        await new Promise((resolve) => setImmediate(resolve));
        written.push(r.executionId);
      },
    };
    const collector = new TeamMetricsCollector({ sinks: [slow] });
    const id = collector.recordTeamStart('t', {}, 'given-id');
    await collector.recordTeamComplete(id, { success: true });
    expect(written).toEqual(['given-id']);
  });

  it.each([
    ['an unknown execution id', (c: TeamMetricsCollector) => c.recordMemberComplete('nope', { memberId: 'm', success: true, durationSeconds: 1, toolCalls: 0 }), /recordMemberComplete: no run in flight with execution id "nope"/],
    ['a duplicate execution id', (c: TeamMetricsCollector) => c.recordTeamStart('t', {}, c.recordTeamStart('t', {}, 'x')), /"x" is already in flight/],
    ['an empty team id', (c: TeamMetricsCollector) => c.recordTeamStart('', {}), /non-empty team id/],
  ])('rejects %s', (_label, act, message) => {
    const { collector } = setup();
    expect(() => act(collector)).toThrow(message);
    try {
      act(new TeamMetricsCollector());
    } catch (e) {
      expect((e as MetricsError).code).toBe('METRICS_USAGE');
    }
  });

  it('rejects a bad member figure when the run completes, naming the field', async () => {
    const { collector } = setup();
    const id = collector.recordTeamStart('t', {});
    collector.recordMemberComplete(id, { memberId: 'm', success: true, durationSeconds: -1, toolCalls: 0 });
    await expect(collector.recordTeamComplete(id, { success: true })).rejects.toThrow('field "members[0].durationSeconds": must not be negative');
  });

  it('has one process-wide instance', () => {
    expect(getTeamMetricsCollector()).toBe(getTeamMetricsCollector());
    expect(getTeamMetricsCollector()).toBeInstanceOf(TeamMetricsCollector);
  });
});

describe('MemoryMetricsSink', () => {
  const rec = (executionId: string) => ({ executionId }) as ExecutionRecord;

  it.each([
    [3, ['a', 'b'], ['a', 'b'], 0],
    [3, ['a', 'b', 'c', 'd', 'e'], ['c', 'd', 'e'], 2],
    [1, ['a', 'b'], ['b'], 1],
  ])('with capacity %p after %p keeps %p and dropped %p', (capacity, ids, kept, dropped) => {
    const sink = new MemoryMetricsSink(capacity);
    for (const id of ids) sink.write(rec(id));
    expect(sink.records().map((r) => r.executionId)).toEqual(kept);
    expect(sink.size).toBe(kept.length);
    expect(sink.dropped).toBe(dropped);
  });

  it('rejects a capacity below one', () => {
    expect(() => new MemoryMetricsSink(0)).toThrow(MetricsError);
  });
});
