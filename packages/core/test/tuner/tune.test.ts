import type { TrialContext, TrialRunner } from '@autotune/abtest';
import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import { builtinStrategies, defineStrategy, type TeamConfig } from '@autotune/strategies';
import { PerformanceAnalyzer } from '@autotune/analyzer';
import { generateRuns, generateScenario, SimulatedTeamRunner, SIMULATION_EPOCH_MS } from '@autotune/simulator';
import { CoreError, MemoryStore, PerformanceAutotuner, teamConfigFromUser, validateSearchSpace, EXPERIMENT_LABEL, type TuneOutcome } from '../../src';

/** A small seeded PRNG (mulberry32), so the in-memory runner is deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * An in-memory runner where every config performs alike (an A/A world): lognormal durations around 100 s and a
 * 90% success rate. Each run draws its own luck from the trial seed, the trial index and the config, so
 * configs are independent and a race has noise to be fooled by.
 */
class AlikeRunner implements TrialRunner<TeamConfig> {
  runs: ExecutionRecord[] = [];
  private n = 0;
  constructor(private readonly teamId: string) {}
  run(config: TeamConfig, context: TrialContext): Promise<ExecutionRecord> {
    const rnd = prng(hash(`${context.seed}/${context.trial}/${context.arm}/${configFingerprint(config)}/${this.n}`));
    const u1 = Math.max(rnd(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rnd());
    const durationSeconds = 100 * Math.exp(0.3 * z);
    const record: ExecutionRecord = {
      teamId: this.teamId,
      executionId: `alike-${this.n++}`,
      startTimeMs: SIMULATION_EPOCH_MS,
      endTimeMs: SIMULATION_EPOCH_MS + Math.round(durationSeconds * 1000),
      durationSeconds,
      success: rnd() < 0.9,
      memberCount: config.memberCount,
      toolCalls: 10,
      members: [],
      costUsd: durationSeconds / 1000,
      configFingerprint: configFingerprint(config),
    };
    this.runs.push(record);
    return Promise.resolve(record);
  }
}

const BASE: TeamConfig = {
  formation: 'sequential',
  memberCount: 3,
  members: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
  toolBudget: 40,
  timeoutSeconds: 600,
};

async function alikeTuner(seed: number, strategies = builtinStrategies()) {
  const store = new MemoryStore();
  // Recorded runs of the config in force, so the strategies have statistics to suggest from.
  const recorder = new AlikeRunner('team');
  const controller = new AbortController();
  for (let i = 0; i < 30; i++) void recorder.run(BASE, { teamId: 'team', arm: 'baseline', trial: i, seed: 7 * seed, signal: controller.signal });
  await store.writeMany(recorder.runs.map((r, i) => ({ ...r, executionId: `history-${i}`, startTimeMs: r.startTimeMs - (i + 1) * 3_600_000, endTimeMs: r.endTimeMs - (i + 1) * 3_600_000 })));
  const runner = new AlikeRunner('team');
  const autotuner = new PerformanceAutotuner({ runner, store, seed, strategies, now: () => new Date(SIMULATION_EPOCH_MS) });
  return { runner, store, autotuner };
}

/** A generated scenario with 40 recorded runs in the store and the simulator as the runner. */
async function simulated(seed: number) {
  const scenario = generateScenario(seed);
  const config = teamConfigFromUser(scenario.workflow);
  const history = generateRuns(scenario.model, config, { runs: 40, seed, teamId: scenario.teamId });
  const analyzer = new PerformanceAnalyzer();
  analyzer.loadMetrics(history);
  const store = new MemoryStore();
  await store.writeMany(history);
  const sim = new SimulatedTeamRunner(scenario.model, { teamId: scenario.teamId, startTimeMs: SIMULATION_EPOCH_MS });
  const produced: ExecutionRecord[] = [];
  const runner: TrialRunner<TeamConfig> = {
    run: async (c, ctx) => {
      const r = await sim.run(c, ctx);
      const unique = { ...r, executionId: `sim-${produced.length}` };
      produced.push(unique);
      return unique;
    },
  };
  const autotuner = new PerformanceAutotuner({ analyzer, store, runner, seed, now: () => new Date(SIMULATION_EPOCH_MS) });
  return { scenario, config, history, store, autotuner, produced };
}

/** The outcome without wall-clock fields, for comparing two tunes. */
function comparable(o: TuneOutcome): unknown {
  return JSON.parse(JSON.stringify(o, (k, v) => (k === 'experimentId' || k === 'applyId' || k === 'startedAt' || k === 'finishedAt' || k === 'startTimeMs' || k === 'endTimeMs' ? undefined : v)));
}

describe('tune: the race and its confirm test', () => {
  // At 150 runs a refused winner can be followed by another race and confirm from the same config: the bound
  // must hold with those retries too.
  it.each([
    [60, 200],
    [150, 100],
  ])('A/A: over seeded tunes with a budget of %i runs (%i tunes) where every candidate equals the config in force, a change is kept at most about alpha of the time', async (budget, tunes) => {
    let kept = 0;
    let confirms = 0;
    for (let seed = 1; seed <= tunes; seed++) {
      const { autotuner } = await alikeTuner(seed);
      const outcome = await autotuner.tune('team', BASE, { budget });
      confirms += outcome.steps.filter((s) => s.confirm).length;
      if (outcome.steps.some((s) => s.kept)) kept++;
    }
    // The race must have produced confirm tests for the check to mean anything.
    expect(confirms).toBeGreaterThan(tunes / 2);
    // alpha = 0.05, plus two standard errors of sampling noise (0.05 + 2 * sqrt(0.05 * 0.95 / tunes)).
    expect(kept / tunes).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / tunes));
  }, 240_000);

  it('drops a lowered tool budget from the race once its runs hit it more often than the config in force, and never keeps it', async () => {
    const { store } = await alikeTuner(11);
    const alike = new AlikeRunner('team');
    // Cutting the tool budget makes runs 30% faster, but a third of them then end on the budget (still "successful",
    // so only the limit hits show the cut is too deep).
    const runner: TrialRunner<TeamConfig> = {
      run: async (c, ctx) => {
        const r = await alike.run(c, ctx);
        if ((c.toolBudget ?? 40) >= 40) return r;
        const u = prng(hash(`${ctx.seed}/${ctx.trial}/cut`))();
        return { ...r, durationSeconds: r.durationSeconds * 0.7, ...(u < 0.35 ? { limitHit: 'tool_budget' as const } : {}) };
      },
    };
    const tuner = new PerformanceAutotuner({ runner, store, seed: 11, now: () => new Date(SIMULATION_EPOCH_MS) });
    const outcome = await tuner.tune('team', BASE, { budget: 150, dryRun: true, searchSpace: { frozen: ['formation', 'members', 'member_count', 'timeout_seconds'] } });
    expect((outcome.finalConfig.toolBudget ?? 40) >= 40).toBe(true);
    const drops = outcome.steps.flatMap((st) => st.race.standings).filter((x) => (x.config.toolBudget ?? 40) < 40);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.some((x) => /the lowered tool budget was hit in \d+ of \d+ rounds against \d+/.test(x.dropReason ?? ''))).toBe(true);
  }, 60_000);

  it('does not race what the history rules out: dropping a member others waited for, a tool budget its runs would have hit', async () => {
    const store = new MemoryStore();
    const recorder = new AlikeRunner('team');
    const controller = new AbortController();
    for (let i = 0; i < 30; i++) await recorder.run(BASE, { teamId: 'team', arm: 'baseline', trial: i, seed: 3, signal: controller.signal });
    // Member b waited for a's output in every recorded run; c waited for nobody.
    const member = (id: string, waitedFor: string[]) => ({ memberId: id, success: true, durationSeconds: 30, toolCalls: 10, waitedFor });
    await store.writeMany(recorder.runs.map((r, i) => ({ ...r, executionId: `history-${i}`, toolCalls: 10, members: [member('a', []), member('b', ['a']), member('c', [])] })));
    const tuner = new PerformanceAutotuner({ runner: new AlikeRunner('team'), store, seed: 3, now: () => new Date(SIMULATION_EPOCH_MS) });
    const outcome = await tuner.tune('team', BASE, { budget: 60, dryRun: true, searchSpace: { toolBudget: { levels: [8, 30] } } });
    const standings = outcome.steps[0]!.race.standings;
    const dropA = standings.find((x) => x.label === 'drop member a')!;
    expect(dropA.runs).toBe(0);
    expect(dropA.dropReason).toBe("not raced: the history rules it out (b waited for a's output in 30 of 30 recorded runs)");
    // Dropping b and c together leaves a alone: nobody that stays waited for them, so it may race.
    expect(standings.find((x) => x.label === 'drop member c')!.dropReason ?? '').not.toMatch(/history/);
    const cut8 = standings.find((x) => x.config.toolBudget === 8)!;
    expect(cut8.runs).toBe(0);
    expect(cut8.dropReason).toBe('not raced: the history rules it out (30 of 30 recorded runs used 8 tool calls or more)');
    expect(standings.find((x) => x.config.toolBudget === 30)!.dropReason ?? '').not.toMatch(/history/);
  }, 60_000);

  it.each([30, 41, 60, 97, 150])('never runs more than a budget of %i runs, and reports exactly what it ran', async (budget) => {
    const { autotuner, runner } = await alikeTuner(budget);
    const outcome = await autotuner.tune('team', BASE, { budget });
    expect(runner.runs.length).toBe(outcome.runsUsed);
    expect(outcome.runsUsed).toBeLessThanOrEqual(budget);
  });

  it('refuses a budget that is not a whole number of runs', async () => {
    const { autotuner } = await alikeTuner(1);
    await expect(autotuner.tune('team', BASE, { budget: 12.5 })).rejects.toThrow(/budget: expected a whole number/);
  });

  it('confirms with fresh runs only: no confirm sample is a race run or a history run', async () => {
    const { autotuner, store, history, config, scenario, produced } = await simulated(1009);
    const outcome = await autotuner.tune(scenario.teamId, config, { budget: 150 });
    const confirmed = outcome.steps.filter((s) => s.confirm);
    expect(confirmed.length).toBeGreaterThan(0);
    const historyIds = new Set(history.map((r) => r.executionId));
    const producedIds = new Set(produced.map((r) => r.executionId));
    const raceIds = new Set(
      (await store.listRecords(scenario.teamId))
        .filter((r) => String(r.labels?.[EXPERIMENT_LABEL] ?? '').includes(': race'))
        .map((r) => r.executionId),
    );
    expect(raceIds.size).toBeGreaterThan(0);
    for (const step of confirmed) {
      const samples = [...step.confirm!.result.baseline, ...step.confirm!.result.candidate];
      expect(samples).toHaveLength(2 * step.confirm!.runsPerArm);
      for (const s of samples) {
        expect(producedIds.has(s.record.executionId)).toBe(true);
        expect(historyIds.has(s.record.executionId)).toBe(false);
        expect(raceIds.has(s.record.executionId)).toBe(false);
      }
    }
  }, 60_000);

  it('after a refused confirm the same race goes on: no round is run again, the refused winner is out, and so is every racer making its change', async () => {
    // Seed 1013 at 150 runs: the race's winner passes its verdict but is refused on success, and the tune races again.
    const { autotuner, scenario, config } = await simulated(1013);
    const outcome = await autotuner.tune(scenario.teamId, config, { budget: 150 });
    const i = outcome.steps.findIndex((s, k) => k > 0 && outcome.steps[k - 1]!.confirm && !outcome.steps[k - 1]!.kept);
    expect(i).toBeGreaterThan(0);
    const [before, after] = [outcome.steps[i - 1]!, outcome.steps[i]!];
    expect(configFingerprint(after.from)).toBe(configFingerprint(before.from));
    // The continued race holds the earlier rounds and spends runs only on new ones.
    expect(after.race.rounds).toBeGreaterThanOrEqual(before.race.rounds);
    const earlier = new Map(before.race.standings.map((s) => [s.id, s.runs]));
    for (const s of after.race.standings) if (earlier.has(s.id)) expect(s.runs).toBeGreaterThanOrEqual(earlier.get(s.id)!);
    const refused = after.race.standings.find((s) => s.id === before.race.winner)!;
    expect(refused.status).toBe('eliminated');
    expect(refused.dropReason).toMatch(/confirm test refused it/);
    expect(after.race.winner).not.toBe(before.race.winner);
    const refusedFormation = before.race.standings.find((s) => s.id === before.race.winner)!.config.formation;
    if (refusedFormation !== before.from.formation) {
      for (const s of after.race.standings) if (s.status !== 'eliminated') expect(s.config.formation).not.toBe(refusedFormation);
    }
  }, 60_000);

  it('adds pairs for the success check only after a passing verdict, runs them fresh, and counts them in the budget', async () => {
    // Seed 1025 at 150 runs: the verdict passes with the success rate in doubt, so the confirm adds pairs.
    const { autotuner, scenario, config, produced, history } = await simulated(1025);
    const outcome = await autotuner.tune(scenario.teamId, config, { budget: 150 });
    const extended = outcome.steps.filter((s) => (s.confirm?.successCheck.extraPairs ?? 0) > 0);
    expect(extended.length).toBeGreaterThan(0);
    for (const s of extended) expect(s.confirm!.verdict.status).toBe('passed');
    for (const s of outcome.steps) if (s.confirm && s.confirm.verdict.status !== 'passed') expect(s.confirm.successCheck.extraPairs).toBe(0);
    // Every run the runner made is accounted for, within the budget, and none of them is a history run.
    expect(produced).toHaveLength(outcome.runsUsed);
    expect(outcome.runsUsed).toBeLessThanOrEqual(150);
    const historyIds = new Set(history.map((r) => r.executionId));
    expect(produced.some((r) => historyIds.has(r.executionId))).toBe(false);
  }, 60_000);

  it('refuses a switch away from consensus when the members the vote outvoted would have failed runs (seed 1014, 400 runs)', async () => {
    const { autotuner, scenario, config } = await simulated(1014);
    expect(config.formation).toBe('consensus');
    const outcome = await autotuner.tune(scenario.teamId, config, { budget: 400 });
    const refusal = outcome.steps.find((s) => s.confirm && !s.kept && /outvoted/.test(s.confirm.reason));
    expect(refusal).toBeDefined();
    expect(refusal!.confirm!.verdict.status).toBe('passed');
    expect(refusal!.confirm!.successCheck.passed).toBe(false);
    expect(outcome.finalConfig.formation).toBe('consensus');
  }, 120_000);

  it('is deterministic for a seed', async () => {
    const a = await (await simulated(1005)).autotuner.tune('generated_team_1005', teamConfigFromUser(generateScenario(1005).workflow), { budget: 120 });
    const b = await (await simulated(1005)).autotuner.tune('generated_team_1005', teamConfigFromUser(generateScenario(1005).workflow), { budget: 120 });
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.steps[0]!.race.rounds).toBeGreaterThan(0);
  }, 60_000);

  it('finds and keeps a formation change worth 48% on a generated team (seed 1009), with one history entry per kept change', async () => {
    const { autotuner, scenario, config, store } = await simulated(1009);
    const outcome = await autotuner.tune(scenario.teamId, config, { budget: 150 });
    expect(outcome.finalConfig.formation).toBe('pipeline');
    const kept = outcome.steps.filter((s) => s.kept);
    expect(kept[0]!.confirm!.verdict.status).toBe('passed');
    const history = await store.listHistory(scenario.teamId);
    expect(history.filter((h) => h.status === 'applied')).toHaveLength(kept.length);
    expect(outcome.historyIds).toEqual(kept.map((s) => s.historyId));
    // Undoing the oldest entry of the tune undoes all of it.
    const rollback = await autotuner.rollbackOptimization(scenario.teamId, kept.length - 1);
    expect(configFingerprint(rollback.restoredConfig)).toBe(configFingerprint(config));
  }, 60_000);

  it('never changes a frozen setting nor drops a member that must stay', async () => {
    const { autotuner, scenario, config } = await simulated(1009);
    const events: string[][] = [];
    const outcome = await autotuner.tune(scenario.teamId, config, {
      budget: 120,
      searchSpace: { frozen: ['formation'], keepMembers: ['member_a'] },
      onEvent: (e) => {
        if (e.type === 'round') events.push(e.standings.map((s) => `${s.config.formation}|${(s.config.members ?? []).filter((m) => m.enabled !== false).map((m) => m.id).join(',')}`));
      },
    });
    expect(events.length).toBeGreaterThan(0);
    for (const round of events) {
      for (const s of round) {
        const [formation, members] = s.split('|');
        expect(formation).toBe(config.formation);
        expect(members!.split(',')).toContain('member_a');
      }
    }
    expect(outcome.finalConfig.formation).toBe(config.formation);
  }, 60_000);

  it("races a third-party strategy's suggestion, ranked before the neighbourhood", async () => {
    const acme = defineStrategy({
      name: 'acme-budget',
      suggest: (_insights, current) => [
        {
          type: 'acme',
          priority: 'high',
          description: 'try a tool budget of 33',
          currentConfig: current,
          suggestedConfig: { toolBudget: 33 },
          expectedImprovement: 10,
          confidence: 0.9,
          riskLevel: 0.1,
          targetMetric: 'duration',
        },
      ],
      apply: (config, s) => ({ ...config, ...s.suggestedConfig }),
    });
    const { autotuner } = await alikeTuner(3, [...builtinStrategies(), acme]);
    const outcome = await autotuner.tune('team', BASE, { budget: 60 });
    const standings = outcome.steps[0]!.race.standings;
    const mine = standings.find((s) => s.strategy === 'acme-budget');
    expect(mine).toBeDefined();
    expect(mine!.source).toBe('suggestion');
    expect(mine!.config.toolBudget).toBe(33);
    expect(mine!.runs).toBeGreaterThan(0);
  });

  it('a cancelled tune writes nothing: no history, no records, no experiments', async () => {
    const { runner, store, autotuner } = await alikeTuner(5);
    const controller = new AbortController();
    const wrapped: TrialRunner<TeamConfig> = {
      run: async (c, ctx) => {
        if (runner.runs.length === 25) controller.abort(new Error('stop'));
        return runner.run(c, ctx);
      },
    };
    const tuner = new PerformanceAutotuner({ runner: wrapped, store, seed: 5 });
    await expect(tuner.tune('team', BASE, { budget: 150, signal: controller.signal })).rejects.toThrow();
    expect(await store.listHistory('team')).toHaveLength(0);
    expect(await store.listRecords('team')).toHaveLength(30);
    void autotuner;
  });
});

describe('validateSearchSpace', () => {
  it.each([
    [{ formations: ['warp'] }, /searchSpace\.formations\[0\]: expected one of sequential/],
    [{ memberCount: { min: 4, max: 2 } }, /searchSpace\.memberCount\.max: expected a number >= min \(4\)/],
    [{ frozen: ['colour'] }, /searchSpace\.frozen\[0\]: expected one of formation/],
    [{ toolBudget: { levels: [10, -1] } }, /searchSpace\.toolBudget\.levels\[1\]: expected a whole number > 0/],
    [{ keepMembers: [''] }, /searchSpace\.keepMembers: expected an array of member ids/],
    [{ budgets: 3 }, /searchSpace\.budgets: expected one of formations/],
  ])('rejects %j with a message naming the field', (space, message) => {
    expect(() => validateSearchSpace(space)).toThrow(CoreError);
    expect(() => validateSearchSpace(space)).toThrow(message);
  });
});
