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
  // binomialPmf(n, p) has n + 1 entries, one per count 0..n.
  for (let xb = 0; xb <= n; xb++) {
    const pxb = fb[xb]!;
    if (pxb < 1e-12) continue;
    for (let xc = 0; xc <= n; xc++) {
      const pxc = fc[xc]!;
      if (pxc < 1e-12) continue;
      const p = fisherExact([[xc, n - xc], [xb, n - xb]], { alternative: 'less' }).pValue;
      if (p <= alpha) power += pxb * pxc;
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

/** One-sided level at which a member's fewer failures under the candidate mark its consensus failures as starved. */
const INPUT_STARVED_ALPHA = 0.1;

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
 * A consensus team succeeds when most of its members do; every other formation needs each member's part, and a
 * smaller consensus needs most of fewer. So the member records of the consensus config's runs tell, run by run,
 * whether the same run would have succeeded under the candidate: a run that succeeded while the members the
 * candidate keeps would not have carried it is one the candidate would likely have lost. Those runs are many more
 * than the candidate's own (the history and every baseline run of the race and the confirm), so they see a loss
 * of a few points that the candidate's own runs cannot.
 *
 * For a switch to another formation, consensus members propose without waiting for anyone, so a member that in
 * the candidate's formation waits for another's output (`waitedFor`) may have failed in consensus for want of
 * that input, a failure the candidate would not repeat: such a member counts only while it does not fail clearly
 * less often in the candidate's runs (one-sided Fisher test at 10%). Undefined unless `base` is consensus and `candidate` is another formation (with runs to say
 * who waits) or a consensus of fewer members. It can only find losses (the candidate may fail in new ways too),
 * so it is a second check beside the candidate's own runs, never a replacement.
 */
export function outvotedFailures(base: TeamConfig, candidate: TeamConfig, baseRuns: readonly ExecutionRecord[], candidateRuns: readonly ExecutionRecord[]): OutvotedEvidence | undefined {
  if (base.formation !== 'consensus') return undefined;
  const keptIds = candidate.members ? candidate.members.filter((m) => m.enabled !== false).map((m) => m.id) : undefined;
  const smallerConsensus = candidate.formation === 'consensus';
  if (smallerConsensus ? enabledCount(candidate) >= enabledCount(base) : candidateRuns.length === 0) return undefined;
  // Per member: runs and failures under the candidate and under consensus, and whether it waited for others.
  const tally = new Map<string, { waits: boolean; runs: number; fails: number; baseRuns: number; baseFails: number }>();
  const entry = (id: string) => {
    let t = tally.get(id);
    if (!t) tally.set(id, (t = { waits: false, runs: 0, fails: 0, baseRuns: 0, baseFails: 0 }));
    return t;
  };
  for (const run of candidateRuns) {
    for (const m of run.members) {
      const t = entry(m.memberId);
      t.runs++;
      if (!m.success) t.fails++;
      if (m.waitedFor && m.waitedFor.length > 0) t.waits = true;
    }
  }
  for (const run of baseRuns) {
    for (const m of run.members) {
      const t = entry(m.memberId);
      t.baseRuns++;
      if (!m.success) t.baseFails++;
    }
  }
  // A member that waits under the candidate and fails there clearly less often than under consensus failed in
  // consensus for want of its input: its consensus failures do not carry over.
  const carriesOver = (id: string) => {
    const t = tally.get(id);
    if (!t || t.runs === 0) return false;
    if (!t.waits) return true;
    return fisherExact([[t.fails, t.runs - t.fails], [t.baseFails, t.baseRuns - t.baseFails]], { alternative: 'less' }).pValue > INPUT_STARVED_ALPHA;
  };
  const majority = (parts: readonly { success: boolean }[]) => parts.filter((m) => m.success).length * 2 > parts.length;
  const out: OutvotedEvidence = { runs: 0, lost: 0, won: 0 };
  for (const run of baseRuns) {
    // A run cut off by its timeout says nothing of its members' parts.
    if (run.limitHit === 'timeout' || run.members.length === 0) continue;
    const kept = keptIds ?? run.members.slice(0, candidate.memberCount).map((m) => m.memberId);
    const parts = run.members.filter((m) => kept.includes(m.memberId));
    if (parts.length < kept.length) continue;
    out.runs++;
    if (smallerConsensus) {
      // Lost: the kept members have no majority of their own; won: the vote failed for want of a majority that
      // the kept members alone have.
      if (run.success && !majority(parts)) out.lost++;
      if (!run.success && !majority(run.members) && majority(parts)) out.won++;
      continue;
    }
    const independent = parts.filter((m) => carriesOver(m.memberId));
    const othersOk = independent.every((m) => m.success);
    if (run.success && !othersOk) out.lost++;
    // A failed run whose every part succeeded (no agreement, say) tells of a win only if no part may have waited.
    if (!run.success && othersOk && independent.length === parts.length) out.won++;
  }
  return out.runs > 0 ? out : undefined;
}

function enabledCount(config: TeamConfig): number {
  return config.members ? config.members.filter((m) => m.enabled !== false).length : config.memberCount;
}
