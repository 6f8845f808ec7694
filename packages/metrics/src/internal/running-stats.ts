/** Mean and sample variance in one pass (Welford), so no per-run values need be kept. */
export class RunningStats {
  count = 0;
  mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
  }

  /** Sample standard deviation (n - 1); 0 for fewer than two values. */
  get stdDev(): number {
    return this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0;
  }
}

/** Sum and count of a figure that only some runs report (tokens, cost). */
export class OptionalSum {
  count = 0;
  sum = 0;

  add(x: number | undefined): void {
    if (x === undefined) return;
    this.count++;
    this.sum += x;
  }

  get mean(): number | undefined {
    return this.count > 0 ? this.sum / this.count : undefined;
  }

  get total(): number | undefined {
    return this.count > 0 ? this.sum : undefined;
  }
}
