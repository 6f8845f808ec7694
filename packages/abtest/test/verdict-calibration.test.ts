/**
 * Calibration of the whole "failed" verdict by simulation, with fixed seeds, in memory: how often an A/A experiment
 * (both arms the same config) ends `failed` on any ground (the regression test, the success checks, the P95 and
 * limit guardrails), and how often a real harm is caught. Issue 12's target: A/A false-fail at most 6% at 10 runs
 * per arm.
 */
import { evaluateExperiment, type ExperimentResult, type TrialSample } from '@autotune/abtest';
import { createRng, successLossPower } from '@autotune/stats';
import { record } from './support';

interface Arm {
  /** Median duration in seconds. */
  median: number;
  /** Log-normal sigma: 0.47 gives a coefficient of variation of 0.5 (a heavy tail). */
  sigma: number;
  successRate: number;
}

const AA: Arm = { median: 60, sigma: 0.47, successRate: 0.9 };

function simulate(seed: number, n: number, base: Arm, cand: Arm): ExperimentResult {
  const rng = createRng(seed);
  const draw = (a: Arm, arm: 'baseline' | 'candidate'): TrialSample[] =>
    Array.from({ length: n }, (_, i) => ({ arm, trial: i, record: record(a.median * Math.exp(a.sigma * rng.normal()), rng.next() < a.successRate) }));
  return { teamId: 't', baseline: draw(base, 'baseline'), candidate: draw(cand, 'candidate'), runsPerArm: n, seed, startedAt: '', finishedAt: '', cancelled: false };
}

const sdOf = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

describe('A/A false-fail at 10 runs per arm (log-normal durations, CV 0.5, 90% success)', () => {
  const N = 3000;
  let failed = 0;
  let oldRuleFailed = 0;
  const byCode = new Map<string, number>();
  beforeAll(() => {
    for (let i = 0; i < N; i++) {
      const r = simulate(700000 + i, 10, AA, AA);
      const v = evaluateExperiment(r, { resamples: 100 });
      if (v.status === 'failed') failed++;
      for (const c of v.reasonCodes) byCode.set(c, (byCode.get(c) ?? 0) + 1);
      // The rule before issue 12: guardrails on the raw estimates (drop > 10 points, P95 up > 50%).
      const raw = v.guardrails.successRateDrop.value > 10 || v.guardrails.p95Increase.value > 50;
      if (v.status === 'failed' || raw) oldRuleFailed++;
    }
  });

  it('fails at most 6% of A/A experiments on any ground', () => {
    expect(failed / N).toBeLessThanOrEqual(0.06);
  });

  it('the guardrails add little beyond the regression test at alpha: each trips in under 1% of A/A experiments', () => {
    expect((byCode.get('guardrail_success_rate') ?? 0) / N).toBeLessThan(0.01);
    expect((byCode.get('guardrail_p95') ?? 0) / N).toBeLessThan(0.01);
    // The regression test itself runs at alpha: 5% within three binomial sd.
    expect(Math.abs((byCode.get('significant_regression') ?? 0) / N - 0.05)).toBeLessThanOrEqual(3 * sdOf(0.05, N));
  });

  it('the check can fail: the old raw guardrails on the same experiments fail far more than 6%', () => {
    expect(oldRuleFailed / N).toBeGreaterThan(0.06 + 3 * sdOf(0.06, N));
  });
});

describe('real harm is still caught', () => {
  const N = 800;

  it.each([10, 20, 40])('a true 10-point success loss at %d runs per arm: the success checks fire as often as successLossPower says', (n) => {
    let caught = 0;
    for (let i = 0; i < N; i++) {
      const v = evaluateExperiment(simulate(800000 + 1000 * n + i, n, AA, { ...AA, successRate: 0.8 }), { resamples: 100 });
      if (v.reasonCodes.includes('success_rate_regression') || v.reasonCodes.includes('guardrail_success_rate')) caught++;
    }
    const theory = successLossPower({ baselineRate: 0.9, runsPerArm: n });
    expect(Math.abs(caught / N - theory)).toBeLessThanOrEqual(3 * sdOf(theory, N) + 0.005);
  });

  it('a true 30% slowdown of every run (P95 and mean up 30%) fails more often with more runs, and mostly at 40', () => {
    const rates = [10, 20, 40].map((n) => {
      let f = 0;
      for (let i = 0; i < N / 2; i++) if (evaluateExperiment(simulate(900000 + 1000 * n + i, n, AA, { ...AA, median: 78 }), { resamples: 100 }).status === 'failed') f++;
      return f / (N / 2);
    });
    expect(rates[0]).toBeLessThan(rates[1] as number);
    expect(rates[1]).toBeLessThan(rates[2] as number);
    expect(rates[2]).toBeGreaterThan(0.6);
  });

  it('a P95 three times the baseline fails at 20 runs per arm most of the time', () => {
    let f = 0;
    for (let i = 0; i < N / 2; i++) {
      if (evaluateExperiment(simulate(950000 + i, 20, AA, { ...AA, median: 180 }), { resamples: 100 }).guardrails.p95Increase.breached) f++;
    }
    expect(f / (N / 2)).toBeGreaterThan(0.5);
  });
});
