import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import type { TuneEngineInput } from './tune-types';

/** A tune cancelled by its signal: nothing it decided is to be kept. */
export class TuneCancelled extends Error {
  constructor(reason: unknown) {
    super('the tune was cancelled', { cause: reason });
    this.name = 'TuneCancelled';
  }
}


/** A trial to run: a config, its trial index and seed, and the arm it stands for. */
export interface TrialJob {
  config: TeamConfig;
  trial: number;
  seed: number;
  arm?: 'baseline' | 'candidate';
}

/** Every new run of a tune, with the label of what it was for. */
export type RunLog = Array<{ record: ExecutionRecord; purpose: string }>;

/** Runs trials with the configured concurrency; a trial that throws or times out is a failed record. */
export async function runTrials(input: TuneEngineInput, jobs: readonly TrialJob[], onDone?: () => void): Promise<ExecutionRecord[]> {
  if (input.signal?.aborted) throw new TuneCancelled(input.signal.reason);
  const controller = new AbortController();
  const onAbort = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const out = new Array<ExecutionRecord>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !controller.signal.aborted) {
      const i = next++;
      out[i] = await runOne(input, jobs[i]!, controller.signal); // i < jobs.length
      onDone?.();
    }
  };
  try {
    // Every worker settles before this returns or throws, so no trial (no runner process) outlives the race.
    await Promise.all(Array.from({ length: Math.min(input.concurrency, jobs.length) }, worker));
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
  if (input.signal?.aborted) throw new TuneCancelled(input.signal.reason);
  return out;
}

async function runOne(input: TuneEngineInput, job: TrialJob, signal: AbortSignal): Promise<ExecutionRecord> {
  const started = Date.now();
  const controller = new AbortController();
  const forward = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const failed = (error: string, timedOut: boolean): ExecutionRecord => {
    const durationSeconds = timedOut && input.trialTimeoutMs ? input.trialTimeoutMs / 1000 : (Date.now() - started) / 1000;
    return {
      teamId: input.teamId,
      executionId: `${input.teamId}-tune-${job.seed.toString(16)}-${job.trial}-${configFingerprint(job.config).slice(0, 8)}`,
      startTimeMs: started,
      endTimeMs: started + Math.round(durationSeconds * 1000),
      durationSeconds,
      success: false,
      error,
      memberCount: 0,
      toolCalls: 0,
      members: [],
      configFingerprint: configFingerprint(job.config),
      ...(timedOut ? { limitHit: 'timeout' as const } : {}),
    };
  };
  try {
    const run = Promise.resolve().then(() => input.runner.run(job.config, { teamId: input.teamId, arm: job.arm ?? 'candidate', trial: job.trial, seed: job.seed, signal: controller.signal }));
    run.catch(() => undefined);
    const contenders: Array<Promise<ExecutionRecord | 'timeout'>> = [run];
    if (input.trialTimeoutMs) contenders.push(new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), input.trialTimeoutMs))));
    const r = await Promise.race(contenders);
    if (r === 'timeout') {
      controller.abort(new Error('trial timed out'));
      return failed(`timed out after ${input.trialTimeoutMs} ms`, true);
    }
    if (!r || typeof r !== 'object' || typeof r.durationSeconds !== 'number' || typeof r.success !== 'boolean') return failed('runner returned an invalid record', false);
    return { ...r, configFingerprint: r.configFingerprint ?? configFingerprint(job.config) };
  } catch (e) {
    return failed(e instanceof Error ? e.message : String(e), false);
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', forward);
  }
}
