/*
 * Sums that do not depend on the order of their terms. A file is aggregated in byte ranges on several
 * threads and the partial figures are merged; for the merged summary to equal the single-thread one to
 * the last bit, every sum must be exact until it is read. Floating-point addition is not associative, so
 * a running mean (Welford) or a plain `+=` would differ in the last digits between the two paths.
 *
 * `ExactSum` keeps the sum as a short list of non-overlapping doubles (Shewchuk's expansion, the method
 * behind Python's `math.fsum`) and rounds once, correctly, when read. Whole numbers below 2^53 (tool calls,
 * tokens) take a plain integer fast path, which is exact too.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** 2^27 + 1: Dekker's split of a double into two 26-bit halves, for exact products. */
const SPLITTER = 134217729;

/** The exact product a * b as hi + lo (Dekker). Valid while neither operand nor the product overflows. */
function twoProduct(a: number, b: number, out: Float64Array): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  out[0] = p;
  out[1] = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}

const scratch = new Float64Array(2);

/** The serialisable state of an `ExactSum`, for sending partial figures between threads. */
export interface ExactSumState {
  int: number;
  partials: number[];
  special: number;
}

/** An exact sum of doubles, rounded once when read: the same value whatever the order of the terms. */
export class ExactSum {
  /**
   * Whole-number terms, summed exactly while below 2^53. Starts as -0, which sums as 0 but is stored as a double:
   * started as 0, V8 stores the field as a small integer until a sum passes 2^31 or comes from a double, then
   * changes how every `ExactSum` stores it and recompiles the code that reads them, in the middle of a load.
   */
  private int = -0;
  /**
   * Non-overlapping partial sums, increasing in magnitude: the first `n` slots. A typed array with a count,
   * not a plain array: resizing an array (`length = i`, `push`) showed in profiles of a million-run load.
   */
  private partials = new Float64Array(8);
  private n = 0;
  /** Sum of non-finite terms or of terms whose expansion overflowed (then the result is that, as IEEE says). */
  private special = 0;

  add(x: number): void {
    if (Number.isInteger(x)) {
      const s = this.int + x;
      if (s <= MAX_SAFE && s >= -MAX_SAFE) {
        this.int = s;
        return;
      }
    }
    this.addExpansion(x);
  }

  private addExpansion(x: number): void {
    if (!Number.isFinite(x)) {
      this.special += x;
      return;
    }
    let p = this.partials;
    const n = this.n;
    let i = 0;
    for (let j = 0; j < n; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (!Number.isFinite(x)) {
      // The exact sum left the double range: like a plain sum, it is now infinite.
      this.special += x;
      this.n = 0;
      return;
    }
    if (i === p.length) {
      const grown = new Float64Array(p.length * 2);
      grown.set(p);
      this.partials = p = grown;
    }
    p[i++] = x;
    this.n = i;
  }

  /** Add x * y exactly (both finite). Used for sums of squares. */
  addProduct(x: number, y: number): void {
    twoProduct(x, y, scratch);
    const hi = scratch[0]!; // scratch has two entries
    const lo = scratch[1]!;
    if (!Number.isFinite(hi) || !Number.isFinite(lo)) {
      this.addExpansion(hi);
      return;
    }
    this.add(hi);
    if (lo !== 0) this.add(lo);
  }

  /** Add every term of another sum (the other is unchanged). */
  merge(o: ExactSumState): void {
    this.add(o.int);
    for (const x of o.partials) this.addExpansion(x);
    if (o.special !== 0) this.special += o.special;
  }

  /** The terms as a list of doubles whose exact sum is this sum (finite part only). */
  terms(): number[] {
    const out = Array.from(this.partials.subarray(0, this.n));
    if (this.int !== 0) out.push(this.int);
    return out;
  }

  /** The sum, correctly rounded to the nearest double. */
  get value(): number {
    if (this.special !== 0 || Number.isNaN(this.special)) return this.special;
    if (this.int === 0) return roundExpansion(this.partials, this.n);
    if (this.n === 0) return this.int;
    const copy = new ExactSum();
    for (const x of this.partials.subarray(0, this.n)) copy.addExpansion(x);
    copy.addExpansion(this.int);
    return roundExpansion(copy.partials, copy.n);
  }

  state(): ExactSumState {
    return { int: this.int, partials: Array.from(this.partials.subarray(0, this.n)), special: this.special };
  }
}

/** Correctly rounded sum of a non-overlapping expansion (the last step of Python's `math.fsum`). */
function roundExpansion(p: Float64Array, count: number): number {
  let n = count;
  if (n === 0) return 0;
  let hi = p[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n]!;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Round half to even across the remaining partials: if the rest pushes past the halfway point, step once.
  if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}

/** The serialisable state of `RunningStats`. */
export interface RunningStatsState {
  count: number;
  sum: ExactSumState;
  sumSquares: ExactSumState;
}

/**
 * Count, mean and sample variance, from exact sums of the values and of their squares, so that the
 * figures do not depend on the order of the values and partial figures merge exactly. The variance is
 * computed as (n·Σx² − (Σx)²) / (n(n − 1)) with the numerator evaluated exactly, so it does not suffer the
 * cancellation that usually rules this formula out (and is exactly 0 for equal values).
 */
export class RunningStats {
  count = 0;
  private readonly sum = new ExactSum();
  private readonly sumSquares = new ExactSum();

  add(x: number): void {
    this.count++;
    this.sum.add(x);
    this.sumSquares.addProduct(x, x);
  }

  merge(o: RunningStatsState): void {
    this.count += o.count;
    this.sum.merge(o.sum);
    this.sumSquares.merge(o.sumSquares);
  }

  state(): RunningStatsState {
    return { count: this.count, sum: this.sum.state(), sumSquares: this.sumSquares.state() };
  }

  /** Mean of the values; 0 before any value. */
  get mean(): number {
    return this.count > 0 ? this.sum.value / this.count : 0;
  }

  /** Sample standard deviation (n - 1); 0 for fewer than two values. */
  get stdDev(): number {
    const n = this.count;
    if (n < 2) return 0;
    const s1 = this.sum.terms();
    const s2 = this.sumSquares.terms();
    const numerator = new ExactSum();
    for (const t of s2) numerator.addProduct(t, n);
    for (const a of s1) for (const b of s1) numerator.addProduct(-a, b);
    const v = numerator.value;
    if (!Number.isFinite(v)) {
      // Values too large for exact squares (beyond ~1e150): fall back to the rounded sums.
      const mean = this.sum.value / n;
      return Math.sqrt(Math.max(0, (this.sumSquares.value - n * mean * mean) / (n - 1)));
    }
    return Math.sqrt(Math.max(0, v) / (n * (n - 1)));
  }
}

/** The serialisable state of `OptionalSum`. */
export interface OptionalSumState {
  count: number;
  sum: ExactSumState;
}

/** Exact sum and count of a figure that only some runs report (tokens, cost). */
export class OptionalSum {
  count = 0;
  private readonly sum = new ExactSum();

  add(x: number | undefined): void {
    if (x === undefined) return;
    this.count++;
    this.sum.add(x);
  }

  merge(o: OptionalSumState): void {
    this.count += o.count;
    this.sum.merge(o.sum);
  }

  state(): OptionalSumState {
    return { count: this.count, sum: this.sum.state() };
  }

  get mean(): number | undefined {
    return this.count > 0 ? this.sum.value / this.count : undefined;
  }

  get total(): number | undefined {
    return this.count > 0 ? this.sum.value : undefined;
  }
}
