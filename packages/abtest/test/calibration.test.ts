/**
 * Calibration by simulation, with fixed seeds: does a verdict pass as often as the statistics promise?
 * A/A experiments (both arms from one distribution) must pass no more often than alpha allows; an experiment
 * with a real effect must pass about as often as the t-test's power predicts. Pure in-memory, no timers.
 */
import { evaluateExperiment, runExperiment, type ExperimentResult, type TrialSample } from '@autotune/abtest';
import { createRng, tTestPower } from '@autotune/stats';
import { judge, judgeSettings } from '../src/verdict';
import { record, simRunner, type SimConfig } from './support';

const ALPHA = 0.05;

/** One simulated fixed-design experiment: n runs per arm, durations from each arm's distribution. */
function simulate(seed: number, n: number, base: SimConfig, cand: SimConfig): ExperimentResult {
  const rng = createRng(seed);
  const draw = (c: SimConfig, arm: 'baseline' | 'candidate'): TrialSample[] =>
    Array.from({ length: n }, (_, i) => {
      const z = rng.normal();
      const s2 = Math.log(1 + (c.sd / c.mean) ** 2);
      const d = c.logNormal ? Math.exp(Math.log(c.mean) - s2 / 2 + Math.sqrt(s2) * z) : c.mean + c.sd * z;
      return { arm, trial: i, record: record(d) };
    });
  return { teamId: 't', baseline: draw(base, 'baseline'), candidate: draw(cand, 'candidate'), runsPerArm: n, seed, startedAt: '', finishedAt: '', cancelled: false };
}

function passRate(experiments: number, seed0: number, make: (seed: number) => ExperimentResult, options: { threshold?: number } = {}): number {
  let passed = 0;
  for (let i = 0; i < experiments; i++) {
    if (evaluateExperiment(make(seed0 + i), { ...options, resamples: 100 }).status === 'passed') passed++;
  }
  return passed / experiments;
}

/** Binomial standard deviation of a rate estimated from `n` experiments. */
const sdOf = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

describe('calibration of the fixed design (10 runs per arm)', () => {
  const N = 2000;
  const slack = 3 * sdOf(ALPHA, N); // about 0.015

  it.each([
    ['normal durations', { mean: 60, sd: 12 }],
    ['skewed (log-normal) durations', { mean: 60, sd: 30, logNormal: true }],
  ])('A/A, %s: passes at most alpha (+ 3 binomial sd) of the time', (_name, arm) => {
    expect(passRate(N, 1, (s) => simulate(s, 10, arm, arm))).toBeLessThanOrEqual(ALPHA + slack);
  });

  it('A/A with threshold 0: the pass rate is alpha itself (the test is exact, not merely conservative)', () => {
    const rate = passRate(N, 100000, (s) => simulate(s, 10, { mean: 60, sd: 12 }, { mean: 60, sd: 12 }), { threshold: 0 });
    expect(Math.abs(rate - ALPHA)).toBeLessThanOrEqual(slack);
  });

  it.each([
    // [effect size d, candidate mean]: baseline mean 60, sd 6 on both arms; 10 runs per arm.
    [1, 54],
    [1.5, 51],
  ])('a real effect of d = %d passes about as often as the one-sided t-test power predicts', (d, candMean) => {
    const theory = tTestPower({ n: 10, effectSize: d, alpha: ALPHA, alternative: 'greater' });
    const rate = passRate(N, 200000 + candMean, (s) => simulate(s, 10, { mean: 60, sd: 6 }, { mean: candMean, sd: 6 }));
    // Welch's t has slightly fewer degrees of freedom than Student's, so a little less power: allow 3 sd + 0.01.
    expect(Math.abs(rate - theory)).toBeLessThanOrEqual(3 * sdOf(theory, N) + 0.01);
  });
});

describe('calibration of early stopping (up to 30 runs per arm, looks every 10)', () => {
  const N = 1000;

  async function sequentialRates(base: SimConfig, cand: SimConfig, earlyStopping: object, seed0: number) {
    let passed = 0;
    let runs = 0;
    for (let i = 0; i < N; i++) {
      const r = await runExperiment({ teamId: 't', baseline: base, candidate: cand, runner: simRunner(), runsPerArm: 30, seed: seed0 + i, earlyStopping });
      if (evaluateExperiment(r, { resamples: 100 }).status === 'passed') passed++;
      runs += r.baseline.length;
    }
    return { passRate: passed / N, meanRunsPerArm: runs / N };
  }

  it.each([
    ['obrien-fleming', { threshold: 0, futility: false }],
    ['pocock', { threshold: 0, futility: false, spending: 'pocock' }],
  ])('A/A, %s bounds, no futility, threshold 0: the false-pass rate stays at alpha', async (_name, es) => {
    const { passRate: rate } = await sequentialRates({ mean: 60, sd: 12 }, { mean: 60, sd: 12 }, es, 300000);
    expect(rate).toBeLessThanOrEqual(ALPHA + 3 * sdOf(ALPHA, N));
  });

  it('A/A with the defaults (futility on) passes at most alpha of the time and stops early most of the time', async () => {
    const { passRate: rate, meanRunsPerArm } = await sequentialRates({ mean: 60, sd: 12 }, { mean: 60, sd: 12 }, {}, 400000);
    expect(rate).toBeLessThanOrEqual(ALPHA + 3 * sdOf(ALPHA, N));
    expect(meanRunsPerArm).toBeLessThan(22);
  });

  it('a real effect (d = 1) is found with fewer runs than the fixed 30-run design uses', async () => {
    const { passRate: rate, meanRunsPerArm } = await sequentialRates({ mean: 60, sd: 6 }, { mean: 54, sd: 6 }, {}, 500000);
    expect(rate).toBeGreaterThan(0.9);
    expect(meanRunsPerArm).toBeLessThan(22);
  });

  it('the check can fail: judging every look at the plain alpha inflates the false-pass rate well above alpha', () => {
    const settings = judgeSettings({ threshold: 0 }, 'test');
    let passed = 0;
    for (let i = 0; i < N; i++) {
      const r = simulate(600000 + i, 30, { mean: 60, sd: 12 }, { mean: 60, sd: 12 });
      if ([10, 20, 30].some((n) => judge(r.baseline.slice(0, n), r.candidate.slice(0, n), settings).status === 'passed')) passed++;
    }
    expect(passed / N).toBeGreaterThan(ALPHA + 3 * sdOf(ALPHA, N));
  });
});
