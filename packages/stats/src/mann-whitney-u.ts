import { normalCdf } from './distributions';
import { checkAlternative, type Alternative } from './alternative';
import { finiteSample, oneOf } from './internal/validate';

/** Options of {@link mannWhitneyU}. */
export interface MannWhitneyOptions {
  /** Default `'two-sided'`. `'less'`: values of `a` tend to be smaller than values of `b`. */
  alternative?: Alternative;
  /**
   * `'auto'` (default) uses the exact distribution when there are no ties and both samples have fewer than
   * 50 values (R's rule), the normal approximation otherwise. `'exact'` with ties falls back to the normal
   * approximation, as R does, because the exact null distribution assumes no ties, and so does `'exact'` for
   * samples too large to tabulate (above about 150 per arm); the result says which ran.
   */
  method?: 'auto' | 'exact' | 'asymptotic';
  /** Continuity correction of the normal approximation. Default true (R's and SciPy's default). */
  continuity?: boolean;
}

/** What {@link mannWhitneyU} returns. */
export interface MannWhitneyResult {
  /** U of the first sample: its rank sum minus n_a (n_a + 1) / 2 (R's W, SciPy's U1). */
  statistic: number;
  pValue: number;
  /** Which distribution gave the p-value. */
  method: 'exact' | 'asymptotic';
}

/** Above this many values in either sample, `'auto'` uses the normal approximation (as R does). */
const EXACT_LIMIT = 50;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum test), with R's `wilcox.test(a, b)` and SciPy's
 * `mannwhitneyu(a, b)` conventions. Ties get mid-ranks and the tie-corrected variance. A sample of one value
 * is allowed here (the test is defined for it), but not an empty one.
 *
 * @throws StatsError `STATS_INVALID_INPUT` for an empty sample, a non-finite value or an unknown option.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[], options: MannWhitneyOptions = {}): MannWhitneyResult {
  const x = finiteSample(a, 'a', 1);
  const y = finiteSample(b, 'b', 1);
  const alternative = checkAlternative(options.alternative);
  const requested = options.method === undefined ? 'auto' : oneOf(options.method, 'options.method', ['auto', 'exact', 'asymptotic'] as const);
  const continuity = options.continuity ?? true;
  const m = x.length;
  const n = y.length;

  const { rankSumX, tieTerm } = ranks(x, y);
  const statistic = rankSumX - (m * (m + 1)) / 2;
  // The exact distribution's table grows as m^2 n^2 / 4; past ~5e7 cells (about 150 per arm) it would take
  // hundreds of MB, and the normal approximation is then excellent anyway.
  const feasible = (m * n * (Math.min(m, n) + 1) * (Math.max(m, n) + 1)) / 4 <= 5e7;
  const exact = tieTerm === 0 && feasible && (requested === 'exact' || (requested === 'auto' && m < EXACT_LIMIT && n < EXACT_LIMIT));
  if (exact) return { statistic, pValue: exactPValue(statistic, m, n, alternative), method: 'exact' };
  return { statistic, pValue: asymptoticPValue(statistic, m, n, tieTerm, alternative, continuity), method: 'asymptotic' };
}

/** Rank sum of the first sample (mid-ranks for ties) and sum of t^3 - t over tie groups. */
function ranks(x: number[], y: number[]): { rankSumX: number; tieTerm: number } {
  const all = x.map((v) => ({ v, first: true })).concat(y.map((v) => ({ v, first: false })));
  all.sort((p, q) => p.v - q.v);
  let rankSumX = 0;
  let tieTerm = 0;
  // Indices i <= k <= j < all.length below: every `!` reads an element that exists.
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const t = j - i + 1;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.first) rankSumX += midRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { rankSumX, tieTerm };
}

function asymptoticPValue(u: number, m: number, n: number, tieTerm: number, alternative: Alternative, continuity: boolean): number {
  const N = m + n;
  const variance = ((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  // Every value tied: U equals its mean under every permutation, so the permutation p-value is exactly 1.
  if (!(variance > 0)) return 1;
  const centred = u - (m * n) / 2;
  let correction = 0;
  if (continuity) correction = alternative === 'two-sided' ? Math.sign(centred) * 0.5 : alternative === 'greater' ? 0.5 : -0.5;
  const z = (centred - correction) / Math.sqrt(variance);
  if (alternative === 'less') return normalCdf(z, 0, 1);
  if (alternative === 'greater') return normalCdf(-z, 0, 1);
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

function exactPValue(u: number, m: number, n: number, alternative: Alternative): number {
  const cdf = nullCdf(m, n);
  const le = (k: number): number => (k < 0 ? 0 : k >= cdf.length ? 1 : cdf[k]!);
  // Without ties U is an integer; rounding guards against mid-rank arithmetic leaving 17.000000000000004.
  const k = Math.round(u);
  const pLess = le(k);
  const pGreater = 1 - le(k - 1);
  if (alternative === 'less') return pLess;
  if (alternative === 'greater') return Math.min(1, pGreater);
  // R and SciPy: double the tail on the side of the observed value.
  return Math.min(1, 2 * (k > (m * n) / 2 ? pGreater : pLess));
}

const cdfCache = new Map<string, Float64Array>();

/**
 * Null CDF of U for sample sizes m and n without ties. Built from the recursion on probabilities
 * p(u; i, j) = i/(i+j) p(u - j; i-1, j) + j/(i+j) p(u; i, j-1), which only adds positive numbers, so it stays
 * accurate where counting arrangements (up to C(100, 50) ~ 1e29) would lose precision to cancellation.
 */
function nullCdf(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const hit = cdfCache.get(key);
  if (hit) return hit;
  // prev[j] = distribution for (i - 1, j); cur[j] for (i, j).
  // prev and cur always hold n + 1 arrays (j = 0..n), and d has room for u + j (left has (i-1)j + 1 entries,
  // down i(j-1) + 1): every `!` below reads an element that exists.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      const left = prev[j]!; // (i - 1, j): the largest value came from the first sample, adding j to U
      const down = cur[j - 1]!; // (i, j - 1): it came from the second sample
      const wl = i / (i + j);
      const wd = j / (i + j);
      for (let u = 0; u < left.length; u++) d[u + j]! += wl * left[u]!;
      for (let u = 0; u < down.length; u++) d[u]! += wd * down[u]!;
      cur.push(d);
    }
    prev = cur;
  }
  const density = prev[n]!;
  const cdf = new Float64Array(density.length);
  let acc = 0;
  density.forEach((p, u) => {
    acc += p;
    cdf[u] = Math.min(1, acc);
  });
  if (cdfCache.size > 64) cdfCache.clear();
  cdfCache.set(key, cdf);
  return cdf;
}
