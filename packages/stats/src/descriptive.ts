/** Arithmetic mean of a non-empty array. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!; // i < x.length
  return s / x.length;
}

/** Sample variance (n - 1 denominator), two-pass so that large offsets do not cancel. 0 for one value. */
export function variance(x: ArrayLike<number>, m = mean(x)): number {
  if (x.length < 2) return 0;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - m; // i < x.length
    ss += d * d;
  }
  return ss / (x.length - 1);
}

/** Ascending copy as a Float64Array (numeric sort, unlike Array#sort's default). */
export function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}

/**
 * The p-quantile of values sorted ascending, by linear interpolation between closest ranks (R's type 7,
 * numpy's default). NaN for an empty array. The same definition as `quantileSorted` in @autotune/metrics;
 * written again here because both packages are leaves.
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
