import { generateRuns } from '../src';
import type { TeamModel } from '../src';
import { chainTeam, config, independentTeam, perf } from './helpers';

// Statistics of many simulated runs (fixed seeds): the formation semantics of issue 9, checked as the
// relations they promise. The margins are wide next to the Monte Carlo error of 600 runs.
describe('formation statistics', () => {
  const independent = independentTeam(4);
  const seq = perf(independent, config('sequential', 4));
  const par = perf(independent, config('parallel', 4));
  const pipe = perf(independent, config('pipeline', 4));
  const hier = perf(independent, config('hierarchical', 4));
  const cons = perf(independent, config('consensus', 4));

  it('runs independent members faster in parallel than in sequence, in the measured 2.5-3x range', () => {
    const speedUp = seq.meanDurationSeconds / par.meanDurationSeconds;
    expect(speedUp).toBeGreaterThan(2.2);
    expect(speedUp).toBeLessThan(3.2);
    expect(par.successRate).toBeCloseTo(seq.successRate, 2);
  });

  it('puts pipeline between sequential and parallel', () => {
    expect(pipe.meanDurationSeconds).toBeLessThan(seq.meanDurationSeconds * 0.85);
    expect(pipe.meanDurationSeconds).toBeGreaterThan(par.meanDurationSeconds * 1.2);
  });

  it('makes hierarchical pay for its coordinator: slower than parallel, faster than sequential for independent members', () => {
    expect(hier.meanDurationSeconds).toBeGreaterThan(par.meanDurationSeconds + 5);
    expect(hier.meanDurationSeconds).toBeLessThan(seq.meanDurationSeconds);
  });

  it('makes consensus the slowest formation and the most robust to a failing member', () => {
    expect(cons.meanDurationSeconds).toBeGreaterThan(seq.meanDurationSeconds);
    expect(cons.successRate).toBeGreaterThan(seq.successRate + 0.05);
  });

  it('slows consensus down as it grows, more than in proportion to the added work', () => {
    const sizes = [2, 3, 4, 6, 8];
    const durations = sizes.map((n) => perf(independentTeam(n), config('consensus', n), 300).meanDurationSeconds);
    for (let i = 1; i < durations.length; i++) expect(durations[i]).toBeGreaterThan(durations[i - 1]! * 1.1); // i - 1 >= 0
    expect(durations[4]! / durations[0]!).toBeGreaterThan(4); // five sizes
  });

  it('needs more consensus rounds, and fails to agree more often, as the team grows', () => {
    const rounds = (n: number): { mean: number; noConsensus: number } => {
      const runs = generateRuns(independentTeam(n, { successRate: 1 }), config('consensus', n), { runs: 400, seed: 9 });
      return {
        mean: runs.reduce((s, r) => s + Number(r.labels?.consensus_rounds), 0) / runs.length,
        noConsensus: runs.filter((r) => r.labels?.consensus_achieved === 'false').length / runs.length,
      };
    };
    const small = rounds(3);
    const large = rounds(10);
    expect(large.mean).toBeGreaterThan(small.mean + 1);
    expect(large.noConsensus).toBeGreaterThan(small.noConsensus + 0.1);
  });

  it('makes every member spend more time coordinating as the team grows', () => {
    // Per-member time in a sequential team: the work is the same, the coordination grows with the peers.
    const perMember = (n: number): number => perf(independentTeam(n), config('sequential', n), 300).meanDurationSeconds / n;
    expect(perMember(8)).toBeGreaterThan(perMember(2) + 2);
  });

  it('costs dependent members their success in parallel, but not in sequence or under a coordinator', () => {
    const chain = chainTeam(4);
    const chainSeq = perf(chain, config('sequential', 4));
    const chainPar = perf(chain, config('parallel', 4));
    const chainHier = perf(chain, config('hierarchical', 4));
    expect(chainPar.successRate).toBeLessThan(chainSeq.successRate / 4);
    expect(chainHier.successRate).toBeGreaterThan(chainSeq.successRate - 0.03);
    // ... and a coordinator that must wait for each stage gains no time over the sequence.
    expect(chainHier.meanDurationSeconds).toBeGreaterThan(chainSeq.meanDurationSeconds);
    // The same members, independent, lose nothing in parallel.
    expect(par.successRate).toBeGreaterThan(seq.successRate - 0.03);
  });

  it('runs a dependent member in the wrong sequential order without its input', () => {
    const chain = chainTeam(2);
    const right = perf(chain, config('sequential', 2, { members: [{ id: 'm1' }, { id: 'm2' }] }));
    const wrong = perf(chain, config('sequential', 2, { members: [{ id: 'm2' }, { id: 'm1' }] }));
    expect(wrong.successRate).toBeLessThan(right.successRate - 0.4);
  });

  it('produces tool_budget failures when the budget is below the need, and none when it covers it', () => {
    const model: TeamModel = { members: [], defaults: { toolCalls: 6, toolCallsCv: 0.2 }, tools: { onExhaustion: 'fail' } };
    const tight = perf(model, config('parallel', 4, { toolBudget: 12 }));
    const ample = perf(model, config('parallel', 4, { toolBudget: 48 }));
    expect(tight.toolBudgetRate).toBeGreaterThan(0.95);
    expect(tight.successRate).toBeLessThan(0.05);
    expect(ample.toolBudgetRate).toBeLessThan(0.02);
    expect(ample.successRate).toBeGreaterThan(0.85);
  });

  it('produces timeout failures when the timeout is below the usual duration, and few when it is above P95', () => {
    const model = independentTeam(3);
    const p95 = perf(model, config('sequential', 3)).p95DurationSeconds;
    const tight = perf(model, config('sequential', 3, { timeoutSeconds: Math.round(p95 * 0.6) }));
    const roomy = perf(model, config('sequential', 3, { timeoutSeconds: Math.round(p95 * 1.2) }));
    expect(tight.timeoutRate).toBeGreaterThan(0.8);
    expect(tight.successRate).toBeLessThan(0.2);
    expect(roomy.timeoutRate).toBeLessThan(0.02);
  });

  it('skips the work of a disabled member: faster and cheaper', () => {
    const all = perf(independent, config('sequential', 3, { members: [{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }] }));
    const two = perf(independent, config('sequential', 2, { members: [{ id: 'm1' }, { id: 'm2', enabled: false }, { id: 'm3' }] }));
    expect(two.meanDurationSeconds).toBeLessThan(all.meanDurationSeconds * 0.75);
    expect(two.meanCostUsd).toBeLessThan(all.meanCostUsd * 0.75);
  });
});
