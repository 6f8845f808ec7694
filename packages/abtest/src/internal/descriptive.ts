/** Arithmetic mean of a non-empty array. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample variance (n - 1 denominator), two-pass so that large offsets do not cancel. 0 for one value. */
export function variance(x: ArrayLike<number>, m = mean(x)): number {
  if (x.length < 2) return 0;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m;
    ss += d * d;
  }
  return ss / (x.length - 1);
}

/** Ascending copy as a Float64Array (numeric sort, unlike Array#sort's default). */
export function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}
