import type { MetricsError } from './errors';
import type { ErrorLocation } from '@autotune/errors';
import type { OtlpOptions } from './otlp';
import type { ExecutionRecord } from './record';
import type { RecordChecks } from './validate';

/**
 * The input formats the readers recognise, detected from the first non-blank bytes:
 * - `json-array`: a JSON array of records (autotune camelCase or the original's snake_case), streamed;
 * - `json-object`: one record as a JSON document (may span lines);
 * - `jsonl`: JSON Lines, one record per line (either shape, mixed freely);
 * - `otlp-json`: one OpenTelemetry OTLP/JSON document (`{"resourceSpans": ...}`);
 * - `otlp-jsonl`: OTLP/JSON documents one per line, as the OpenTelemetry Collector's file exporter writes.
 */
export type MetricsFormat = 'json-array' | 'json-object' | 'jsonl' | 'otlp-json' | 'otlp-jsonl';

/** One piece of input that lenient reading skipped, and why. */
export interface SkippedInput {
  location: ErrorLocation;
  /** The error message, naming file, line or record and field. */
  reason: string;
  error: MetricsError;
}

/**
 * Options shared by `readRecords`, `loadMetrics` and `parseMetricsText`. Every field accepts an explicit
 * `undefined` (as absent), so callers can forward their own optional settings unchanged.
 */
export interface ReadOptions extends RecordChecks {
  /**
   * Skip lines, array elements or OTLP runs that fail to parse or validate, instead of stopping at the
   * first with a `MetricsError`. Each skip is counted in the report and passed to `onSkip`.
   */
  lenient?: boolean | undefined;
  /** Called for every skipped input in lenient mode. */
  onSkip?: ((skip: SkippedInput) => void) | undefined;
  /** How many skips the report keeps in `firstSkips` (default 5); the count is always exact. */
  maxReportedSkips?: number | undefined;
  /** File name used in error locations by `parseMetricsText` (readers use the path they were given). */
  sourceName?: string | undefined;
  /** How OTLP traces become runs: which span is a run, the grace window for late spans, team defaults. */
  otlp?: OtlpOptions | undefined;
}

/** What a read produced: how many records, in which format, and what was skipped. */
export interface ReadReport {
  file?: string;
  /** Undefined until the first non-blank bytes have been read, and for empty input. */
  format?: MetricsFormat;
  records: number;
  skipped: number;
  firstSkips: SkippedInput[];
  /**
   * OTLP only: agent and tool spans that belonged to no run span, so no team run could hold them (for
   * example a trace exported without its root, or read with `otlp.runSpans: 'invoke_workflow'`).
   */
  unattachedSpans: number;
  /** OTLP only: spans that arrived after their run was built (past `otlp.graceSeconds`), so not counted in it. */
  lateSpans: number;
  /** OTLP only: runs taken from a trace's root span (or a `gen_ai.workflow.name` span) for want of `invoke_workflow`. */
  rootSpanRuns: number;
}

/** Records and the report of how they were read. */
export interface LoadResult {
  records: ExecutionRecord[];
  report: ReadReport;
}

/**
 * The records of one file, read lazily as they are iterated. `report` is filled in during iteration and
 * complete once the loop ends. Iterating again reads the file again and resets the report.
 */
export interface RecordStream extends AsyncIterable<ExecutionRecord> {
  readonly report: ReadReport;
}

/** A fresh, empty report. */
export function emptyReport(file?: string): ReadReport {
  const r: ReadReport = { records: 0, skipped: 0, firstSkips: [], unattachedSpans: 0, lateSpans: 0, rootSpanRuns: 0 };
  if (file !== undefined) r.file = file;
  return r;
}
