/**
 * An append-only list of numbers backed by a Float64Array that doubles when full. Durations are kept this
 * way so that a million runs cost 8 MB per group, not a million boxed objects.
 *
 * The order of the values matters to no statistic, so the buffer may hold them in any order; when it holds only
 * sorted lists appended whole (`pushAll(values, true)`: partials sorted on their worker threads), its sorted
 * copy merges them in one pass instead of sorting them all again on the calling thread.
 */
export class FloatBuffer {
  private data: Float64Array;
  private size = 0;
  /** Where each sorted list starts, while the buffer holds nothing else; undefined once it does. */
  private runs: number[] | undefined = [];

  constructor(initialCapacity = 16) {
    this.data = new Float64Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.size;
  }

  /**
   * Append every value of `values` (another partial's durations), `sorted` when they are in ascending order as
   * `sortedCopy` gives them. An empty buffer takes `values` over instead of copying it, so the caller must not use
   * it afterwards: a partial's arrays are merged once (they come from a worker thread, or from `copy`), and copying
   * the first of them only cost fresh pages (about 15 ms at 1M spans).
   */
  pushAll(values: Float64Array, sorted = false): void {
    if (values.length === 0) return;
    if (this.runs !== undefined) {
      if (sorted) this.runs.push(this.size);
      else this.runs = undefined;
    }
    if (this.size === 0) {
      this.data = values;
      this.size = values.length;
      return;
    }
    if (this.size + values.length > this.data.length) {
      let cap = this.data.length;
      while (cap < this.size + values.length) cap *= 2;
      const next = new Float64Array(cap);
      next.set(this.data.subarray(0, this.size));
      this.data = next;
    }
    this.data.set(values, this.size);
    this.size += values.length;
  }

  /** A copy of the values in arrival order, sized to fit (its buffer can be transferred to another thread). */
  copy(): Float64Array {
    return this.data.slice(0, this.size);
  }

  push(value: number): void {
    this.runs = undefined;
    if (this.size === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = value;
  }

  /**
   * A sorted copy of the values, in the order `Float64Array#sort` gives (-0 before 0). The internal buffer is
   * sorted first: order of arrival does not matter to any statistic, and a sorted buffer is not sorted again.
   */
  sortedCopy(): Float64Array {
    const runs = this.runs;
    if (runs !== undefined && runs.length > 1) this.data = mergeRuns(this.data, this.size, runs);
    else if (runs === undefined || runs.length === 0) this.data.subarray(0, this.size).sort();
    this.runs = this.size === 0 ? [] : [0];
    return this.data.slice(0, this.size);
  }
}

/** The sorted lists of data[0, size) that start at `runs`, merged pairwise into one sorted array of `size`. */
function mergeRuns(data: Float64Array, size: number, runs: readonly number[]): Float64Array {
  let from: Float64Array = data;
  let to: Float64Array = new Float64Array(size);
  let starts = [...runs, size];
  while (starts.length > 2) {
    const next: number[] = [];
    for (let k = 0; k + 1 < starts.length; k += 2) {
      const a = starts[k]!;
      const mid = starts[k + 1]!;
      const b = k + 2 < starts.length ? starts[k + 2]! : mid;
      mergeTwo(from, a, mid, b, to);
      next.push(a);
    }
    next.push(size);
    starts = next;
    [from, to] = [to, from];
  }
  return from;
}

/** from[a, mid) and from[mid, b), each sorted, merged into to[a, b); at equal values -0 goes first, as sort puts it. */
function mergeTwo(from: Float64Array, a: number, mid: number, b: number, to: Float64Array): void {
  let i = a;
  let j = mid;
  let k = a;
  while (i < mid && j < b) {
    const x = from[i]!;
    const y = from[j]!;
    if (x < y || (x === y && (x !== 0 || 1 / x < 0))) {
      to[k++] = x;
      i++;
    } else {
      to[k++] = y;
      j++;
    }
  }
  while (i < mid) to[k++] = from[i++]!;
  while (j < b) to[k++] = from[j++]!;
}
