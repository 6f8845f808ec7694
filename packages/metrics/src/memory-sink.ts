import { MetricsError } from './errors';
import type { ExecutionRecord } from './record';
import type { MetricsSink } from './sink';

/**
 * Keeps the most recent runs in memory, up to `capacity` (default 10,000); older ones are dropped and
 * counted, so a long-lived process never grows without bound.
 */
export class MemoryMetricsSink implements MetricsSink {
  private readonly ring: (ExecutionRecord | undefined)[];
  private next = 0;
  private count = 0;
  private droppedCount = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new MetricsError('METRICS_USAGE', `MemoryMetricsSink capacity must be a whole number >= 1, got ${capacity}`);
    }
    this.ring = new Array<ExecutionRecord | undefined>(capacity);
  }

  write(record: ExecutionRecord): void {
    if (this.count === this.capacity) this.droppedCount++;
    else this.count++;
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The kept runs, oldest first. */
  records(): ExecutionRecord[] {
    const out: ExecutionRecord[] = [];
    const first = (this.next - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) out.push(this.ring[(first + k) % this.capacity]!);
    return out;
  }

  /** Number of runs kept. */
  get size(): number {
    return this.count;
  }

  /** Runs dropped to stay within capacity. */
  get dropped(): number {
    return this.droppedCount;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
    this.droppedCount = 0;
  }
}
