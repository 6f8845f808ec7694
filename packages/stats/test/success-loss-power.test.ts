import { fisherExact, requiredRunsForSuccessLoss, successLossPower } from '@autotune/stats';
import { expectStatsError } from './support';

describe('successLossPower', () => {
  // Independent enumeration with SciPy 1.17.1 (stats.fisher_exact one-sided, stats.binom.pmf, and Chan's test with
  // a numerically maximised likelihood and a 2,001-point nuisance grid), to 1e-9. At these sizes no table is
  // rejected by the margin test alone, so the figures are also the power of one-sided Fisher.
  it.each([
    [0.9, 0.1, 10, 0.04478570046254477],
    [0.9, 0.1, 20, 0.10922389538162464],
    [0.8, 0.2, 15, 0.19111934599962888],
  ])('baseline %d, loss %d, %d runs per arm: %d', (baselineRate, loss, runsPerArm, expected) => {
    expect(successLossPower({ baselineRate, loss, runsPerArm })).toBeCloseTo(expected, 9);
  });

  it('equals a direct sum over tables of one-sided Fisher (unequal arms)', () => {
    const pb = 0.85;
    const pc = 0.7;
    const nb = 14;
    const nc = 9;
    let direct = 0;
    for (let xc = 0; xc <= nc; xc++) {
      for (let xb = 0; xb <= nb; xb++) {
        if (fisherExact([[xc, nc - xc], [xb, nb - xb]], { alternative: 'less' }).pValue <= 0.05) direct += binom(xc, nc, pc) * binom(xb, nb, pb);
      }
    }
    const p = successLossPower({ baselineRate: pb, loss: 0.15, baselineRuns: nb, candidateRuns: nc, margin: 0.15 });
    // The margin test can only add tables; here it adds none, or very little.
    expect(p).toBeGreaterThanOrEqual(direct - 1e-9);
    expect(p - direct).toBeLessThan(0.01);
  });

  it('grows with the runs and with the loss', () => {
    const at = (runsPerArm: number, loss = 0.1) => successLossPower({ baselineRate: 0.9, loss, runsPerArm });
    expect(at(40)).toBeGreaterThan(at(20));
    expect(at(65)).toBeGreaterThan(at(40));
    expect(at(20, 0.3)).toBeGreaterThan(at(20, 0.1));
  });

  it('switches to the normal approximation above 300 runs per arm without a jump', () => {
    const exact = successLossPower({ baselineRate: 0.9, runsPerArm: 300 });
    const approx = successLossPower({ baselineRate: 0.9, runsPerArm: 301 });
    expect(Math.abs(exact - approx)).toBeLessThan(0.03);
  });

  it('rejects bad input with the field named', () => {
    expect(expectStatsError(() => successLossPower({ baselineRate: 0, runsPerArm: 10 }), 'STATS_INVALID_INPUT').location.field).toBe('options.baselineRate');
    expect(expectStatsError(() => successLossPower({ baselineRate: 0.05, runsPerArm: 10 }), 'STATS_INVALID_INPUT').location.field).toBe('options.loss');
    expect(expectStatsError(() => successLossPower({ baselineRate: 0.9 }), 'STATS_INVALID_INPUT').location.field).toBe('options.baselineRuns');
    expect(expectStatsError(() => successLossPower({ baselineRate: 0.9, runsPerArm: 0 }), 'STATS_INVALID_INPUT').location.field).toBe('options.runsPerArm');
  });
});

describe('requiredRunsForSuccessLoss', () => {
  it('a 10-point loss from 90% needs about 160-180 runs per arm for 80% power (Fleiss with continuity correction: 177)', () => {
    const n = requiredRunsForSuccessLoss({ baselineRate: 0.9 });
    expect(n).toBeGreaterThan(140);
    expect(n).toBeLessThan(200);
    expect(successLossPower({ baselineRate: 0.9, runsPerArm: n })).toBeGreaterThanOrEqual(0.8);
    expect(successLossPower({ baselineRate: 0.9, runsPerArm: n - 1 })).toBeLessThan(0.8);
  });

  it('a 50-point loss is caught at the floor of 10 runs per arm, and the floor can be lowered', () => {
    expect(requiredRunsForSuccessLoss({ baselineRate: 0.95, loss: 0.6 })).toBe(10);
    const bare = requiredRunsForSuccessLoss({ baselineRate: 0.95, loss: 0.6, minRunsPerArm: 2 });
    expect(bare).toBeLessThan(10);
    expect(successLossPower({ baselineRate: 0.95, loss: 0.6, runsPerArm: bare })).toBeGreaterThanOrEqual(0.8);
  });

  it('rejects a power at or below alpha', () => {
    expect(expectStatsError(() => requiredRunsForSuccessLoss({ baselineRate: 0.9, power: 0.05 }), 'STATS_INVALID_INPUT').location.field).toBe('options.power');
  });
});

function binom(k: number, n: number, p: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c * p ** k * (1 - p) ** (n - k);
}
