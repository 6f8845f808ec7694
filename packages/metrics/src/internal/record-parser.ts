import { MetricsError } from '../errors';
import { formatLocation } from '@autotune/errors';
import type { ErrorLocation } from '@autotune/errors';
import { OTLP_ADD_READ_DOCUMENT, OTLP_PROBE, OTLP_RANGE_MODE, OTLP_SKIP_DOCUMENT, OTLP_SUMMARY_ONLY, OtlpAssembler, isOtlpDocument } from '../otlp';
import type { OtlpRangeHooks, OtlpRangeProbe, OtlpSink } from '../otlp';
import type { ReadOptions, ReadReport } from '../read-options';
import type { ExecutionRecord } from '../record';
import { validateParsedRecord, validateParsedRecordForSummary } from '../validate';
import { JsonArraySplitter } from './json-array-splitter';
import type { ArrayElement } from './json-array-splitter';
import type { OtlpSkipScan } from './otlp-skip';
import { readOtlpDocumentFast } from './otlp-fast';

type Mode = 'detect' | 'first-line' | 'lines' | 'document' | 'array';

const DEFAULT_MAX_REPORTED_SKIPS = 5;

/** Characters of pending chunks joined into one piece (see `keepPending`). */
const PENDING_JOIN_CHARS = 4 << 20;

/** Lines after a bad first line that are tried on their own before the input is held as one document. */
const PROBE_LINES = 10;

/** True for a line that is, on its own, a record or an OTLP document: the mark of JSON Lines. */
function standaloneValue(line: string): 'record' | 'otlp' | undefined {
  const t = line.trim();
  if (t.charCodeAt(0) !== 123 /* { */) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (isOtlpDocument(v)) return 'otlp';
  const o = v as Record<string, unknown>;
  return 'teamId' in o || 'team_id' in o ? 'record' : undefined;
}

/** Package-internal settings of a `RecordParser` used for a summary rather than for records. */
export interface ParserTuning {
  /** Records are only aggregated: skip deriving execution ids (see `validateParsedRecordForSummary`). */
  summaryOnly?: boolean | undefined;
  /**
   * Only this team's records are wanted. A line or array element in which the team id does not appear as
   * a JSON string (as written plainly, or with \u escapes as Python writes non-ASCII) is skipped unparsed;
   * one in which it appears is parsed, and the aggregator checks the parsed id. Skipped input is not
   * validated. OTLP input is not filtered here: a byte-level reader does it (`skipOtlpLine`).
   */
  teamId?: string | undefined;
  /** Input is a byte range of a JSON Lines file of records starting at this 1-based line (worker threads). */
  linesFrom?: number;
  /** Input is a byte range of OTLP JSON Lines, assembled as `internal/otlp-range.ts` describes. */
  otlpRange?: OtlpRangeHooks;
}

/** The ways a team id can appear as a JSON string in a file: as is, and ASCII-escaped as Python's json writes it. */
export function teamIdNeedles(teamId: string): string[] {
  const plain = JSON.stringify(teamId);
  const ascii = plain.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return ascii === plain ? [plain] : [plain, ascii];
}

/**
 * A push parser for every metrics format: feed text chunks, collect records. The format is decided by
 * the first non-blank character: `[` is an array (streamed element by element); `{` is JSON Lines if the
 * first line is a complete JSON value on its own, and otherwise one JSON document spanning lines (held
 * whole, then parsed). A line or document holding `resourceSpans` is OTLP.
 */
export class RecordParser {
  private mode: Mode = 'detect';
  private rest = '';
  private line = 1;
  private firstContentLine = 0;
  /** Probing a document for JSON Lines: offset just after the last line tried (-1: first line not passed). */
  private probePos = -1;
  /** Where the next search for a newline starts, so a long line is scanned once, not once per chunk. */
  private probeScan = 0;
  private probed = 0;
  private readonly file: string | undefined;
  private splitter: JsonArraySplitter | undefined;
  private readonly elements: ArrayElement[] = [];
  /** Records of a batch of elements, kept until all of them are known valid (`elementValues`). */
  private readonly batchRecords: ExecutionRecord[] = [];
  private otlp: OtlpAssembler | undefined;
  private out: ExecutionRecord[] = [];
  private readonly maxSkips: number;
  private readonly sink: OtlpSink = {
    record: (r) => this.emit(r),
    reject: (e) => this.skip(e),
  };
  /** Chunks of a line (or first line) not yet complete, joined once its end arrives: linear in its length. */
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly validate: typeof validateParsedRecord;
  private readonly needles: string[] | undefined;
  private readonly teamId: string | undefined;
  private readonly summaryOnly: boolean;
  private readonly otlpRange: OtlpRangeHooks | undefined;

  constructor(
    readonly report: ReadReport,
    private readonly options: ReadOptions,
    tuning: ParserTuning = {},
  ) {
    this.file = report.file;
    this.maxSkips = options.maxReportedSkips ?? DEFAULT_MAX_REPORTED_SKIPS;
    this.validate = tuning.summaryOnly ? validateParsedRecordForSummary : validateParsedRecord;
    this.summaryOnly = tuning.summaryOnly === true;
    this.needles = tuning.teamId === undefined ? undefined : teamIdNeedles(tuning.teamId);
    this.teamId = tuning.teamId;
    this.otlpRange = tuning.otlpRange;
    if (tuning.linesFrom !== undefined) {
      this.mode = 'lines';
      this.report.format = tuning.otlpRange === undefined ? 'jsonl' : 'otlp-jsonl';
      this.line = tuning.linesFrom;
    }
    this.firstLine = this.line;
  }

  private readonly firstLine: number;

  /** Lines consumed so far (in lines mode: every line, blank or not). */
  get linesRead(): number {
    return this.line - this.firstLine;
  }

  /** Where the next team-id needle starts in `hitText` (Infinity: nowhere), so each text is searched once. */
  private hitText: string | undefined;
  private hitAt = -1;

  /**
   * True when text[from, to) cannot hold the wanted team's id, so it can be skipped without parsing. Never
   * for OTLP: a run's spans may sit in several documents, and only the workflow span names the team.
   */
  private otherTeam(text: string, from: number, to: number): boolean {
    if (this.report.format === 'otlp-jsonl' || text.startsWith('{"resourceSpans"', from)) return false;
    const needles = this.needles!;
    if (text !== this.hitText || this.hitAt < from) {
      let at = Number.POSITIVE_INFINITY;
      for (const n of needles) {
        const k = text.indexOf(n, from);
        if (k >= 0 && k < at) at = k;
      }
      this.hitText = text;
      this.hitAt = at;
    }
    // A needle holds no newline, so one starting before the line's end lies inside the line.
    return this.hitAt >= to;
  }

  /** Feed the next chunk of text; records completed by it are appended to `out`. */
  push(chunk: string, out: ExecutionRecord[]): void {
    this.out = out;
    switch (this.mode) {
      case 'detect':
        this.detect(chunk);
        return;
      case 'first-line':
        // Only the new chunk is searched: a long first line is scanned once, not once per chunk.
        if (chunk.indexOf('\n') < 0) {
          this.keepPending(chunk);
          return;
        }
        this.rest = this.takePending(chunk);
        this.tryFirstLine(false);
        return;
      case 'lines':
        this.lines(chunk, false);
        return;
      case 'document':
        this.rest += chunk;
        this.probeForLines();
        return;
      case 'array':
        this.array(chunk);
        return;
    }
  }

  /** Signal the end of input; remaining records are appended to `out`. */
  end(out: ExecutionRecord[]): void {
    this.out = out;
    switch (this.mode) {
      case 'detect':
        return; // empty or blank input: no records
      case 'first-line':
        this.rest = this.takePending('');
        this.tryFirstLine(true);
        if ((this.mode as Mode) === 'document') this.document();
        break;
      case 'lines':
        this.lines('', true);
        break;
      case 'document':
        this.document();
        break;
      case 'array':
        this.splitter!.end();
        break;
    }
    if (this.otlp !== undefined) {
      this.otlp.flush(this.sink);
      const stats = this.otlp.stats();
      this.report.unattachedSpans = stats.unattachedSpans;
      this.report.lateSpans = stats.lateSpans;
      this.report.rootSpanRuns = stats.rootSpanRuns;
    }
  }

  private detect(chunk: string): void {
    let i = 0;
    const text = this.rest + chunk;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      else if (!(c === 32 || c === 9 || c === 13 || c === 0xfeff)) break;
      i++;
    }
    if (i === text.length) {
      this.rest = '';
      return;
    }
    const first = text[i];
    if (first === '[') {
      this.mode = 'array';
      this.report.format = 'json-array';
      this.splitter = new JsonArraySplitter(this.file, this.line);
      this.array(text.slice(i + 1));
    } else if (first === '{') {
      this.firstContentLine = this.line;
      this.mode = 'first-line';
      this.rest = text.slice(i);
      this.tryFirstLine(false);
    } else {
      throw new MetricsError('METRICS_FORMAT_UNKNOWN', `not a metrics file: expected JSON (a "[" array, a "{" record or OTLP document, or JSON Lines), found ${JSON.stringify(text.slice(i, i + 20))}`, { location: { file: this.file, line: this.line } });
    }
  }

  /** Decide between JSON Lines and one multi-line document from the first line. */
  private tryFirstLine(atEnd: boolean): void {
    const nl = this.rest.indexOf('\n');
    if (nl < 0 && !atEnd) return;
    const first = nl < 0 ? this.rest : this.rest.slice(0, nl);
    let parsed: unknown;
    try {
      parsed = JSON.parse(first);
    } catch {
      this.mode = 'document';
      this.probeForLines();
      return;
    }
    this.mode = 'lines';
    this.report.format = isOtlpDocument(parsed) ? 'otlp-jsonl' : 'jsonl';
    const text = this.rest;
    this.rest = '';
    // The first line is parsed already: use that value instead of parsing it again (a file holding one
    // large OTLP document on one line would otherwise be parsed twice).
    const lineNo = this.line++;
    if (this.needles === undefined || !this.otherTeam(first, 0, first.length)) this.value(parsed, { file: this.file, line: lineNo });
    if (nl >= 0) this.lines(text.slice(nl + 1), atEnd);
  }

  /**
   * A first line that is not JSON either opens a multi-line document or is a broken line of JSON Lines (a
   * writer killed mid-line). Held as a document, a big JSON Lines file would sit whole in memory until its
   * end; so the next few lines are tried on their own, and one that is a record or OTLP document on its own
   * switches to reading lines at once (no line of a valid multi-line document is a whole record).
   */
  private probeForLines(): void {
    const text = this.rest;
    while (this.probed < PROBE_LINES) {
      const nl = text.indexOf('\n', Math.max(this.probeScan, this.probePos));
      if (nl < 0) {
        this.probeScan = text.length;
        return;
      }
      this.probeScan = nl + 1;
      if (this.probePos < 0) {
        this.probePos = nl + 1; // past the first line, which is known to be bad
        continue;
      }
      const kind = standaloneValue(text.slice(this.probePos, nl));
      this.probePos = nl + 1;
      this.probed++;
      if (kind !== undefined) {
        this.mode = 'lines';
        this.report.format = kind === 'otlp' ? 'otlp-jsonl' : 'jsonl';
        this.rest = '';
        this.line = this.lineOfFirstContent();
        this.lines(text, false);
        return;
      }
    }
  }

  /**
   * Keep a chunk of a line not yet complete. Every few MB the chunks kept are joined onto `rest` (a rope:
   * no copy of what came before): read chunks are small enough for V8's young generation, and hundreds of
   * them kept alive would be copied out of it at every scavenge; one joined piece goes to the large-object
   * space instead. The line is made flat once, when it is complete.
   */
  private keepPending(chunk: string): void {
    this.pending.push(chunk);
    this.pendingChars += chunk.length;
    if (this.pendingChars >= PENDING_JOIN_CHARS) {
      this.rest += this.pending.join('');
      this.pending = [];
      this.pendingChars = 0;
    }
  }

  /** `rest`, the pending chunks and `chunk` as one string (one join, however many chunks). */
  private takePending(chunk: string): string {
    if (this.pending.length === 0) return this.rest + chunk;
    this.pending.push(chunk);
    const text = this.rest + this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    return text;
  }

  private lines(chunk: string, atEnd: boolean): void {
    if (!atEnd && (this.rest.length > 0 || this.pending.length > 0) && chunk.indexOf('\n') < 0) {
      // Still inside a long line: keep the chunk aside instead of copying the line so far again.
      this.keepPending(chunk);
      return;
    }
    let text = chunk;
    let pos = 0;
    if (this.pending.length > 0 || this.rest.length > 0) {
      // The line begun in earlier chunks is joined with its end alone, and the chunk read where it is: `rest +
      // chunk` would be a rope that the first search flattens, copying every chunk once more.
      const nl = chunk.indexOf('\n');
      if (nl < 0) text = this.pending.length > 0 ? this.takePending(chunk) : this.rest + chunk;
      else {
        const head = this.pending.length > 0 ? this.takePending(chunk.slice(0, nl)) : this.rest + chunk.slice(0, nl);
        this.rest = '';
        this.oneLine(head, 0, head.length);
        pos = nl + 1;
      }
    }
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.oneLine(text, pos, nl);
      pos = nl + 1;
    }
    this.rest = pos === 0 ? text : text.slice(pos);
    if (atEnd && this.rest.length > 0) {
      const last = this.rest;
      this.rest = '';
      this.oneLine(last, 0, last.length);
    }
  }

  private oneLine(text: string, from: number, to: number): void {
    const lineNo = this.line++;
    const first = text.charCodeAt(from);
    if (first !== 123 /* { */) {
      // Blank lines (and a final "\r") are allowed anywhere in JSON Lines.
      if (from === to || text.slice(from, to).trim() === '') return;
    }
    if (this.needles !== undefined && this.otherTeam(text, from, to)) return;
    const loc: ErrorLocation = { file: this.file, line: lineNo };
    // An OTLP document is read by the fast reader when it can read it exactly, else parsed below.
    if (first === 123 && text.startsWith('{"resourceSpans"', from)) {
      const spans = readOtlpDocumentFast(text, from, to, loc);
      if (spans !== undefined) {
        this.otlp ??= this.newAssembler();
        try {
          this.otlp[OTLP_ADD_READ_DOCUMENT](spans, this.sink);
        } catch (e) {
          if (e instanceof MetricsError) this.skip(e);
          else throw e;
        }
        return;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.slice(from, to));
    } catch (e) {
      this.skip(new MetricsError('METRICS_PARSE', `not valid JSON: ${(e as Error).message}`, { location: loc, cause: e }));
      return;
    }
    this.value(parsed, loc);
  }

  /**
   * One whole line, from a reader that splits lines itself (lines mode only): parsed and handled as `push`
   * would handle it. Records go to `out`.
   */
  lineText(text: string, out: ExecutionRecord[]): void {
    this.out = out;
    this.oneLine(text, 0, text.length);
  }

  /**
   * An OTLP document of other teams, found so by a byte search, offered to the assembler unread (see
   * `OTLP_SKIP_DOCUMENT`). True when it took it: the line is counted and done with. False when the line must
   * be read after all (with `lineText`): before the first document, or when the assembler declines.
   */
  skipOtlpLine(scan: OtlpSkipScan): boolean {
    if (this.otlp === undefined || scan.spans === 0) return false;
    if (!this.otlp[OTLP_SKIP_DOCUMENT](scan.traceIds, scan.spans, scan.maxEndNs, this.sink)) return false;
    this.line++;
    return true;
  }

  private value(parsed: unknown, loc: ErrorLocation): void {
    if (isOtlpDocument(parsed)) {
      this.otlp ??= this.newAssembler();
      try {
        this.otlp.addDocument(parsed, loc, this.sink);
      } catch (e) {
        if (e instanceof MetricsError) this.skip(e);
        else throw e;
      }
      return;
    }
    let rec: ExecutionRecord;
    try {
      rec = this.validate(parsed, loc, this.options);
    } catch (e) {
      if (e instanceof MetricsError) {
        this.skip(e);
        return;
      }
      throw e;
    }
    this.emit(rec);
  }

  private newAssembler(): OtlpAssembler {
    const a = new OtlpAssembler(this.options.otlp, this.options);
    if (this.summaryOnly) a[OTLP_SUMMARY_ONLY]();
    if (this.otlpRange !== undefined) a[OTLP_RANGE_MODE](this.otlpRange);
    return a;
  }

  /** The range counters of the OTLP assembler (an empty set when the input held no OTLP document). */
  otlpProbe(): OtlpRangeProbe {
    return (this.otlp ?? this.newAssembler())[OTLP_PROBE]();
  }

  private document(): void {
    const text = this.rest;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (docError) {
      // Neither one document nor (by its first line) JSON Lines. Read it as lines after all, so that the
      // error names the first bad line and lenient mode can still use the good ones.
      this.mode = 'lines';
      this.report.format = 'jsonl';
      this.rest = '';
      this.line = this.lineOfFirstContent();
      const before = this.report.skipped;
      try {
        this.lines(text, true);
      } catch (e) {
        if (e instanceof MetricsError && this.report.skipped === before) {
          throw new MetricsError(e.code, `${e.message.slice(formatLocation(e.location).length + 2)} (nor is the file one JSON document: ${(docError as Error).message})`, { location: e.location, cause: e });
        }
        throw e;
      }
      return;
    }
    this.rest = '';
    if (isOtlpDocument(parsed)) this.report.format = 'otlp-json';
    else this.report.format = 'json-object';
    this.value(parsed, { file: this.file, line: this.lineOfFirstContent() });
  }

  private lineOfFirstContent(): number {
    return this.firstContentLine || this.line;
  }

  private array(chunk: string): void {
    const els = this.elements;
    this.splitter!.push(chunk, els);
    for (const el of els) {
      if (this.needles !== undefined && this.otherTeam(el.text, 0, el.text.length)) continue;
      const loc: ErrorLocation = { file: this.file, line: el.line, index: el.index };
      let parsed: unknown;
      try {
        parsed = JSON.parse(el.text);
      } catch (e) {
        this.skip(new MetricsError('METRICS_PARSE', `array element is not valid JSON: ${(e as Error).message}`, { location: loc, cause: e }));
        continue;
      }
      this.value(parsed, loc);
    }
    els.length = 0;
  }

  /**
   * One element of a JSON array split elsewhere (by a worker thread's byte scanner): team filter, parse,
   * validation and lenient skips as for the elements this parser splits itself. Records go to `out`.
   */
  element(text: string, loc: ErrorLocation, out: ExecutionRecord[]): void {
    this.out = out;
    if (this.needles !== undefined && this.otherTeam(text, 0, text.length)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      this.skip(new MetricsError('METRICS_PARSE', `array element is not valid JSON: ${(e as Error).message}`, { location: loc, cause: e }));
      return;
    }
    this.value(parsed, loc);
  }

  /**
   * Elements of a JSON array parsed together (a worker's batch): true, with their records in `out` (team filter
   * and counts as for `element`), when every one is a valid record; false, with nothing counted or kept, when
   * any is not (or is an OTLP document, which would feed the assembler): the caller then reads them one by one
   * with `element`, which reports each problem with its line.
   */
  elementValues(values: readonly unknown[], out: ExecutionRecord[]): boolean {
    const loc: ErrorLocation = { file: this.file };
    const records = this.batchRecords;
    records.length = 0;
    for (const v of values) {
      if (isOtlpDocument(v)) return false;
      try {
        records.push(this.validate(v, loc, this.options));
      } catch (e) {
        if (e instanceof MetricsError) return false;
        throw e;
      }
    }
    this.out = out;
    for (const r of records) this.emit(r);
    records.length = 0;
    return true;
  }

  private emit(r: ExecutionRecord): void {
    // With a team wanted, a run of another team is dropped uncounted: an OTLP run (whose team is known only
    // once its spans are joined), or a line that named the team in another field.
    if (this.teamId !== undefined && r.teamId !== this.teamId) return;
    this.report.records++;
    this.out.push(r);
  }

  private skip(e: MetricsError): void {
    if (!this.options.lenient) throw e;
    const skip = { location: e.location, reason: e.message, error: e };
    this.report.skipped++;
    if (this.report.firstSkips.length < this.maxSkips) this.report.firstSkips.push(skip);
    this.options.onSkip?.(skip);
  }
}
