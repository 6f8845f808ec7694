import type { ExecutionRecord } from '@autotune/metrics';
import { AbtestError } from '../src/errors';
import { createRng } from '@autotune/stats';
import type { TrialSample } from '../src/trial-sample';

/** A minimal valid execution record. */
export function record(durationSeconds: number, success = true, extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    teamId: 't',
    executionId: `e-${durationSeconds}-${Math.round(durationSeconds * 1e6)}`,
    startTimeMs: 0,
    endTimeMs: durationSeconds * 1000,
    durationSeconds,
    success,
    memberCount: 3,
    toolCalls: 5,
    members: [],
    ...extra,
  };
}

/** Samples of one arm from durations (and optional successes). */
export function samples(arm: 'baseline' | 'candidate', durations: number[], successes?: boolean[], extra: (i: number) => Partial<ExecutionRecord> = () => ({})): TrialSample[] {
  return durations.map((d, i) => ({ arm, trial: i, record: record(d, successes ? successes[i] : true, extra(i)) }));
}

/** Normal draws with a fixed seed. */
export function normals(seed: number, n: number, mean: number, sd: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}

/** Expects `fn` to throw an AbtestError with `code`; returns it for further checks. */
export function expectAbtestError(fn: () => unknown, code: string): AbtestError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AbtestError);
  expect((caught as AbtestError).code).toBe(code);
  return caught as AbtestError;
}

/** Config of the simulated team used in experiment tests: durations ~ Normal(mean, sd) (or log-normal). */
export interface SimConfig {
  mean: number;
  sd: number;
  successRate?: number;
  logNormal?: boolean;
}

/**
 * An in-memory runner: each trial draws its duration from the config's distribution with the trial's seed, so
 * an experiment's samples are a function of its seed alone. No timers, no I/O.
 */
export function simRunner(): import('../src/trial').TrialRunner<SimConfig> {
  return {
    run: (config, ctx) => {
      const rng = createRng(ctx.seed);
      const z = rng.normal();
      let d: number;
      if (config.logNormal) {
        // Log-normal with the given mean and standard deviation.
        const s2 = Math.log(1 + (config.sd / config.mean) ** 2);
        d = Math.exp(Math.log(config.mean) - s2 / 2 + Math.sqrt(s2) * z);
      } else d = Math.max(0.001, config.mean + config.sd * z);
      const success = rng.next() < (config.successRate ?? 1);
      return Promise.resolve(record(d, success, { teamId: ctx.teamId, executionId: `${ctx.arm}-${ctx.trial}` }));
    },
  };
}
