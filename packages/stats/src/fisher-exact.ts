import { checkAlternative, type Alternative } from './alternative';
import { invalidInput } from './errors';
import { describe } from './internal/validate';

/** A 2x2 table of counts: `[[a, b], [c, d]]`, rows are groups, columns are outcomes (e.g. success, failure). */
export type Table2x2 = readonly [readonly [number, number], readonly [number, number]];

/** Options of {@link fisherExact}. */
export interface FisherExactOptions {
  /** Default `'two-sided'`. `'less'`: the odds ratio is below 1 (row 1 has lower odds of column 1 than row 2). */
  alternative?: Alternative;
}

/** What {@link fisherExact} returns. */
export interface FisherExactResult {
  pValue: number;
  /**
   * The conditional maximum-likelihood estimate of the odds ratio, as R's `fisher.test` reports (not SciPy's
   * sample odds ratio a*d / (b*c)). It is 0 when `a` is the smallest value the margins allow and `Infinity`
   * when it is the largest, as in R; it is never NaN.
   */
  oddsRatio: number;
}

/**
 * Fisher's exact test on a 2x2 table, with R's `fisher.test` conventions: the p-value sums the hypergeometric
 * probabilities of the tables with the observed margins that are at least as extreme; two-sided sums those no
 * more probable than the observed table (with R's relative tolerance 1e-7, so floating-point noise does not
 * drop equally likely tables).
 *
 * @throws StatsError `STATS_INVALID_INPUT` unless the table is 2x2 of non-negative integers.
 */
export function fisherExact(table: Table2x2, options: FisherExactOptions = {}): FisherExactResult {
  const [[a, b], [c, d]] = checkTable(table);
  const alternative = checkAlternative(options.alternative);
  const m = a + b; // row 1 total
  const n = c + d; // row 2 total
  const k = a + c; // column 1 total
  const lo = Math.max(0, k - n);
  const hi = Math.min(k, m);
  const support: number[] = [];
  const logDensity: number[] = [];
  for (let x = lo; x <= hi; x++) {
    support.push(x);
    logDensity.push(logChoose(m, x) + logChoose(n, k - x));
  }
  const p = noncentralDensity(logDensity, support, 1);
  const obs = a - lo;
  let pValue = 0;
  // lo <= a <= hi, so obs indexes the support and p.
  if (alternative === 'less') for (let i = 0; i <= obs; i++) pValue += p[i]!;
  else if (alternative === 'greater') for (let i = obs; i < p.length; i++) pValue += p[i]!;
  else {
    const limit = p[obs]! * (1 + 1e-7);
    for (const pi of p) if (pi <= limit) pValue += pi;
  }
  return { pValue: Math.min(1, pValue), oddsRatio: conditionalMle(a, lo, hi, logDensity, support) };
}

function checkTable(table: unknown): [[number, number], [number, number]] {
  const ok =
    Array.isArray(table) &&
    table.length === 2 &&
    table.every((row) => Array.isArray(row) && row.length === 2);
  if (!ok) throw invalidInput('table', `expected a 2x2 table [[a, b], [c, d]], got ${describe(table)}`);
  const rows = table as unknown[][];
  rows.forEach((row, i) =>
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidInput(`table[${i}][${j}]`, `expected a count (integer >= 0), got ${describe(v)}`);
    }),
  );
  return rows as [[number, number], [number, number]];
}

/** Probabilities of the non-central hypergeometric distribution with odds ratio exp(logPsi). */
function noncentralDensity(logDensity: number[], support: number[], psi: number): number[] {
  const logPsi = Math.log(psi);
  const w = logDensity.map((l, i) => l + logPsi * support[i]!); // support and logDensity are built in step
  const max = Math.max(...w);
  const e = w.map((v) => Math.exp(v - max));
  const total = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / total);
}

/**
 * R's conditional MLE: the odds ratio whose non-central hypergeometric mean equals the observed count. The mean
 * is increasing in log(psi), so bisection on log(psi) converges; it is run to machine precision rather than
 * to R's `uniroot` default tolerance (about 1e-4), so results agree with R to about four significant digits.
 */
function conditionalMle(x: number, lo: number, hi: number, logDensity: number[], support: number[]): number {
  if (x === lo) return 0;
  if (x === hi) return Number.POSITIVE_INFINITY;
  const meanAt = (logPsi: number): number => {
    const p = noncentralDensity(logDensity, support, Math.exp(logPsi));
    return p.reduce((s, pi, i) => s + pi * support[i]!, 0); // p has one entry per support value
  };
  let left = -50;
  let right = 50;
  for (let i = 0; i < 200 && right - left > 1e-13; i++) {
    const mid = (left + right) / 2;
    if (meanAt(mid) < x) left = mid;
    else right = mid;
  }
  return Math.exp((left + right) / 2);
}

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  // The table starts with 0! and grows one entry per step up to n, so i - 1 and n are always filled.
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}
