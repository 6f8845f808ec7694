import { closeSync, openSync, readSync } from 'node:fs';
import { MetricsAggregator } from '../aggregator';
import { MetricsError } from '../errors';
import type { ErrorLocation } from '@autotune/errors';
import { OTLP_PROBE, OTLP_REPLAY, OTLP_SUMMARY_ONLY, OtlpAssembler, OtlpSkipConflict, normaliseOtlpId, unpackDiverted } from '../otlp';
import type { OtlpOptions, OtlpRangeHooks, OtlpRangeProbe, OtlpSink } from '../otlp';
import { emptyReport } from '../read-options';
import type { ReadOptions, ReadReport, SkippedInput } from '../read-options';
import { AGGREGATOR_LATEST, AGGREGATOR_MERGE_LATEST, AGGREGATOR_MERGE_STATE, AGGREGATOR_STATE, AGGREGATOR_TEAM_FILTER } from './aggregator-state';
import { plainError, rangeResult, readRange, toMetricsError } from './range-reader';
import type { PlainError, RangeResult, RangeTask } from './range-reader';
import type { ExecutionRecord } from '../record';
import { LatestSpanEnd, otlpTeamNeedles, scanOtlpDocument } from './otlp-skip';
import { RecordParser } from './record-parser';

/*
 * OTLP JSON Lines on several threads, with the result of one thread to the last bit.
 *
 * A single-thread read feeds every span to one OtlpAssembler, whose decisions (build a run, close a trace,
 * count a span as late) depend on two things only: the spans of the trace itself, and the watermark (the
 * latest span end seen so far) at each document's end. So a byte range can be assembled on its own, exactly,
 * if (1) its watermark is a single-thread read's from its first document on, and (2) it holds every span of
 * the traces it assembles. Neither is known before the ranges are read, so both are guessed, and checked:
 *
 * - before the ranges start, the main thread scans a window of bytes on each side of every range boundary
 *   (`scanOtlpWindow`, a byte search, no JSON parse) for trace ids and span ends. A trace found on both sides,
 *   or close to the boundary on one (`OTLP_NEAR_SHARE` of the window), may have spans in two ranges: every
 *   range diverts its spans (`DivertedDoc`, with the watermark around their document) and the main thread
 *   replays them, in file order, on one assembler of its own. The latest end in the window before a boundary
 *   is the next range's starting watermark.
 * - afterwards it checks (`checkOtlpRanges`): that no trace assembled in one range had spans in another;
 *   that each range's first advance was at or past the latest span end of all ranges before it (from there
 *   on its watermark equals a single-thread read's); and that nothing coupling traces to each other acted: the
 *   open-trace cap (eviction), the cap on remembered closed traces, the quiet rule (it walks the open
 *   traces in order). If a check fails, the caller reads the file again on one thread: slower, never
 *   different. Files written by exporters (spans of a run close together, in about time order) pass.
 */

/** What a range is told: its starting watermark and the traces to divert (newline-joined: one copy between threads). */
export interface OtlpPlan {
  watermarkNs: string;
  divert: string;
}

/** A range's result: the usual figures plus the diverted spans and the counters the caller checks. */
export interface OtlpRangeResult extends RangeResult {
  probe: Omit<OtlpRangeProbe, 'localTraces' | 'skippedTraces'>;
  /** The traces assembled in the range (`traceIdHashes`). */
  localTraces: Float64Array;
  /** The traces of documents skipped unread (`traceIdHashes`; team skipping). */
  skippedTraces: Float64Array;
  /** The range gave up skipping other teams (`OtlpSkipConflict`): the caller reads again without it. */
  skipConflict: boolean;
  unattachedSpans: number;
  lateSpans: number;
  rootSpanRuns: number;
}

const READ_BYTES = 1 << 20;
/** Bytes kept from the end of one block to the start of the next, so a key and its value split by a block end are found whole. */
const OVERLAP = 512;
const TRACE_ID = Buffer.from('"traceId"');
const END_TIME = Buffer.from('"endTimeUnixNano"');

function skipSpace(buf: Buffer, i: number, n: number): number {
  while (i < n) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}

/**
 * The value after a key found at `at` (`"key"`, then `:`, then a string or number), as raw text, or
 * undefined when it is not complete within `n` bytes (the next block, which repeats the overlap, finds it).
 */
function valueAfter(buf: Buffer, at: number, keyLength: number, n: number): { text: string; quoted: boolean } | undefined {
  let i = skipSpace(buf, at + keyLength, n);
  if (i >= n || buf[i] !== 58 /* : */) return i >= n ? undefined : { text: '', quoted: false };
  i = skipSpace(buf, i + 1, n);
  if (i >= n) return undefined;
  if (buf[i] === 34 /* " */) {
    const close = buf.indexOf(34, i + 1);
    if (close < 0 || close >= n) return undefined;
    return { text: buf.toString('latin1', i + 1, close), quoted: true };
  }
  let j = i;
  while (j < n) {
    const c = buf[j]!;
    if (!((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45)) break;
    j++;
  }
  if (j >= n) return undefined;
  return { text: buf.toString('latin1', i, j), quoted: false };
}

/** A time as the assembler reads it (`nanos` in otlp.ts), or undefined where it would reject the span. */
function endNanos(v: { text: string; quoted: boolean }): bigint | undefined {
  if (v.quoted) return /^\d+$/.test(v.text) ? BigInt(v.text) : undefined;
  const x = Number(v.text);
  return v.text !== '' && Number.isFinite(x) && x >= 0 ? BigInt(Math.round(x)) : undefined;
}

/** A trace id written other than as 32 lower-case hex digits (upper case, base64, escaped), as the assembler reads it. */
function traceIdOf(raw: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(`"${raw}"`);
  } catch {
    return undefined;
  }
  return normaliseOtlpId(v, 16);
}

/**
 * Trace ids (each with its offset in the file, in file order) and the latest span end in bytes [start, end) of
 * a file, by byte search, without parsing. Finds more than the spans' own (a link's trace id, a key inside a
 * string): harmless, a trace wrongly taken as shared is only replayed on the main thread. What it misses is
 * caught by the checks.
 */
export function scanOtlpWindow(path: string, start: number, end: number, onId: (id: string, at: number) => void): bigint {
  // Ends compared as bytes: a BigInt of every span's end cost most of the scan.
  const latest = new LatestSpanEnd();
  // The previous trace id, as 32 lower-case hex digits: spans of a trace mostly follow each other, and one that
  // repeats it is found by comparing bytes, without decoding it.
  const lastId = Buffer.alloc(32);
  let lastIdText = '';
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(READ_BYTES + OVERLAP);
  try {
    let keep = 0;
    let pos = start;
    while (pos < end) {
      const got = readSync(fd, buf, keep, Math.min(READ_BYTES, end - pos), pos);
      if (got === 0) break;
      pos += got;
      const n = keep + got;
      const view = buf.subarray(0, n);
      for (let at = view.indexOf(TRACE_ID); at >= 0; at = view.indexOf(TRACE_ID, at + TRACE_ID.length)) {
        const a = at + TRACE_ID.length + 2; // the id's first digit in "traceId":"<id>"
        if (lastIdText !== '' && a + 32 < n && view[a - 2] === 58 && view[a - 1] === 34 && view[a + 32] === 34 && view.compare(lastId, 0, 32, a, a + 32) === 0) {
          onId(lastIdText, pos - n + at);
          continue;
        }
        const v = valueAfter(view, at, TRACE_ID.length, n);
        if (v === undefined) break; // cut by the block's end: the next block repeats the overlap
        if (!v.quoted) continue;
        const plain = v.text.length === 32 && /^[0-9a-f]+$/.test(v.text);
        const id = plain ? v.text : traceIdOf(v.text);
        if (id === undefined) continue;
        if (plain) {
          lastId.write(id, 'latin1');
          lastIdText = id;
        }
        onId(id, pos - n + at);
      }
      for (let at = view.indexOf(END_TIME); at >= 0; at = view.indexOf(END_TIME, at + END_TIME.length)) {
        const a = at + END_TIME.length + 2; // the first digit in "endTimeUnixNano":"<digits>"
        if (view[a - 2] === 58 && view[a - 1] === 34) {
          let b = a;
          while (b < n && view[b]! >= 48 && view[b]! <= 57) b++; // b < n
          if (b < n && view[b] === 34 && b > a) {
            latest.offerDigits(view, a, b);
            continue;
          }
        }
        const v = valueAfter(view, at, END_TIME.length, n);
        if (v === undefined) break;
        const ns = endNanos(v);
        if (ns !== undefined) latest.offer(ns);
      }
      // The overlap is searched again with the next block: the callers and maxima do not mind a value seen twice.
      keep = Math.min(OVERLAP, n);
      buf.copy(buf, 0, n - keep, n);
    }
  } finally {
    closeSync(fd);
  }
  return latest.value();
}

/**
 * One byte range of OTLP JSON Lines: the plan, and whether to skip documents of teams other than `teamId`
 * unread (`readSkippingOtherTeams`).
 */
export type OtlpRangeTask = RangeTask & { otlp: OtlpOptions | undefined; plan: OtlpPlan; otlpSkip: boolean };

/** The plan of a file read whole on one thread: the watermark starts at 0, and no trace is shared. */
export const WHOLE_FILE_PLAN: OtlpPlan = { watermarkNs: '0', divert: '' };

/**
 * Read bytes [task.start, task.end) of OTLP JSON Lines line by line, as bytes: a line in which the team id
 * appears nowhere (`otlpTeamNeedles`) is not decoded, let alone parsed; its trace ids and latest span end are
 * found by byte search (`scanOtlpDocument`) and offered to the assembler, which takes it unread when that
 * cannot change the team's runs (see `OTLP_SKIP_DOCUMENT`). Every other line goes to the parser whole.
 */
function readSkippingOtherTeams(task: OtlpRangeTask, teamId: string, parser: RecordParser, agg: MetricsAggregator): PlainError | undefined {
  const needles = otlpTeamNeedles(teamId);
  const out: ExecutionRecord[] = [];
  const fd = openSync(task.path, 'r');
  const block = Buffer.allocUnsafe(1 << 18);
  // The start of a line cut by a block's end (copies: the block is reused).
  let carry: Buffer[] = [];
  const line = (b: Buffer, named: boolean): void => {
    if (!named && parser.skipOtlpLine(scanOtlpDocument(b))) return;
    parser.lineText(b.toString('utf8'), out);
    for (const r of out) agg.add(r);
    out.length = 0;
  };
  const names = (b: Buffer, from: number, to: number): number => {
    let at = Number.POSITIVE_INFINITY;
    for (const n of needles) {
      const k = b.indexOf(n, from);
      if (k >= 0 && k + n.length <= to && k < at) at = k;
    }
    return at;
  };
  try {
    let pos = task.start;
    let first = task.start === 0;
    while (pos < task.end) {
      const n = readSync(fd, block, 0, Math.min(block.length, task.end - pos), pos);
      if (n === 0) break;
      pos += n;
      let from = 0;
      // A byte-order mark is whitespace to the format detector; here the range starts the file.
      if (first && n >= 3 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) from = 3;
      first = false;
      // The next place the team is named in this block: one search serves every line before it.
      let hit = -1;
      for (let nl = block.indexOf(10, from); nl >= 0 && nl < n; nl = block.indexOf(10, from)) {
        if (carry.length > 0) {
          carry.push(block.subarray(from, nl));
          const whole = Buffer.concat(carry);
          carry = [];
          line(whole, names(whole, 0, whole.length) < whole.length);
        } else {
          if (hit < from) hit = names(block, from, n);
          line(block.subarray(from, nl), hit < nl);
        }
        from = nl + 1;
      }
      if (from < n) carry.push(Buffer.from(block.subarray(from, n)));
    }
    if (carry.length > 0) {
      const whole = Buffer.concat(carry);
      line(whole, names(whole, 0, whole.length) < whole.length);
    }
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

/** The assembly pass of one range (see the top of this file); lines counted from 1 within the range. */
export function aggregateOtlpRange(task: OtlpRangeTask): OtlpRangeResult {
  const report: ReadReport = emptyReport(task.path);
  const agg = new MetricsAggregator();
  agg[AGGREGATOR_TEAM_FILTER](task.teamId);
  const plan = task.plan;
  const divert = new Set(plan.divert === '' ? [] : plan.divert.split('\n'));
  const hooks: OtlpRangeHooks = { watermarkNs: BigInt(plan.watermarkNs), divert: (traceId) => divert.size > 0 && divert.has(traceId) };
  const parser = new RecordParser(
    report,
    { lenient: task.lenient, maxReportedSkips: task.maxReportedSkips, formations: task.formations, otlp: task.otlp },
    { summaryOnly: true, teamId: task.teamId, linesFrom: 1, otlpRange: hooks },
  );
  let error;
  let skipConflict = false;
  try {
    error = task.otlpSkip && task.teamId !== undefined ? readSkippingOtherTeams(task, task.teamId, parser, agg) : readRange(task, parser, agg);
  } catch (e) {
    if (!(e instanceof OtlpSkipConflict)) throw e;
    skipConflict = true;
  }
  const { localTraces, skippedTraces, ...probe } = parser.otlpProbe();
  return {
    ...rangeResult(agg, report, parser.linesRead, error),
    probe,
    localTraces: traceIdHashes(localTraces),
    skippedTraces: traceIdHashes(skippedTraces),
    skipConflict,
    unattachedSpans: report.unattachedSpans,
    lateSpans: report.lateSpans,
    rootSpanRuns: report.rootSpanRuns,
  };
}

/**
 * Bytes searched on each side of a range boundary for traces that may cross it: a 32nd of the two ranges
 * (so that the replay on the main thread stays a small share of the work), within 1 to 8 MiB (hundreds to
 * thousands of runs of exporter output: a run's spans are exported within its duration and a batch delay).
 */
export const OTLP_BOUNDARY_WINDOW = 8 << 20;
export const OTLP_MIN_WINDOW = 1 << 20;
/**
 * A trace seen on one side of a boundary only is diverted when it lies this share of the window from it (a span
 * there may belong to a run whose other spans lie beyond the window on the other side). Diverting every trace of
 * the window replayed 21,000 spans on the calling thread at 1M spans (3,200 documents, a fifth of a second after
 * the workers had finished); an eighth of it, 2,600 spans (87 ms, the code cold on that thread); a 32nd, 650.
 * Exporter output rarely has a trace across a boundary that is not on both sides, and one that has is caught by
 * the checks (the file is then read on one thread).
 */
export const OTLP_NEAR_SHARE = 1 / 32;

/**
 * The sink of a read that aggregates OTLP runs: the runs of `options.teamId` (of every team without one; another
 * team's run is known only once its spans are joined) go to `agg` and are counted in `report`; a run or span
 * rejected goes to `strict`, or when lenient is counted as a skip (the first `maxReportedSkips` kept, each also
 * handed to `onSkip`).
 */
export function aggregatingSink(
  agg: MetricsAggregator,
  report: ReadReport,
  options: { teamId?: string | undefined; lenient?: boolean | undefined; maxReportedSkips?: number | undefined },
  strict: (e: MetricsError) => void,
  onSkip?: (skip: SkippedInput) => void,
): OtlpSink {
  const maxSkips = options.maxReportedSkips ?? 5;
  return {
    record: (r) => {
      if (options.teamId !== undefined && r.teamId !== options.teamId) return;
      report.records++;
      agg.add(r);
    },
    reject: (error) => {
      if (options.lenient !== true) return strict(error);
      const skip: SkippedInput = { location: error.location, reason: error.message, error };
      report.skipped++;
      if (report.firstSkips.length < maxSkips) report.firstSkips.push(skip);
      onSkip?.(skip);
    },
  };
}

/** The plan of every range: the traces seen near any boundary, and each range's starting watermark. */
export function planOtlpRanges(path: string, ranges: readonly [number, number][], maxWindow = OTLP_BOUNDARY_WINDOW): OtlpPlan[] {
  const ids = new Set<string>();
  const starts: bigint[] = [0n];
  for (let k = 1; k < ranges.length; k++) {
    const [before, after] = [ranges[k - 1]!, ranges[k]!];
    const cut = after[0];
    const window = Math.min(maxWindow, Math.max(OTLP_MIN_WINDOW, Math.ceil((after[1] - before[0]) / 32)));
    const near = window * OTLP_NEAR_SHARE;
    // Each trace's occurrence nearest the boundary: the last one before it, the first one after.
    const lastBefore = new Map<string, number>();
    const firstAfter = new Map<string, number>();
    starts.push(scanOtlpWindow(path, Math.max(before[0], cut - window), cut, (id, at) => lastBefore.set(id, at)));
    scanOtlpWindow(path, cut, Math.min(after[1], cut + window), (id, at) => {
      if (!firstAfter.has(id)) firstAfter.set(id, at);
    });
    for (const [id, at] of lastBefore) if (cut - at <= near || firstAfter.has(id)) ids.add(id);
    for (const [id, at] of firstAfter) if (at - cut < near) ids.add(id);
  }
  const divert = [...ids].join('\n');
  return starts.map((w) => ({ watermarkNs: String(w < 0n ? 0n : w), divert }));
}

/**
 * Trace ids as the checks across ranges compare them: a sorted list of 53-bit hashes (whole numbers, exact in a
 * double). Sorted on the range's own thread, moved to the caller without a copy, and compared there without a
 * string or a map of 150,000 trace ids (the caller waits for the check: joining, splitting and comparing the ids
 * as strings took about 90 ms at 1M spans). Two ids that hash alike can only make a check fail, and the file is
 * then read on one thread: slower, never different.
 */
export function traceIdHashes(ids: readonly string[]): Float64Array {
  const out = new Float64Array(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = traceIdHash(ids[k]!); // k < ids.length
  return out.sort();
}

/** Two 32-bit multiplicative hashes of every character, mixed (murmur3's finaliser) and joined to 53 bits. */
export function traceIdHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b + c, 0x9e3779b1);
    b ^= b >>> 15;
  }
  return (fmix32(a) >>> 11) * 2 ** 32 + (fmix32(b ^ a) >>> 0);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The range of each trace of `lists` (list k is range k's); undefined when a trace is in two lists. */
function ownerOf(lists: readonly Float64Array[]): Map<number, number> | undefined {
  const owner = new Map<number, number>();
  for (let k = 0; k < lists.length; k++) {
    for (const id of lists[k]!) {
      const at = owner.get(id);
      if (at === undefined) owner.set(id, k);
      else if (at !== k) return undefined;
    }
  }
  return owner;
}

/** True when a trace is in two of the lists (each sorted, see `traceIdHashes`): one walk along each pair. */
export function inTwoLists(lists: readonly Float64Array[]): boolean {
  for (let a = 0; a < lists.length; a++) {
    for (let b = a + 1; b < lists.length; b++) {
      const x = lists[a]!;
      const y = lists[b]!;
      let i = 0;
      let j = 0;
      while (i < x.length && j < y.length) {
        const u = x[i]!; // i < x.length
        const v = y[j]!; // j < y.length
        if (u === v) return true;
        if (u < v) i++;
        else j++;
      }
    }
  }
  return false;
}

/** Everything the ranges and the replay produced, merged; undefined when a check fails (see the top of this file). */
export function mergeOtlpRanges(
  path: string,
  results: readonly OtlpRangeResult[],
  plans: readonly OtlpPlan[],
  options: ReadOptions & { teamId?: string | undefined },
): { aggregator: MetricsAggregator; report: ReadReport } | undefined {
  // Check first: the ranges' own figures are merged only if they are a single-thread read's.
  let before = -1n;
  let peakOpen = 0;
  let peakClosed = 0;
  for (let k = 0; k < results.length; k++) {
    const r = results[k]!;
    const p = r.probe;
    if (p.quietCloses > 0 || p.evictions > 0) return undefined;
    peakOpen += p.peakOpen;
    peakClosed += p.peakClosed;
    const guess = BigInt(plans[k]!.watermarkNs);
    if (k > 0 && (guess > (before < 0n ? 0n : before) || (p.firstAdvanceNs >= 0n && p.firstAdvanceNs < before))) return undefined;
    if (p.maxSpanEndNs > before) before = p.maxSpanEndNs;
  }
  // No trace may be assembled in two ranges.
  const local = results.map((r) => r.localTraces);
  if (results.every((r) => r.skippedTraces.length === 0)) {
    if (inTwoLists(local)) return undefined;
  } else {
    // Team skipping: a trace skipped unread in one range must not be one assembled in another (the ranges
    // check their own), nor one whose spans some range diverted to the replay.
    const owner = ownerOf(local);
    if (owner === undefined) return undefined;
    const replayed = new Set<number>();
    for (const r of results) for (const doc of r.probe.diverted) for (const span of unpackDiverted(doc).spans) replayed.add(traceIdHash(span.traceId));
    for (let k = 0; k < results.length; k++) {
      for (const id of results[k]!.skippedTraces) {
        const at = owner.get(id);
        if ((at !== undefined && at !== k) || replayed.has(id)) return undefined;
      }
    }
  }

  // The replayed runs are kept apart, to be merged with the ranges' figures in two orders (below).
  const replayed = new MetricsAggregator();
  replayed[AGGREGATOR_TEAM_FILTER](options.teamId);
  const report = emptyReport(path);
  report.format = 'otlp-jsonl';
  const maxSkips = options.maxReportedSkips ?? 5;
  let firstError: MetricsError | undefined;
  const replay = new OtlpAssembler(options.otlp, options);
  replay[OTLP_SUMMARY_ONLY]();
  const sink = aggregatingSink(replayed, report, options, (e) => (firstError ??= e));
  let firstLine = 1;
  let latest = 0n;
  for (const r of results) {
    // Unpacked one at a time: replayed spans then die young, where all of them unpacked at once (21,000 at 1M
    // spans) would be copied by the collector while they wait.
    for (const packed of r.probe.diverted) {
      const doc = unpackDiverted(packed);
      // A single-thread read reaches this range at the latest end before it, whatever the range guessed.
      if (doc.beforeNs < latest) doc.beforeNs = latest;
      if (doc.afterNs < latest) doc.afterNs = latest;
      // Lines were counted from the range's first line: shift them, once per document.
      const shifted = new Map<ErrorLocation, ErrorLocation>();
      for (const s of doc.spans) {
        let loc = shifted.get(s.location);
        if (loc === undefined) {
          loc = { ...s.location, line: (s.location.line ?? 1) + firstLine - 1 };
          shifted.set(s.location, loc);
        }
        s.location = loc;
      }
      replay[OTLP_REPLAY](doc, sink);
    }
    if (r.probe.maxSpanEndNs > latest) latest = r.probe.maxSpanEndNs;
    firstLine += r.lines;
  }
  replay.flush(sink);
  const rp = replay[OTLP_PROBE]();
  const maxOpen = options.otlp?.maxOpenTraces ?? 10_000;
  if (rp.quietCloses > 0 || rp.evictions > 0 || peakOpen + rp.peakOpen > maxOpen || peakClosed + rp.peakClosed > maxOpen * 10) return undefined;

  // Errors in file order: a range's stops the read before any replayed run could be built after it.
  firstLine = 1;
  for (const r of results) {
    if (r.error !== undefined) throw toMetricsError(r.error, firstLine);
    firstLine += r.lines;
  }
  if (firstError !== undefined) throw firstError;
  const aggregator = new MetricsAggregator();
  const replayedState = replayed[AGGREGATOR_STATE]();
  aggregator[AGGREGATOR_MERGE_STATE](replayedState);
  firstLine = 1;
  for (const r of results) {
    aggregator[AGGREGATOR_MERGE_STATE](r.state);
    report.records += r.records;
    report.skipped += r.skipped;
    report.unattachedSpans += r.unattachedSpans;
    report.lateSpans += r.lateSpans;
    report.rootSpanRuns += r.rootSpanRuns;
    for (const s of r.firstSkips) {
      if (report.firstSkips.length >= maxSkips) break;
      const error = toMetricsError(s, firstLine);
      report.firstSkips.push({ location: error.location, reason: error.message, error });
    }
    firstLine += r.lines;
  }
  const stats = replay.stats();
  report.unattachedSpans += stats.unattachedSpans;
  report.lateSpans += stats.lateSpans;
  report.rootSpanRuns += stats.rootSpanRuns;
  // One thread adds runs as they are built, and near a boundary those of the replay and of the ranges interleave
  // in an order not known here. Sums and counts do not depend on it; what does (the latest formation, a member's
  // role) is taken by start time, so only runs of two parts that start at the same instant can make it differ:
  // then the figures merged in the opposite order disagree, and the file is read on one thread.
  const reversed = new MetricsAggregator();
  for (let k = results.length - 1; k >= 0; k--) reversed[AGGREGATOR_MERGE_LATEST](results[k]!.state);
  reversed[AGGREGATOR_MERGE_LATEST](replayedState);
  if (reversed[AGGREGATOR_LATEST]() !== aggregator[AGGREGATOR_LATEST]()) return undefined;
  return { aggregator, report };
}
