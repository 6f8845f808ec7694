import { openText } from './internal/open-text';
import { MetricsError } from './errors';
import { RecordParser } from './internal/record-parser';
import { emptyReport } from './read-options';
import type { LoadResult, ReadOptions, ReadReport, RecordStream } from './read-options';
import type { ExecutionRecord } from './record';

/** Chunks of 64 KiB: per-chunk overhead is already negligible, and smaller strings keep peak memory down. */
const CHUNK_BYTES = 1 << 16;

/**
 * Stream the records of a metrics file in any supported format (see `MetricsFormat`), detected from its
 * first non-blank bytes. Memory stays flat for JSON Lines, OTLP lines and JSON arrays of any size; a
 * single JSON document (one record, or one OTLP document) is read whole.
 *
 * By default the first bad line, element or OTLP run stops the read with a `MetricsError` naming the file,
 * line (or record index) and field; with `lenient: true` it is skipped and counted in `report`.
 *
 * A path ending in `.gz` is gunzipped on the fly (`runs.jsonl.gz`), as rotated logs often are.
 */
export function readRecords(path: string, options: ReadOptions = {}): RecordStream {
  let report = emptyReport(path);
  return {
    get report(): ReadReport {
      return report;
    },
    [Symbol.asyncIterator](): AsyncIterator<ExecutionRecord> {
      report = emptyReport(path);
      return readFile(path, options, report);
    },
  };
}

async function* readFile(path: string, options: ReadOptions, report: ReadReport): AsyncGenerator<ExecutionRecord> {
  const parser = new RecordParser(report, options);
  const out: ExecutionRecord[] = [];
  const stream = openText(path, CHUNK_BYTES);
  try {
    for await (const chunk of iterateStream(stream, path)) {
      parser.push(chunk, out);
      for (const r of out) yield r;
      out.length = 0;
    }
    parser.end(out);
    for (const r of out) yield r;
  } finally {
    stream.destroy();
  }
}

/** The stream's chunks, with read failures (missing file, permissions) turned into `MetricsError`. */
async function* iterateStream(stream: AsyncIterable<unknown>, path: string): AsyncGenerator<string> {
  const it = stream[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<unknown>;
    try {
      step = await it.next();
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new MetricsError('METRICS_IO', `cannot read metrics file: ${reason}`, { location: { file: path }, cause: e });
    }
    if (step.done) return;
    yield step.value as string;
  }
}

/** Read a whole metrics file into memory (any supported format). See `readRecords` for errors and options. */
export async function loadMetrics(path: string, options: ReadOptions = {}): Promise<ExecutionRecord[]> {
  return (await loadMetricsWithReport(path, options)).records;
}

/** `loadMetrics`, also returning the report: format detected, records read, inputs skipped and why. */
export async function loadMetricsWithReport(path: string, options: ReadOptions = {}): Promise<LoadResult> {
  const stream = readRecords(path, options);
  const records: ExecutionRecord[] = [];
  for await (const r of stream) records.push(r);
  return { records, report: stream.report };
}

/** Parse metrics held in memory, in any supported format. `options.sourceName` names it in errors. */
export function parseMetricsText(text: string, options: ReadOptions = {}): ExecutionRecord[] {
  return parseMetricsTextWithReport(text, options).records;
}

/** `parseMetricsText`, also returning the report. */
export function parseMetricsTextWithReport(text: string, options: ReadOptions = {}): LoadResult {
  const report = emptyReport(options.sourceName);
  const parser = new RecordParser(report, options);
  const records: ExecutionRecord[] = [];
  parser.push(text, records);
  parser.end(records);
  return { records, report };
}
