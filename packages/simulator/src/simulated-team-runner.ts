import type { TrialContext, TrialRunner } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { deriveSeed } from './random';
import { simulateRun } from './simulate-run';
import { validateTeamModel } from './team-model';
import type { TeamModel } from './team-model';

/** Options of a `SimulatedTeamRunner`. */
export interface SimulatedTeamRunnerOptions {
  /** Team id written into records; defaults to the experiment's `context.teamId`. */
  teamId?: string;
  /**
   * Start time of each simulated run (epoch ms), or a function giving it. Defaults to the wall clock, so records
   * sit where the experiment ran; pass a number for records that are identical from run to run.
   */
  startTimeMs?: number | (() => number);
}

/**
 * A `TrialRunner` that runs the simulated team instead of a real one: no LLM, no sleeping, the same record for
 * the same trial seed. The trial's seed comes from `context.seed` mixed with `context.trial`, and the arm is
 * left out on purpose: trial k of both arms then faces the same luck, as in a paired design.
 */
export class SimulatedTeamRunner implements TrialRunner<TeamConfig> {
  readonly model: TeamModel;
  private readonly options: SimulatedTeamRunnerOptions;

  /** Checks the model once, so a bad model fails here and not in the middle of an experiment. */
  constructor(model: TeamModel, options: SimulatedTeamRunnerOptions = {}) {
    validateTeamModel(model);
    this.model = model;
    this.options = options;
  }

  /** Simulates one trial. Rejects with the signal's reason when the experiment was already cancelled. */
  run(config: TeamConfig, context: TrialContext): Promise<ExecutionRecord> {
    // Inside the executor, so that an aborted signal or a bad config rejects rather than throws.
    return new Promise((resolve) => {
      context.signal?.throwIfAborted();
      const start = this.options.startTimeMs;
      resolve(
        simulateRun(this.model, config, deriveSeed(context.seed, 'trial', context.trial), {
          teamId: this.options.teamId ?? context.teamId,
          startTimeMs: typeof start === 'function' ? start() : (start ?? Date.now()),
        }),
      );
    });
  }
}
