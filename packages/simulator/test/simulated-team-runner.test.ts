import { evaluateExperiment, runExperiment } from '@autotune/abtest';
import type { TrialContext } from '@autotune/abtest';
import { SimulatedTeamRunner, SimulatorError, loadScenario, scenarioConfigWith } from '../src';
import { config, independentTeam } from './helpers';

const context = (trial: number, seed = 1, signal = new AbortController().signal): TrialContext => ({
  teamId: 'ctx_team',
  arm: 'baseline',
  trial,
  seed,
  signal,
});

describe('SimulatedTeamRunner', () => {
  it('simulates one trial from the context seed and trial number, deterministically', async () => {
    const runner = new SimulatedTeamRunner(independentTeam(3), { startTimeMs: 5000 });
    const c = config('parallel', 3);
    const a = await runner.run(c, context(0));
    expect(a.teamId).toBe('ctx_team');
    expect(a.startTimeMs).toBe(5000);
    expect(await runner.run(c, context(0))).toEqual(a);
    expect((await runner.run(c, context(1))).executionId).not.toBe(a.executionId);
    expect((await runner.run(c, context(0, 2))).executionId).not.toBe(a.executionId);
  });

  it('uses its own team id and start-time function when given', async () => {
    let clock = 1000;
    const runner = new SimulatedTeamRunner(independentTeam(2), { teamId: 'own', startTimeMs: () => (clock += 1000) });
    const r = await runner.run(config('parallel', 2), context(0));
    expect(r).toMatchObject({ teamId: 'own', startTimeMs: 2000 });
  });

  it('rejects a trial of a cancelled experiment', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));
    const runner = new SimulatedTeamRunner(independentTeam(2));
    await expect(runner.run(config('parallel', 2), context(0, 1, controller.signal))).rejects.toThrow('cancelled by the user');
  });

  it('checks its model when it is made', () => {
    expect(() => new SimulatedTeamRunner({ members: [{ id: 'a', successRate: 2 }] })).toThrow(SimulatorError);
  });

  it('drives a real A/B experiment: the regression trap parallel change fails, pipeline passes', async () => {
    const s = loadScenario('regression-trap');
    const runner = new SimulatedTeamRunner(s.model, { startTimeMs: 0 });
    const experiment = async (change: Record<string, unknown>, metric: 'duration' | 'success_rate') =>
      evaluateExperiment(
        await runExperiment({ teamId: s.teamId, baseline: s.config, candidate: scenarioConfigWith(s, change), runner, runsPerArm: 30, seed: 3 }),
        { metric },
      );
    expect((await experiment({ formation: 'pipeline' }, 'duration')).status).toBe('passed');
    expect((await experiment({ formation: 'parallel' }, 'duration')).status).toBe('failed');
  });
});
