import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { MetricsAggregator } from '../aggregator';
import { MetricsError } from '../errors';
import { formatLocation } from '@autotune/errors';
import type { MetricsErrorCode } from '../errors';
import type { ErrorLocation } from '@autotune/errors';
import { emptyReport } from '../read-options';
import type { ReadReport } from '../read-options';
import type { ExecutionRecord } from '../record';
import { AGGREGATOR_STATE, AGGREGATOR_TEAM_FILTER } from './aggregator-state';
import type { AggregatorState } from './aggregator-state';
import { RecordParser } from './record-parser';

/** Bytes read per system call: 64 KiB measured cheaper than 256 KiB or 1 MiB (smaller strings stay in cache). */
const READ_BYTES = 1 << 16;

/** One byte range of a JSON Lines file of records, to be aggregated on its own (by a worker thread). */
export interface RangeTask {
  path: string;
  /** Byte offsets: `start` is 0 or just after a newline, `end` the file size or just after a newline. */
  start: number;
  end: number;
  lenient: boolean;
  maxReportedSkips: number | undefined;
  teamId: string | undefined;
  /** Formations accepted besides the built-in five (`ReadOptions.formations`). */
  formations: readonly string[] | undefined;
}

/** A `MetricsError` as plain data, with its line counted from the start of its range. */
export interface PlainError {
  code: MetricsErrorCode;
  /** The message without its location prefix. */
  message: string;
  location: ErrorLocation;
}

/** What a range produced: partial figures, counts, and errors with range-relative lines. */
export interface RangeResult {
  state: AggregatorState;
  /** Lines in the range (newline-terminated, plus a final unterminated one). */
  lines: number;
  records: number;
  skipped: number;
  firstSkips: PlainError[];
  /** The error that stopped a strict read of this range, if one did. */
  error: PlainError | undefined;
}

/** A `MetricsError` as plain data, for posting between threads. */
export function plainError(e: MetricsError): PlainError {
  // MetricsError prefixes "<location>: "; the bare message is what follows it.
  const where = formatLocation(e.location);
  return { code: e.code, message: where ? e.message.slice(where.length + 2) : e.message, location: e.location };
}

/** Rebuild an error of range `rangeFirstLine` (the range's first line in the whole file) as a `MetricsError`. */
export function toMetricsError(p: PlainError, rangeFirstLine: number): MetricsError {
  const location = { ...p.location };
  if (location.line !== undefined) location.line += rangeFirstLine - 1;
  return new MetricsError(p.code,  p.message, { location: location });
}

/**
 * Aggregate one byte range of a JSON Lines file: read in 64 KiB blocks, decoded as UTF-8 (a character split
 * across blocks is kept whole by the decoder), parsed line by line. Lines are numbered from 1 within the
 * range; the caller shifts them. Runs on a worker thread, or inline for tests.
 */
export function aggregateRange(task: RangeTask): RangeResult {
  const report: ReadReport = emptyReport(task.path);
  const agg = new MetricsAggregator();
  agg[AGGREGATOR_TEAM_FILTER](task.teamId);
  const parser = new RecordParser(
    report,
    { lenient: task.lenient, maxReportedSkips: task.maxReportedSkips, formations: task.formations },
    { summaryOnly: true, teamId: task.teamId, linesFrom: 1 },
  );
  const error = readRange(task, parser, agg);
  return rangeResult(agg, report, parser.linesRead, error);
}

/** What every range reader posts back: the aggregator's state, the report's counts and skips, the error if any. */
export function rangeResult<L extends number | undefined>(
  agg: MetricsAggregator,
  report: ReadReport,
  lines: L,
  error: PlainError | undefined,
): Omit<RangeResult, 'lines'> & { lines: L } {
  return {
    state: agg[AGGREGATOR_STATE](),
    lines,
    records: report.records,
    skipped: report.skipped,
    firstSkips: report.firstSkips.map((s) => plainError(s.error)),
    error,
  };
}

/**
 * Feed bytes [task.start, task.end) of a file through `parser` into `agg`: read in 64 KiB blocks, decoded as
 * UTF-8 (a character split across blocks is kept whole by the decoder), a byte-order mark dropped where the
 * range starts the file. The `MetricsError` that stopped a strict read comes back as plain data; any other
 * error is thrown. Shared by the JSON Lines and OTLP JSON Lines range readers.
 */
export function readRange(task: { path: string; start: number; end: number }, parser: RecordParser, agg: MetricsAggregator): PlainError | undefined {
  const out: ExecutionRecord[] = [];
  const fd = openSync(task.path, 'r');
  const buf = Buffer.allocUnsafe(READ_BYTES);
  const decoder = new StringDecoder('utf8');
  // While every block so far was ASCII, the decoder holds no partial character, and an ASCII block decodes as
  // latin1 to the same text: a copy, where UTF-8 decoding checks every byte (4% of an OTLP range's time).
  let ascii = true;
  try {
    let pos = task.start;
    let first = task.start === 0;
    while (pos < task.end) {
      const n = readSync(fd, buf, 0, Math.min(READ_BYTES, task.end - pos), pos);
      if (n === 0) break;
      pos += n;
      const block = buf.subarray(0, n);
      ascii &&= isAscii(block);
      let text = ascii ? block.toString('latin1') : decoder.write(block);
      if (first) {
        // A byte-order mark is whitespace to the format detector; here the range starts the file.
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      parser.push(text, out);
      for (const r of out) agg.add(r);
      out.length = 0;
    }
    parser.push(decoder.end(), out);
    parser.end(out);
    for (const r of out) agg.add(r);
  } catch (e) {
    if (!(e instanceof MetricsError)) throw e;
    return plainError(e);
  } finally {
    closeSync(fd);
  }
  return undefined;
}
