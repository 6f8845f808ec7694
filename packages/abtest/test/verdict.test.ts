import { armMetrics, evaluateExperiment, type ExperimentResult, type TrialSample } from '@autotune/abtest';
import { expectAbtestError, record, samples } from './support';

function result(baseline: TrialSample[], candidate: TrialSample[]): ExperimentResult {
  return { teamId: 't', baseline, candidate, runsPerArm: Math.max(baseline.length, candidate.length), seed: 5, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T01:00:00.000Z', cancelled: false };
}

const BASE = [58, 62, 60, 61, 59, 63, 57, 60, 62, 58]; // mean 60, sd ~2
const shift = (xs: number[], f: number) => xs.map((x) => x * f);
const ok10 = Array(10).fill(true);

describe('evaluateExperiment', () => {
  it('passes a significant improvement above the threshold, with every number behind it', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', shift(BASE, 0.8))), { resamples: 2000 });
    expect(v.status).toBe('passed');
    expect(v.reasonCodes).toEqual(['significant_improvement']);
    expect(v.improvementPercentage).toBeCloseTo(20, 10);
    expect(v.decidedBy).toBe('welch');
    expect(v.tests.welch).toMatchObject({ alternative: 'less' });
    expect(v.tests.welch!.statistic).toBeLessThan(0);
    expect(v.tests.welch!.pValue).toBeLessThan(1e-6);
    // BASE has tied values, so Mann-Whitney uses the tie-corrected normal approximation.
    expect(v.tests.mannWhitney).toMatchObject({ method: 'asymptotic', alternative: 'less' });
    expect(v.tests.mannWhitney!.pValue).toBeLessThan(0.001);
    expect(v.tests.fisher).toMatchObject({ pValue: 1, alternative: 'greater' });
    expect(v.bootstrap!.low).toBeGreaterThan(15);
    expect(v.bootstrap!.high).toBeLessThan(25);
    expect(v.bootstrap!.estimate).toBeCloseTo(20, 10);
    // The default interval is the percentile one, chosen by measured coverage (docs/statistics.md).
    expect(v.bootstrap!.method).toBe('percentile');
    expect(v.before.mean).toBeCloseTo(60, 10);
    expect(v.after.mean).toBeCloseTo(48, 10);
    expect(v.guardrails.successRateDrop).toMatchObject({ value: 0, breached: false });
    expect(v.recommendedRunsPerArm).toBeUndefined();
    expect(v.explanation).toMatch(/20\.0% faster/);
    expect(v.explanation).toMatch(/Welch's t-test gives t = -14\.82 with 17\.2 degrees of freedom: one-sided p < 0\.001/);
    expect(v.reason).toBe('20.0% faster, at least the 5% threshold, and significant (Welch p < 0.001, at most alpha 0.05)');
    expect(v.explanation).toMatch(/So the change passes/);
  });

  it('is deterministic: the same result and seed give the same verdict', () => {
    const r = result(samples('baseline', BASE), samples('candidate', shift(BASE, 0.9)));
    expect(evaluateExperiment(r, { resamples: 500 })).toEqual(evaluateExperiment(r, { resamples: 500 }));
  });

  it('inconclusive below the threshold: significant but small, and more runs would not change that', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', shift(BASE, 0.97))), { resamples: 200 });
    expect(v.status).toBe('inconclusive');
    expect(v.reasonCodes).toEqual(['below_threshold']);
    expect(v.reason).toMatch(/3\.0% faster is below the 5% threshold/);
    expect(v.recommendedRunsPerArm).toBeUndefined();
  });

  it('a threshold of 0 passes any significant improvement', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', shift(BASE, 0.97))), { threshold: 0, resamples: 200 });
    expect(v.status).toBe('passed');
  });

  it('inconclusive when not significant, with the runs per arm that would likely decide', () => {
    const noisyBase = [40, 90, 55, 75, 60, 30, 85, 65, 50, 70];
    const noisyCand = [36, 81, 50, 68, 54, 27, 77, 59, 45, 63].map((x, i) => x + (i % 2 ? 6 : -6));
    const v = evaluateExperiment(result(samples('baseline', noisyBase), samples('candidate', noisyCand)), { resamples: 200 });
    expect(v.status).toBe('inconclusive');
    expect(v.reasonCodes).toContain('not_significant');
    expect(v.improvementPercentage).toBeGreaterThan(5);
    expect(v.recommendedRunsPerArm).toBeGreaterThan(10);
    expect(v.reason).toMatch(/about \d+ runs per arm would likely decide it/);
  });

  it.each<[string, number[], number[], boolean]>([
    ['3 of 10 candidate runs hit the new tool budget, none before', [], [1, 4, 7], true],
    ['one extra run on a limit is not enough', [], [3], false],
    ['as many limit hits as before', [2, 6], [1, 8], false],
    ['5 of 10 against 3 of 10: up 20 points and 2 runs', [0, 2, 4], [1, 3, 5, 7, 9], true],
  ])('limit-hit guardrail: %s', (_name, baseHits, candHits, breached) => {
    const limit = (hits: number[]) => (i: number) => (hits.includes(i) ? { limitHit: 'tool_budget' as const } : {});
    const costly = (i: number) => ({ costUsd: 1 + (i % 3) * 0.01 });
    const cheap = (i: number) => ({ costUsd: 0.7 + (i % 3) * 0.01 });
    const v = evaluateExperiment(
      result(
        samples('baseline', BASE, undefined, (i) => ({ ...costly(i), ...limit(baseHits)(i) })),
        samples('candidate', BASE, undefined, (i) => ({ ...cheap(i), ...limit(candHits)(i) })),
      ),
      { metric: 'cost', resamples: 200 },
    );
    expect(v.guardrails.limitHitIncrease.breached).toBe(breached);
    expect(v.status).toBe(breached ? 'failed' : 'passed');
    if (breached) {
      expect(v.reasonCodes).toContain('guardrail_limit_hits');
      expect(v.reason).toMatch(/candidate runs ended on a limit .*the new limit is too tight/);
    }
  });

  it('measured worse but not significantly: inconclusive, not failed', () => {
    const v = evaluateExperiment(result(samples('baseline', [50, 70, 60, 55, 65, 52, 68, 61, 59, 60]), samples('candidate', [52, 72, 61, 56, 66, 53, 69, 62, 60, 61])), { resamples: 200 });
    expect(v.status).toBe('inconclusive');
    expect(v.reasonCodes).toEqual(['measured_worse', 'not_significant']);
    expect(v.improvementPercentage).toBeLessThan(0);
  });

  it('fails a significant regression', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', shift(BASE, 1.2))), { resamples: 200 });
    expect(v.status).toBe('failed');
    expect(v.reasonCodes).toEqual(['significant_regression']);
    expect(v.regressionPValue).toBeLessThan(0.001);
    expect(v.reason).toMatch(/significantly slower/);
  });

  it('a 20-point observed drop at 10 runs per arm is not evidence of a loss beyond 10 points: a faster change passes', () => {
    // Issue 12's seed 1015: truly good changes used to fail on a raw "success down 20 points" at this size.
    const succ = [true, true, false, true, true, true, false, true, true, true];
    const v = evaluateExperiment(result(samples('baseline', BASE, ok10), samples('candidate', shift(BASE, 0.7), succ)), { resamples: 200 });
    expect(v.status).toBe('passed');
    expect(v.guardrails.successRateDrop).toMatchObject({ value: 20, limit: 10, breached: false });
    expect(v.guardrails.successRateDrop.pValue).toBeCloseTo(0.2368, 4); // Fisher 8/10 vs 10/10, one-sided
    expect(v.guardrails.successRateDrop.marginPValue).toBeGreaterThan(0.2);
  });

  it('a 10-point drop is within the guardrail (the limit is "more than 10 points")', () => {
    const succ = [true, true, true, true, true, true, false, true, true, true];
    const v = evaluateExperiment(result(samples('baseline', BASE, ok10), samples('candidate', shift(BASE, 0.8), succ)), { resamples: 200 });
    expect(v.guardrails.successRateDrop.breached).toBe(false);
    expect(v.status).toBe('passed');
  });

  it('one slow run is not evidence of a worse tail: P95 up 72% observed, the guardrail holds', () => {
    const cand = [40, 42, 41, 43, 39, 44, 40, 41, 42, 160]; // P95 (type 7) 107.35 s against 62.55 s
    const v = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', cand)), { resamples: 200 });
    expect(v.guardrails.p95Increase.value).toBeGreaterThan(50);
    expect(v.guardrails.p95Increase.breached).toBe(false);
    expect(v.guardrails.p95Increase.pValue).toBeGreaterThan(0.3);
    expect(v.reasonCodes).not.toContain('guardrail_p95');
  });

  it('guardrail limits can be set', () => {
    const cand = [40, 42, 41, 43, 39, 44, 40, 41, 42, 160];
    const v = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', cand)), { resamples: 200, guardrails: { maxP95Increase: 200 } });
    expect(v.guardrails.p95Increase.breached).toBe(false);
  });

  it('success_rate: Fisher decides and the improvement is in percentage points', () => {
    const before = [true, false, true, false, false, true, false, false, true, false];
    const v = evaluateExperiment(result(samples('baseline', BASE, before), samples('candidate', BASE, ok10)), { metric: 'success_rate', resamples: 200 });
    expect(v.status).toBe('passed');
    expect(v.decidedBy).toBe('fisher');
    expect(v.improvementPercentage).toBeCloseTo(60, 10);
    expect(v.tests.fisher!.pValue).toBeCloseTo(0.005418, 5); // 10/10 vs 4/10, one-sided (hypergeometric sum)
    expect(v.tests.welch).toBeUndefined();
    // Candidate minus baseline in points, higher is better, like improvementPercentage.
    expect(v.bootstrap!.estimate).toBeCloseTo(60, 10);
    expect(v.bootstrap!.low).toBeLessThanOrEqual(60);
    expect(v.bootstrap!.high).toBeGreaterThanOrEqual(60);
    expect(v.bootstrap!.low).toBeGreaterThan(0);
    expect(v.explanation).toMatch(/success rate was 100% against 40%/);
  });

  it('cost: compares cost per run; without recorded costs it is inconclusive', () => {
    const cost = (c: number) => (i: number) => ({ costUsd: c + (i % 3) * 0.01 });
    const withCost = evaluateExperiment(result(samples('baseline', BASE, ok10, cost(0.5)), samples('candidate', BASE, ok10, cost(0.3))), { metric: 'cost', resamples: 200 });
    expect(withCost.status).toBe('passed');
    expect(withCost.after.meanCostUsd).toBeCloseTo(0.309, 10);
    const without = evaluateExperiment(result(samples('baseline', BASE), samples('candidate', BASE)), { metric: 'cost', resamples: 200 });
    expect(without).toMatchObject({ status: 'inconclusive', reasonCodes: ['insufficient_data'] });
    expect(without.reason).toMatch(/cost was not recorded/i);
    // Absent in data, not a made-up +0.0%: the improvement and its interval could not be measured.
    expect(without.improvementPercentage).toBeNull();
    expect(without.bootstrap).toBeNull();
    expect(without.explanation).not.toMatch(/0\.0%/);
  });

  it('both arms constant: the difference is exact, no t-test, still a verdict', () => {
    const v = evaluateExperiment(result(samples('baseline', Array(10).fill(100)), samples('candidate', Array(10).fill(50))), { resamples: 200 });
    expect(v.status).toBe('passed');
    expect(v.tests.welch).toBeUndefined();
    expect(v.explanation).toMatch(/took the same value/);
    const same = evaluateExperiment(result(samples('baseline', Array(10).fill(100)), samples('candidate', Array(10).fill(100))), { resamples: 200 });
    expect(same.status).toBe('inconclusive');
    expect(JSON.stringify(same)).not.toMatch(/NaN|null/);
  });

  it('one run per arm is inconclusive (insufficient data), not an error and not NaN', () => {
    const v = evaluateExperiment(result(samples('baseline', [60]), samples('candidate', [30])));
    expect(v).toMatchObject({ status: 'inconclusive', reasonCodes: ['insufficient_data'] });
    expect(v.explanation).toMatch(/too few runs/i);
    // Not measurable: null (n/a in print), never NaN and never a made-up 0.
    expect(v.improvementPercentage).toBeNull();
    expect(JSON.stringify(v)).not.toMatch(/NaN/);
  });

  it('says when fewer than 10 runs per arm were used', () => {
    const v = evaluateExperiment(result(samples('baseline', BASE.slice(0, 5)), samples('candidate', shift(BASE.slice(0, 5), 0.8))), { resamples: 200 });
    expect(v.explanation).toMatch(/Fewer than 10 runs per arm/);
  });

  it('failed trials are counted and explained', () => {
    const cand = samples('candidate', shift(BASE, 0.8));
    cand[3] = { ...cand[3]!, error: 'timed out after 1000 ms', timedOut: true, record: record(1, false) };
    const v = evaluateExperiment(result(samples('baseline', BASE), cand), { resamples: 200 });
    expect(v.after.timeouts).toBe(1);
    expect(v.explanation).toMatch(/1 in the candidate \(1 timed out\)/);
  });

  it.each([
    ['an empty arm', result([], samples('candidate', BASE)), {}],
    ['alpha = 0', result(samples('baseline', BASE), samples('candidate', BASE)), { alpha: 0 }],
    ['a negative threshold', result(samples('baseline', BASE), samples('candidate', BASE)), { threshold: -1 }],
    ['an unknown metric', result(samples('baseline', BASE), samples('candidate', BASE)), { metric: 'latency' }],
  ])('rejects %s', (_name, r, options) => {
    expectAbtestError(() => evaluateExperiment(r, options as never), 'ABTEST_INVALID_INPUT');
  });
});

describe('armMetrics', () => {
  it('summarises an arm (type 7 quantiles, as @autotune/metrics)', () => {
    const m = armMetrics(samples('baseline', [10, 20, 30, 40, 100], [true, true, false, true, true], (i) => (i < 2 ? { costUsd: 0.1 * (i + 1) } : {})));
    expect(m).toMatchObject({ runs: 5, successes: 4, successRate: 0.8, mean: 40, median: 30, costRuns: 2, timeouts: 0, errors: 0 });
    expect(m.p95).toBeCloseTo(88, 10); // 40 + 0.8 * 60
    expect(m.meanCostUsd).toBeCloseTo(0.15, 12);
    expect(m.durationsSeconds).toEqual([10, 20, 30, 40, 100]);
    expect(m.meanToolCalls).toBe(5);
  });

  it('accepts plain execution records and leaves meanCostUsd undefined when no run has a cost', () => {
    const m = armMetrics([record(1), record(3)]);
    expect(m.mean).toBe(2);
    expect(m.meanCostUsd).toBeUndefined();
  });

  it('rejects an empty arm and a record without a duration', () => {
    expectAbtestError(() => armMetrics([]), 'ABTEST_INVALID_INPUT');
    expectAbtestError(() => armMetrics([record(Number.NaN)]), 'ABTEST_INVALID_INPUT');
  });
});
