import type { DistributionStats } from './summary-types';

/**
 * The p-quantile of values sorted ascending, by linear interpolation between closest ranks: R's type 7,
 * numpy's default (`linear`) and Excel's PERCENTILE.INC. With n values, h = (n - 1) * p and the result is
 * x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). Exact: no sketch or approximation.
 * Returns NaN for an empty array.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  // n > 0 and 0 <= lo < n below, and lo + 1 < n where it is read: every `!` reads an element that exists.
  if (p <= 0) return sorted[0]!;
  if (p >= 1) return sorted[n - 1]!;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const frac = h - lo;
  const low = sorted[lo]!;
  if (frac === 0 || lo + 1 >= n) return low;
  return low + frac * (sorted[lo + 1]! - low);
}

/**
 * Count, mean, sample standard deviation, min, max, median, P95 and P99 (type 7 quantiles, see
 * `quantileSorted`) of values sorted ascending. All figures are NaN except `count` for an empty array.
 */
export function distributionOfSorted(sorted: ArrayLike<number>): DistributionStats {
  const n = sorted.length;
  if (n === 0) {
    const nan = Number.NaN;
    return { count: 0, mean: nan, stdDev: nan, min: nan, max: nan, median: nan, p95: nan, p99: nan };
  }
  let sum = 0;
  // n > 0 and every index below is < n.
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  // Two passes over the kept values: exact and free of the cancellation a sum of squares suffers.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    ss += d * d;
  }
  return {
    count: n,
    mean,
    stdDev: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
  };
}
