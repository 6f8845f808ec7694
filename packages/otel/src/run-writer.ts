import type { ExecutionRecord, MetricsError, MetricsSink, OtlpSink } from '@autotune/metrics';

/**
 * Writes the runs an assembler builds to a sink, in order, one write at a time (a store's write may be
 * asynchronous), and remembers what went wrong so the caller can report it. Shared by the exporter and the
 * receiver.
 */
export class RunWriter {
  private chain: Promise<void> = Promise.resolve();
  private written = 0;
  private rejectedRuns = 0;
  private firstFailure: Error | undefined;
  /** The assembler's side: built runs are queued for writing, rejected ones counted and reported. */
  readonly assemblerSink: OtlpSink;

  constructor(
    private readonly sink: MetricsSink,
    private readonly onError: (e: Error) => void,
  ) {
    this.assemblerSink = {
      record: (r) => this.enqueue(r),
      reject: (e: MetricsError) => {
        this.rejectedRuns++;
        this.onError(e);
      },
    };
  }

  private pending = 0;

  private enqueue(r: ExecutionRecord): void {
    // A synchronous sink with nothing queued is written at once: no promise per run on the hot path.
    if (this.pending === 0) {
      let result: void | Promise<void>;
      try {
        result = this.sink.write(r);
      } catch (e) {
        this.fail(e);
        return;
      }
      if (result === undefined || typeof (result).then !== 'function') {
        this.written++;
        return;
      }
      this.pending++;
      this.chain = (result).then(
        () => this.settle(true),
        (e: unknown) => this.settle(false, e),
      );
      return;
    }
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        await this.sink.write(r);
        this.settle(true);
      } catch (e) {
        this.settle(false, e);
      }
    });
  }

  private settle(ok: boolean, e?: unknown): void {
    this.pending--;
    if (ok) this.written++;
    else this.fail(e);
  }

  private fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.firstFailure ??= err;
    this.onError(err);
  }

  /** True when no write is in flight. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** The first write failure since the last call, if any (for a caller that knows the writer is idle). */
  takeFailure(): Error | undefined {
    const failure = this.firstFailure;
    this.firstFailure = undefined;
    return failure;
  }

  /** Waits for every queued write; resolves with the first write failure since the last call, if any. */
  async drain(): Promise<Error | undefined> {
    await this.chain;
    return this.takeFailure();
  }

  /** Runs written, and runs that could not be built (a span failed validation). */
  counts(): { written: number; rejected: number } {
    return { written: this.written, rejected: this.rejectedRuns };
  }
}
