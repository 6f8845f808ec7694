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

/** True when b[i, i + length) is greater than b[j, j + length), byte by byte. */
function greaterBytes(b: Buffer, i: number, j: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    const d = b[i + k]! - b[j + k]!;
    if (d !== 0) return d > 0;
  }
  return false;
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

/** The later of two times written as digits (`best` without leading zeros, or empty). */
function later(best: string, digits: string): string {
  let k = 0;
  while (k < digits.length - 1 && digits.charCodeAt(k) === 48) k++;
  const d = k > 0 ? digits.slice(k) : digits;
  return d.length > best.length || (d.length === best.length && d > best) ? d : best;
}

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
  // The latest end as digits without leading zeros: longer is later, and equal lengths compare as bytes. The
  // best so far is kept as a place in the line (or as text, for the rare time that needed decoding).
  let bestAt = -1;
  let bestLength = 0;
  let bestText = '';
  for (let at = b.indexOf(END_TIME); at >= 0; at = b.indexOf(END_TIME, at + END_TIME.length)) {
    const v = valueStart(b, at + END_TIME.length);
    if (v < 0) continue;
    let digits: string | undefined;
    if (b[v] === 34) {
      let i = v + 1;
      let end = i;
      while (isDigit(b[end])) end++;
      if (end > i && b[end] === 34) {
        while (i < end - 1 && b[i] === 48) i++;
        const len = end - i;
        if (len > bestLength || (len === bestLength && (bestAt < 0 ? b.toString('latin1', i, end) > bestText : greaterBytes(b, i, bestAt, len)))) {
          bestAt = i;
          bestLength = len;
        }
        continue;
      }
      // Not plain digits (escapes, say): decoded and checked the slow way.
      const s = stringAt(b, v);
      if (s !== undefined && /^\d+$/.test(s)) digits = s;
    } else {
      let j = v;
      for (let c = b[j]; isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45; c = b[++j]);
      const x = Number(b.toString('latin1', v, j));
      if (j > v && Number.isFinite(x) && x >= 0) digits = BigInt(Math.round(x)).toString();
    }
    if (digits === undefined) continue;
    const current = bestAt >= 0 ? b.toString('latin1', bestAt, bestAt + bestLength) : bestText;
    const next = later(current, digits);
    if (next !== current) {
      bestAt = -1;
      bestText = next;
      bestLength = next.length;
    }
  }
  const best = bestAt >= 0 ? b.toString('latin1', bestAt, bestAt + bestLength) : bestText;
  return { traceIds: ids, spans, maxEndNs: best === '' ? -1n : BigInt(best) };
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
