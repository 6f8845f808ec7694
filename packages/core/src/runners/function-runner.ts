import type { TrialContext, TrialRunner } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';
import { completeRecord, looksLikeRecord } from './complete-record';

/**
 * A team run in process: gets the trial's config (a copy it may keep) and context, and returns its
 * execution record, part of one (autotune's camelCase or the original's snake_case), or nothing.
 */
export type TeamFunction = (
  config: TeamConfig,
  context: TrialContext,
) => Promise<ExecutionRecord | Partial<ExecutionRecord> | Record<string, unknown> | void> | ExecutionRecord | Partial<ExecutionRecord> | void;

/** Options of a {@link FunctionRunner}. */
export interface FunctionRunnerOptions {
  /** Team id put on records that lack one. Default: the trial's. */
  teamId?: string;
}

/**
 * Runs a team that lives in the same process. The call is timed: what the function returns fills the
 * record, and the runner's clock and the trial's config fill the rest; a function that returns nothing
 * succeeded in the time it took. A function that throws fails its trial (the experiment records a failed
 * sample). The function should honour `context.signal` to stop early when the trial is cancelled.
 */
export class FunctionRunner implements TrialRunner<TeamConfig> {
  /** Execution ids of the records returned so far: every trial must be a run of its own. */
  private readonly seenExecutionIds = new Set<string>();

  constructor(
    private readonly fn: TeamFunction,
    private readonly options: FunctionRunnerOptions = {},
  ) {
    if (typeof fn !== 'function') throw new CoreError('CORE_CONFIG_INVALID', `FunctionRunner needs a function, got ${typeof fn}`);
  }

  async run(config: TeamConfig, context: TrialContext): Promise<ExecutionRecord> {
    context.signal.throwIfAborted();
    const startMs = Date.now();
    const returned: unknown = await this.fn(structuredClone(config), context);
    const endMs = Date.now();
    if (returned !== undefined && returned !== null && !looksLikeRecord(returned)) {
      throw new CoreError('CORE_RUNNER_OUTPUT', `the team function returned ${Array.isArray(returned) ? 'a list' : typeof returned}, expected an execution record, part of one, or nothing`);
    }
    const teamId = this.options.teamId ?? context.teamId;
    return completeRecord(
      (returned ?? undefined),
      { config, teamId, context, startMs, endMs, ok: true, seenExecutionIds: this.seenExecutionIds },
      'the record returned by the team function',
    );
  }
}
