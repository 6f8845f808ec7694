import { fisherExact, normalCdf } from '@autotune/stats';

export { normalCdf };

/**
 * Posterior probability that the candidate's success rate is at most `margin` below the baseline's:
 * P(p_c >= p_b - margin) with independent Jeffreys posteriors Beta(s + 1/2, f + 1/2), by the normal
 * approximation of the difference (good to about a point for the tens of runs the tuner has).
 */
export function successNoWorseProbability(baseSuccesses: number, baseRuns: number, candSuccesses: number, candRuns: number, margin: number): number {
  const moments = (s: number, n: number) => {
    const a = s + 0.5;
    const b = n - s + 0.5;
    return { mean: a / (a + b), variance: (a * b) / ((a + b) ** 2 * (a + b + 1)) };
  };
  const b = moments(baseSuccesses, baseRuns);
  const c = moments(candSuccesses, candRuns);
  const sd = Math.sqrt(b.variance + c.variance);
  return normalCdf((c.mean - b.mean + margin) / sd);
}

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
