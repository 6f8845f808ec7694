import { checkAlternative, type Alternative } from './alternative';
import { invalidInput } from './errors';
import type { Table2x2 } from './fisher-exact';
import { describe } from './internal/validate';

const { sqrt, cos, acos, exp, log, abs, max, min, PI } = Math;

/** Options of {@link barnardExact}. */
export interface BarnardExactOptions {
  /**
   * Default `'two-sided'`. `'less'`: the first row's success proportion is lower than the second's (by more
   * than `margin`); `'greater'`: higher (by more than `margin`).
   */
  alternative?: Alternative;
  /**
   * The difference of proportions the null hypothesis allows, in [0, 1): with `'less'` the test is of
   * H0: p1 - p2 >= -margin against H1: p1 - p2 < -margin ("the first is worse by more than the margin"), with
   * `'greater'` of H0: p1 - p2 <= margin. Default 0 (Barnard's test). A margin needs a one-sided alternative.
   */
  margin?: number;
}

/** What {@link barnardExact} returns. */
export interface BarnardExactResult {
  /** The largest probability, over the nuisance parameter on the null boundary, of a table at least as extreme. */
  pValue: number;
  /**
   * The score statistic (p1 - p2 - delta) / se, first minus second, where delta is the boundary of the null
   * (-margin for `'less'`, +margin for `'greater'`, 0 two-sided) and se uses the maximum-likelihood estimates
   * restricted to p1 - p2 = delta (Farrington and Manning, 1990). With margin 0 it is the pooled z statistic
   * of SciPy's `barnard_exact(pooled=True)`.
   */
  statistic: number;
  /** The second row's success probability at which the p-value's supremum was found. */
  nuisance: number;
}

/**
 * Barnard's exact unconditional test on a 2x2 table of successes and failures (rows are the two groups,
 * `[[successes1, failures1], [successes2, failures2]]`, as {@link fisherExact} takes them), extended to a
 * non-zero margin as Chan (1998) does: the statistic is the Farrington-Manning score, and the p-value is the
 * supremum, over every pair of proportions on the null boundary (p1 - p2 = delta), of the probability of a table
 * at least as extreme as the observed one. The supremum makes the test exact: whatever the true common level of
 * the proportions, it rejects a true null at most alpha of the time. Unlike Fisher's test it does not condition
 * on the column totals, so it is more powerful at small samples, and it can test a margin, which Fisher's
 * conditional test cannot.
 *
 * With margin 0 the result agrees with SciPy's `barnard_exact(table.T, pooled=True)` (SciPy puts the groups in
 * columns). The supremum is found on a grid of 200 nuisance values refined by golden-section search, to about 1e-7.
 *
 * @throws StatsError `STATS_INVALID_INPUT` unless the table is 2x2 of non-negative integers with at least one
 *   observation per row, or for a margin outside [0, 1) or a margin with a two-sided alternative.
 */
export function barnardExact(table: Table2x2, options: BarnardExactOptions = {}): BarnardExactResult {
  const [[x1, f1], [x2, f2]] = checkTable(table);
  const alternative = checkAlternative(options.alternative);
  const margin = checkMargin(options.margin, alternative);
  const n1 = x1 + f1;
  const n2 = x2 + f2;
  const delta = alternative === 'less' ? -margin : alternative === 'greater' ? margin : 0;
  const statistic = scoreStatistic(x1, n1, x2, n2, delta);
  const extreme = extremeSet(n1, n2, delta, alternative, statistic);
  const { value, at } = supremum(extreme, n1, n2, delta);
  return { pValue: min(1, value), statistic, nuisance: at };
}

function checkTable(table: unknown): [[number, number], [number, number]] {
  const ok = Array.isArray(table) && table.length === 2 && table.every((row) => Array.isArray(row) && row.length === 2);
  if (!ok) throw invalidInput('table', `expected a 2x2 table [[successes1, failures1], [successes2, failures2]], got ${describe(table)}`);
  const rows = table as unknown[][];
  rows.forEach((row, i) =>
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidInput(`table[${i}][${j}]`, `expected a count (integer >= 0), got ${describe(v)}`);
    }),
  );
  const t = rows as [[number, number], [number, number]];
  t.forEach((row, i) => {
    if (row[0] + row[1] === 0) throw invalidInput(`table[${i}]`, 'expected at least one observation in each row (a group with no runs has no proportion)');
  });
  return t;
}

/** Validates a margin: a number in [0, 1), non-zero only with a one-sided alternative. */
export function checkMargin(margin: unknown, alternative: Alternative, field = 'options.margin'): number {
  if (margin === undefined) return 0;
  if (typeof margin !== 'number' || !(margin >= 0 && margin < 1)) throw invalidInput(field, `expected a difference of proportions in [0, 1), got ${describe(margin)}`);
  if (margin > 0 && alternative === 'two-sided') throw invalidInput(field, "a margin needs a one-sided alternative ('less' or 'greater')");
  return margin;
}

/**
 * The Farrington-Manning score statistic for H0: p1 - p2 = delta: (p̂1 - p̂2 - delta) / se, with se from the
 * maximum-likelihood estimates restricted to the null (the closed-form root of Farrington and Manning's cubic).
 * With delta = 0 the restricted estimate is the pooled proportion. 0 when se is 0 (then every table ties).
 */
export function scoreStatistic(x1: number, n1: number, x2: number, n2: number, delta: number): number {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  let r1: number;
  let r2: number;
  if (delta === 0) {
    r1 = r2 = (x1 + x2) / (n1 + n2);
  } else {
    [r1, r2] = restrictedMle(p1, n1, p2, n2, delta);
  }
  const v = (r1 * (1 - r1)) / n1 + (r2 * (1 - r2)) / n2;
  const num = p1 - p2 - delta;
  if (!(v > 0)) return 0;
  return num / sqrt(v);
}

/** Farrington and Manning (1990), appendix: the restricted MLE of (p1, p2) under p1 - p2 = delta. */
function restrictedMle(p1: number, n1: number, p2: number, n2: number, delta: number): [number, number] {
  const theta = n2 / n1;
  const a = 1 + theta;
  const b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2));
  const c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2;
  const d = -p1 * delta * (1 + delta);
  const v = b ** 3 / (3 * a) ** 3 - (b * c) / (6 * a * a) + d / (2 * a);
  const s = b * b / (3 * a) ** 2 - c / (3 * a);
  const u = (v >= 0 ? 1 : -1) * sqrt(max(0, s));
  const ratio = u === 0 ? 0 : max(-1, min(1, v / u ** 3));
  const w = (PI + acos(ratio)) / 3;
  let r1 = 2 * u * cos(w) - b / (3 * a);
  // The root lies in [max(0, delta), min(1, 1 + delta)]; clamp rounding noise.
  r1 = min(min(1, 1 + delta), max(max(0, delta), r1));
  return [r1, r1 - delta];
}

/**
 * The tables at least as extreme as the observed statistic, as a list of (x1, x2) pairs. A relative tolerance
 * of 1e-7 keeps tables whose statistic equals the observed one up to rounding (R's convention in fisher.test).
 */
function extremeSet(n1: number, n2: number, delta: number, alternative: Alternative, observed: number): Int32Array {
  const tol = 1e-7 * max(1, abs(observed));
  const out: number[] = [];
  for (let a = 0; a <= n1; a++) {
    for (let b = 0; b <= n2; b++) {
      const z = scoreStatistic(a, n1, b, n2, delta);
      const inTail = alternative === 'less' ? z <= observed + tol : alternative === 'greater' ? z >= observed - tol : abs(z) >= abs(observed) - tol;
      if (inTail) out.push(a, b);
    }
  }
  return Int32Array.from(out);
}

/** log of the binomial pmf over 0..n at probability p (p in [0, 1]). */
export function binomialPmf(n: number, p: number): Float64Array {
  const out = new Float64Array(n + 1);
  if (p <= 0) {
    out[0] = 1;
    return out;
  }
  if (p >= 1) {
    out[n] = 1;
    return out;
  }
  const lp = log(p);
  const lq = log(1 - p);
  let lc = 0; // log C(n, k)
  for (let k = 0; k <= n; k++) {
    if (k > 0) lc += log((n - k + 1) / k);
    out[k] = exp(lc + k * lp + (n - k) * lq);
  }
  return out;
}

/** Probability of the listed tables when the second row's proportion is `p2` and the first's `p2 + delta`. */
function tailProbability(tables: Int32Array, n1: number, n2: number, p2: number, delta: number): number {
  const f1 = binomialPmf(n1, min(1, max(0, p2 + delta)));
  const f2 = binomialPmf(n2, p2);
  let s = 0;
  for (let i = 0; i < tables.length; i += 2) s += (f1[tables[i] as number] as number) * (f2[tables[i + 1] as number] as number);
  return s;
}

/** The nuisance range on the boundary p1 - p2 = delta: p2 in [max(0, -delta), min(1, 1 - delta)]. */
export function nuisanceRange(delta: number): [number, number] {
  return [max(0, -delta), min(1, 1 - delta)];
}

const GRID = 200;

/** Supremum over the nuisance of the tail probability: a grid, then golden-section search around the best point. */
function supremum(tables: Int32Array, n1: number, n2: number, delta: number): { value: number; at: number } {
  const [lo, hi] = nuisanceRange(delta);
  const f = (p: number): number => tailProbability(tables, n1, n2, p, delta);
  let best = -1;
  let bestAt = lo;
  let bestI = 0;
  for (let i = 0; i <= GRID; i++) {
    const p = lo + ((hi - lo) * i) / GRID;
    const v = f(p);
    if (v > best) {
      best = v;
      bestAt = p;
      bestI = i;
    }
  }
  // The tail probability is a smooth polynomial in p: refine inside the grid cells either side of the best point.
  let a = lo + ((hi - lo) * max(0, bestI - 1)) / GRID;
  let b = lo + ((hi - lo) * min(GRID, bestI + 1)) / GRID;
  const g = (sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let k = 0; k < 60 && b - a > 1e-12; k++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  if (fc > best) {
    best = fc;
    bestAt = c;
  }
  if (fd > best) {
    best = fd;
    bestAt = d;
  }
  return { value: best, at: bestAt };
}

/**
 * For power calculations: the one-sided p-value of every table at once, for sizes (n1, n2). Tables are ordered
 * by their statistic; the p-value of a table is the supremum over a nuisance grid of the cumulative probability
 * of the tables at least as extreme. Returns a (n1 + 1) x (n2 + 1) array, index x1 * (n2 + 1) + x2. The grid
 * (`grid` points, no refinement) may miss the supremum by a little, so these p-values can be slightly below
 * {@link barnardExact}'s; power computed from them is a close approximation, not a bound.
 */
export function allOneSidedPValues(n1: number, n2: number, alternative: 'less' | 'greater', margin: number, grid = 64): Float64Array {
  const delta = alternative === 'less' ? -margin : margin;
  const size = (n1 + 1) * (n2 + 1);
  const z = new Float64Array(size);
  for (let a = 0; a <= n1; a++) for (let b = 0; b <= n2; b++) z[a * (n2 + 1) + b] = scoreStatistic(a, n1, b, n2, delta);
  const sign = alternative === 'less' ? 1 : -1;
  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => sign * ((z[i] as number) - (z[j] as number)));
  const [lo, hi] = nuisanceRange(delta);
  const pmfs: Array<[Float64Array, Float64Array]> = [];
  for (let g = 0; g <= grid; g++) {
    const p2 = lo + ((hi - lo) * g) / grid;
    pmfs.push([binomialPmf(n1, min(1, max(0, p2 + delta))), binomialPmf(n2, p2)]);
  }
  const cum = new Float64Array(grid + 1);
  const out = new Float64Array(size);
  let k = 0;
  while (k < size) {
    // Tables tied on the statistic (to 1e-7) enter the tail together.
    const head = z[order[k] as number] as number;
    const tol = 1e-7 * max(1, abs(head));
    let end = k;
    while (end < size && abs((z[order[end] as number] as number) - head) <= tol) end++;
    let sup = 0;
    for (let g = 0; g <= grid; g++) {
      const [f1, f2] = pmfs[g] as [Float64Array, Float64Array];
      let s = cum[g] as number;
      for (let t = k; t < end; t++) {
        const idx = order[t] as number;
        s += (f1[(idx / (n2 + 1)) | 0] as number) * (f2[idx % (n2 + 1)] as number);
      }
      cum[g] = s;
      if (s > sup) sup = s;
    }
    for (let t = k; t < end; t++) out[order[t] as number] = min(1, sup);
    k = end;
  }
  return out;
}
