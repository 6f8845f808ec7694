import { closeSync, openSync, readSync } from 'node:fs';
import { MetricsAggregator } from '../aggregator';
import { MetricsError } from '../errors';
import { OTLP_BATCH_SPANS, OTLP_PROBE, OtlpEarlyBuildConflict } from '../otlp';
import type { OtlpOptions, OtlpRangeHooks, OtlpRangeProbe } from '../otlp';
import { emptyReport } from '../read-options';
import type { ReadOptions, ReadReport } from '../read-options';
import { AGGREGATOR_TEAM_FILTER } from './aggregator-state';
import { NotStreamable, streamOtlpDocument } from './otlp-document';
import type { SpanPosition } from './otlp-document';
import { OTLP_MIN_WINDOW, aggregatingSink, mergeOtlpRanges, planOtlpRanges, traceIdHashes } from './otlp-range';
import type { OtlpPlan, OtlpRangeResult } from './otlp-range';
import { plainError, rangeResult } from './range-reader';
import type { PlainError } from './range-reader';

/*
 * One OTLP document read on two threads. The document is cut before a span near its middle; the head part reads
 * up to the cut and the tail part from it, each a stream of spans (internal/otlp-document.ts) into an assembler
 * in range mode, exactly as the byte ranges of OTLP JSON Lines are (internal/otlp-range.ts: traces near the cut
 * are replayed on the calling thread, the tail starts at the latest span end found near the cut, and the merge
 * checks every guess). What a document adds is state that a part starting in its middle cannot see:
 *
 * - the scanner's: which resourceSpans, scopeSpans and spans entry the cut is in, and the keys already seen in
 *   the objects around it (for the duplicate-key check);
 * - the resource those spans belong to;
 * - the batch: a document's spans are taken in batches of `OTLP_BATCH_SPANS`, and the cut falls inside one.
 *
 * The tail guesses all three by a byte search over the bytes before the cut (`guessSpanPosition`: the keys that
 * open each level, the spans' "startTimeUnixNano" keys), while the head reads them. The head reports its state
 * where it stopped and the tail the state it started from (`StreamedDocument.seam`); the parts are merged only
 * when the two are equal, else the document is read again on one thread. The batch the cut falls in is
 * continued across the parts (`OTLP_STREAM_STOP`, `OTLP_STREAM_RESUME`, `DivertedDoc.continued`), so runs are
 * built at the same watermarks as in one pass.
 */

/** One part of a document, to be read on a thread of its own. */
export interface OtlpDocumentPartTask {
  path: string;
  lenient: boolean;
  maxReportedSkips: number | undefined;
  teamId: string | undefined;
  formations: readonly string[] | undefined;
  otlp: OtlpOptions | undefined;
  /** Build runs before their batch ends where that is exact (see `OTLP_EARLY_BUILDS` in otlp.ts). */
  earlyBuilds: boolean;
  plan: OtlpPlan;
  part: { kind: 'head'; stopAt: number } | { kind: 'tail'; start: number };
}

/** A part's result: a range's, plus what the merge checks before it takes the parts as one pass. */
export interface OtlpDocumentPartResult extends OtlpRangeResult {
  /** See `StreamedDocument.seam`; undefined when the part could not be placed (the document is read on one thread). */
  seam: string | undefined;
  multiLine: boolean;
  /** The part stopped at an early build that a later span of its batch would have joined (`OtlpEarlyBuildConflict`). */
  earlyConflict: boolean;
}

/** The head's and the tail's tasks for a document of `size` bytes cut at `cut` (a span's start). */
export function documentPartTasks(path: string, size: number, cut: number, base: Omit<OtlpDocumentPartTask, 'plan' | 'part'>): [OtlpDocumentPartTask, OtlpDocumentPartTask] {
  const plans = planOtlpRanges(
    path,
    [
      [0, cut],
      [cut, size],
    ],
    // One cut, not one per core: a window of a megabyte each side (a thousand-odd spans, hundreds of runs in
    // flight) rather than a 32nd of the file keeps the replay on the calling thread short (merge 90 ms against
    // 175-414 ms for 4.6 MB at 200,000 spans). A trace spread wider fails a check: the document is read again.
    OTLP_MIN_WINDOW,
  );
  return [
    { ...base, plan: plans[0]!, part: { kind: 'head', stopAt: cut } },
    { ...base, plan: plans[1]!, part: { kind: 'tail', start: cut } },
  ];
}

/**
 * The two parts merged: exactly a one-pass stream's aggregator and report, or undefined when a part could not
 * be placed or a check fails (the caller then streams the document on one thread).
 */
export function mergeDocumentParts(
  path: string,
  tasks: readonly [OtlpDocumentPartTask, OtlpDocumentPartTask],
  head: OtlpDocumentPartResult,
  tail: OtlpDocumentPartResult,
  options: ReadOptions & { teamId?: string | undefined },
): { aggregator: MetricsAggregator; report: ReadReport } | undefined {
  if (head.seam === undefined || head.seam !== tail.seam) return undefined;
  const merged = mergeOtlpRanges(path, [head, tail], [tasks[0].plan, tasks[1].plan], options);
  if (merged !== undefined) merged.report.format = head.multiLine || tail.multiLine ? 'otlp-json' : 'otlp-jsonl';
  return merged;
}

/** Bytes searched from the cut's target (`HEAD_SHARE`) for a span start. */
const CUT_WINDOW = 4 << 20;

/**
 * The share of a document the head takes. More than half: the head starts at once on the calling thread, the tail
 * once a worker thread has started and loaded the reader (100-180 ms on the benchmark's machine), and then runs
 * colder. At half, the head of the benchmark's 200,000-span document finished 130-250 ms before the tail.
 */
const HEAD_SHARE = 0.53;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Where to cut a document of `size` bytes in two: the "{" of a span a little past its middle (`HEAD_SHARE`), or -1
 * when none is found in the next few megabytes. A span is an object that follows "}" and "," (so it is not a
 * list's first element) and has a "startTimeUnixNano" key of its own, which neither a link, an event nor an
 * attribute has; its keys may come in any order. Only a guess: the head checks it (a cut in an unexpected place
 * makes the seams differ, and the document is read on one thread).
 */
export function findDocumentCut(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const from = Math.floor(size * HEAD_SHARE);
    const buf = Buffer.allocUnsafe(Math.min(CUT_WINDOW, size - from));
    const n = readSync(fd, buf, 0, buf.length, from);
    for (let open = buf.indexOf(0x7b /* { */); open >= 0; open = buf.indexOf(0x7b, open + 1)) {
      let i = open - 1;
      while (i >= 0 && isSpace(buf[i])) i--;
      if (buf[i] !== 0x2c /* , */) continue;
      i--;
      while (i >= 0 && isSpace(buf[i])) i--;
      if (buf[i] === 0x7d /* } */ && hasOwnStartTime(buf, open, n)) return from + open;
    }
    return -1;
  } finally {
    closeSync(fd);
  }
}

const START_TIME = Buffer.from('"startTimeUnixNano"');

/** Whether the object opening at `buf[open]` closes within `n` bytes and has a "startTimeUnixNano" key at its own level. */
function hasOwnStartTime(buf: Buffer, open: number, n: number): boolean {
  let depth = 0;
  for (let i = open; i < n; i++) {
    const c = buf[i];
    if (c === 0x22 /* " */) {
      if (depth === 1 && buf.compare(START_TIME, 0, START_TIME.length, i, i + START_TIME.length) === 0) {
        let j = i + START_TIME.length;
        while (j < n && isSpace(buf[j])) j++;
        if (buf[j] === 0x3a /* : */) return true;
      }
      // Past the string: a backslash escapes the byte after it.
      for (i++; i < n && buf[i] !== 0x22; i++) if (buf[i] === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return false;
  }
  return false;
}

type KeyKind = 'scopeSpans' | 'instrumentationLibrarySpans' | 'spans' | 'resource' | 'scope';
/**
 * The keys of the levels above a span, each as a needle and the text that must come before it. A needle starting
 * with a quote, or with a letter common in JSON text, is several times slower to search for, so the quote and a
 * common prefix are checked after a hit: "Spans\"" finds both names of a scope list (and "resourceSpans", dropped
 * by its prefix); "source\"" took about half the time of "resource\"" over the benchmark's document.
 */
const LEVEL_KEYS: readonly [KeyKind, Buffer, Buffer][] = (
  [
    ['spans', 'spans"', '"'],
    ['scopeSpans', 'Spans"', '"scope'],
    ['instrumentationLibrarySpans', 'Spans"', '"instrumentationLibrary'],
    ['resource', 'source"', '"re'],
    ['scope', 'cope"', '"s'],
  ] as const
).map(([kind, needle, before]) => [kind, Buffer.from(needle), Buffer.from(before)]);
/** A span's own key, one per span: counted, in order with the level keys, not collected. */
const START_KEY = Buffer.from('startTimeUnixNano"');
const BLOCK = 1 << 20;
/** Bytes read before a block, for the text before a needle found at its start. */
const LEAD = 32;
/** Bytes read past a block's end, so that a key near it is seen with its ":" (whitespace longer than this hides it: a wrong guess, caught). */
const KEY_SLACK = 256;

/** What the tail part starts from (see the top of this file). */
interface TailStart {
  at: SpanPosition;
  resource: unknown;
  batchSpans: number;
}

/**
 * The tail's guess of its starting state, from the keys in the bytes before `cut` (byte search, no parse): the
 * scopeSpans keys give the resourceSpans index, the spans keys after the last of them the scopeSpans index, the
 * "startTimeUnixNano" keys after the last spans key the span's index (and all of them the spans before it, for
 * the batch). Undefined when the bytes do not look like a document cut inside a spans list.
 */
export function guessSpanPosition(path: string, cut: number): TailStart | undefined {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(LEAD + BLOCK + KEY_SLACK);
  let line = 1;
  let docStarted = false;
  let lastSS = -1;
  let prevSS = -1;
  let ssKey: SpanPosition['scopeKey'] = 'scopeSpans';
  let resourcesBefore = 0;
  let lastResource = -1;
  let resourceAtSS = -1;
  let spansSinceSS = 0;
  let lastSP = -1;
  let floorSP = -1;
  let lastScope = -1;
  let scopeAtSP = -1;
  let startsSinceSP = 0;
  let starts = 0;
  const level = ([at, kind]: [number, KeyKind]): void => {
    switch (kind) {
      case 'scopeSpans':
      case 'instrumentationLibrarySpans':
        prevSS = lastSS;
        lastSS = at;
        ssKey = kind;
        resourcesBefore++;
        resourceAtSS = lastResource;
        spansSinceSS = 0;
        break;
      case 'spans':
        floorSP = spansSinceSS > 0 ? lastSP : lastSS;
        lastSP = at;
        spansSinceSS++;
        scopeAtSP = lastScope;
        startsSinceSP = 0;
        break;
      case 'resource':
        lastResource = at;
        break;
      case 'scope':
        lastScope = at;
        break;
    }
  };
  try {
    for (let pos = 0; pos < cut; pos += BLOCK) {
      // The block owns bytes [pos, pos + BLOCK) and reads a little on either side (see LEAD, KEY_SLACK).
      const from = Math.max(0, pos - LEAD);
      const n = readSync(fd, buf, 0, Math.min(LEAD + BLOCK + KEY_SLACK, cut - from), from);
      const ownFrom = pos - from;
      const own = Math.min(ownFrom + BLOCK, n);
      if (!docStarted) {
        // The document's line: newlines before its "{".
        for (let i = ownFrom; i < own; i++) {
          if (buf[i] === 0x0a) line++;
          else if (buf[i] === 0x7b) {
            docStarted = true;
            break;
          }
        }
      }
      // The level keys of the block (a handful), in file order; then the span keys between and after them.
      const found: [number, KeyKind][] = [];
      for (const [kind, needle, before] of LEVEL_KEYS) {
        for (let at = buf.indexOf(needle, ownFrom); at >= 0 && at < own; at = buf.indexOf(needle, at + needle.length)) {
          const key = keyAt(buf, at, needle.length, before, n);
          if (key >= 0) found.push([from + key, kind]);
        }
      }
      found.sort((a, b) => a[0] - b[0]);
      let f = 0;
      for (let at = buf.indexOf(START_KEY, ownFrom); at >= 0 && at < own; at = buf.indexOf(START_KEY, at + START_KEY.length)) {
        const key = keyAt(buf, at, START_KEY.length, QUOTE, n);
        if (key < 0) continue;
        for (; f < found.length && found[f]![0] < from + key; f++) level(found[f]!); // f < found.length
        starts++;
        startsSinceSP++;
      }
      for (; f < found.length; f++) level(found[f]!); // f < found.length
    }
    if (!docStarted || lastSS < 0 || spansSinceSS === 0) return undefined;
    const hasResource = resourceAtSS > prevSS;
    let resource: unknown;
    if (hasResource) {
      resource = valueAfterKey(fd, resourceAtSS);
      if (resource === undefined) return undefined;
    }
    return {
      at: {
        line,
        resourceIndex: resourcesBefore - 1,
        scopeIndex: spansSinceSS - 1,
        spanIndex: startsSinceSP,
        scopeKey: ssKey,
        hasResource,
        hasScope: scopeAtSP > floorSP,
      },
      resource,
      batchSpans: starts % OTLP_BATCH_SPANS,
    };
  } finally {
    closeSync(fd);
  }
}

const QUOTE = Buffer.from('"');

/**
 * Where the key whose needle was found at `buf[at]` starts (its opening quote), or -1 when `before` does not come
 * just before the needle or no ":" follows it within the `n` bytes read.
 */
function keyAt(buf: Buffer, at: number, needleLength: number, before: Buffer, n: number): number {
  const key = at - before.length;
  if (key < 0) return -1;
  // A one-byte prefix (the quote of most needles) is compared here: a native compare per span key cost more.
  if (before.length === 1 ? buf[key] !== before[0] : buf.compare(before, 0, before.length, key, at) !== 0) return -1;
  let i = at + needleLength;
  while (i < n && isSpace(buf[i])) i++;
  return buf[i] === 0x3a /* : */ ? key : -1;
}

/** The JSON value after the key at `at` (parsed), or undefined when it is not an object closed within a megabyte. */
function valueAfterKey(fd: number, at: number): unknown {
  const buf = Buffer.allocUnsafe(BLOCK);
  const n = readSync(fd, buf, 0, BLOCK, at);
  let i = buf.indexOf(0x3a /* : */) + 1;
  while (i < n && isSpace(buf[i])) i++;
  if (buf[i] !== 0x7b) return undefined;
  const from = i;
  let depth = 0;
  let inString = false;
  for (; i < n; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
      try {
        return JSON.parse(buf.toString('utf8', from, i + 1)) as unknown;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Read one part of a document (see the top of this file): the head on the calling thread, the tail on a worker. */
export async function aggregateOtlpDocumentPart(task: OtlpDocumentPartTask): Promise<OtlpDocumentPartResult> {
  const report: ReadReport = emptyReport(task.path);
  const agg = new MetricsAggregator();
  agg[AGGREGATOR_TEAM_FILTER](task.teamId);
  const divert = new Set(task.plan.divert === '' ? [] : task.plan.divert.split('\n'));
  const range: OtlpRangeHooks = { watermarkNs: BigInt(task.plan.watermarkNs), divert: (traceId) => divert.size > 0 && divert.has(traceId) };
  const sink = aggregatingSink(agg, report, task, (e) => {
    throw e;
  });
  const options = { otlp: task.otlp, formations: task.formations };
  let seam: string | undefined;
  let multiLine = false;
  let error: PlainError | undefined;
  let probe: OtlpRangeProbe | undefined;
  let earlyConflict = false;
  try {
    let part;
    if (task.part.kind === 'head') part = { range, kind: 'head' as const, stopAt: task.part.stopAt };
    else {
      const start = guessSpanPosition(task.path, task.part.start);
      if (start !== undefined) part = { range, kind: 'tail' as const, start: task.part.start, ...start };
    }
    if (part !== undefined) {
      const streamed = await streamOtlpDocument(task.path, options, task.path, sink, false, part, task.earlyBuilds);
      seam = streamed.seam;
      multiLine = streamed.format === 'otlp-json';
      probe = streamed.assembler[OTLP_PROBE]();
      const stats = streamed.assembler.stats();
      report.unattachedSpans = stats.unattachedSpans;
      report.lateSpans = stats.lateSpans;
      report.rootSpanRuns = stats.rootSpanRuns;
    }
  } catch (e) {
    if (e instanceof MetricsError) error = plainError(e);
    else if (e instanceof OtlpEarlyBuildConflict) earlyConflict = true;
    else if (!(e instanceof NotStreamable)) throw e;
  }
  // A part that stopped (an error, a shape not streamed, a run built early too soon) has no seam: the caller reads
  // the document again (in parts without early builds after a conflict, else on one thread, which reports whatever
  // stopped it).
  if (error !== undefined || probe === undefined) seam = undefined;
  const { localTraces, skippedTraces, ...rest } = probe ?? NO_PROBE;
  return {
    ...rangeResult(agg, report, 0, error),
    probe: rest,
    localTraces: traceIdHashes(localTraces),
    skippedTraces: traceIdHashes(skippedTraces),
    skipConflict: false,
    unattachedSpans: report.unattachedSpans,
    lateSpans: report.lateSpans,
    rootSpanRuns: report.rootSpanRuns,
    seam,
    multiLine,
    earlyConflict,
  };
}

const NO_PROBE: OtlpRangeProbe = {
  peakOpen: 0,
  peakClosed: 0,
  quietCloses: 0,
  evictions: 0,
  maxSpanEndNs: -1n,
  firstAdvanceNs: -1n,
  localTraces: [],
  skippedTraces: [],
  diverted: [],
};
