import { OtlpAssembler } from '@autotune/metrics';
import type { MetricsSink, OtlpAssemblyStats, OtlpOptions, TraceSpan } from '@autotune/metrics';
import { OtelError } from './errors';
import { RunWriter } from './run-writer';

/** `[seconds, nanoseconds]`, as the OpenTelemetry API keeps times. */
type HrTime = [number, number];

/**
 * The part of the SDK's `ReadableSpan` the exporter reads (sdk-trace-base 1.x and 2.x). Declared here so
 * that this package has no runtime or type dependency on the SDK: any `ReadableSpan` fits.
 */
export interface ExportableSpan {
  readonly name: string;
  spanContext(): { traceId: string; spanId: string };
  /** SDK 2.x. */
  readonly parentSpanContext?: { spanId: string } | undefined;
  /** SDK 1.x. */
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: { code: number; message?: string | undefined };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly links: readonly { context: { spanId: string } }[];
  readonly resource: { readonly attributes: Readonly<Record<string, unknown>> };
}

/** The SDK's `ExportResult`: code 0 is success, 1 failure. */
export interface ExportResult {
  code: 0 | 1;
  error?: Error;
}

/** Options of {@link AutotuneSpanExporter}. */
export interface AutotuneSpanExporterOptions {
  /** Where finished runs go: `JsonlFileSink`, core's store, `MemoryMetricsSink`, or your own. */
  sink: MetricsSink;
  /** Which span is a run, the grace window for late spans (seconds), most traces in flight, team defaults. */
  otlp?: OtlpOptions;
  /** Called for a run that could not be built (bad attributes) or a sink write that failed. Default: ignored. */
  onError?: (error: Error) => void;
  /**
   * How often (ms) runs whose grace has passed are built when no new spans arrive (default: half the grace,
   * at least 1 s). The timer does not keep the process alive.
   */
  sweepIntervalMs?: number;
  /** A clock in nanoseconds, used only for elapsed time (tests pass their own). */
  now?: () => bigint;
}

/** Unix nanoseconds of an `HrTime`. */
function nanos(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

/**
 * A resource's attributes, taken once per resource object (an SDK's `resource.attributes` may build a new
 * object on every read), so the assembler can reuse what it made of them.
 */
const resourceAttributes = new WeakMap<object, Readonly<Record<string, unknown>>>();

/** One SDK span as the assembler reads it. */
export function toTraceSpan(s: ExportableSpan): TraceSpan {
  let attrs = resourceAttributes.get(s.resource);
  if (attrs === undefined) {
    attrs = s.resource.attributes;
    resourceAttributes.set(s.resource, attrs);
  }
  const ctx = s.spanContext();
  const parent = s.parentSpanContext?.spanId ?? s.parentSpanId;
  const span: TraceSpan = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    name: s.name,
    startTimeUnixNano: nanos(s.startTime),
    endTimeUnixNano: nanos(s.endTime),
    attributes: s.attributes,
    resourceAttributes: attrs,
    status: s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: s.status.message },
    links: s.links.map((l) => l.context.spanId),
  };
  if (parent !== undefined) span.parentSpanId = parent;
  return span;
}

/**
 * A `SpanExporter` for the OpenTelemetry JS SDK (`@opentelemetry/sdk-trace-base`) that assembles team runs
 * from GenAI spans as they end and writes one `ExecutionRecord` per run to a sink. Register it with a
 * `BatchSpanProcessor` (or `SimpleSpanProcessor`) beside your usual exporter:
 *
 * ```ts
 * const provider = new BasicTracerProvider({ spanProcessors: [
 *   new BatchSpanProcessor(new AutotuneSpanExporter({ sink: new JsonlFileSink('runs.jsonl') })),
 * ] });
 * ```
 *
 * A run is built once its grace window (trace time, `otlp.graceSeconds`, default 30 s) has passed after
 * its span ended, so spans of the run exported in a later batch still count; `forceFlush` and `shutdown`
 * build every run still open. Memory is bounded by the traces in flight (`otlp.maxOpenTraces`).
 */
export class AutotuneSpanExporter {
  private readonly assembler: OtlpAssembler;
  private readonly writer: RunWriter;
  private readonly now: () => bigint;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private lastTickNs: bigint;

  constructor(options: AutotuneSpanExporterOptions) {
    if (options === undefined || options.sink === undefined || typeof options.sink.write !== 'function') {
      throw new OtelError('OTEL_USAGE', 'AutotuneSpanExporter: options.sink must be a metrics sink (an object with write(record))');
    }
    this.assembler = new OtlpAssembler(options.otlp);
    this.writer = new RunWriter(options.sink, options.onError ?? (() => undefined));
    this.now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.lastTickNs = this.now();
    const grace = options.otlp?.graceSeconds ?? 30;
    const interval = options.sweepIntervalMs ?? Math.max(1000, (grace * 1000) / 2);
    this.timer = setInterval(() => this.sweep(), interval);
    this.timer.unref();
  }

  /** Lets trace time flow on by the wall time since the last sweep and builds the runs that became due (the timer calls it). */
  sweep(): void {
    const t = this.now();
    this.assembler.advanceBy(t - this.lastTickNs, this.writer.assemblerSink);
    this.lastTickNs = t;
  }

  /** Called by the span processor with each batch of ended spans. */
  export(spans: ExportableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: 1, error: new OtelError('OTEL_USAGE', 'AutotuneSpanExporter: export called after shutdown') });
      return;
    }
    try {
      this.assembler.addSpans(spans.map(toTraceSpan), { file: 'span exporter' }, this.writer.assemblerSink);
      this.sweep();
    } catch (e) {
      resultCallback({ code: 1, error: e instanceof Error ? e : new Error(String(e)) });
      return;
    }
    const done = (failure: Error | undefined) => resultCallback(failure === undefined ? { code: 0 } : { code: 1, error: failure });
    if (this.writer.idle) done(this.writer.takeFailure());
    else void this.writer.drain().then(done);
  }

  /** Builds every run still open (whatever its grace) and waits until all are written. */
  async forceFlush(): Promise<void> {
    this.assembler.flush(this.writer.assemblerSink);
    const failure = await this.writer.drain();
    if (failure !== undefined) throw failure;
  }

  /** Flushes and stops the sweep timer. The sink stays open: it is the caller's to close. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.forceFlush();
  }

  /** Runs written, runs rejected, and what the assembler set aside (late and unattached spans). */
  stats(): OtlpAssemblyStats & { runsWritten: number; runsRejected: number; openTraces: number; retainedSpans: number } {
    const c = this.writer.counts();
    return { ...this.assembler.stats(), runsWritten: c.written, runsRejected: c.rejected, openTraces: this.assembler.openTraces(), retainedSpans: this.assembler.retainedSpans() };
  }
}
