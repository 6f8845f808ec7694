/**
 * Counts per ordered pair of members of one team, in a square Int32Array indexed by member number.
 * Replaces string-keyed maps on the hot path: a run of five members touches twenty pairs.
 */
export class PairCounts {
  private size = 8;
  private cells = new Int32Array(this.size * this.size);

  increment(i: number, j: number): void {
    if (i >= this.size || j >= this.size) this.grow(Math.max(i, j) + 1);
    this.cells[i * this.size + j]++;
  }

  get(i: number, j: number): number {
    return i < this.size && j < this.size ? this.cells[i * this.size + j] : 0;
  }

  private grow(min: number): void {
    let size = this.size;
    while (size < min) size *= 2;
    const next = new Int32Array(size * size);
    for (let i = 0; i < this.size; i++) next.set(this.cells.subarray(i * this.size, (i + 1) * this.size), i * size);
    this.size = size;
    this.cells = next;
  }
}
