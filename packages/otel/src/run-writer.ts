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

  private enqueue(r: ExecutionRecord): void {
    this.chain = this.chain.then(async () => {
      try {
        await this.sink.write(r);
        this.written++;
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        this.firstFailure ??= err;
        this.onError(err);
      }
    });
  }

  /** Waits for every queued write; resolves with the first write failure since the last call, if any. */
  async drain(): Promise<Error | undefined> {
    await this.chain;
    const failure = this.firstFailure;
    this.firstFailure = undefined;
    return failure;
  }

  /** Runs written, and runs that could not be built (a span failed validation). */
  counts(): { written: number; rejected: number } {
    return { written: this.written, rejected: this.rejectedRuns };
  }
}
