import { readSync } from 'node:fs';
import { normaliseOtlpId } from '../otlp';

/** What a byte search finds in one OTLP document that may be skipped unread (see `OTLP_SKIP_DOCUMENT`). */
export interface OtlpSkipScan {
  /** The trace ids written in it, deduplicated, as the assembler normalises them. */
  traceIds: string[];
  /** How many `traceId` keys it holds: at least its spans. */
  spans: number;
  /** Its latest span end (-1 for none), as the assembler reads a time. */
  maxEndNs: bigint;
}

const TRACE_ID = Buffer.from('"traceId"');
const END_TIME = Buffer.from('"endTimeUnixNano"');

// Byte loops rather than Buffer#compare: for a few dozen bytes the call into C++ costs more than the loop.
function sameBytes(b: Buffer, i: number, j: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (b[i + k] !== b[j + k]) return false;
  return true;
}

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** Index of the value after a key ending at `i` (past the `:` and any whitespace); -1 if there is none. */
function valueStart(b: Buffer, i: number): number {
  while (isSpace(b[i])) i++;
  if (b[i] !== 58 /* : */) return -1;
  i++;
  while (isSpace(b[i])) i++;
  return i < b.length ? i : -1;
}

/** The JSON string whose opening quote is at `i`, decoded; undefined if it is not one. */
function stringAt(b: Buffer, i: number): string | undefined {
  let j = i + 1;
  let escaped = false;
  while (j < b.length && b[j] !== 34) {
    if (b[j] === 92 /* \ */) {
      escaped = true;
      j++;
    }
    j++;
  }
  if (j >= b.length) return undefined;
  // A plain string is taken as is (a fresh string: no slice of a larger one is kept alive by it).
  if (!escaped) return b.toString('utf8', i + 1, j);
  try {
    return JSON.parse(b.toString('utf8', i, j + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * The latest of span ends found by byte search, as the assembler reads a time. An end written as exporters write it
 * (a string of digits) is compared as bytes, without a BigInt of its own: without leading zeros, a longer one is
 * later, and one as long compares byte by byte; the digits of the latest are copied (the caller may reuse its
 * buffer). Any other form is offered as the time it reads as (`offer`).
 */
export class LatestSpanEnd {
  private readonly digits = Buffer.alloc(32);
  private length = 0;
  private other = -1n;

  /** Forget every end offered (to use one instance for many searches). */
  reset(): void {
    this.length = 0;
    this.other = -1n;
  }

  /** The end written as the plain digits b[from, to) (at least one). */
  offerDigits(b: Buffer, from: number, to: number): void {
    while (from < to - 1 && b[from] === 48) from++;
    const length = to - from;
    if (length > this.digits.length) return this.offer(BigInt(b.toString('latin1', from, to)));
    if (length < this.length) return;
    if (length === this.length) {
      // Byte loops rather than Buffer#compare: for a few dozen bytes the call into C++ costs more than the loop.
      let k = 0;
      while (k < length && b[from + k] === this.digits[k]) k++;
      if (k === length || b[from + k]! < this.digits[k]!) return;
    }
    b.copy(this.digits, 0, from, to);
    this.length = length;
  }

  offer(ns: bigint): void {
    if (ns > this.other) this.other = ns;
  }

  /** The latest end offered, or -1n for none. */
  value(): bigint {
    const digits = this.length > 0 ? BigInt(this.digits.toString('latin1', 0, this.length)) : -1n;
    return digits > this.other ? digits : this.other;
  }
}

/** The latest end of `scanOtlpDocument`, reused: a document is scanned for each line skipped. */
const documentEnd = new LatestSpanEnd();

/**
 * Trace ids and the latest span end of one OTLP document (a line's bytes), by byte search, without parsing
 * it. It finds more than the spans' own (a link's trace id, a key inside a string value): harmless, a trace
 * wrongly taken for the document's only makes the skipping more careful. A time the assembler would reject
 * is left out, as the assembler leaves out its span.
 */
export function scanOtlpDocument(b: Buffer): OtlpSkipScan {
  const ids: string[] = [];
  let spans = 0;
  let last = -1;
  let lastLength = 0;
  for (let at = b.indexOf(TRACE_ID); at >= 0; at = b.indexOf(TRACE_ID, at + TRACE_ID.length)) {
    spans++;
    const v = valueStart(b, at + TRACE_ID.length);
    if (v < 0 || b[v] !== 34) continue;
    const close = b.indexOf(34, v + 1);
    if (close < 0) continue;
    // Spans of a document come grouped by trace: the same bytes as the last id are recognised in place.
    if (close - v - 1 === lastLength && last >= 0 && sameBytes(b, last, v + 1, lastLength)) continue;
    last = v + 1;
    lastLength = close - v - 1;
    const raw = stringAt(b, v);
    const id = raw === undefined ? undefined : normaliseOtlpId(raw, 16);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  const latest = documentEnd;
  latest.reset();
  for (let at = b.indexOf(END_TIME); at >= 0; at = b.indexOf(END_TIME, at + END_TIME.length)) {
    const v = valueStart(b, at + END_TIME.length);
    if (v < 0) continue;
    if (b[v] === 34) {
      let end = v + 1;
      while (isDigit(b[end])) end++;
      if (end > v + 1 && b[end] === 34) {
        latest.offerDigits(b, v + 1, end);
        continue;
      }
      // Not plain digits (escapes, say): decoded and checked the slow way.
      const s = stringAt(b, v);
      if (s !== undefined && /^\d+$/.test(s)) latest.offer(BigInt(s));
    } else {
      let j = v;
      for (let c = b[j]; isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45; c = b[++j]);
      const x = Number(b.toString('latin1', v, j));
      if (j > v && Number.isFinite(x) && x >= 0) latest.offer(BigInt(Math.round(x)));
    }
  }
  return { traceIds: ids, spans, maxEndNs: latest.value() };
}

/**
 * The bytes a document holding a team's run must contain: the team id as it appears inside a JSON string
 * (an attribute value, or within a span name such as `invoke_workflow <team>`), as is and ASCII-escaped as
 * Python's json writes it.
 */
export function otlpTeamNeedles(teamId: string): Buffer[] {
  const plain = JSON.stringify(teamId).slice(1, -1);
  const ascii = plain.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return (ascii === plain ? [plain] : [plain, ascii]).map((n) => Buffer.from(n));
}

/** What the assembler needs of a span skipped unread (see `scanOtlpSpan`). */
export interface SkippedSpan {
  traceId: string;
  endNs: bigint;
}

/** The span keys a skipped span is checked for, without their quotes: trace id, span id, start, end. */
const SPAN_KEYS = ['traceId', 'spanId', 'startTimeUnixNano', 'endTimeUnixNano'].map((k) => Buffer.from(k));

/** True when b[i, i + key.length) is `key`. */
function isKey(b: Buffer, i: number, key: Buffer): boolean {
  for (let k = 0; k < key.length; k++) if (b[i + k] !== key[k]) return false;
  return true;
}

/** A time in Unix nanoseconds as `nanos` in otlp.ts reads it (a string of digits or a number), or undefined. */
function timeAt(b: Buffer, v: number): bigint | undefined {
  if (b[v] === 34) {
    let end = v + 1;
    while (isDigit(b[end])) end++;
    return end > v + 1 && b[end] === 34 ? BigInt(b.toString('latin1', v + 1, end)) : undefined;
  }
  let j = v;
  for (let c = b[j]; isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45; c = b[++j]);
  const x = Number(b.toString('latin1', v, j));
  return j > v && Number.isFinite(x) && x >= 0 ? BigInt(Math.round(x)) : undefined;
}

/**
 * A span of an OTLP document (its bytes) that may be skipped unread: its trace id and end, when its bytes show
 * that the assembler would take it (an object with a trace id, span id, start and end, each once and valid, as
 * `readSpan` wants them) and hold no escapes (behind which a team id could hide). Undefined otherwise: it is then
 * parsed. One pass in JS over the bytes (a call into C++ per key cost several times more); which spans are
 * another team's is the caller's to know.
 */
export function scanOtlpSpan(b: Buffer): SkippedSpan | undefined {
  const keys = new Int32Array(4);
  return walkSpan(b, 0, keys, { newline: false }) === b.length ? skippedSpanAt(b, keys) : undefined;
}

/** 1 for the bytes that neither end a string nor escape within it. */
const STRING_PLAIN = new Uint8Array(256).fill(1);
STRING_PLAIN[34] = 0;
STRING_PLAIN[92] = 0;

/**
 * Walk the span object that starts at `b[from]` to its end: where its own trace id, span id, start and end keys end
 * goes into `keys` (see `noteSpanKey`; all -1 when one comes twice, as JSON.parse would keep the last), and whether
 * a newline lies between its values into `seen.newline`. Returns the index after its closing brace, or -1 when it
 * is not an object, `b` ends first, or a string holds an escape (behind which a team id could hide).
 */
export function walkSpan(b: Buffer, from: number, keys: Int32Array, seen: { newline: boolean }): number {
  const n = b.length;
  keys.fill(-1);
  if (b[from] !== 123 /* { */) return -1;
  let depth = 0;
  let keyNext = false;
  let usable = true;
  for (let i = from; i < n; i++) {
    const c = b[i]!;
    if (c === 34) {
      // One table load per byte of a string (most of a span's bytes): a quote or a backslash ends the loop.
      let j = i + 1;
      while (j < n && STRING_PLAIN[b[j]!] === 1) j++;
      if (j >= n || b[j] === 92) return -1;
      if (keyNext && depth === 1) {
        keyNext = false;
        if (!noteSpanKey(b, i, j, keys)) usable = false;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      if (++depth === 1) keyNext = true;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) {
        if (!usable) keys.fill(-1);
        return i + 1;
      }
    } else if (c === 44 /* , */) {
      if (depth === 1) keyNext = true;
    } else if (c === 10) seen.newline = true;
  }
  return -1;
}

/**
 * For a key of a span object (quotes at `open` and `close` of `b`): when it is one of the span keys skipping
 * needs (`SPAN_KEYS`), note in `keys` where it ends. False for one seen before (JSON.parse would keep the last).
 */
function noteSpanKey(b: Buffer, open: number, close: number, keys: Int32Array): boolean {
  const length = close - open - 1;
  for (let k = 0; k < 4; k++) {
    const key = SPAN_KEYS[k]!;
    if (key.length !== length || !isKey(b, open + 1, key)) continue;
    if (keys[k] !== -1) return false;
    keys[k] = close + 1;
  }
  return true;
}

/**
 * The skipped span of span bytes `b` (an object without escapes) whose trace id, span id, start and end keys end
 * at `keys` (-1: absent), when their values are as `readSpan` takes them; else undefined.
 */
export function skippedSpanAt(b: Buffer, keys: Int32Array): SkippedSpan | undefined {
  if (keys[0]! < 0 || keys[1]! < 0 || keys[2]! < 0 || keys[3]! < 0) return undefined;
  const t = valueStart(b, keys[0]!);
  const s = valueStart(b, keys[1]!);
  const start = valueStart(b, keys[2]!);
  const end = valueStart(b, keys[3]!);
  if (t < 0 || s < 0 || start < 0 || end < 0 || b[t] !== 34 || b[s] !== 34) return undefined;
  // Ids as exporters write them (lower-case hex, not all zeros) and times as strings of digits are checked on the
  // bytes, with no string made but the trace id; anything else goes the way `readSpan` reads it.
  const traceId = isLowerHexIdAt(b, t + 1, 32) ? b.toString('latin1', t + 1, t + 33) : normaliseOtlpId(stringAt(b, t), 16);
  if (traceId === undefined) return undefined;
  if (!isLowerHexIdAt(b, s + 1, 16) && normaliseOtlpId(stringAt(b, s), 8) === undefined) return undefined;
  if (!isDigitStringAt(b, start) && timeAt(b, start) === undefined) return undefined;
  const endNs = timeAt(b, end);
  return endNs === undefined ? undefined : { traceId, endNs };
}

/** True when b[from, from + length) is lower-case hex, not all zeros, and a quote follows: an id kept as it is. */
function isLowerHexIdAt(b: Buffer, from: number, length: number): boolean {
  if (b[from + length] !== 34) return false;
  let nonZero = false;
  for (let i = from; i < from + length; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) nonZero = true;
    else return false;
  }
  return nonZero;
}

/** True when a string of one or more digits starts at b[v] (its opening quote). */
function isDigitStringAt(b: Buffer, v: number): boolean {
  if (b[v] !== 34) return false;
  let end = v + 1;
  while (isDigit(b[end])) end++;
  return end > v + 1 && b[end] === 34;
}

/** The last trace id (a `"traceId"` key with a string value) written in b[from, to]: searched backwards from `to`. */
function traceIdBefore(b: Buffer, to: number, from: number): string | undefined {
  for (let k = b.lastIndexOf(TRACE_ID, to); k >= from; k = k > 0 ? b.lastIndexOf(TRACE_ID, k - 1) : -1) {
    const v = valueStart(b, k + TRACE_ID.length);
    if (v >= 0 && b[v] === 34) return normaliseOtlpId(stringAt(b, v), 16);
  }
  return undefined;
}

/**
 * The traces of an OTLP document that a team's needles (`otlpTeamNeedles`) point to, and the places of the needles
 * (byte offsets, in order). For each place a needle
 * appears, the trace id written last before it (exporters write a span's trace id first). A guess that
 * saves work: a span naming the team is read whatever this says, and a trace with spans both read and
 * skipped makes the assembler give up skipping (`OtlpSkipConflict`).
 */
export function tracesNamingTeam(fd: number, needles: readonly Buffer[]): { traces: Set<string>; hits: number[] } {
  const traces = new Set<string>();
  /** Every place a needle appears, in file order: the scanner checks spans against them. */
  const all: number[] = [];
  const BLOCK = 1 << 20;
  // A needle or a trace id (with its key) cut by a block's end is found whole in the next block.
  const OVERLAP = 4096;
  const buf = Buffer.allocUnsafe(BLOCK);
  let last: string | undefined;
  for (let pos = 0; ; ) {
    const n = readSync(fd, buf, 0, BLOCK, pos);
    if (n === 0) break;
    const final = n < BLOCK;
    // Places at or after `limit` are left to the next block (which starts there).
    const limit = final ? n : n - OVERLAP;
    const b = buf.subarray(0, n);
    const hits: number[] = [];
    for (const needle of needles) for (let at = b.indexOf(needle); at >= 0 && at < limit; at = b.indexOf(needle, at + 1)) hits.push(at);
    hits.sort((x, y) => x - y);
    for (const at of hits) all.push(pos + at);
    let from = 0;
    for (const at of hits) {
      // The trace id written last before this place (or the last one of earlier blocks).
      last = traceIdBefore(b, at, from) ?? last;
      from = at;
      if (last !== undefined) traces.add(last);
    }
    // The trace id written last in this block's share, for the next block's first places.
    last = traceIdBefore(b, limit - 1, from) ?? last;
    if (final) break;
    pos += limit;
  }
  return { traces, hits: all };
}
