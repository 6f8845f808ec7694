import { deserialize, serialize } from 'node:v8';
import { MetricsError } from './errors';
import { formatLocation } from '@autotune/errors';
import type { ErrorLocation } from '@autotune/errors';
import type { ExecutionRecord } from './record';
import { isCompleteAutotuneRecord, validateRecord } from './validate';
import type { RecordChecks } from './validate';

/*
 * OpenTelemetry traces (OTLP/JSON) to execution records. The GenAI semantic conventions give the spans:
 * `invoke_workflow` = one team run, `invoke_agent` = one member, `execute_tool` = one tool call. What the
 * conventions have no name for comes from `autotune.*` attributes; docs/otel-attributes.md lists them.
 */

type SpanKind = 'workflow' | 'agent' | 'tool' | 'other';
/** An attribute value as the assembler keeps it. */
export type AttrValue = string | number | boolean | AttrValue[] | undefined;

/**
 * Attributes (of a span or a resource) as the assembler keeps them: key, value, key, value... in the order the keys
 * were first seen, each key once: a key seen again keeps its place and takes the later value, as a `Map` would
 * (`attrPut`). A flat list rather than a `Map`, because a streamed document holds its spans until their batch
 * ends, and every minor collection copies what is held: one array of exactly its pairs instead of a map and its
 * hash table is about 120 bytes less per span held, and a tenth less memory allocated per span read. Looked up by
 * comparison (`attrGet`): a span has a handful of attributes, and the fast reader interns their keys, so a
 * comparison with a constant key is one of pointers.
 */
export type AttrList = AttrValue[];

/** The value of `key` in `list` (undefined when absent). */
export function attrGet(list: AttrList, key: string): AttrValue {
  for (let i = 0; i < list.length; i += 2) if (list[i] === key) return list[i + 1];
  return undefined;
}

/** True when `list` holds `key` (its value may be undefined). */
export function attrHas(list: AttrList, key: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i] === key) return true;
  return false;
}

/** Up to this many keys, a key is found by scanning the list; past it, through `putIndex`. */
const SCANNED_KEYS = 32;
/** Where each key sits in `putIndexOf`, the last long list `attrPut` added to: adding stays linear in the keys. */
let putIndexOf: AttrList | undefined;
const putIndex = new Map<string, number>();

/** Set `key` to `value` in `list` as `Map#set` would: a key already there keeps its place. Every key is added through here. */
export function attrPut(list: AttrList, key: string, value: AttrValue): void {
  const n = list.length;
  if (n < SCANNED_KEYS * 2) {
    for (let i = 0; i < n; i += 2) {
      if (list[i] === key) {
        list[i + 1] = value;
        return;
      }
    }
  } else {
    if (putIndexOf !== list) {
      putIndex.clear();
      for (let i = 0; i < n; i += 2) putIndex.set(list[i] as string, i);
      putIndexOf = list;
    }
    const at = putIndex.get(key);
    if (at !== undefined) {
      list[at + 1] = value;
      return;
    }
    putIndex.set(key, n);
  }
  list.push(key, value);
}

/** A span as the assembler holds it (package-internal: posted between threads by the range-parallel reader). */
export interface SpanLite {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  /** A time came as a JSON number above 2^53, so its last digits are float noise (see `durationSeconds`). */
  imprecise: boolean;
  error: boolean;
  statusMessage?: string;
  attrs: AttrList;
  /** The attributes of the resource that emitted the span (`service.name`, ...). */
  resource: AttrList;
  links: readonly string[];
  /**
   * Where the span sits in the input, for error messages (`spanWhere`): `where` itself, or with `whereIndex` 0 or
   * more, entry `whereIndex` of the list at `where`. The spans of one list share its path: a string made for each
   * span (and kept while its run is open) was 44 of the 939 MB a read of one 200,000-span document allocated.
   */
  where: string;
  whereIndex: number;
  location: ErrorLocation;
  /** Made the run span by the `auto` rule, for want of an `invoke_workflow` span. */
  fallback?: boolean;
}

/**
 * The kind a GenAI operation name gives a span. Compared, not looked up in an object: a value read from a file
 * is not an interned string, so a property lookup by it costs a string-table search, and a name such as
 * "constructor" would find one of Object's own properties.
 */
function operationKind(op: string): SpanKind | undefined {
  return op === 'invoke_agent' ? 'agent' : op === 'execute_tool' ? 'tool' : op === 'invoke_workflow' ? 'workflow' : undefined;
}

/**
 * Which span of a trace is a team run:
 * - `auto` (default): every `invoke_workflow` span; in a trace with none, the highest span carrying
 *   `gen_ai.workflow.name`, else the trace's root span, provided agent or tool spans sit below it (many
 *   instrumentations never emit an `invoke_workflow` span);
 * - `invoke_workflow`: only `invoke_workflow` spans, as the GenAI conventions name them.
 */
export type OtlpRunRule = 'auto' | 'invoke_workflow';

/** Defaults for what a trace does not say about its team (formation, limits), keyed by team id. */
export interface OtlpTeamDefaults {
  formation?: string;
  memberCount?: number;
  toolBudget?: number;
  timeoutSeconds?: number;
}

/** How OTLP spans become runs. */
export interface OtlpOptions {
  /** Which span is a run (default `auto`). */
  runSpans?: OtlpRunRule;
  /**
   * Seconds of trace time a run stays open after its span ends, so that spans exported later (another
   * batch, another service) still join it (default 30). A run is built once a span ending this much later
   * has been seen, or at the end of input. Spans arriving after that are counted as late, never silently
   * attached to nothing.
   */
  graceSeconds?: number;
  /** Most traces held open at once (default 10,000); beyond it the least recently active is closed early. */
  maxOpenTraces?: number;
  /** Team settings to use when a run's spans do not carry them, keyed by team id. */
  teamDefaults?: Readonly<Record<string, OtlpTeamDefaults>>;
}

/** What the assembler set aside, for the read report. */
export interface OtlpAssemblyStats {
  /** Agent and tool spans that no run could hold (a trace without a run span, say). */
  unattachedSpans: number;
  /** Spans that arrived after the run they belong to was built (see `graceSeconds`). */
  lateSpans: number;
  /** Runs taken from a root span or a `gen_ai.workflow.name` span, for lack of an `invoke_workflow` span. */
  rootSpanRuns: number;
  /** Traces closed before their grace ended because more than `maxOpenTraces` were open. */
  evictedTraces: number;
}

const DEFAULT_OTLP_GRACE_SECONDS = 30;
const DEFAULT_OTLP_MAX_OPEN_TRACES = 10_000;

/** True when a parsed JSON value is an OTLP/JSON traces document. */
export function isOtlpDocument(u: unknown): boolean {
  return typeof u === 'object' && u !== null && !Array.isArray(u) && 'resourceSpans' in u;
}

/**
 * Package-internal keys (symbols, so they stay off the public surface) of what the range-parallel reader
 * (`internal/otlp-range.ts`) needs from an assembler: divert spans of traces shared with other byte ranges,
 * replay them elsewhere against the same watermark, and count what could make a range differ from a
 * single-thread read.
 */
export const OTLP_RANGE_MODE = Symbol('autotune.metrics.otlpRangeMode');
export const OTLP_REPLAY = Symbol('autotune.metrics.otlpReplay');
export const OTLP_PROBE = Symbol('autotune.metrics.otlpProbe');
export const OTLP_STREAM_BEGIN = Symbol('autotune.metrics.otlpStreamBegin');
export const OTLP_STREAM_SPAN = Symbol('autotune.metrics.otlpStreamSpan');
export const OTLP_STREAM_END = Symbol('autotune.metrics.otlpStreamEnd');
export const OTLP_SKIP_DOCUMENT = Symbol('autotune.metrics.otlpSkipDocument');
export const OTLP_STREAM_SKIP = Symbol('autotune.metrics.otlpStreamSkip');
export const OTLP_SUMMARY_ONLY = Symbol('autotune.metrics.otlpSummaryOnly');
export const OTLP_ADD_READ_DOCUMENT = Symbol('autotune.metrics.otlpAddReadDocument');
export const OTLP_STREAM_READ_SPAN = Symbol('autotune.metrics.otlpStreamReadSpan');
export const OTLP_STREAM_RESUME = Symbol('autotune.metrics.otlpStreamResume');
export const OTLP_STREAM_STOP = Symbol('autotune.metrics.otlpStreamStop');
export const OTLP_EARLY_BUILDS = Symbol('autotune.metrics.otlpEarlyBuilds');

/**
 * Package-internal: thrown by an assembler that skips other teams' documents (`OTLP_SKIP_DOCUMENT`) when it
 * can no longer be sure that the runs it builds are those of a full read; the caller reads again, skipping
 * nothing. Not a `MetricsError`: nothing is wrong with the input.
 */
export class OtlpSkipConflict extends Error {
  constructor(reason: string) {
    super(`OTLP team skipping abandoned: ${reason}`);
    this.name = 'OtlpSkipConflict';
  }
}

/**
 * Package-internal: thrown by an assembler that builds runs before their batch ends (`OTLP_EARLY_BUILDS`) when a
 * span joins a trace one of whose runs it built early in the same batch: a read taking the batch whole would have
 * built that run with the span. The caller reads again without early builds. Not a `MetricsError`: nothing is
 * wrong with the input.
 */
export class OtlpEarlyBuildConflict extends Error {
  constructor(traceId: string) {
    super(`OTLP early build abandoned: trace ${traceId} had a run built before a later span of its batch`);
    this.name = 'OtlpEarlyBuildConflict';
  }
}

/** With early builds (`OTLP_EARLY_BUILDS`), due runs are looked for every this many spans of a batch. */
const EARLY_BUILD_SPANS = 256;

/**
 * Spans of one document taken as one export batch: a document with more is taken as consecutive batches of
 * this many (in document order), each followed by an advance, so that reading one document of a million spans
 * holds the runs within their grace, not the document. Exporters send far smaller batches (512 spans by default
 * in the OpenTelemetry SDKs), so for them a document is one batch, as before.
 */
export const OTLP_BATCH_SPANS = 10_000;

/** How an assembler reads one byte range of OTLP JSON Lines (see `OTLP_RANGE_MODE`). */
export interface OtlpRangeHooks {
  /** The watermark a single-thread read has when it reaches the range: the latest span end before it. */
  watermarkNs: bigint;
  /** True when the trace may have spans in another range: its spans are diverted, to be replayed elsewhere. */
  divert(traceId: string): boolean;
}

/** The diverted spans of one document, with the watermark around them, so they can be replayed in order. */
export interface DivertedDoc {
  spans: SpanLite[];
  /** The watermark at the assembler's last advance before this document. */
  beforeNs: bigint;
  /** The watermark once the whole document was added. */
  afterNs: bigint;
  /** False when the document stopped with an error: no advance followed it. */
  advanced: boolean;
  /**
   * True when the batch began before the range (one OTLP document read in parts, see `OTLP_STREAM_RESUME`): it
   * continues the previous part's last batch, so no advance came before it.
   */
  continued?: boolean;
}

/**
 * A `DivertedDoc` as a range keeps it until its end: the spans serialized (`packDiverted`), not held as objects.
 * Held objects made V8 allocate every later span in the old generation: a range that starts with diverted spans
 * (those of the traces near its first boundary, all kept) taught V8's allocation-site feedback that spans live
 * long, so it pretenured the sites that make them, and every span after that was allocated old and collected by
 * full collections. The second of two ranges of the 1M-span benchmark file took 8.2 s of CPU instead of 4.8 s.
 * Serialized, the kept bytes are outside the heap and every span object dies young, as in a single-thread read.
 */
export type PackedDivertedDoc = Omit<DivertedDoc, 'spans'> & { spans: Uint8Array };

/** A packed diverted document as it was (see `PackedDivertedDoc`); the spans of one document keep their shared objects. */
export function unpackDiverted(doc: PackedDivertedDoc): DivertedDoc {
  const out: DivertedDoc = { spans: deserialize(doc.spans) as SpanLite[], beforeNs: doc.beforeNs, afterNs: doc.afterNs, advanced: doc.advanced };
  if (doc.continued !== undefined) out.continued = doc.continued;
  return out;
}

/** What could make a range's assembly differ from a single-thread one: checked by the caller, which falls back. */
export interface OtlpRangeProbe {
  /** Most traces open at once, and most closed traces remembered at once. */
  peakOpen: number;
  peakClosed: number;
  /** Traces closed by the quiet rule (their order in the open map couples them to other ranges' traces). */
  quietCloses: number;
  evictions: number;
  /** The latest span end read (-1 for none). */
  maxSpanEndNs: bigint;
  /** The watermark at the first advance (-1 for none): from there on the range's watermark is a single-thread read's, if it is at least the latest end before the range. */
  firstAdvanceNs: bigint;
  /** Traces assembled here (not diverted): none may have spans in another range. Sorted (`OTLP_PROBE`). */
  localTraces: string[];
  /** Traces of documents skipped unread (team skipping): none may be assembled in another range. */
  skippedTraces: string[];
  diverted: PackedDivertedDoc[];
}

/** Called with each team run built, or with the error that stopped one run from being built. */
export interface OtlpSink {
  record(r: ExecutionRecord): void;
  reject(e: MetricsError): void;
}

interface TraceState {
  spans: Map<string, SpanLite>;
  maxEndNs: bigint;
  /** When the trace's root span (no parent) ended: the trace is complete a grace window after it. */
  rootEndNs: bigint | undefined;
  /** `invoke_workflow` spans seen in this trace (built or pending). */
  workflows: number;
  /** The batch (`OtlpAssembler.batchNo`) in which a run of the trace was built early, else -1. */
  earlyIn: number;
  /**
   * Spans of runs already built: a span whose parent is one of them arrived late. Made with the first run built:
   * a trace is held while its spans arrive, and every object it holds then is one more for each minor collection
   * to copy.
   */
  built: Set<string> | undefined;
}

/**
 * Collects spans (from OTLP documents or from an SDK exporter) and emits one record per run. Spans are
 * exported when they end, possibly in later batches or out of order, so a run is held open for a grace
 * window of trace time after its span ends (the "watermark" is the latest end time seen), then built and
 * forgotten. Memory is bounded by the traces in flight within the grace window (and `maxOpenTraces`),
 * not by the input.
 */
export class OtlpAssembler {
  private readonly open = new Map<string, TraceState>();
  /** Recently closed traces and the watermark at which they closed: later spans of theirs are late. */
  private readonly closed = new Map<string, bigint>();
  private readonly pending = new MinHeap<SpanLite>((a, b) => a.endNs < b.endNs);
  /** Early builds only (`OTLP_EARLY_BUILDS`): workflow spans not looked at yet by `buildEarly`, by end. */
  private early: MinHeap<SpanLite> | undefined;
  /** Batches begun: a trace with a run built early (`TraceState.earlyIn`) may take no span until the next. */
  private batchNo = 0;
  /** Root spans as they arrive, by end: a trace closes a grace window after its latest one (`TraceState.rootEndNs`). */
  private readonly rooted = new MinHeap<SpanLite>((a, b) => a.endNs < b.endNs);
  private watermarkNs = 0n;
  private readonly graceNs: bigint;
  private readonly maxOpen: number;
  private readonly rule: OtlpRunRule;
  private readonly teamDefaults: Readonly<Record<string, OtlpTeamDefaults>>;
  private readonly counts: OtlpAssemblyStats = { unattachedSpans: 0, lateSpans: 0, rootSpanRuns: 0, evictedTraces: 0 };
  /** Range-parallel reading only (see `OTLP_RANGE_MODE`). */
  private range: OtlpRangeHooks | undefined;
  private probe: OtlpRangeProbe | undefined;
  private docDiverted: SpanLite[] = [];
  private lastAdvanceNs = 0n;
  private batchBeforeNs = 0n;
  /** Spans added since the batch began (see `OTLP_BATCH_SPANS`). */
  private inBatch = 0;
  /** The current batch began in the previous part of a document read in parts (see `OTLP_STREAM_RESUME`). */
  private continuedBatch = false;
  /**
   * Team skipping only (see `OTLP_SKIP_DOCUMENT`): traces seen only in skipped documents that a full read
   * could still hold open, with the watermark after their last document; and those it could still remember
   * as closed, with the watermark at which it had closed them at the latest. Both are upper bounds of a full
   * read's, so the caps it would apply can be checked.
   */
  private readonly skipOpen = new Map<string, bigint>();
  private readonly skipClosed = new Map<string, bigint>();
  private readonly quietNs: bigint;
  /** The trace last added to or moved to the end of `open`. */
  private lastActive: TraceState | undefined;
  /** Runs only go to an aggregator (see `OTLP_SUMMARY_ONLY`). */
  private summaryOnly = false;

  /** `checks` apply to every run assembled (e.g. which formations are accepted). */
  constructor(
    options: OtlpOptions = {},
    private readonly checks?: RecordChecks,
  ) {
    const grace = options.graceSeconds ?? DEFAULT_OTLP_GRACE_SECONDS;
    if (!(grace >= 0 && grace <= 86_400)) throw new MetricsError('METRICS_USAGE', `OTLP graceSeconds: expected 0 to 86400, got ${grace}`);
    const maxOpen = options.maxOpenTraces ?? DEFAULT_OTLP_MAX_OPEN_TRACES;
    if (!(Number.isInteger(maxOpen) && maxOpen >= 1)) throw new MetricsError('METRICS_USAGE', `OTLP maxOpenTraces: expected a whole number >= 1, got ${maxOpen}`);
    this.graceNs = BigInt(Math.round(grace * 1e9));
    // A trace whose root is never exported here closes once it has been quiet this long (see `advance`).
    this.quietNs = this.graceNs * 10n > 600_000_000_000n ? this.graceNs * 10n : 600_000_000_000n;
    this.maxOpen = maxOpen;
    this.rule = options.runSpans ?? 'auto';
    this.teamDefaults = options.teamDefaults ?? {};
  }

  /**
   * Add one OTLP document; runs whose grace has passed go to `sink`. A span that cannot be read is
   * rejected on its own. Throws for a document that is not OTLP.
   */
  addDocument(doc: unknown, location: ErrorLocation, sink: OtlpSink): void {
    this.beginBatch();
    let complete = false;
    try {
      this.addSpansOf(doc, location, sink);
      complete = true;
    } finally {
      this.endBatch(complete);
    }
    this.advance(sink);
  }

  private addSpansOf(doc: unknown, location: ErrorLocation, sink: OtlpSink): void {
    forEachRawSpan(doc, location, (u, where, resourceAttrs) => this.addRawSpan(u, where, location, resourceAttrs, sink));
  }

  /**
   * One span of a document (`where` is its path in it): read, added, and every `OTLP_BATCH_SPANS` spans the
   * batch ends, so that a document of any size holds only the runs still within their grace.
   */
  private addRawSpan(u: unknown, where: string, location: ErrorLocation, resourceAttrs: AttrList, sink: OtlpSink): void {
    let span: SpanLite;
    try {
      span = readSpan(u, where, location, resourceAttrs);
    } catch (e) {
      if (e instanceof MetricsError) {
        sink.reject(e);
        // A span rejected is still one of the document's: batches are cut by position in the document, so that
        // where one ends can be told from the document's bytes (see internal/otlp-document-parts.ts).
        this.countInBatch(sink);
        return;
      }
      throw e;
    }
    this.addReadSpan(span, sink);
  }

  /** A span read (by `readSpan` or the fast reader), added as one of the current document's. */
  private addReadSpan(span: SpanLite, sink: OtlpSink): void {
    this.add(span);
    this.countInBatch(sink);
  }

  /** A span of a document taken: every `OTLP_BATCH_SPANS` of them the batch ends and due runs are built. */
  private countInBatch(sink: OtlpSink): void {
    if (++this.inBatch >= OTLP_BATCH_SPANS) {
      this.endBatch(true);
      this.advance(sink);
      this.beginBatch();
    } else if (this.early !== undefined && this.inBatch % EARLY_BUILD_SPANS === 0) this.buildEarly(sink);
  }

  private beginBatch(): void {
    this.inBatch = 0;
    this.batchNo++;
    if (this.range !== undefined) {
      this.batchBeforeNs = this.lastAdvanceNs;
      this.docDiverted.length = 0;
    }
  }

  /** In range mode: the batch's diverted spans, with the watermark around them, for the replay. */
  private endBatch(advanced: boolean, always = false): void {
    if (this.range !== undefined && (this.docDiverted.length > 0 || always)) {
      const doc: PackedDivertedDoc = { spans: serialize(this.docDiverted), beforeNs: this.batchBeforeNs, afterNs: this.watermarkNs, advanced };
      if (this.continuedBatch) doc.continued = true;
      this.probe!.diverted.push(doc);
      this.docDiverted.length = 0;
    }
    this.continuedBatch = false;
  }

  /** @internal One document read as a stream of spans (see internal/otlp-document.ts): its start. */
  [OTLP_STREAM_BEGIN](): void {
    this.beginBatch();
  }

  /** @internal A span of a streamed document, exactly as `addDocument` takes it. */
  [OTLP_STREAM_SPAN](u: unknown, where: string, location: ErrorLocation, resourceAttrs: AttrList, sink: OtlpSink): void {
    this.addRawSpan(u, where, location, resourceAttrs, sink);
  }

  /** @internal A span of a streamed document already read (by `internal/otlp-fast.ts`), as `OTLP_STREAM_SPAN` adds it. */
  [OTLP_STREAM_READ_SPAN](span: SpanLite, sink: OtlpSink): void {
    this.addReadSpan(span, sink);
  }

  /**
   * @internal A whole document whose spans were read already (by `internal/otlp-fast.ts`, which reads only
   * documents in which every span is readable): the same batches and advances as `addDocument`.
   */
  [OTLP_ADD_READ_DOCUMENT](spans: readonly SpanLite[], sink: OtlpSink): void {
    this.beginBatch();
    let complete = false;
    try {
      for (let k = 0; k < spans.length; k++) this.addReadSpan(spans[k]!, sink);
      complete = true;
    } finally {
      this.endBatch(complete);
    }
    this.advance(sink);
  }

  /**
   * @internal A part of a streamed document that starts between two spans (range mode): `batchSpans` spans of the
   * current batch came before it, in the previous part, so the batch goes on where that part stopped.
   */
  [OTLP_STREAM_RESUME](batchSpans: number): void {
    this.beginBatch();
    this.inBatch = batchSpans;
    this.continuedBatch = batchSpans > 0;
  }

  /**
   * @internal A part of a streamed document that stops between two spans (range mode): the batch goes on in the
   * next part, so nothing advances here. Returns the spans of the unfinished batch (the next part's `batchSpans`).
   */
  [OTLP_STREAM_STOP](): number {
    // Handed on even with no spans: its replay makes the advance that began the batch, which the next part's
    // continuation of it (`DivertedDoc.continued`) does not repeat.
    this.endBatch(false, true);
    return this.inBatch;
  }

  /** @internal The end of a streamed document. */
  [OTLP_STREAM_END](sink: OtlpSink): void {
    this.endBatch(true);
    this.advance(sink);
  }

  /**
   * Add spans that an SDK handed over (already decoded); runs whose grace has passed go to `sink`.
   * `location` names the source in error messages.
   */
  addSpans(spans: Iterable<TraceSpan>, location: ErrorLocation, sink: OtlpSink): void {
    for (const t of spans) {
      let span: SpanLite;
      try {
        span = fromTraceSpan(t, location);
      } catch (e) {
        if (e instanceof MetricsError) {
          sink.reject(e);
          continue;
        }
        throw e;
      }
      this.add(span);
    }
    this.advance(sink);
  }

  /**
   * Let trace time flow on by `elapsedNs` of wall time without a span, then build what is due. A live
   * exporter or receiver calls this with the time since its previous call, so a finished run is built once
   * its grace has passed even when no other span arrives. Trace time stays the spans' own clock, moved on
   * by elapsed time, so a sender whose clock is off by a constant does not make its runs look late.
   */
  advanceBy(elapsedNs: bigint, sink: OtlpSink): void {
    if (elapsedNs > 0n) this.watermarkNs += elapsedNs;
    this.advance(sink);
  }

  /** End of input: build every run still open, whatever its grace. */
  flush(sink: OtlpSink): void {
    for (const trace of [...this.open.keys()]) this.closeTrace(trace, sink);
  }

  /** What was set aside so far (complete after `flush`). */
  stats(): OtlpAssemblyStats {
    let pendingGenAi = 0;
    for (const t of this.open.values()) for (const s of t.spans.values()) if (s.kind === 'agent' || s.kind === 'tool') pendingGenAi++;
    return { ...this.counts, unattachedSpans: this.counts.unattachedSpans + pendingGenAi };
  }

  /** Spans held while their runs are open (memory in use). */
  retainedSpans(): number {
    let n = 0;
    for (const trace of this.open.values()) n += trace.spans.size;
    return n;
  }

  /** Traces held open. */
  openTraces(): number {
    return this.open.size;
  }

  /**
   * @internal The runs built only go to a `MetricsAggregator`, never to a user: a run that is already a
   * complete, valid record is taken as built (with absent fields as undefined keys, which the aggregator
   * reads alike) instead of being copied field by field by `validateRecord`.
   */
  [OTLP_SUMMARY_ONLY](): void {
    this.summaryOnly = true;
  }

  /**
   * @internal Build runs before their batch ends when that is sure to build them as the batch's advance would
   * (see `buildEarly`); the caller reads again without this on `OtlpEarlyBuildConflict`. For a document of many
   * batches read as a stream (internal/otlp-document.ts).
   */
  [OTLP_EARLY_BUILDS](): void {
    this.early ??= new MinHeap<SpanLite>((a, b) => a.endNs < b.endNs);
  }

  /** @internal Read one byte range of OTLP JSON Lines: start at the watermark before it, divert shared traces. */
  [OTLP_RANGE_MODE](hooks: OtlpRangeHooks): void {
    this.range = hooks;
    this.watermarkNs = hooks.watermarkNs;
    this.lastAdvanceNs = hooks.watermarkNs;
    this.probe = newProbe();
  }

  /** @internal Counters of a range read (`OTLP_RANGE_MODE`) or a replay: what the caller checks. */
  [OTLP_PROBE](): OtlpRangeProbe {
    this.probe ??= newProbe();
    return { ...this.probe, evictions: this.counts.evictedTraces };
  }

  /**
   * @internal Replay a diverted document: the advance a single-thread read made last before it, its spans,
   * then the watermark and advance that followed it. Advancing twice at one watermark changes nothing, so
   * the advances of the documents in between (which held none of these traces' spans) need no replay.
   */
  [OTLP_REPLAY](doc: DivertedDoc, sink: OtlpSink): void {
    this.probe ??= newProbe();
    if (doc.continued !== true) {
      if (doc.beforeNs > this.watermarkNs) this.watermarkNs = doc.beforeNs;
      this.advance(sink);
    }
    for (const s of doc.spans) this.add(s);
    if (doc.afterNs > this.watermarkNs) this.watermarkNs = doc.afterNs;
    if (doc.advanced) this.advance(sink);
  }

  /**
   * @internal Take a document of other teams' runs without reading its spans, given its trace ids and its
   * latest span end (found by a byte search): the watermark and the advance are a full read's, and the
   * document's traces are only counted, to bound what a full read would hold. False when the document must
   * be read after all (one of `OTLP_BATCH_SPANS` spans or more, which a full read takes as several batches).
   * Throws `OtlpSkipConflict` when one of its traces is one this assembler holds: the runs could then differ.
   */
  /**
   * @internal A span of a streamed document skipped unread (team skipping, see internal/otlp-document.ts),
   * known by its trace id and end alone: what `OTLP_SKIP_DOCUMENT` does for a document, for one span that a
   * full read would have taken (it counts towards the batch as `OTLP_STREAM_SPAN` would). Throws
   * `OtlpSkipConflict` for a trace with spans read.
   */
  [OTLP_STREAM_SKIP](traceId: string, endNs: bigint, sink: OtlpSink): void {
    if (this.open.has(traceId) || this.closed.has(traceId)) throw new OtlpSkipConflict(`trace ${traceId} has spans read and skipped`);
    if (endNs > this.watermarkNs) this.watermarkNs = endNs;
    this.skipClosed.delete(traceId);
    this.skipOpen.delete(traceId); // re-inserted: the map stays ordered by the watermark of last activity
    this.skipOpen.set(traceId, this.watermarkNs);
    this.countInBatch(sink);
  }

  [OTLP_SKIP_DOCUMENT](traceIds: readonly string[], spans: number, maxEndNs: bigint, sink: OtlpSink): boolean {
    if (spans >= OTLP_BATCH_SPANS) return false;
    // A trace shared with other ranges (diverted) is skipped here too: the caller checks that no range read
    // a span of a trace some range skipped (`skippedTraces`).
    const range = this.range;
    for (const id of traceIds) {
      if (this.open.has(id) || this.closed.has(id)) throw new OtlpSkipConflict(`trace ${id} has spans in documents read and skipped`);
    }
    if (maxEndNs > this.watermarkNs) this.watermarkNs = maxEndNs;
    if (this.probe !== undefined && maxEndNs > this.probe.maxSpanEndNs) this.probe.maxSpanEndNs = maxEndNs;
    if (range !== undefined) this.probe!.skippedTraces.push(...traceIds);
    for (const id of traceIds) {
      this.skipClosed.delete(id);
      this.skipOpen.delete(id); // re-inserted: the map stays ordered by the watermark of last activity
      this.skipOpen.set(id, this.watermarkNs);
    }
    this.advance(sink);
    return true;
  }

  private add(span: SpanLite): void {
    if (span.endNs > this.watermarkNs) this.watermarkNs = span.endNs;
    if ((this.skipOpen.size > 0 || this.skipClosed.size > 0) && (this.skipOpen.has(span.traceId) || this.skipClosed.has(span.traceId))) {
      // A diverted span goes to the replay, where the merge checks it against every range's skipped traces.
      if (this.range === undefined || !this.range.divert(span.traceId)) throw new OtlpSkipConflict(`trace ${span.traceId} has spans in documents read and skipped`);
    }
    if (this.range !== undefined) {
      const probe = this.probe!;
      if (span.endNs > probe.maxSpanEndNs) probe.maxSpanEndNs = span.endNs;
      if (this.range.divert(span.traceId)) {
        this.docDiverted.push(span);
        return;
      }
    }
    if (this.closed.has(span.traceId)) {
      this.counts.lateSpans++;
      return;
    }
    let trace = this.open.get(span.traceId);
    if (trace?.earlyIn === this.batchNo) throw new OtlpEarlyBuildConflict(span.traceId);
    if (trace === undefined) {
      trace = { spans: new Map(), maxEndNs: 0n, rootEndNs: undefined, workflows: 0, earlyIn: -1, built: undefined };
      if (this.range !== undefined) this.probe!.localTraces.push(span.traceId);
      this.open.set(span.traceId, trace);
      this.lastActive = trace;
    } else if (trace !== this.lastActive) {
      // Moved to the end: the map stays ordered by last activity. A trace's spans mostly come one after
      // another, and then it is at the end already (a trace is a fresh object each time it opens, so
      // `lastActive` cannot name an older, closed incarnation).
      this.open.delete(span.traceId);
      this.open.set(span.traceId, trace);
      this.lastActive = trace;
    }
    if (this.probe !== undefined && this.open.size > this.probe.peakOpen) this.probe.peakOpen = this.open.size;
    if (span.parentSpanId !== undefined && trace.built?.has(span.parentSpanId) === true) {
      trace.built.add(span.spanId); // its own children are late too
      this.counts.lateSpans++;
      return;
    }
    trace.spans.set(span.spanId, span);
    if (span.endNs > trace.maxEndNs) trace.maxEndNs = span.endNs;
    if (span.parentSpanId === undefined && (trace.rootEndNs === undefined || span.endNs > trace.rootEndNs)) {
      trace.rootEndNs = span.endNs;
      this.rooted.push(span);
    }
    if (span.kind === 'workflow') {
      trace.workflows++;
      this.pending.push(span);
      this.early?.push(span);
    }
  }

  private advance(sink: OtlpSink): void {
    this.lastAdvanceNs = this.watermarkNs;
    if (this.probe !== undefined && this.probe.firstAdvanceNs < 0n) this.probe.firstAdvanceNs = this.watermarkNs;
    const due = this.watermarkNs - this.graceNs;
    // Inner (nested) workflows end first, so the heap builds them first and leaves the outer one its own spans.
    while (this.pending.size > 0 && this.pending.peek()!.endNs <= due) {
      const w = this.pending.pop()!;
      const trace = this.open.get(w.traceId);
      if (trace !== undefined && trace.spans.get(w.spanId) === w) this.buildInto(w, trace, sink);
    }
    // A trace is complete a grace window after its root span ended: the rest of its spans decide then.
    while (this.rooted.size > 0 && this.rooted.peek()!.endNs <= due) {
      const root = this.rooted.pop()!;
      if (this.open.get(root.traceId)?.rootEndNs === root.endNs) this.closeTrace(root.traceId, sink);
    }
    // A trace whose root is never exported here (its parent lives in another service) closes once it has
    // been quiet for long (ten grace windows, at least ten minutes): a run still going has spans ending.
    const quietNs = this.quietNs;
    if (this.skipOpen.size > 0 || this.skipClosed.size > 0) this.boundSkipped();
    for (const [id, trace] of this.open) {
      if (trace.maxEndNs + quietNs > this.watermarkNs) break;
      if (this.probe !== undefined) this.probe.quietCloses++;
      // A skipped trace still open in a full read could stand before this one there and keep it open.
      if (this.skipOpen.size > 0) throw new OtlpSkipConflict('a trace closed by the quiet rule while skipped traces were open');
      this.closeTrace(id, sink);
    }
    while (this.open.size > this.maxOpen) {
      const oldest = this.open.keys().next().value as string;
      this.counts.evictedTraces++;
      this.closeTrace(oldest, sink);
    }
    // Remember closed traces for as long again, to count late spans.
    for (const [id, at] of this.closed) {
      if (at + quietNs >= this.watermarkNs && this.closed.size <= this.maxOpen * 10) break;
      this.closed.delete(id);
    }
  }

  /**
   * The skipped traces a full read could still hold. A full read closes every trace by the first advance at
   * which the watermark is a quiet window past the watermark of the trace's last span (by then it and every
   * trace before it in the open map are quiet), and forgets a closed trace a quiet window after closing it
   * (the closed map is in closing order). Throws when the caps (`maxOpenTraces`, ten times that for closed
   * traces) could act in a full read: which trace they hit would depend on the skipped ones.
   */
  private boundSkipped(): void {
    const w = this.watermarkNs;
    for (const [id, last] of this.skipOpen) {
      if (last + this.quietNs > w) break;
      this.skipOpen.delete(id);
      this.skipClosed.set(id, w);
    }
    for (const [id, at] of this.skipClosed) {
      if (at + this.quietNs >= w) break;
      this.skipClosed.delete(id);
    }
    const probe = this.probe;
    if (probe !== undefined) {
      // What a full read of the range could hold, for the caller's check across ranges.
      if (this.open.size + this.skipOpen.size > probe.peakOpen) probe.peakOpen = this.open.size + this.skipOpen.size;
      if (this.closed.size + this.skipClosed.size > probe.peakClosed) probe.peakClosed = this.closed.size + this.skipClosed.size;
    }
    if (this.open.size + this.skipOpen.size > this.maxOpen || this.closed.size + this.skipClosed.size > this.maxOpen * 10) {
      throw new OtlpSkipConflict('a full read could reach the open or closed trace cap');
    }
  }

  /**
   * Early builds (`OTLP_EARLY_BUILDS`): build now the runs that the advance ending this batch is sure to build, as
   * long as their trace takes no more spans in the batch. A run is due once the watermark is a grace window past
   * its end, and the watermark only grows, so it is due at the batch's end too; no span joins it before then
   * (`OtlpEarlyBuildConflict` otherwise), so it is built from the spans it would have then, and the trace is left
   * as that advance would leave it. Its spans need not be held to the batch's end: a document's batch holds 10,000,
   * and every minor collection copied them (one part of 100,000 spans: a fifth of its CPU). What changes is only
   * when the run reaches the sink, and so the order of runs: an aggregator's figures do not depend on it, but for
   * the latest values of a team's runs that start in the same millisecond (see `AGGREGATOR_LATEST`). A run whose
   * build fails is left to the advance, so that errors come in the order they always did.
   */
  private buildEarly(sink: OtlpSink): void {
    const early = this.early!; // set: the caller checks
    const due = this.watermarkNs - this.graceNs;
    let busy: SpanLite[] | undefined;
    while (early.size > 0 && early.peek()!.endNs <= due) {
      const w = early.pop()!;
      const trace = this.open.get(w.traceId);
      if (trace === undefined || trace.spans.get(w.spanId) !== w) continue;
      if (trace === this.lastActive) {
        // Still taking spans: looked at again next time (a trace's spans mostly come one after another).
        (busy ??= []).push(w);
        continue;
      }
      const run = runOf(w, trace.spans);
      let record: ExecutionRecord;
      try {
        record = buildRun(w, run, this.teamDefaults, this.checks, this.summaryOnly);
      } catch (e) {
        if (e instanceof MetricsError) continue;
        throw e;
      }
      forgetRun(w, run, trace);
      trace.earlyIn = this.batchNo;
      sink.record(record);
    }
    if (busy !== undefined) for (const w of busy) early.push(w);
  }

  private buildInto(w: SpanLite, trace: TraceState, sink: OtlpSink): void {
    // The run's spans are found once, for building the run and for forgetting it after.
    const run = runOf(w, trace.spans);
    try {
      sink.record(buildRun(w, run, this.teamDefaults, this.checks, this.summaryOnly));
    } catch (e) {
      if (e instanceof MetricsError) sink.reject(e);
      else throw e;
    } finally {
      forgetRun(w, run, trace);
    }
  }

  private closeTrace(traceId: string, sink: OtlpSink): void {
    const trace = this.open.get(traceId);
    if (trace === undefined) return;
    this.open.delete(traceId);
    this.closed.set(traceId, this.watermarkNs);
    if (this.probe !== undefined && this.closed.size > this.probe.peakClosed) this.probe.peakClosed = this.closed.size;
    const workflows = [...trace.spans.values()].filter((s) => s.kind === 'workflow').sort(byEnd);
    for (const w of workflows) if (trace.spans.get(w.spanId) === w) this.buildInto(w, trace, sink);
    if (this.rule === 'auto' && trace.workflows === 0) {
      for (const root of fallbackRunSpans(trace.spans)) {
        root.kind = 'workflow';
        root.fallback = true;
        this.counts.rootSpanRuns++;
        this.buildInto(root, trace, sink);
      }
    }
    for (const s of trace.spans.values()) if (s.kind === 'agent' || s.kind === 'tool') this.counts.unattachedSpans++;
  }
}

function newProbe(): OtlpRangeProbe {
  return { peakOpen: 0, peakClosed: 0, quietCloses: 0, evictions: 0, maxSpanEndNs: -1n, firstAdvanceNs: -1n, localTraces: [], skippedTraces: [], diverted: [] };
}

function byEnd(a: SpanLite, b: SpanLite): number {
  return a.endNs < b.endNs ? -1 : a.endNs > b.endNs ? 1 : 0;
}

/**
 * The run spans of a trace without `invoke_workflow`: the highest spans carrying `gen_ai.workflow.name`,
 * else its root spans (no parent, or a parent that is not in the trace: the caller's span in another
 * service), each only if an agent or tool span sits below it.
 */
function fallbackRunSpans(spans: Map<string, SpanLite>): SpanLite[] {
  const named = [...spans.values()].filter((s) => str(s.attrs, 'gen_ai.workflow.name') !== undefined);
  const highest = named.filter((s) => !hasAncestor(s, spans, (a) => str(a.attrs, 'gen_ai.workflow.name') !== undefined));
  const candidates = highest.length > 0 ? highest : [...spans.values()].filter((s) => s.parentSpanId === undefined || !spans.has(s.parentSpanId));
  const withGenAi = new Set<SpanLite>();
  for (const s of spans.values()) {
    if (s.kind !== 'agent' && s.kind !== 'tool') continue;
    for (const c of candidates) if (c === s || isAncestor(c, s, spans)) withGenAi.add(c);
  }
  return candidates.filter((c) => withGenAi.has(c) && c.kind !== 'agent' && c.kind !== 'tool').sort(byEnd);
}

function hasAncestor(s: SpanLite, spans: Map<string, SpanLite>, test: (a: SpanLite) => boolean): boolean {
  let cur = s.parentSpanId === undefined ? undefined : spans.get(s.parentSpanId);
  for (let hops = 0; cur !== undefined && hops < 10_000; hops++) {
    if (test(cur)) return true;
    cur = cur.parentSpanId === undefined ? undefined : spans.get(cur.parentSpanId);
  }
  return false;
}

function isAncestor(a: SpanLite, s: SpanLite, spans: Map<string, SpanLite>): boolean {
  return hasAncestor(s, spans, (x) => x === a);
}

/** A binary min-heap: runs are due in the order their spans end. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    // Sift up: 0 <= p < i < a.length, so every `!` reads an item.
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        // Sift down: l and r are checked against a.length, and m is i (< a.length), l or r.
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Every span of a parsed OTLP document, in document order, with its path (`where`) and its resource's
 * attributes; throws a `MetricsError` for a document whose structure is not OTLP's (package-internal: the
 * fast reader's tests compare against it).
 */
export function forEachRawSpan(doc: unknown, location: ErrorLocation, each: (u: unknown, where: string, resourceAttrs: AttrList) => void): void {
  const rs = field(doc, 'resourceSpans', location, '');
  if (!Array.isArray(rs)) fail(location, 'resourceSpans', 'expected a list');
  for (let i = 0; i < rs.length; i++) {
    const resourceAttrs = resourceAttributes(field(rs[i], 'resource', location, ''), location);
    const scopes = field(rs[i], 'scopeSpans', location, '') ?? field(rs[i], 'instrumentationLibrarySpans', location, '');
    if (scopes === undefined) continue;
    if (!Array.isArray(scopes)) fail(location, `resourceSpans[${i}].scopeSpans`, 'expected a list');
    for (let j = 0; j < scopes.length; j++) {
      const spans = field(scopes[j], 'spans', location, '');
      if (spans === undefined) continue;
      const path = `resourceSpans[${i}].scopeSpans[${j}].spans`;
      if (!Array.isArray(spans)) fail(location, path, 'expected a list');
      for (let k = 0; k < spans.length; k++) each(spans[k], `${path}[${k}]`, resourceAttrs);
    }
  }
}

function field(u: unknown, key: string, location: ErrorLocation, path: string): unknown {
  if (u === undefined || u === null) return undefined;
  if (typeof u !== 'object' || Array.isArray(u)) fail(location, path || key, 'expected an object');
  return (u as Record<string, unknown>)[key] ?? undefined;
}

function fail(location: ErrorLocation, path: string, message: string): never {
  throw new MetricsError('METRICS_VALIDATION', `OTLP: ${message}`, { location: { ...location, field: path } });
}

/** The attributes of a resource object (`resourceSpans[i].resource`), as the spans under it inherit them. */
export function resourceAttributes(resource: unknown, location: ErrorLocation): AttrList {
  return readAttributes(field(resource, 'attributes', location, ''));
}

function readAttributes(list: unknown): AttrList {
  const out: AttrList = [];
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (typeof kv !== 'object' || kv === null || typeof (kv as { key?: unknown }).key !== 'string') continue;
    attrPut(out, (kv as { key: string }).key, anyValue((kv as { value?: unknown }).value));
  }
  return out;
}

/** An OTLP AnyValue: int64 may come as a string or a number, as protobuf's JSON mapping allows. */
function anyValue(v: unknown): AttrValue {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  // Plain loads, not `in`: a parsed JSON value never holds undefined, so "present" is "not undefined", and a
  // load is what V8 caches best on the hot path (every attribute of every span).
  const sv = o.stringValue;
  if (sv !== undefined) return typeof sv === 'string' ? sv : undefined;
  const iv = o.intValue;
  if (iv !== undefined) return typeof iv === 'string' ? Number(iv) : (iv as number);
  const dv = o.doubleValue;
  if (dv !== undefined) return typeof dv === 'string' ? Number(dv) : (dv as number);
  if (o.boolValue !== undefined) return o.boolValue as boolean;
  if ('arrayValue' in o) {
    const values = (o.arrayValue as { values?: unknown[] } | null)?.values ?? [];
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  return undefined;
}

/**
 * Trace and span ids as lower-case hex. OTLP/JSON writes hex, but protobuf's generic JSON mapping writes
 * bytes as base64; the length tells them apart (16 bytes: 32 hex or 24 base64 characters).
 */
export function normaliseOtlpId(v: unknown, bytes: 8 | 16): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (isLowerHexId(v, bytes * 2)) return v;
  let hex: string;
  if (v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v)) hex = v.toLowerCase();
  else {
    const buf = Buffer.from(v, 'base64');
    hex = buf.length === bytes ? buf.toString('hex') : v;
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

/** True for `length` lower-case hex digits, not all zero: an id as OTLP/JSON writes it, kept as it is. */
function isLowerHexId(v: string, length: number): boolean {
  if (v.length !== length) return false;
  let nonZero = false;
  for (let i = 0; i < length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) nonZero = true;
    else return false;
  }
  return nonZero;
}

function nanos(v: unknown, location: ErrorLocation, path: string): bigint {
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v));
  fail(location, path, `expected a time in Unix nanoseconds (a string or number of digits), got ${JSON.stringify(v)}`);
}

/** One parsed span as the assembler holds it; throws a `MetricsError` for a span it cannot read (package-internal). */
export function readSpan(u: unknown, where: string, location: ErrorLocation, resourceAttrs: AttrList): SpanLite {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) fail(location, where, 'expected a span object');
  const s = u as Record<string, unknown>;
  const traceId = normaliseOtlpId(s.traceId, 16);
  const spanId = normaliseOtlpId(s.spanId, 8);
  if (traceId === undefined) fail(location, `${where}.traceId`, 'missing trace id');
  if (spanId === undefined) fail(location, `${where}.spanId`, 'missing span id');
  const status = (s.status ?? {}) as Record<string, unknown>;
  const links: string[] = [];
  if (Array.isArray(s.links)) {
    for (const l of s.links) {
      const id = normaliseOtlpId((l as Record<string, unknown> | null)?.spanId, 8);
      if (id !== undefined) links.push(id);
    }
  }
  return makeSpan({
    traceId,
    spanId,
    parentSpanId: normaliseOtlpId(s.parentSpanId, 8),
    name: typeof s.name === 'string' ? s.name : '',
    attrs: readAttributes(s.attributes),
    resource: resourceAttrs,
    startNs: nanos(s.startTimeUnixNano, location, `${where}.startTimeUnixNano`),
    endNs: nanos(s.endTimeUnixNano, location, `${where}.endTimeUnixNano`),
    imprecise: isImprecise(s.startTimeUnixNano) || isImprecise(s.endTimeUnixNano),
    error: status.code === 2 || status.code === 'STATUS_CODE_ERROR',
    statusMessage: typeof status.message === 'string' && status.message !== '' ? status.message : undefined,
    links,
    where,
    whereIndex: -1,
    location,
  });
}

/**
 * A finished span as an SDK hands it over, already decoded: ids in hex, times in Unix nanoseconds,
 * attribute values as the OpenTelemetry API holds them. `@autotune/otel`'s exporter builds these.
 */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Readonly<Record<string, unknown>>;
  /** The attributes of the resource that emitted it (`service.name`, `autotune.*` ...). */
  resourceAttributes?: Readonly<Record<string, unknown>>;
  /** OTLP status: 0 unset, 1 ok, 2 error. */
  status?: { code: number; message?: string };
  /** Span ids of linked spans. */
  links?: readonly string[];
}

function attrMap(o: Readonly<Record<string, unknown>> | undefined): AttrList {
  const out: AttrList = [];
  if (o === undefined) return out;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attrPut(out, k, v);
    else if (Array.isArray(v)) attrPut(out, k, v.filter((x): x is string | number | boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean'));
  }
  return out;
}

/** Resource attributes read once per resource object: an SDK hands the same one with every span. */
const resourceMaps = new WeakMap<object, AttrList>();

function resourceMap(o: Readonly<Record<string, unknown>> | undefined): AttrList {
  if (o === undefined) return [];
  let m = resourceMaps.get(o);
  if (m === undefined) {
    m = attrMap(o);
    resourceMaps.set(o, m);
  }
  return m;
}

function fromTraceSpan(t: TraceSpan, location: ErrorLocation): SpanLite {
  const traceId = normaliseOtlpId(t.traceId, 16);
  const spanId = normaliseOtlpId(t.spanId, 8);
  const where = `span ${t.spanId}`;
  if (traceId === undefined) fail(location, `${where}.traceId`, 'missing trace id');
  if (spanId === undefined) fail(location, `${where}.spanId`, 'missing span id');
  return makeSpan({
    traceId,
    spanId,
    parentSpanId: normaliseOtlpId(t.parentSpanId, 8),
    name: t.name,
    attrs: attrMap(t.attributes),
    resource: resourceMap(t.resourceAttributes),
    startNs: t.startTimeUnixNano,
    endNs: t.endTimeUnixNano,
    imprecise: false,
    error: t.status?.code === 2,
    statusMessage: t.status?.message === '' ? undefined : t.status?.message,
    links: (t.links ?? []).map((id) => normaliseOtlpId(id, 8)).filter((id): id is string => id !== undefined),
    where,
    whereIndex: -1,
    location,
  });
}

/** The links of a span without any: one array shared by all of them (never changed). */
export const NO_LINKS: readonly string[] = [];

/** Where a span sits in its input, as error messages name it (see `SpanLite.where`). */
export function spanWhere(s: SpanLite): string {
  return s.whereIndex < 0 ? s.where : `${s.where}[${s.whereIndex}]`;
}

/** What `makeSpan` takes: a span's fields as read, before its kind is known. */
export type SpanFields = Omit<SpanLite, 'kind' | 'parentSpanId' | 'statusMessage'> & { parentSpanId: string | undefined; statusMessage: string | undefined };

/**
 * A span from its fields: resource attributes merged in, kind decided. Package-internal (exported for the
 * fast reader in `internal/otlp-fast.ts`, which must build spans exactly as `readSpan` does).
 */
export function makeSpan(f: SpanFields): SpanLite {
  return newSpan(f.traceId, f.spanId, f.parentSpanId, f.name, f.attrs, f.resource, f.startNs, f.endNs, f.imprecise, f.error, f.statusMessage, f.links, f.where, f.whereIndex, f.location);
}

/** `makeSpan` with its fields as arguments: the fast reader makes a million spans, each without a fields object. */
export function newSpan(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  name: string,
  attrs: AttrList,
  resource: AttrList,
  startNs: bigint,
  endNs: bigint,
  imprecise: boolean,
  error: boolean,
  statusMessage: string | undefined,
  links: readonly string[],
  where: string,
  whereIndex: number,
  location: ErrorLocation,
): SpanLite {
  // Resource attributes (autotune.team_id set once per process, say) apply unless the span overrides them.
  const inherited = inheritedAttributes(resource);
  for (let k = 0; k + 1 < inherited.length; k += 2) {
    const key = inherited[k] as string;
    if (!attrHas(attrs, key)) attrPut(attrs, key, inherited[k + 1]);
  }
  const op = attrGet(attrs, 'gen_ai.operation.name');
  const kind = operationKind(typeof op === 'string' ? op : (name.split(' ', 1)[0] ?? '')) ?? 'other';
  const span: SpanLite = { traceId, spanId, name, kind, startNs, endNs, imprecise, error, attrs, resource, links, where, whereIndex, location };
  if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
  if (statusMessage !== undefined) span.statusMessage = statusMessage;
  return span;
}

/** The resource whose `autotune.*` attributes `inherited` holds: the spans of one resource come one after another. */
let inheritedFrom: AttrList | undefined;
let inherited: (string | AttrValue)[] = [];

/**
 * A resource's `autotune.*` attributes as key, value, key, value...: found once per resource, not once per span
 * (resource attribute lists are never changed once read).
 */
function inheritedAttributes(resource: AttrList): readonly (string | AttrValue)[] {
  if (resource !== inheritedFrom) {
    const list: (string | AttrValue)[] = [];
    for (let k = 0; k < resource.length; k += 2) if ((resource[k] as string).startsWith('autotune.')) list.push(resource[k], resource[k + 1]);
    inheritedFrom = resource;
    inherited = list;
  }
  return inherited;
}

/** The spans of one run (see `runOf`): in the trace's order, each with the nearest agent span above it (itself for an agent). */
interface RunSpans {
  spans: SpanLite[];
  agents: (SpanLite | undefined)[];
}

/**
 * The spans whose nearest workflow span above them is `w` (`w` itself left out), in the trace's order, with the
 * nearest agent span on the way (the span itself counts). A walk up the parents, once per span and run.
 */
function runOf(w: SpanLite, trace: Map<string, SpanLite>): RunSpans {
  const spans: SpanLite[] = [];
  const agents: (SpanLite | undefined)[] = [];
  for (const s of trace.values()) {
    if (s === w) continue;
    let agent: SpanLite | undefined;
    let cur: SpanLite | undefined = s;
    for (let hops = 0; cur !== undefined && hops < 10_000; hops++) {
      if (cur.kind === 'workflow') break;
      if (cur.kind === 'agent' && agent === undefined) agent = cur;
      cur = cur.parentSpanId === undefined ? undefined : trace.get(cur.parentSpanId);
    }
    // `cur` is the nearest workflow span, or undefined when there is none (or the walk gave up).
    if (cur !== w) continue;
    spans.push(s);
    agents.push(agent);
  }
  return { spans, agents };
}

/** The first of `a`, `b` (and `c`) that is a non-empty string attribute. Fixed arities: no array per call. */
function str(attrs: AttrList, a: string, b?: string, c?: string): string | undefined {
  let v = attrGet(attrs, a);
  if (typeof v === 'string' && v !== '') return v;
  if (b === undefined) return undefined;
  v = attrGet(attrs, b);
  if (typeof v === 'string' && v !== '') return v;
  if (c === undefined) return undefined;
  v = attrGet(attrs, c);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function raw(attrs: AttrList, key: string): unknown {
  return attrGet(attrs, key);
}

/** Input tokens from the usage attributes, accepting the older prompt name. */
function inputTokens(attrs: AttrList): number | undefined {
  const v = attrGet(attrs, 'gen_ai.usage.input_tokens') ?? attrGet(attrs, 'gen_ai.usage.prompt_tokens');
  return typeof v === 'number' ? v : undefined;
}

/** Output tokens from the usage attributes, accepting the older completion name. */
function outputTokens(attrs: AttrList): number | undefined {
  const v = attrGet(attrs, 'gen_ai.usage.output_tokens') ?? attrGet(attrs, 'gen_ai.usage.completion_tokens');
  return typeof v === 'number' ? v : undefined;
}

function addTo(a: number | undefined, b: number | undefined): number | undefined {
  return b === undefined ? a : (a ?? 0) + b;
}

function suffix(name: string, op: string): string | undefined {
  return name.startsWith(`${op} `) ? name.slice(op.length + 1).trim() || undefined : undefined;
}

function isImprecise(v: unknown): boolean {
  return typeof v === 'number' && v > Number.MAX_SAFE_INTEGER;
}

function durationSeconds(s: SpanLite): number {
  // Negative spans are passed through so that validation reports them with the span's location.
  const ns = Number(s.endNs - s.startNs);
  // Nanosecond times written as JSON numbers lose their last digits (a double near 1.7e18 is exact only to
  // 256 ns), so their difference is rounded to whole microseconds rather than reporting the noise.
  return s.imprecise ? Math.round(ns / 1000) / 1e6 : ns / 1e9;
}

function ms(ns: bigint): number {
  return Number((ns + 500_000n) / 1_000_000n);
}

function stringList(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return undefined;
}

interface MemberDraft {
  span: SpanLite;
  memberId: string;
  toolCalls: number;
  /** Made on the first tool call. */
  tools: Set<string> | undefined;
  // Drafts are filled from attributes that may be absent: undefined is a value here, not a missing key.
  input: number | undefined;
  output: number | undefined;
  childInput?: number | undefined;
  childOutput?: number | undefined;
}

/** `error.type` values that mean the run hit its time limit (OpenTelemetry's own and common exception names). */
const TIMEOUT_ERROR = /^(timeout|timed[_ ]?out|deadline[_ ]?exceeded)$|timeout(error|exception)?$/i;

/** Which limit ended a run: `autotune.limit_hit`, else an `error.type` that names a timeout. */
function limitHitOf(w: SpanLite): unknown {
  const explicit = raw(w.attrs, 'autotune.limit_hit');
  if (explicit !== undefined) return explicit;
  const type = str(w.attrs, 'error.type');
  return type !== undefined && TIMEOUT_ERROR.test(type) ? 'timeout' : undefined;
}

/** A span's cost: `autotune.cost_usd`, else `gen_ai.usage.cost` (which several instrumentations set). */
function costOf(s: SpanLite): number | undefined {
  const v = raw(s.attrs, 'autotune.cost_usd') ?? raw(s.attrs, 'gen_ai.usage.cost');
  return typeof v === 'number' ? v : undefined;
}

function buildRun(w: SpanLite, run: RunSpans, teamDefaults: Readonly<Record<string, OtlpTeamDefaults>>, checks: RecordChecks | undefined, summaryOnly = false): ExecutionRecord {
  const members = new Map<string, MemberDraft>();
  const memberIdBySpan = new Map<string, string>();
  let toolCalls = 0;
  let directInput: number | undefined;
  let directOutput: number | undefined;
  let provider = str(w.attrs, 'gen_ai.provider.name', 'gen_ai.system');
  const spans = run.spans;

  for (let k = 0; k < spans.length; k++) {
    const s = spans[k]!; // k < spans.length
    provider ??= str(s.attrs, 'gen_ai.provider.name', 'gen_ai.system');
    if (s.kind === 'agent') {
      const id =
        str(s.attrs, 'autotune.member_id', 'gen_ai.agent.name', 'gen_ai.agent.id') ?? suffix(s.name, 'invoke_agent') ?? s.spanId;
      members.set(s.spanId, { span: s, memberId: id, toolCalls: 0, tools: undefined, input: inputTokens(s.attrs), output: outputTokens(s.attrs) });
      memberIdBySpan.set(s.spanId, id);
    }
  }
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k]!; // k < spans.length
    if (s.kind === 'agent') continue;
    // The agent above a span of this run belongs to the run too: it was made a member just above.
    const agent = run.agents[k];
    const m = agent === undefined ? undefined : members.get(agent.spanId);
    if (s.kind === 'tool') {
      toolCalls++;
      if (m !== undefined) {
        m.toolCalls++;
        const tool = str(s.attrs, 'gen_ai.tool.name') ?? suffix(s.name, 'execute_tool');
        if (tool !== undefined) (m.tools ??= new Set()).add(tool);
      }
    }
    const input = inputTokens(s.attrs);
    const output = outputTokens(s.attrs);
    if (m !== undefined) {
      m.childInput = addTo(m.childInput, input);
      m.childOutput = addTo(m.childOutput, output);
    } else {
      directInput = addTo(directInput, input);
      directOutput = addTo(directOutput, output);
    }
  }

  const memberRecords: Record<string, unknown>[] = [];
  const memberSpans: SpanLite[] = [];
  let sumInput = directInput;
  let sumOutput = directOutput;
  let sumCost: number | undefined;
  for (const m of [...members.values()].sort((a, b) => (a.span.startNs < b.span.startNs ? -1 : a.span.startNs > b.span.startNs ? 1 : 0))) {
    const s = m.span;
    // An agent span's own usage already covers its model calls; only without it are the children summed.
    const input = m.input ?? m.childInput;
    const output = m.output ?? m.childOutput;
    sumInput = addTo(sumInput, input);
    sumOutput = addTo(sumOutput, output);
    const cost = costOf(s);
    sumCost = addTo(sumCost, cost);
    const waited =
      stringList(raw(s.attrs, 'autotune.member.waited_for')) ??
      (s.links.some((id) => memberIdBySpan.has(id)) ? s.links.filter((id) => memberIdBySpan.has(id)).map((id) => memberIdBySpan.get(id)!) : undefined);
    memberSpans.push(s);
    memberRecords.push({
      memberId: m.memberId,
      role: str(s.attrs, 'autotune.member.role'),
      success: !s.error,
      durationSeconds: durationSeconds(s),
      startTimeMs: ms(s.startNs),
      endTimeMs: ms(s.endNs),
      toolCalls: m.toolCalls,
      toolsUsed: m.tools === undefined ? [] : [...m.tools].sort(),
      inputTokens: input,
      outputTokens: output,
      costUsd: cost,
      error: s.error ? (s.statusMessage ?? str(s.attrs, 'error.type')) : undefined,
      waitedFor: waited,
    });
  }

  const labels: Record<string, string> = {};
  let labelCount = 0;
  for (let i = 0; i < w.attrs.length; i += 2) {
    const k = w.attrs[i] as string;
    if (!k.startsWith('autotune.label.')) continue;
    const v = w.attrs[i + 1];
    if (v === undefined) continue;
    labels[k.slice('autotune.label.'.length)] = String(v);
    labelCount++;
  }
  if (provider !== undefined) {
    labels['gen_ai.provider.name'] = provider;
    labelCount++;
  }
  const teamId =
    str(w.attrs, 'autotune.team_id', 'gen_ai.workflow.name') ?? suffix(w.name, 'invoke_workflow') ?? str(w.resource, 'gen_ai.workflow.name', 'service.name');
  if (teamId === undefined) {
    fail(w.location, `${spanWhere(w)}.attributes`, `${runLabel(w)} has no team id: set the "autotune.team_id" attribute (or "gen_ai.workflow.name", or name the span "invoke_workflow <team id>", or set the resource's "service.name")`);
  }
  const defaults = Object.prototype.hasOwnProperty.call(teamDefaults, teamId) ? teamDefaults[teamId] : undefined;
  const candidate = {
    teamId,
    executionId: str(w.attrs, 'autotune.execution_id') ?? `${w.traceId}-${w.spanId}`,
    startTimeMs: ms(w.startNs),
    endTimeMs: ms(w.endNs),
    durationSeconds: durationSeconds(w),
    success: !w.error,
    error: w.error ? (w.statusMessage ?? str(w.attrs, 'error.type')) : undefined,
    formation: raw(w.attrs, 'autotune.formation') ?? defaults?.formation,
    memberCount: raw(w.attrs, 'autotune.member_count') ?? defaults?.memberCount ?? new Set(memberRecords.map((m) => m.memberId)).size,
    toolBudget: raw(w.attrs, 'autotune.tool_budget') ?? defaults?.toolBudget,
    timeoutSeconds: raw(w.attrs, 'autotune.timeout_seconds') ?? defaults?.timeoutSeconds,
    toolCalls: raw(w.attrs, 'autotune.tool_calls') ?? toolCalls,
    inputTokens: inputTokens(w.attrs) ?? sumInput,
    outputTokens: outputTokens(w.attrs) ?? sumOutput,
    costUsd: costOf(w) ?? sumCost,
    limitHit: limitHitOf(w),
    configFingerprint: raw(w.attrs, 'autotune.config_fingerprint'),
    labels: labelCount > 0 ? labels : undefined,
    members: memberRecords,
  };
  try {
    if (summaryOnly && isCompleteAutotuneRecord(candidate, checks)) return candidate;
    return validateRecord(candidate, w.location, checks);
  } catch (e) {
    if (!(e instanceof MetricsError)) throw e;
    // Re-word the field as the span it came from, so the user can find it in the trace.
    const inner = e.location.field ?? '';
    const m = /^members\[(\d+)\]\.(.*)$/.exec(inner);
    // validateRecord names members[i] of the record built from memberSpans, one member per span, in order.
    const span = m ? memberSpans[Number(m[1])]! : w;
    const bare = e.message.slice(formatLocation(e.location).length + 2);
    throw new MetricsError('METRICS_VALIDATION', `OTLP ${span.kind === 'agent' ? `invoke_agent span ${span.spanId}` : runLabel(span)}: ${bare}`, { location: { ...w.location, field: `${spanWhere(span)} (${m ? m[2] : inner})` }, cause: e });
  }
}

function runLabel(w: SpanLite): string {
  return w.fallback === true ? `run span ${w.spanId} ("${w.name}", taken as the run: its trace has no invoke_workflow span)` : `invoke_workflow span ${w.spanId}`;
}

/** Drop a built run's spans (the run span and `run`, the spans whose nearest run span it is) and remember their ids. */
function forgetRun(w: SpanLite, run: RunSpans, trace: TraceState): void {
  const built = (trace.built ??= new Set());
  trace.spans.delete(w.spanId);
  built.add(w.spanId);
  for (const s of run.spans) {
    trace.spans.delete(s.spanId);
    built.add(s.spanId);
  }
}
