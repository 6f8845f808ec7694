import { configFingerprint } from '@autotune/metrics';
import type { ExecutionRecord, MemberRecord } from '@autotune/metrics';
import { isAutotuneError } from '@autotune/errors';
import { SIMULATION_EPOCH_MS, SimulatorError, generateRuns, simulateRun } from '../src';
import type { TeamModel } from '../src';
import { chainTeam, config, independentTeam } from './helpers';

const ids = (r: ExecutionRecord): string[] => r.members.map((m) => m.memberId);

describe('simulateRun', () => {
  it('gives the same record for the same seed and a different one for another seed', () => {
    const model = chainTeam(4);
    const c = config('pipeline', 4, { toolBudget: 30, timeoutSeconds: 500 });
    expect(simulateRun(model, c, 7)).toEqual(simulateRun(model, c, 7));
    expect(simulateRun(model, c, 7).durationSeconds).not.toBe(simulateRun(model, c, 8).durationSeconds);
  });

  it('writes a full record: fingerprint, totals that add up, member times inside the run', () => {
    const c = config('sequential', 3, { toolBudget: 30, timeoutSeconds: 600 });
    const r = simulateRun(independentTeam(3), c, 1, { teamId: 'team_a', startTimeMs: 1_000_000 });
    expect(r).toMatchObject({ teamId: 'team_a', formation: 'sequential', memberCount: 3, toolBudget: 30, timeoutSeconds: 600 });
    expect(r.configFingerprint).toBe(configFingerprint(c));
    expect(r.startTimeMs).toBe(1_000_000);
    expect(r.durationSeconds).toBeCloseTo((r.endTimeMs - r.startTimeMs) / 1000, 9);
    expect(r.toolCalls).toBe(r.members.reduce((s, m) => s + m.toolCalls, 0));
    expect(r.inputTokens).toBe(r.members.reduce((s, m) => s + (m.inputTokens ?? 0), 0));
    expect(r.costUsd).toBeCloseTo(r.members.reduce((s, m) => s + (m.costUsd ?? 0), 0), 5);
    expect(r.costUsd).toBeGreaterThan(0);
    for (const m of r.members) {
      expect(m.startTimeMs).toBeGreaterThanOrEqual(r.startTimeMs);
      expect(m.endTimeMs).toBeLessThanOrEqual(r.endTimeMs);
      expect(m.durationSeconds).toBeCloseTo((m.endTimeMs! - m.startTimeMs!) / 1000, 9);
      expect(m.waitedFor).toEqual([]);
    }
    // Sequential: each member starts when the previous one ends.
    expect(r.members[1]?.startTimeMs).toBe(r.members[0]?.endTimeMs);
    expect(r.members[2]?.startTimeMs).toBe(r.members[1]?.endTimeMs);
  });

  it('starts at the simulation epoch by default and keeps execution ids apart across seeds', () => {
    const runs = generateRuns(independentTeam(2), config('parallel', 2), { runs: 50, seed: 3 });
    expect(runs[0]?.startTimeMs).toBe(SIMULATION_EPOCH_MS);
    expect(new Set(runs.map((r) => r.executionId)).size).toBe(50);
    expect((runs[1]?.startTimeMs ?? 0) - (runs[0]?.startTimeMs ?? 0)).toBe(15 * 60 * 1000);
  });

  it('records only the dependencies whose output was there: waitedFor', () => {
    const model = chainTeam(3);
    expect(simulateRun(model, config('sequential', 3), 1).members.map((m) => m.waitedFor)).toEqual([[], ['m1'], ['m2']]);
    expect(simulateRun(model, config('parallel', 3), 1).members.map((m) => m.waitedFor)).toEqual([[], [], []]);
    // A pipeline streams each stage into the next, so the input counts as there.
    expect(simulateRun(model, config('pipeline', 3), 1).members.map((m) => m.waitedFor)).toEqual([[], ['m1'], ['m2']]);
  });

  it('does not run disabled members, and fills member_count with the next enabled ones', () => {
    const c = config('parallel', 2, { members: [{ id: 'm1', enabled: false }, { id: 'm2' }, { id: 'm3' }, { id: 'm4' }] });
    expect(ids(simulateRun(independentTeam(4), c, 1))).toEqual(['m2', 'm3']);
  });

  it('uses the model members in order when the config lists none, and synthesises members beyond them', () => {
    expect(ids(simulateRun(independentTeam(3), config('parallel', 2), 1))).toEqual(['m1', 'm2']);
    const r = simulateRun(independentTeam(2), config('parallel', 4), 1);
    expect(ids(r)).toEqual(['m1', 'm2', 'member_3', 'member_4']);
    expect(r.memberCount).toBe(4);
  });

  it('synthesises a listed member the model does not know from the model defaults', () => {
    const model: TeamModel = { members: [], defaults: { workSeconds: 200, workSigma: 0 } };
    const r = simulateRun(model, config('sequential', 1, { members: [{ id: 'newcomer', role: 'analyst' }] }), 1);
    expect(r.members[0]).toMatchObject({ memberId: 'newcomer', role: 'analyst' });
    expect(r.members[0]?.durationSeconds).toBeGreaterThanOrEqual(200);
  });

  it('adds a coordinator to a hierarchical team, or uses the listed one', () => {
    const added = simulateRun(independentTeam(3), config('hierarchical', 3), 1);
    expect(ids(added)).toEqual(['coordinator', 'm1', 'm2', 'm3']);
    expect(added.members[0]?.waitedFor).toEqual(['m1', 'm2', 'm3']);
    const listed = simulateRun(
      independentTeam(3),
      config('hierarchical', 3, { members: [{ id: 'boss', role: 'manager' }, { id: 'm1' }, { id: 'm2' }] }),
      1,
    );
    expect(ids(listed)).toEqual(['boss', 'm1', 'm2']);
    const [boss, m1, m2] = listed.members as [MemberRecord, MemberRecord, MemberRecord]; // ids checked just above
    // The coordinator plans before the workers start and integrates after they end.
    expect(m1.startTimeMs).toBeGreaterThan(boss.startTimeMs!);
    expect(boss.endTimeMs).toBeGreaterThan(Math.max(m1.endTimeMs!, m2.endTimeMs!));
  });

  it('runs sub-teams under their own formation inside a hierarchical team', () => {
    const c = config('hierarchical', 5, {
      members: [
        { id: 'coordinator', role: 'manager' },
        { id: 'sub_team_1', formation: 'sequential', members: [{ id: 'm1' }, { id: 'm2' }] },
        { id: 'sub_team_2', formation: 'parallel', members: [{ id: 'm3' }, { id: 'm4' }] },
      ],
    });
    const r = simulateRun(independentTeam(4), c, 5);
    expect(ids(r)).toEqual(['coordinator', 'm1', 'm2', 'm3', 'm4']);
    const [, m1, m2, m3, m4] = r.members as [MemberRecord, MemberRecord, MemberRecord, MemberRecord, MemberRecord]; // ids checked above
    expect(m2.startTimeMs).toBeGreaterThanOrEqual(m1.endTimeMs!); // sequential sub-team
    expect(m3.startTimeMs).toBe(m4.startTimeMs); // parallel sub-team
    expect(m3.startTimeMs).toBe(m1.startTimeMs); // the sub-teams are independent, so they start together
  });

  it('lets a hierarchical coordinator start a unit only when the units it depends on are done', () => {
    const r = simulateRun(chainTeam(3), config('hierarchical', 3), 2);
    const [, m1, m2, m3] = r.members as [MemberRecord, MemberRecord, MemberRecord, MemberRecord]; // a coordinator and three members
    expect(m2.startTimeMs).toBeGreaterThanOrEqual(m1.endTimeMs!);
    expect(m3.startTimeMs).toBeGreaterThanOrEqual(m2.endTimeMs!);
    expect(r.members.slice(1).map((m) => m.waitedFor)).toEqual([[], ['m1'], ['m2']]);
  });

  it('cuts a run off at the timeout: success false, limitHit timeout, members cut or never started', () => {
    const r = simulateRun(independentTeam(4), config('sequential', 4, { timeoutSeconds: 30 }), 1);
    expect(r).toMatchObject({ success: false, limitHit: 'timeout', durationSeconds: 30 });
    expect(r.error).toMatch(/timed out after 30 s/);
    expect(r.members.length).toBeLessThan(4);
    const last = r.members.at(-1);
    expect(last).toMatchObject({ success: false });
    expect(last?.error).toMatch(/timeout/);
    expect(last?.endTimeMs).toBe(r.endTimeMs);
  });

  it.each([
    ['fail', 0],
    ['degrade', 0.5],
  ] as const)('stops a member at its share of the tool budget (%s)', (onExhaustion, factor) => {
    const model: TeamModel = { members: [], defaults: { toolCalls: 10, toolCallsCv: 0, successRate: 1 }, tools: { onExhaustion, degradedSuccessFactor: factor } };
    const runs = generateRuns(model, config('parallel', 2, { toolBudget: 8 }), { runs: 200, seed: 1 });
    for (const r of runs) {
      expect(r.limitHit).toBe('tool_budget');
      expect(r.members.map((m) => m.toolCalls)).toEqual([4, 4]);
    }
    const successRate = runs.filter((r) => r.success).length / runs.length;
    if (onExhaustion === 'fail') expect(successRate).toBe(0);
    else expect(successRate).toBeCloseTo(0.25, 1); // both members at half their success rate
  });

  it('gives a member a bigger or smaller share with toolBudgetMultiplier', () => {
    const model: TeamModel = { members: [], defaults: { toolCalls: 10, toolCallsCv: 0 } };
    const c = config('parallel', 2, { toolBudget: 10, members: [{ id: 'a', toolBudgetMultiplier: 1.6 }, { id: 'b', toolBudgetMultiplier: 0.4 }] });
    expect(simulateRun(model, c, 1).members.map((m) => m.toolCalls)).toEqual([8, 2]);
  });

  it('never lets the team use more calls than its budget, whatever the multipliers', () => {
    const model: TeamModel = { members: [], defaults: { toolCalls: 10, toolCallsCv: 0 } };
    const c = config('parallel', 2, { toolBudget: 10, members: [{ id: 'a', toolBudgetMultiplier: 2 }, { id: 'b', toolBudgetMultiplier: 2 }] });
    const r = simulateRun(model, c, 1);
    expect(r.members.map((m) => m.toolCalls)).toEqual([10, 0]);
  });

  it('makes members with budget to spare explore: more calls with a bigger budget, never below the need', () => {
    const model: TeamModel = { members: [], defaults: { toolCalls: 4, toolCallsCv: 0 }, tools: { exploration: 0.5 } };
    const calls = (budget: number): number => simulateRun(model, config('parallel', 1, { toolBudget: budget }), 1).toolCalls;
    expect(calls(4)).toBe(4);
    expect(calls(8)).toBe(6);
    expect(calls(100)).toBe(4 + 0.5 * 8); // headroom capped at maxOveruse (2) x need
  });

  it('fails the run when a required member is left out', () => {
    const model: TeamModel = { members: [{ id: 'a', successRate: 1 }, { id: 'b', successRate: 1, required: true }], dependencies: { missingInputSuccessFactor: 0 } };
    const r = simulateRun(model, config('parallel', 1), 1);
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/lacks the part of b/);
    expect(simulateRun(model, config('parallel', 2), 1).success).toBe(true);
  });

  it('reports consensus rounds in labels', () => {
    const r = simulateRun(independentTeam(5), config('consensus', 5), 1);
    expect(Number(r.labels?.consensus_rounds)).toBeGreaterThanOrEqual(1);
    expect(['true', 'false']).toContain(r.labels?.consensus_achieved);
  });

  it.each([
    [config('swarm', 2), /unknown formation "swarm"/],
    [config('parallel', 0), /member_count.*whole number >= 1/],
    [config('parallel', 2, { timeoutSeconds: 0 }), /timeout_seconds.*> 0/],
    [config('parallel', 2, { members: [{ id: 'a' }, { id: 'a' }] }), /"a" appears twice/],
  ])('rejects a config it cannot run: %j', (c, message) => {
    let caught: unknown;
    try {
      simulateRun(independentTeam(2), c, 1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SimulatorError);
    expect(isAutotuneError(caught)).toBe(true);
    expect((caught as SimulatorError).code).toBe('SIMULATOR_INVALID_CONFIG');
    expect((caught as Error).message).toMatch(message);
  });
});
