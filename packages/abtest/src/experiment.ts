import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import { AbtestError, invalidInput, type PartialExperimentResult } from './errors';
import { MIN_RUNS_PER_ARM, type EarlyStop, type ExperimentMetric, type ExperimentResult, type GuardrailLimits, type SequentialDesign } from './experiment-types';

export { MIN_RUNS_PER_ARM };
import { groupSequentialBounds, type SpendingFunction } from './group-sequential';
import { createRng } from '@autotune/stats';
import { checkSeed, integerAtLeast, oneOf } from './internal/validate';
import { stopsExperiment, type TrialRunner } from './trial';
import type { Arm, TrialSample } from './trial-sample';
import { judge, judgeSettings } from './verdict';


/** Progress after each finished trial. */
export interface ExperimentProgress {
  completed: number;
  /** Trials planned (with early stopping: the maximum). */
  total: number;
  sample: TrialSample;
}

/** Early stopping settings; `true` means all defaults. */
export interface EarlyStoppingOptions {
  /** Runs per arm between looks (the first look is after this many). Default 10, at least 10. */
  lookEvery?: number;
  /** Default `'obrien-fleming'`. */
  spending?: SpendingFunction;
  /** Stop (as inconclusive) at a look where the candidate measured worse than the baseline. Default true. */
  futility?: boolean;
  /** The verdict settings the looks judge with; pass the same to `evaluateExperiment`. Defaults as there. */
  alpha?: number;
  threshold?: number;
  metric?: ExperimentMetric;
  guardrails?: GuardrailLimits;
}

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions<C> {
  teamId: string;
  baseline: C;
  candidate: C;
  runner: TrialRunner<C>;
  /** Runs per arm (the maximum, with early stopping). Default 10, at least 10. */
  runsPerArm?: number;
  /**
   * `'interleaved'` (default): runs come in blocks of one baseline and one candidate run, each block in a
   * seeded random order (AB or BA), so drift over time (load, caches, rate limits) hits both arms alike.
   * `'blocked'`: every baseline run first, then every candidate run (per look, with early stopping); only for
   * runners where switching configs is costly, since drift then biases the comparison.
   */
  order?: 'interleaved' | 'blocked';
  /** Trials run at once. Default 1. */
  concurrency?: number;
  /** A trial still running after this long is aborted and recorded as a failed, timed-out sample. */
  timeoutMs?: number;
  /** Seed of the schedule and the trials' seeds. Default: a random seed, recorded in the result. */
  seed?: number;
  /** Aborting cancels the experiment: running trials get an aborted signal and the promise rejects. */
  signal?: AbortSignal;
  onProgress?: (progress: ExperimentProgress) => void;
  /** Group-sequential early stopping: looks every `lookEvery` runs per arm, stops when the answer is clear. */
  earlyStopping?: boolean | EarlyStoppingOptions;
}

interface PlannedTrial {
  arm: Arm;
  trial: number;
}

/**
 * Runs both configs through the runner and collects one sample per trial. A trial whose runner throws, returns
 * something that is not an execution record, or outlives `timeoutMs` becomes a failed sample (success false,
 * duration = the time until the failure or the timeout); it never crashes the experiment.
 *
 * With `earlyStopping`, the experiment looks at the data every `lookEvery` runs per arm and stops as soon as
 * the verdict at that look is `passed` (at the look's group-sequential level, which keeps the false-pass rate at
 * alpha), `failed`, or (with futility) the candidate measured worse. `evaluateExperiment` then judges the result
 * with the same design.
 *
 * @throws AbtestError `ABTEST_INVALID_INPUT` for bad options (e.g. fewer than 10 runs per arm),
 *   `ABTEST_PREPARE_FAILED` when `runner.prepare()` throws, `ABTEST_CANCELLED` when `signal` aborts (its
 *   `partialResult` holds the finished samples). Errors thrown by `onProgress`, and runner errors marked
 *   `stopsExperiment`, reject the experiment as they are.
 */
export async function runExperiment<C>(options: RunExperimentOptions<C>): Promise<ExperimentResult> {
  const o = options ?? ({} as RunExperimentOptions<C>);
  if (typeof o.teamId !== 'string' || o.teamId === '') throw invalidInput('options.teamId', 'expected a non-empty team id');
  if (!o.runner || typeof o.runner.run !== 'function') throw invalidInput('options.runner', 'expected a TrialRunner with a run(config, context) method');
  const runsPerArm = o.runsPerArm === undefined ? MIN_RUNS_PER_ARM : integerAtLeast(o.runsPerArm, 'options.runsPerArm', MIN_RUNS_PER_ARM);
  const order = o.order === undefined ? 'interleaved' : oneOf(o.order, 'options.order', ['interleaved', 'blocked'] as const);
  const concurrency = o.concurrency === undefined ? 1 : integerAtLeast(o.concurrency, 'options.concurrency', 1);
  if (o.timeoutMs !== undefined && !(typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && Number.isFinite(o.timeoutMs))) {
    throw invalidInput('options.timeoutMs', `expected a positive number of milliseconds, got ${String(o.timeoutMs)}`);
  }
  const seed = o.seed === undefined ? randomInt(0, 2 ** 31 - 1) : checkSeed(o.seed, 'options.seed');
  const design = o.earlyStopping ? sequentialDesign(o.earlyStopping === true ? {} : o.earlyStopping, runsPerArm) : undefined;
  const looks = design ? design.looks : [runsPerArm];

  const rng = createRng(seed);
  const startedAt = new Date();
  const samples: TrialSample[] = [];
  // The samples so far, as a result: the final one, or what a cancellation hands back.
  const snapshot = () => ({
    teamId: o.teamId,
    ...splitArms(samples),
    runsPerArm,
    seed,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  });
  const partial = (): PartialExperimentResult => ({ ...snapshot(), cancelled: true });
  const cancelled = (): AbtestError =>
    new AbtestError('ABTEST_CANCELLED', `experiment for team "${o.teamId}" was cancelled after ${samples.length} of ${2 * runsPerArm} trials`, {
      cause: o.signal?.reason,
      partialResult: partial(),
    });
  if (o.signal?.aborted) throw cancelled();

  if (o.runner.prepare) {
    try {
      await o.runner.prepare();
    } catch (e) {
      throw new AbtestError('ABTEST_PREPARE_FAILED', `the runner's preflight check failed, so no trial ran: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (o.signal?.aborted) throw cancelled();
  }

  const fingerprints = { baseline: safeFingerprint(o.baseline), candidate: safeFingerprint(o.candidate) };
  let stoppedEarly: EarlyStop | undefined;
  let done = 0;
  let trialIndex = 0;
  let from = 0;
  for (const [k, look] of looks.entries()) {
    const stage = schedule(from, look, order, rng, trialIndex);
    from = look;
    trialIndex += stage.length;
    const seeds = stage.map(() => rng.fork());
    await runStage(stage, seeds, {
      concurrency,
      onTrial: (planned, trialSeed, signal) => runTrial(o, planned, trialSeed, signal, fingerprints[planned.arm]),
      onSample: (sample) => {
        samples.push(sample);
        done++;
        o.onProgress?.({ completed: done, total: 2 * runsPerArm, sample });
      },
      signal: o.signal,
      cancelled,
    });
    if (design && k < looks.length - 1) {
      const arms = splitArms(samples);
      const settings = { metric: design.metric, threshold: design.threshold, alpha: design.alpha, guardrails: design.guardrails };
      // The design has one nominal level per look.
      const v = judge(arms.baseline, arms.candidate, settings, { passAlpha: design.nominalAlpha[k]!, recommend: false });
      const futile = design.futility && v.status === 'inconclusive' && v.reasonCodes.includes('measured_worse');
      if (v.status !== 'inconclusive' || futile) {
        stoppedEarly = { look: k + 1, runsPerArm: look, status: v.status, reason: v.reason };
        break;
      }
    }
  }

  const result: ExperimentResult = { ...snapshot(), cancelled: false, order };
  if (design) result.sequential = design;
  if (stoppedEarly) result.stoppedEarly = stoppedEarly;
  return result;
}

function sequentialDesign(opts: EarlyStoppingOptions, runsPerArm: number): SequentialDesign {
  if (typeof opts !== 'object' || opts === null) throw invalidInput('options.earlyStopping', 'expected true or an object of early-stopping settings');
  const lookEvery = opts.lookEvery === undefined ? MIN_RUNS_PER_ARM : integerAtLeast(opts.lookEvery, 'options.earlyStopping.lookEvery', MIN_RUNS_PER_ARM);
  const settings = judgeSettings(opts, 'options.earlyStopping');
  const looks: number[] = [];
  for (let n = lookEvery; n < runsPerArm; n += lookEvery) looks.push(n);
  looks.push(runsPerArm);
  const bounds = groupSequentialBounds({ fractions: looks.map((n) => n / runsPerArm), alpha: settings.alpha, spending: opts.spending });
  return {
    spending: opts.spending ?? 'obrien-fleming',
    looks,
    nominalAlpha: bounds.nominalAlpha,
    alpha: settings.alpha,
    threshold: settings.threshold,
    metric: settings.metric,
    guardrails: settings.guardrails,
    futility: opts.futility ?? true,
  };
}

/** Trials for runs `from` .. `to` - 1 of each arm, in the order they start. */
function schedule(from: number, to: number, order: 'interleaved' | 'blocked', rng: ReturnType<typeof createRng>, firstIndex: number): PlannedTrial[] {
  const arms: Arm[] = [];
  if (order === 'blocked') {
    for (let i = from; i < to; i++) arms.push('baseline');
    for (let i = from; i < to; i++) arms.push('candidate');
  } else {
    for (let i = from; i < to; i++) {
      if (rng.next() < 0.5) arms.push('baseline', 'candidate');
      else arms.push('candidate', 'baseline');
    }
  }
  return arms.map((arm, i) => ({ arm, trial: firstIndex + i }));
}

interface StageHooks {
  concurrency: number;
  onTrial: (planned: PlannedTrial, seed: number, signal: AbortSignal) => Promise<TrialSample>;
  onSample: (sample: TrialSample) => void;
  signal?: AbortSignal | undefined;
  cancelled: () => AbtestError;
}

/** Runs planned trials with at most `concurrency` at once, starting them in schedule order. */
function runStage(stage: PlannedTrial[], seeds: number[], hooks: StageHooks): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const controller = new AbortController();
    // Every running trial listens on this signal; with many at once (trials on a queue of workers) Node would
    // otherwise warn about a listener leak that is none.
    setMaxListeners(hooks.concurrency + 10, controller.signal);
    let next = 0;
    let running = 0;
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        controller.abort(error);
        // What the runner or onProgress threw passes through unchanged, as it would through `await`.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      } else resolve();
    };
    const onAbort = (): void => finish(hooks.cancelled());
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    const launch = (): void => {
      while (!settled && running < hooks.concurrency && next < stage.length) {
        const i = next++;
        running++;
        hooks
          .onTrial(stage[i]!, seeds[i]!, controller.signal) // i < stage.length, and seeds has one per planned trial
          .then((sample) => {
            running--;
            if (settled) return;
            try {
              hooks.onSample(sample);
            } catch (e) {
              finish(e);
              return;
            }
            if (next >= stage.length && running === 0) finish();
            else launch();
          })
          .catch((e: unknown) => finish(e));
      }
    };
    if (hooks.signal?.aborted) onAbort();
    else if (stage.length === 0) finish();
    else launch();
  });
}

/** Runs one trial; rejects only for a runner error that {@link stopsExperiment} (other failures become failed samples). */
async function runTrial<C>(o: RunExperimentOptions<C>, planned: PlannedTrial, seed: number, experimentSignal: AbortSignal, fingerprint: string | undefined): Promise<TrialSample> {
  const controller = new AbortController();
  const forward = (): void => controller.abort(experimentSignal.reason);
  experimentSignal.addEventListener('abort', forward, { once: true });
  const startMs = Date.now();
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const config = planned.arm === 'baseline' ? o.baseline : o.candidate;
  const failed = (error: string, timedOut: boolean): TrialSample => {
    const durationSeconds = timedOut && o.timeoutMs !== undefined ? o.timeoutMs / 1000 : (performance.now() - start) / 1000;
    const record: ExecutionRecord = {
      teamId: o.teamId,
      executionId: `${o.teamId}-${planned.arm}-${planned.trial}-${seed.toString(16)}`,
      startTimeMs: startMs,
      endTimeMs: startMs + Math.round(durationSeconds * 1000),
      durationSeconds,
      success: false,
      error,
      memberCount: 0,
      toolCalls: 0,
      members: [],
      ...(timedOut ? { limitHit: 'timeout' as const, timeoutSeconds: (o.timeoutMs ?? 0) / 1000 } : {}),
      ...(fingerprint ? { configFingerprint: fingerprint } : {}),
    };
    return { arm: planned.arm, trial: planned.trial, record, error, ...(timedOut ? { timedOut: true } : {}) };
  };
  try {
    const run = Promise.resolve().then(() => o.runner.run(config, { teamId: o.teamId, arm: planned.arm, trial: planned.trial, signal: controller.signal, seed }));
    const contenders: Promise<ExecutionRecord | typeof TIMED_OUT>[] = [run];
    if (o.timeoutMs !== undefined) {
      const ms = o.timeoutMs;
      contenders.push(
        new Promise((resolve) => {
          timer = setTimeout(() => resolve(TIMED_OUT), ms);
        }),
      );
    }
    // A runner that ignores its signal is left behind: its late result is dropped.
    run.catch(() => undefined);
    const outcome = await Promise.race(contenders);
    if (outcome === TIMED_OUT) {
      controller.abort(new AbtestError('ABTEST_CANCELLED', `trial ${planned.trial} timed out after ${o.timeoutMs} ms`));
      return failed(`timed out after ${o.timeoutMs} ms`, true);
    }
    const problem = recordProblem(outcome);
    if (problem) return failed(`runner returned an invalid record: ${problem}`, false);
    return { arm: planned.arm, trial: planned.trial, record: outcome };
  } catch (e) {
    if (stopsExperiment(e)) throw e;
    return failed(e instanceof Error ? e.message || e.name : String(e), false);
  } finally {
    if (timer) clearTimeout(timer);
    experimentSignal.removeEventListener('abort', forward);
  }
}

const TIMED_OUT = Symbol('timed out');

function recordProblem(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null) return `expected an ExecutionRecord object, got ${r === null ? 'null' : typeof r}`;
  const rec = r as Partial<ExecutionRecord>;
  if (typeof rec.durationSeconds !== 'number' || !Number.isFinite(rec.durationSeconds) || rec.durationSeconds < 0) return `durationSeconds must be a finite number >= 0, got ${String(rec.durationSeconds)}`;
  if (typeof rec.success !== 'boolean') return `success must be a boolean, got ${String(rec.success)}`;
  return undefined;
}

function safeFingerprint(config: unknown): string | undefined {
  try {
    return configFingerprint(config);
  } catch {
    return undefined;
  }
}

function splitArms(samples: readonly TrialSample[]): { baseline: TrialSample[]; candidate: TrialSample[] } {
  const sorted = [...samples].sort((p, q) => p.trial - q.trial);
  return { baseline: sorted.filter((s) => s.arm === 'baseline'), candidate: sorted.filter((s) => s.arm === 'candidate') };
}
