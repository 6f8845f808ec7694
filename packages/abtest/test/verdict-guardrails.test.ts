/**
 * The success-rate and P95 guardrails as tests: each fails a candidate only when a one-sided test at alpha says the
 * harm is beyond its limit, and the verdict reports how much power its success checks had.
 */
import { evaluateExperiment, type ExperimentResult, type TrialSample } from '@autotune/abtest';
import { barnardExact, successLossPower } from '@autotune/stats';
import { samples } from './support';

function result(baseline: TrialSample[], candidate: TrialSample[], seed = 5): ExperimentResult {
  return { teamId: 't', baseline, candidate, runsPerArm: Math.max(baseline.length, candidate.length), seed, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T01:00:00.000Z', cancelled: false };
}

const BASE = [58, 62, 60, 61, 59, 63, 57, 60, 62, 58];
const times = (n: number, xs: number[]) => Array.from({ length: n }, (_, i) => xs[i % xs.length] as number);
const successes = (n: number, ok: number) => Array.from({ length: n }, (_, i) => i < ok);

describe('success-rate guardrail', () => {
  it('fails when the drop is credibly beyond the limit: 20/40 against 32/40 (Chan p = 0.047)', () => {
    const v = evaluateExperiment(result(samples('baseline', times(40, BASE), successes(40, 32)), samples('candidate', times(40, BASE), successes(40, 20))), { resamples: 200 });
    expect(v.status).toBe('failed');
    expect(v.guardrails.successRateDrop.breached).toBe(true);
    expect(v.guardrails.successRateDrop.value).toBeCloseTo(30, 10);
    expect(v.guardrails.successRateDrop.marginPValue).toBeCloseTo(barnardExact([[20, 20], [32, 8]], { alternative: 'less', margin: 0.1 }).pValue, 12);
    expect(v.guardrails.successRateDrop.marginPValue).toBeLessThan(0.05);
    expect(v.reasonCodes).toEqual(expect.arrayContaining(['guardrail_success_rate', 'success_rate_regression']));
    expect(v.reason).toMatch(/success rate down 30\.0 points, significantly more than the limit of 10 \(one-sided p = 0\.04/);
  });

  it('holds when the data cannot tell: 8/10 against 10/10 is within what 10 runs can show', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE, successes(10, 10)), samples('candidate', BASE, successes(10, 8))), { resamples: 200 });
    expect(v.guardrails.successRateDrop.breached).toBe(false);
    expect(v.reasonCodes).not.toContain('guardrail_success_rate');
  });

  it('a limit of 0 makes it a test of any drop (Barnard): 6/10 against 10/10 fails at p = 0.021', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE, successes(10, 10)), samples('candidate', BASE, successes(10, 6))), {
      resamples: 200,
      guardrails: { maxSuccessRateDrop: 0 },
    });
    expect(v.guardrails.successRateDrop.marginPValue).toBeCloseTo(0.0211, 3);
    expect(v.guardrails.successRateDrop.breached).toBe(true);
  });

  it('reports the power to catch a true 10-point loss at the sizes used, in the verdict and its explanation', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE, successes(10, 9)), samples('candidate', BASE, successes(10, 9))), { resamples: 200 });
    const expected = successLossPower({ baselineRate: 0.9, runsPerArm: 10 });
    expect(v.guardrails.successRateDrop.powerTenPointLoss).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.0448, 4);
    expect(v.explanation).toMatch(/would catch a true 10-point loss of success rate 4\.5% of the time, so a pass says little about a small loss of success/);
    const big = evaluateExperiment(result(samples('baseline', times(65, BASE), successes(65, 58)), samples('candidate', times(65, BASE), successes(65, 58))), { resamples: 200 });
    expect(big.guardrails.successRateDrop.powerTenPointLoss).toBeGreaterThan(v.guardrails.successRateDrop.powerTenPointLoss);
  });
});

describe('P95 guardrail', () => {
  // Same mean as the baseline (Welch has nothing to say), but 8 of 20 runs take 112.5 s: the tail itself grew.
  const heavyTail = [...Array(12).fill(25), ...Array(8).fill(112.5)] as number[];

  it('fails when the tail is credibly more than 50% longer, whatever the mean does', () => {
    const v = evaluateExperiment(result(samples('baseline', times(20, BASE)), samples('candidate', heavyTail)), { resamples: 200 });
    expect(v.after.mean).toBeCloseTo(v.before.mean, 0);
    expect(v.guardrails.p95Increase.breached).toBe(true);
    expect(v.guardrails.p95Increase.pValue).toBeLessThan(0.01);
    expect(v.reasonCodes).toEqual(['guardrail_p95']);
    expect(v.reason).toMatch(/Guardrail: P95 duration up \d+\.\d%, significantly more than the limit of 50%/);
  });

  it('is reproducible: the permutation test is seeded by the experiment', () => {
    const a = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', [40, 42, 41, 43, 39, 44, 40, 41, 42, 160]), 11), { resamples: 200 });
    const b = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', [40, 42, 41, 43, 39, 44, 40, 41, 42, 160]), 11), { resamples: 200 });
    expect(a.guardrails.p95Increase.pValue).toBe(b.guardrails.p95Increase.pValue);
  });

  it('a higher limit asks for more: the same data holds at a 200% limit', () => {
    const v = evaluateExperiment(result(samples('baseline', times(20, BASE)), samples('candidate', heavyTail)), { resamples: 200, guardrails: { maxP95Increase: 200 } });
    expect(v.guardrails.p95Increase.breached).toBe(false);
    expect(v.status).not.toBe('failed');
  });
});
