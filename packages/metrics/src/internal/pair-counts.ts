/** Up to this many members a team's pair counts live in one square array: 64 x 64 cells of 4 bytes. */
const DENSE_LIMIT = 64;

/**
 * Counts per ordered pair of members of one team (two counts per pair: "timed together" and "started
 * after the other ended"). Small teams use a square Int32Array indexed by member number, which keeps the
 * hot path free of hashing: a run of five members touches twenty pairs. Past `DENSE_LIMIT` members the
 * counts move to one map per member holding only the pairs that ever ran together, so memory grows with
 * the pairs seen (at most the members of each run squared, summed over runs), never with the square of
 * the number of distinct member ids: 30,000 ids would need 3.6 GB as a square.
 */
export class PairCounts {
  private size = 8;
  /** Interleaved [timed, after] per cell while dense; undefined once sparse. */
  private cells: Int32Array | undefined = new Int32Array(this.size * this.size * 2);
  /** Once sparse: rows[i].get(j) = [timed, after]. */
  private rows: Map<number, [number, number]>[] | undefined;

  /** Count one run in which members i and j were both timed; `after`: i started at or after j ended. */
  add(i: number, j: number, after: boolean, times = 1): void {
    this.addCounts(i, j, times, after ? times : 0);
  }

  private addCounts(i: number, j: number, timed: number, after: number): void {
    if (this.cells !== undefined) {
      if (i >= this.size || j >= this.size) this.grow(Math.max(i, j) + 1);
      if (this.cells !== undefined) {
        const k = (i * this.size + j) * 2; // i, j < size after grow(): inside the size * size * 2 cells
        this.cells[k]! += timed;
        this.cells[k + 1]! += after;
        return;
      }
    }
    const rows = this.rows!;
    while (rows.length <= i) rows.push(new Map());
    const row = rows[i]!; // just grown to more than i rows
    const cell = row.get(j);
    if (cell === undefined) row.set(j, [timed, after]);
    else {
      cell[0] += timed;
      cell[1] += after;
    }
  }

  /** Calls `fn` for every pair (i, j) with a non-zero timed count, in no particular order. */
  forEachOf(i: number, fn: (j: number, timed: number, after: number) => void): void {
    if (this.cells !== undefined) {
      if (i >= this.size) return;
      const base = i * this.size * 2;
      // i < size, so row i's 2 * size cells start at base.
      for (let j = 0; j < this.size; j++) {
        const timed = this.cells[base + j * 2]!;
        if (timed !== 0) fn(j, timed, this.cells[base + j * 2 + 1]!);
      }
      return;
    }
    const row = this.rows![i];
    if (row === undefined) return;
    for (const [j, cell] of row) if (cell[0] !== 0) fn(j, cell[0], cell[1]);
  }

  /** Every non-zero pair as flat [i, j, timed, after] quadruples, for sending between threads. */
  state(): number[] {
    const out: number[] = [];
    const rows = this.cells !== undefined ? this.size : this.rows!.length;
    for (let i = 0; i < rows; i++) this.forEachOf(i, (j, timed, after) => out.push(i, j, timed, after));
    return out;
  }

  /** Add the counts of `state()` from another team partial; `map` turns its member numbers into ours. */
  merge(state: readonly number[], map: (index: number) => number): void {
    for (let k = 0; k + 3 < state.length; k += 4) this.addCounts(map(state[k]!), map(state[k + 1]!), state[k + 2]!, state[k + 3]!);
  }

  private grow(min: number): void {
    const old = this.cells!;
    const oldSize = this.size;
    if (min > DENSE_LIMIT) {
      // Switch to sparse rows, carrying over what was counted.
      this.cells = undefined;
      this.rows = [];
      for (let i = 0; i < oldSize; i++) {
        for (let j = 0; j < oldSize; j++) {
          const k = (i * oldSize + j) * 2;
          const timed = old[k]!; // i, j < oldSize: inside the old oldSize * oldSize * 2 cells
          const after = old[k + 1]!;
          if (timed !== 0 || after !== 0) this.addCounts(i, j, timed, after);
        }
      }
      return;
    }
    let size = oldSize;
    while (size < min) size *= 2;
    const next = new Int32Array(size * size * 2);
    for (let i = 0; i < oldSize; i++) next.set(old.subarray(i * oldSize * 2, (i + 1) * oldSize * 2), i * size * 2);
    this.size = size;
    this.cells = next;
  }
}
