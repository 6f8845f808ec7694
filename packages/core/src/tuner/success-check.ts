import { fisherExact, normalCdf } from '@autotune/stats';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';

function binomialPmf(n: number, p: number): number[] {
  const out = new Array<number>(n + 1);
  let logC = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    out[k] = p <= 0 ? (k === 0 ? 1 : 0) : p >= 1 ? (k === n ? 1 : 0) : Math.exp(logC + k * Math.log(p) + (n - k) * Math.log(1 - p));
  }
  return out;
}

/**
 * Exact power of the one-sided Fisher test at `alpha` (the verdict's success-rate regression test) to find a
 * true loss of `loss` (default 0.10, ten points) from `baseRate`, with `n` runs per arm: the sum over every
 * outcome of both arms of its probability times whether the test rejects.
 */
export function successTestPower(baseRate: number, n: number, alpha: number, loss = 0.1): number {
  const pb = Math.min(1, Math.max(0, baseRate));
  const pc = Math.max(0, pb - loss);
  const fb = binomialPmf(n, pb);
  const fc = binomialPmf(n, pc);
  let power = 0;
  for (let xb = 0; xb <= n; xb++) {
    if (fb[xb] < 1e-12) continue;
    for (let xc = 0; xc <= n; xc++) {
      if (fc[xc] < 1e-12) continue;
      const p = fisherExact([[xc, n - xc], [xb, n - xb]], { alternative: 'less' }).pValue;
      if (p <= alpha) power += fb[xb] * fc[xc];
    }
  }
  return power;
}

/**
 * Probability that the candidate's success rate is at most `margin` below the baseline's, from `pairs` paired
 * runs in which the candidate alone succeeded `won` times and alone failed `lost` times: the normal approximation
 * of the paired difference (won - lost) / pairs, with one pseudo-discordant pair so that 0 of n is not certainty.
 */
export function pairedNoWorseProbability(won: number, lost: number, pairs: number, margin: number): number {
  if (pairs === 0) return 0.5;
  const d = (won - lost) / pairs;
  const sd = Math.sqrt(lost + won + 1) / pairs;
  return normalCdf((d + margin) / sd);
}

/** What the runs of a consensus config say about the same runs without the vote (see {@link outvotedFailures}). */
export interface OutvotedEvidence {
  /** Runs of the consensus config that name every member the candidate keeps. */
  runs: number;
  /** Runs that succeeded although a member the candidate keeps failed: the vote outvoted it. */
  lost: number;
  /** Runs that failed although every member the candidate keeps succeeded (no agreement, say). */
  won: number;
}

/**
 * A consensus team succeeds when most of its members do; every other formation needs each member's part. So the
 * member records of the consensus config's runs tell, run by run, whether the same run would have succeeded
 * with every kept member's part required: a run that succeeded while a kept member failed is one the candidate
 * would likely have lost. Those runs are many more than the candidate's own (the history and every baseline run
 * of the race and the confirm), so they see a loss of a few points that the candidate's own runs cannot.
 *
 * Only members that work on their own in the candidate's runs count: consensus members propose without waiting
 * for anyone, so a member that in the candidate's formation waits for another's output (`waitedFor`) may have
 * failed in consensus for want of that input, a failure the candidate would not repeat. Undefined unless `base`
 * is consensus, `candidate` is not and has runs to say who waits. It can only find losses (the candidate may fail
 * in new ways too), so it is a second check beside the candidate's own runs, never a replacement.
 */
export function outvotedFailures(base: TeamConfig, candidate: TeamConfig, baseRuns: readonly ExecutionRecord[], candidateRuns: readonly ExecutionRecord[]): OutvotedEvidence | undefined {
  if (base.formation !== 'consensus' || candidate.formation === 'consensus' || candidateRuns.length === 0) return undefined;
  const keptIds = candidate.members ? candidate.members.filter((m) => m.enabled !== false).map((m) => m.id) : undefined;
  const waits = new Set<string>();
  const seen = new Set<string>();
  for (const run of candidateRuns) {
    for (const m of run.members) {
      seen.add(m.memberId);
      if (m.waitedFor && m.waitedFor.length > 0) waits.add(m.memberId);
    }
  }
  const out: OutvotedEvidence = { runs: 0, lost: 0, won: 0 };
  for (const run of baseRuns) {
    // A run cut off by its timeout says nothing of its members' parts.
    if (run.limitHit === 'timeout' || run.members.length === 0) continue;
    const kept = keptIds ?? run.members.slice(0, candidate.memberCount).map((m) => m.memberId);
    const parts = run.members.filter((m) => kept.includes(m.memberId));
    if (parts.length < kept.length) continue;
    const independent = parts.filter((m) => seen.has(m.memberId) && !waits.has(m.memberId));
    out.runs++;
    const othersOk = independent.every((m) => m.success);
    if (run.success && !othersOk) out.lost++;
    // A failed run whose every part succeeded (no agreement, say) tells of a win only if no part may have waited.
    if (!run.success && othersOk && independent.length === parts.length) out.won++;
  }
  return out.runs > 0 ? out : undefined;
}
