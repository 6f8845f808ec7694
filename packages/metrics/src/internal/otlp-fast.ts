import type { ErrorLocation } from '@autotune/errors';
import { NO_LINKS, attrPut, newSpan, normaliseOtlpId } from '../otlp';
import type { AttrList, AttrValue, SpanLite } from '../otlp';

/*
 * A fast reader of OTLP/JSON text: it scans the characters of a document (one line of OTLP JSON Lines) or of
 * one span (of a streamed document) and builds the assembler's spans directly, ids, times, status and
 * attributes straight into their lists (`AttrList`), with no parsed object tree in between. `JSON.parse` +
 * `readSpan` allocate about five objects per attribute and per span and then copy them into lists; most of the
 * time of a load went there and to the garbage it left.
 *
 * It is a fast path only, and exact: what it returns is what `JSON.parse` + `addDocument` (or `readSpan`)
 * would build, field for field, or nothing. It gives up (returns undefined, having changed nothing) on
 * anything it is not sure to read the same way: invalid JSON anywhere (every value it does not use is still
 * checked against the JSON grammar), a backslash in a key, a shape `readSpan` would reject or that needs an
 * object kept whole (an int given as `true`, say), a resource after its spans, a duplicate `resourceSpans`,
 * `scopeSpans` or `spans`, deep nesting. The caller then reads the text the general way, so errors, messages
 * and lenient skips stay what they were. Duplicate keys elsewhere resolve as `JSON.parse` resolves them (the
 * last one wins), and a duplicate attribute key keeps its first place in the list with the last value, as
 * `attrPut` in `readAttributes` does. Strings with escapes are decoded by `JSON.parse` of the string alone.
 */

/** Thrown inside the reader when it gives up; caught at its entry points, never seen outside. */
const BAIL = new Error('the fast OTLP reader gave up');

/** Containers nested deeper than this inside a value are left to `JSON.parse` (no deep recursion here). */
const MAX_DEPTH = 64;

/** Counters for tests: documents and spans read fast, and the times the reader gave up. */
export const fastReadStats = { documents: 0, spans: 0, bails: 0 };

// The reader's state: the text, the position, and where the text to read ends (a line inside a larger chunk).
let t = '';
let i = 0;
let end = 0;
let depth = 0;
/**
 * The first backslash or control character at or after the last place it was looked for (`end` if none
 * before it): a string that closes before it has no escape and is valid, so `substring` is its value. String
 * contents are thus never walked here character by character.
 */
let special = 0;
/** The 32 control characters and the backslash, each searched for on its own (see `findSpecial`). */
const SPECIALS = Array.from({ length: 33 }, (_, k) => (k < 32 ? String.fromCharCode(k) : '\\'));
/** Where each of `SPECIALS` next occurs in `specialText` at or after `specialFrom` (Infinity: nowhere). */
const specialAt = new Float64Array(33);
let specialText = '';
let specialFrom = 0;
/** The last trace id read, as a copy of its own (see `readTraceId`), and the last parent span id. */
let lastTraceId = '';
let lastParentId = '';

/** The current key (keys with escapes bail). */
let currentKey = '';

function bail(): never {
  throw BAIL;
}

/** The character at the next non-whitespace position (which becomes `i`); bails at the end of the text. */
function next(): number {
  for (;;) {
    if (i >= end) bail();
    const c = t.charCodeAt(i);
    if (c > 32) return c;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) bail();
    i++;
  }
}

/** True when only whitespace is left before `end`. */
function atEnd(): boolean {
  while (i < end) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
    i++;
  }
  return true;
}

/** Past the "," or the closing `close` after a member or element: true at the close. */
function endOf(close: number): boolean {
  const c = next();
  i++;
  if (c === 44 /* , */) return false;
  if (c === close) return true;
  bail();
}

/**
 * Find the next special character at or after `from` (see `special`). One `indexOf` per character measured
 * three times cheaper than a regular expression with a character class (which walks every character); the
 * places found are kept for the text, so that the documents of one chunk search it once, not once each.
 */
function findSpecial(from: number): void {
  if (t !== specialText || from < specialFrom) {
    specialText = t;
    for (let k = 0; k < 33; k++) specialAt[k] = searchSpecial(k, from);
  } else {
    for (let k = 0; k < 33; k++) if (specialAt[k]! < from) specialAt[k] = searchSpecial(k, from);
  }
  specialFrom = from;
  let m = end;
  for (let k = 0; k < 33; k++) if (specialAt[k]! < m) m = specialAt[k]!;
  // An index (below `end`), made an integer again: read from a Float64Array it is a double, and V8 would store
  // `special` as one and recompile every reader function that had taken it for a small integer.
  special = m | 0;
}

function searchSpecial(k: number, from: number): number {
  const at = t.indexOf(SPECIALS[k]!, from);
  return at < 0 ? Number.POSITIVE_INFINITY : at;
}

/**
 * The closing quote of a string whose characters start at `a`, when none of them is a backslash or a control
 * character; else -1.
 */
function cleanQuote(a: number): number {
  const q = t.indexOf('"', a);
  if (q < 0) return -1;
  if (q < special) return q;
  // `special` may lie behind: whitespace between tokens (a pretty-printed span), or a string read slowly.
  if (special < a) {
    findSpecial(a);
    if (q < special) return q;
  }
  return -1;
}

/** Read the key at `i` (a `"` must be there) and the ":" after it; keys with escapes bail. */
function readKey(): void {
  if (next() !== 34) bail();
  const a = i + 1;
  const q = cleanQuote(a);
  if (q < 0) bail();
  currentKey = t.substring(a, q);
  i = q + 1;
  if (i < end && t.charCodeAt(i) === 58) i++;
  else {
    if (next() !== 58 /* : */) bail();
    i++;
  }
}

/** True when the current key is `name`. */
function key(name: string): boolean {
  return currentKey === name;
}

/**
 * True when t[at, at + lit.length) is `lit`. A short substring and a comparison measured cheaper than
 * `startsWith` at a position or a loop over the characters.
 */
function at(pos: number, lit: string): boolean {
  return t.substring(pos, pos + lit.length) === lit;
}

/** Open an object at `i`: true when it is empty (and consumed). */
function openObject(): boolean {
  i++;
  if (next() === 125 /* } */) {
    i++;
    return true;
  }
  return false;
}

/** Open an array at `i`: true when it is empty (and consumed). */
function openArray(): boolean {
  i++;
  if (next() === 93 /* ] */) {
    i++;
    return true;
  }
  return false;
}

/** The string at `i` (a `"` must be there), decoded. */
function readString(): string {
  const a = i + 1;
  const q = cleanQuote(a);
  if (q >= 0) {
    i = q + 1;
    return t.substring(a, q);
  }
  return readEscapedString(i);
}

/**
 * A string value that may outlive the text (an attribute value, a span name, a status message: they become
 * team and member ids, roles, formations the aggregator keeps). A substring of 13 characters or more is a
 * slice that keeps the whole text alive (a read chunk, or a 1 MiB block of a streamed document), so those
 * are copied, through a table that hands out one copy per value (values repeat: names, roles, teams). Shorter
 * ones (V8 copies them anyway) go through the table too: a span held until its batch ends then shares them.
 */
function readKeptString(): string {
  const a = i + 1;
  const q = cleanQuote(a);
  if (q >= 0) {
    i = q + 1;
    return keptString(a, q);
  }
  return readEscapedString(i);
}

const VALUE_TABLE_SIZE = 4096;
const valueTable: string[] = new Array<string>(VALUE_TABLE_SIZE).fill('');

/** t[a, q) (plain characters) as a string of its own: a copy when V8 would slice it. */
function keptString(a: number, q: number): string {
  const n = q - a;
  const s = t.substring(a, q);
  const slot = (keySlot(t, a, n) >> 1) & (VALUE_TABLE_SIZE - 1);
  const known = valueTable[slot]!;
  if (known === s) return known;
  return (valueTable[slot] = n < 13 ? s : flatCopy(s)); // V8 copies strings under 13 characters
}

/** A copy of `s` that shares no memory with the string `s` was cut from. */
export function flatCopy(s: string): string {
  return (' ' + s).slice(1);
}

/** A string with escapes (or invalid): checked, then decoded by `JSON.parse` of the string alone. */
function readEscapedString(quote: number): string {
  i = quote;
  skipString();
  try {
    return JSON.parse(t.substring(quote, i)) as string;
  } catch {
    bail();
  }
}

/** Past the string at `i`, checking it against the JSON grammar. */
function skipString(): void {
  const q = cleanQuote(i + 1);
  if (q >= 0) {
    i = q + 1;
    return;
  }
  let j = i + 1;
  for (;;) {
    if (j >= end) bail();
    const c = t.charCodeAt(j);
    if (c === 34) break;
    if (c < 32) bail();
    if (c === 92) {
      if (j + 1 >= end) bail();
      const d = t.charCodeAt(j + 1);
      if (d === 117 /* u */) {
        if (j + 5 >= end) bail();
        for (let k = j + 2; k < j + 6; k++) if (!isHex(t.charCodeAt(k))) bail();
        j += 6;
        continue;
      }
      if (d === 34 || d === 92 || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) {
        j += 2;
        continue;
      }
      bail();
    }
    j++;
  }
  i = j + 1;
  if (special < i) findSpecial(i);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The end of the JSON number at `i` (bails if there is none). */
function numberEnd(): number {
  let j = i;
  if (t.charCodeAt(j) === 45 /* - */) j++;
  if (j >= end) bail();
  let c = t.charCodeAt(j);
  if (c === 48 /* 0 */) j++;
  else if (c >= 49 && c <= 57) {
    j++;
    while (j < end && isDigit(t.charCodeAt(j))) j++;
  } else bail();
  c = j < end ? t.charCodeAt(j) : 0;
  if (c === 46 /* . */) {
    j++;
    if (j >= end || !isDigit(t.charCodeAt(j))) bail();
    while (j < end && isDigit(t.charCodeAt(j))) j++;
    c = j < end ? t.charCodeAt(j) : 0;
  }
  if (c === 101 || c === 69 /* e E */) {
    j++;
    if (j < end && (t.charCodeAt(j) === 43 || t.charCodeAt(j) === 45)) j++;
    if (j >= end || !isDigit(t.charCodeAt(j))) bail();
    while (j < end && isDigit(t.charCodeAt(j))) j++;
  }
  return j;
}

/** The JSON number at `i`, as `JSON.parse` reads it (`Number` of the same text: correctly rounded alike). */
function readNumber(): number {
  const a = i;
  const b = numberEnd();
  i = b;
  return digitsValue(a, b) ?? decimalValue(a, b) ?? Number(t.substring(a, b));
}

/** 10^0 to 10^22: every one exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * t[a, b) as a number when it is a JSON number without an exponent and with at most 15 digits, else undefined.
 * Its digits m (below 2^53) and 10^k (k fraction digits) are both exact doubles, so the one rounding of m / 10^k
 * gives the double nearest the decimal: what `Number` of the text gives (the fast path of Clinger's algorithm).
 */
function decimalValue(a: number, b: number): number | undefined {
  const negative = t.charCodeAt(a) === 45;
  let m = 0;
  let digits = 0;
  let point = -1;
  for (let k = negative ? a + 1 : a; k < b; k++) {
    const d = t.charCodeAt(k) - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
    } else if (d === -2 /* . */ && point < 0) point = k;
    else return undefined;
  }
  if (digits > 15 || digits === 0) return undefined;
  const v = point < 0 ? m : m / POWERS_OF_TEN[b - point - 1]!;
  return negative ? -v : v;
}

/** t[a, b) as a number when it is 1 to 15 plain digits (exact in a double), else undefined. */
function digitsValue(a: number, b: number): number | undefined {
  if (b - a > 15 || b === a) return undefined;
  let v = 0;
  for (let k = a; k < b; k++) {
    const d = t.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return v;
}

/** Past the literal `word` at `i`. */
function skipWord(word: string): void {
  if (i + word.length > end) bail();
  for (let k = 0; k < word.length; k++) if (t.charCodeAt(i + k) !== word.charCodeAt(k)) bail();
  i += word.length;
}

/** Past any JSON value at the next position, checking it against the grammar. */
function skipValue(): void {
  const c = next();
  if (c === 34) skipString();
  else if (c === 123) {
    if (++depth > MAX_DEPTH) bail();
    if (!openObject()) {
      do {
        readKey();
        skipValue();
      } while (!endOf(125));
    }
    depth--;
  } else if (c === 91) {
    if (++depth > MAX_DEPTH) bail();
    if (!openArray()) {
      do skipValue();
      while (!endOf(93));
    }
    depth--;
  } else if (c === 116) skipWord('true');
  else if (c === 102) skipWord('false');
  else if (c === 110) skipWord('null');
  else if (c === 45 || isDigit(c)) i = numberEnd();
  else bail();
}

/** True (and past it) when `null` is at the next position. */
function readNull(): boolean {
  if (next() !== 110) return false;
  skipWord('null');
  return true;
}

/**
 * An attribute list as `readAttributes` reads it: anything but a list is no attributes; an element that is
 * not an object with a string `key` is left out; a key seen again keeps its place and takes the later value.
 */
function readAttributes(heads: AttributeHeads): AttrList {
  const out: AttrList = [];
  if (next() !== 91) {
    skipValue();
    return out;
  }
  if (openArray()) return out;
  let slot = 0;
  do {
    if (next() !== 123) {
      skipValue();
      continue;
    }
    if (readCompactAttribute(out, heads, slot++)) continue;
    let k: string | undefined;
    let v: AttrValue;
    if (!openObject()) {
      do {
        readKey();
        if (key('key')) {
          if (next() === 34) k = readString();
          else {
            skipValue();
            k = undefined;
          }
        } else if (key('value')) v = readAnyValue();
        else skipValue();
      } while (!endOf(125));
    }
    if (k !== undefined) attrPut(out, internString(k), v);
  } while (!endOf(93));
  return out;
}

/**
 * The text before the value of the attributes read compactly at each place of a list (`{"key":"K","value":{"stringValue":"`,
 * say), with the key and the kind of value: exporters write the same keys in the same order span after span, so one
 * comparison mostly reads the key and the kind together. A run's spans come in a few shapes (a workflow span, a
 * member's span, ...) that differ from their second attribute on, so each place keeps the last `HEAD_WAYS` heads
 * seen there. Spans and resources keep theirs apart.
 */
interface AttributeHeads {
  text: string[];
  key: string[];
  kind: number[];
  /**
   * Where the key's closing quote is in the head, and the key's last character: checked before the head's text
   * is compared, so a head of another key is mostly passed over without cutting a substring (-1: an empty way).
   */
  quoteAt: number[];
  lastChar: number[];
}
const MAX_HEADS = 32;
const HEAD_WAYS = 4;
const newHeads = (): AttributeHeads => {
  const n = MAX_HEADS * HEAD_WAYS;
  return {
    text: new Array<string>(n).fill('\u0000'),
    key: new Array<string>(n).fill(''),
    kind: new Array<number>(n).fill(0),
    quoteAt: new Array<number>(n).fill(0),
    lastChar: new Array<number>(n).fill(-1),
  };
};
const SPAN_HEADS = newHeads();
const RESOURCE_HEADS = newHeads();

/** The value kinds of a compact attribute, by the first letter after `{"` (see `compactValue`). */
const KIND_STRING = 115; /* s */
const KIND_INT = 105; /* i */
const KIND_DOUBLE = 100; /* d */
const KIND_BOOL = 98; /* b */
/** The text after the key of each kind, to the value. */
const KIND_TAIL: Record<number, string> = { [KIND_STRING]: 'stringValue":"', [KIND_INT]: 'intValue":', [KIND_DOUBLE]: 'doubleValue":', [KIND_BOOL]: 'boolValue":' };

/** The value read by `compactValue`. */
let compactV: AttrValue;

/**
 * The value of kind `kind` starting at `b` (a string's first character, else the value's) and the `}}` closing its
 * attribute: the index after them, with the value in `compactV`; -1 when it is not in the compact form.
 */
function compactValue(kind: number, b: number): number {
  let close: number;
  switch (kind) {
    case KIND_STRING: {
      const r = cleanQuote(b);
      if (r < 0) return -1;
      compactV = keptString(b, r);
      close = r + 1;
      break;
    }
    case KIND_INT: {
      if (t.charCodeAt(b) !== 34) {
        close = compactNumber(b);
        break;
      }
      // int64 as a string of plain digits (protobuf's JSON mapping): Number of it, as `anyValue` does.
      let r = b + 1;
      while (r < end && isDigit(t.charCodeAt(r))) r++;
      if (r === b + 1 || r >= end || t.charCodeAt(r) !== 34) return -1;
      compactV = digitsValue(b + 1, r) ?? Number(t.substring(b + 1, r));
      close = r + 1;
      break;
    }
    case KIND_DOUBLE:
      close = compactNumber(b);
      break;
    case KIND_BOOL:
      if (at(b, 'true')) {
        compactV = true;
        close = b + 4;
      } else if (at(b, 'false')) {
        compactV = false;
        close = b + 5;
      } else return -1;
      break;
    default:
      return -1;
  }
  if (close < 0 || close + 1 >= end || t.charCodeAt(close) !== 125 || t.charCodeAt(close + 1) !== 125) return -1;
  return close + 2;
}

/** The JSON number at `b` into `compactV`: the index after it, or -1 when none starts there. */
function compactNumber(b: number): number {
  const c = t.charCodeAt(b);
  if (!(c === 45 || isDigit(c))) return -1;
  const saved = i;
  i = b;
  compactV = readNumber();
  const close = i;
  i = saved;
  return close;
}

/**
 * An attribute written as exporters write it, `{"key":"K","value":{"stringValue":"V"}}` (or `intValue`,
 * `doubleValue`, `boolValue`) with nothing else, no whitespace and no escapes, is matched as a whole (a few
 * native string searches instead of a walk through its tokens) and set. False, having read nothing, for any
 * other form: the general reader then takes it. `slot` is the attribute's place in its list (see `AttributeHeads`).
 */
function readCompactAttribute(out: AttrList, heads: AttributeHeads, slot: number): boolean {
  const base = slot * HEAD_WAYS;
  if (slot < MAX_HEADS) {
    for (let w = base; w < base + HEAD_WAYS; w++) {
      const quote = i + heads.quoteAt[w]!;
      if (quote >= end || t.charCodeAt(quote) !== 34 || t.charCodeAt(quote - 1) !== heads.lastChar[w]) continue;
      const head = heads.text[w]!;
      if (!at(i, head)) continue;
      const after = compactValue(heads.kind[w]!, i + head.length);
      if (after < 0) return false;
      attrPut(out, heads.key[w]!, compactV);
      // The head found moves to the front: spans of one shape mostly follow each other (a run's member spans).
      if (w !== base) moveHead(heads, w, base);
      i = after;
      return true;
    }
  }
  if (!at(i, '{"key":"')) return false;
  const a = i + 8;
  const q = cleanQuote(a);
  if (q < 0 || !at(q, '","value":{"')) return false;
  const kind = t.charCodeAt(q + 12);
  const tail = KIND_TAIL[kind];
  if (tail === undefined || !at(q + 12, tail)) return false;
  const b = q + 12 + tail.length;
  const after = compactValue(kind, b);
  if (after < 0) return false;
  const k = attributeKey(a, q);
  attrPut(out, k, compactV);
  if (slot < MAX_HEADS) {
    // The newest head first; the oldest of the place is let go.
    for (let w = base + HEAD_WAYS - 1; w > base; w--) copyHead(heads, w - 1, w);
    setHead(heads, base, flatCopy(t.substring(i, b)), k, kind, q - i, t.charCodeAt(q - 1));
  }
  i = after;
  return true;
}

function setHead(heads: AttributeHeads, w: number, text: string, k: string, kind: number, quoteAt: number, lastChar: number): void {
  heads.text[w] = text;
  heads.key[w] = k;
  heads.kind[w] = kind;
  heads.quoteAt[w] = quoteAt;
  heads.lastChar[w] = lastChar;
}

function copyHead(heads: AttributeHeads, from: number, to: number): void {
  setHead(heads, to, heads.text[from]!, heads.key[from]!, heads.kind[from]!, heads.quoteAt[from]!, heads.lastChar[from]!);
}

/** Move the head at way `w` to the front way `base`, the ones before it one way back. */
function moveHead(heads: AttributeHeads, w: number, base: number): void {
  const text = heads.text[w]!;
  const k = heads.key[w]!;
  const kind = heads.kind[w]!;
  const quoteAt = heads.quoteAt[w]!;
  const lastChar = heads.lastChar[w]!;
  for (let v = w; v > base; v--) copyHead(heads, v - 1, v);
  setHead(heads, base, text, k, kind, quoteAt, lastChar);
}

/**
 * Attribute keys, interned: attribute lists are filled with a handful of keys again and again, and looked up by
 * constant keys (`attrGet(attrs, 'gen_ai.usage.input_tokens')`). A fresh string is compared with a key by its
 * characters; the interned one by its pointer (measured with maps: a new map, 8 sets and 3 gets took about 500 ns
 * with fresh keys, 150 ns with interned ones). A small table, indexed by a few characters of the key and checked
 * by comparison, finds the interned string.
 */
const KEY_TABLE_SIZE = 512;
/** Two ways per slot: a key that collides with another moves the older one aside instead of evicting it. */
const keyTable: string[] = new Array<string>(KEY_TABLE_SIZE * 2).fill('');

/** The slot of a key (its length and a few characters): t[a, q) or `s` alike. */
function keySlot(text: string, a: number, n: number): number {
  if (n === 0) return 0;
  let h = n;
  h = (Math.imul(h, 31) + text.charCodeAt(a + n - 1)) | 0;
  h = (Math.imul(h, 31) + text.charCodeAt(a + (n >> 1))) | 0;
  h = (Math.imul(h, 31) + text.charCodeAt(a + ((n * 3) >> 2))) | 0;
  h = (Math.imul(h, 31) + text.charCodeAt(a)) | 0;
  h ^= h >>> 9;
  return (h & (KEY_TABLE_SIZE - 1)) << 1;
}

/** `s`, interned (see above). */
function interned(s: string, slot: number): string {
  const first = keyTable[slot]!;
  if (first === s) return first;
  const second = keyTable[slot + 1]!;
  if (second === s) return second;
  const k = internalise(s);
  keyTable[slot + 1] = first;
  keyTable[slot] = k;
  return k;
}

/** The key in t[a, q) (plain characters), interned. */
function attributeKey(a: number, q: number): string {
  return interned(t.substring(a, q), keySlot(t, a, q - a));
}

/** A key read the general way (it may have had escapes), interned through the same table. */
function internString(s: string): string {
  return interned(s, keySlot(s, 0, s.length));
}

/**
 * V8's interned copy of `s`: property names are interned, and `Object.keys` hands them back. A copy of its
 * own, too, so that an attribute key never keeps a read chunk alive.
 */
function internalise(s: string): string {
  const o: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
  o[s] = true;
  const k = Object.keys(o)[0];
  return k === s ? k : s;
}

const HAS_STRING = 1;
const HAS_INT = 2;
const HAS_DOUBLE = 4;
const HAS_BOOL = 8;
const HAS_ARRAY = 16;

/**
 * An OTLP AnyValue as `anyValue` reads it: the first present of stringValue, intValue, doubleValue,
 * boolValue, arrayValue (by key, whatever their order), the last of a duplicated key. A value `anyValue`
 * would return as a parsed object, `null` or a non-boolean `boolValue` included, is left to the slow path.
 */
function readAnyValue(): AttrValue {
  if (next() !== 123) {
    skipValue();
    return undefined;
  }
  if (++depth > MAX_DEPTH) bail();
  let has = 0;
  let sv: string | undefined;
  let iv = 0;
  let dv = 0;
  let bv = false;
  let av: AttrValue[] = [];
  if (!openObject()) {
    do {
      readKey();
      if (key('stringValue')) {
        has |= HAS_STRING;
        if (next() === 34) sv = readKeptString();
        else {
          skipValue();
          sv = undefined;
        }
      } else if (key('intValue')) {
        has |= HAS_INT;
        iv = readNumberish();
      } else if (key('doubleValue')) {
        has |= HAS_DOUBLE;
        dv = readNumberish();
      } else if (key('boolValue')) {
        has |= HAS_BOOL;
        const c = next();
        if (c === 116) {
          skipWord('true');
          bv = true;
        } else if (c === 102) {
          skipWord('false');
          bv = false;
        } else bail();
      } else if (key('arrayValue')) {
        has |= HAS_ARRAY;
        av = readArrayValue();
      } else skipValue();
    } while (!endOf(125));
  }
  depth--;
  if (has & HAS_STRING) return sv;
  if (has & HAS_INT) return iv;
  if (has & HAS_DOUBLE) return dv;
  if (has & HAS_BOOL) return bv;
  if (has & HAS_ARRAY) return av;
  return undefined;
}

/** An int or double value: a JSON number as it is, a string through `Number` (as `anyValue` does). */
function readNumberish(): number {
  const c = next();
  if (c === 34) {
    const a = i + 1;
    const s = readString();
    // Plain digits (the common int64-as-string) are read in place; anything else goes through Number.
    return (i - 1 - a === s.length ? digitsValue(a, i - 1) : undefined) ?? Number(s);
  }
  if (c === 45 || isDigit(c)) return readNumber();
  bail();
}

/** `arrayValue` as `anyValue` reads it: `{"values": [...]}` element by element, anything else an empty list. */
function readArrayValue(): AttrValue[] {
  if (next() !== 123) {
    skipValue();
    return [];
  }
  let values: AttrValue[] = [];
  if (!openObject()) {
    do {
      readKey();
      if (key('values')) {
        if (next() !== 91) {
          skipValue();
          values = [];
          continue;
        }
        values = [];
        if (!openArray()) {
          do values.push(readAnyValue());
          while (!endOf(93));
        }
      } else skipValue();
    } while (!endOf(125));
  }
  return values;
}

/**
 * A trace id: as written (32 lower-case hex digits) or through `normaliseOtlpId`. Kept as a copy of its own:
 * a substring of a read chunk would keep the whole chunk alive for as long as the id is held (closed traces,
 * a range's list of its traces), and spans of one trace mostly follow each other, so the copy is made once
 * per trace and reused.
 */
function readTraceId(): string {
  if (next() !== 34) bail();
  const a = i + 1;
  const last = lastTraceId;
  if (last.length === 32 && a + 32 < end && t.charCodeAt(a + 32) === 34 && t.substring(a, a + 32) === last) {
    i = a + 33;
    return last;
  }
  const raw = readString();
  const id = normaliseOtlpId(raw, 16);
  if (id === undefined) bail();
  lastTraceId = flatCopy(id);
  return lastTraceId;
}

/**
 * A span id (or a parent's, or a link's): as written, or through `normaliseOtlpId`; undefined when it is no id.
 * A copy: a span is held until its run is built, or to the end of a range when it is handed over for the replay
 * (a trace near a range boundary), and a slice would keep its whole chunk alive that long (1M spans on two
 * workers: 45 MB more peak memory).
 */
function readSpanId(): string | undefined {
  const c = next();
  if (c !== 34) {
    skipValue();
    return undefined;
  }
  const id = normaliseOtlpId(readString(), 8);
  return id === undefined ? undefined : flatCopy(id);
}

/**
 * A parent span id, as `readSpanId` reads it: the copy made for the previous span's parent when it is the same
 * (siblings mostly follow each other), so that the spans a batch holds share it.
 */
function readParentSpanId(): string | undefined {
  if (next() === 34) {
    const a = i + 1;
    const last = lastParentId;
    if (a + 16 < end && t.charCodeAt(a + 16) === 34 && t.substring(a, a + 16) === last) {
      i = a + 17;
      return last;
    }
  }
  const id = readSpanId();
  if (id !== undefined) lastParentId = id;
  return id;
}

/** A time as `nanos` reads it, with whether it was a number too large to be exact (`isImprecise`). */
let timeImprecise = false;
function readTime(): bigint {
  const c = next();
  if (c === 34) {
    const a = i + 1;
    let j = a;
    while (j < end && isDigit(t.charCodeAt(j))) j++;
    if (j > a && j < end && t.charCodeAt(j) === 34) {
      i = j + 1;
      return BigInt(t.substring(a, j));
    }
    const s = readString();
    if (!/^\d+$/.test(s)) bail();
    return BigInt(s);
  }
  if (c === 45 || isDigit(c)) {
    const v = readNumber();
    if (!(Number.isFinite(v) && v >= 0)) bail();
    if (v > Number.MAX_SAFE_INTEGER) timeImprecise = true;
    return BigInt(Math.round(v));
  }
  bail();
}

/** One span object at `i`, read as `readSpan` reads it; bails where `readSpan` would reject it. */
function readSpanAt(where: string, whereIndex: number, location: ErrorLocation, resource: AttrList): SpanLite {
  if (next() !== 123) bail();
  let traceId: string | undefined;
  let spanId: string | undefined;
  let parentSpanId: string | undefined;
  let name = '';
  let attrs: AttrList | undefined;
  let startNs: bigint | undefined;
  let endNs: bigint | undefined;
  let startImprecise = false;
  let endImprecise = false;
  let error = false;
  let statusMessage: string | undefined;
  let links: readonly string[] = NO_LINKS;
  if (!openObject()) {
    do {
      readKey();
      switch (currentKey.length) {
        case 7:
          if (key('traceId')) {
            traceId = readTraceId();
            continue;
          }
          break;
        case 6:
          if (key('spanId')) {
            spanId = readSpanId();
            if (spanId === undefined) bail();
            continue;
          }
          if (key('status')) {
            error = false;
            statusMessage = undefined;
            if (next() === 123) {
              if (!openObject()) {
                do {
                  readKey();
                  if (key('code')) {
                    const c = next();
                    if (c === 34) error = readString() === 'STATUS_CODE_ERROR';
                    else if (c === 45 || isDigit(c)) error = readNumber() === 2;
                    else {
                      skipValue();
                      error = false;
                    }
                  } else if (key('message')) {
                    if (next() === 34) {
                      const m = readKeptString();
                      statusMessage = m === '' ? undefined : m;
                    } else {
                      skipValue();
                      statusMessage = undefined;
                    }
                  } else skipValue();
                } while (!endOf(125));
              }
            } else skipValue();
            continue;
          }
          break;
        case 12:
          if (key('parentSpanId')) {
            parentSpanId = readParentSpanId();
            continue;
          }
          break;
        case 4:
          if (key('name')) {
            if (next() === 34) name = readKeptString();
            else {
              skipValue();
              name = '';
            }
            continue;
          }
          break;
        case 10:
          if (key('attributes')) {
            attrs = readAttributes(SPAN_HEADS);
            continue;
          }
          break;
        case 17:
          if (key('startTimeUnixNano')) {
            timeImprecise = false;
            startNs = readTime();
            startImprecise = timeImprecise;
            continue;
          }
          break;
        case 15:
          if (key('endTimeUnixNano')) {
            timeImprecise = false;
            endNs = readTime();
            endImprecise = timeImprecise;
            continue;
          }
          break;
        case 5:
          if (key('links')) {
            links = readLinks();
            continue;
          }
          break;
      }
      skipValue();
    } while (!endOf(125));
  }
  if (traceId === undefined || spanId === undefined || startNs === undefined || endNs === undefined) bail();
  return newSpan(traceId, spanId, parentSpanId, name, attrs ?? [], resource, startNs, endNs, startImprecise || endImprecise, error, statusMessage, links, where, whereIndex, location);
}

/** `links` as `readSpan` reads them: the span ids of its objects, when there is a list. */
function readLinks(): readonly string[] {
  if (next() !== 91) {
    skipValue();
    return NO_LINKS;
  }
  if (openArray()) return NO_LINKS;
  const links: string[] = [];
  do {
    if (next() !== 123) {
      skipValue();
      continue;
    }
    let id: string | undefined;
    if (!openObject()) {
      do {
        readKey();
        if (key('spanId')) id = readSpanId();
        else skipValue();
      } while (!endOf(125));
    }
    if (id !== undefined) links.push(id);
  } while (!endOf(93));
  return links;
}

/** The resource object's attributes (`resourceAttributes`): `null` or no `attributes` is none. */
function readResource(): AttrList {
  if (readNull()) return [];
  if (next() !== 123) bail();
  let attrs: AttrList = [];
  if (!openObject()) {
    do {
      readKey();
      if (key('attributes')) attrs = readAttributes(RESOURCE_HEADS);
      else skipValue();
    } while (!endOf(125));
  }
  return attrs;
}

/** The spans of `resourceSpans[r].scopeSpans[s]` (or `instrumentationLibrarySpans`), appended to `out`. */
function readScope(r: number, s: number, location: ErrorLocation, resource: AttrList, out: SpanLite[]): void {
  if (readNull()) return;
  if (next() !== 123) bail();
  let seen = false;
  if (openObject()) return;
  do {
    readKey();
    if (key('spans')) {
      if (seen) bail();
      seen = true;
      if (readNull()) continue;
      if (next() !== 91) bail();
      if (openArray()) continue;
      const path = `resourceSpans[${r}].scopeSpans[${s}].spans`;
      let k = 0;
      do out.push(readSpanAt(path, k++, location, resource));
      while (!endOf(93));
    } else skipValue();
  } while (!endOf(125));
}

/** `resourceSpans[r]`: its resource (which must come before its spans), then its scopes' spans. */
function readResourceSpans(r: number, location: ErrorLocation, out: SpanLite[]): void {
  if (readNull()) return;
  if (next() !== 123) bail();
  if (openObject()) return;
  let resource: AttrList = [];
  let seenResource = false;
  let seenScopes = false;
  do {
    readKey();
    if (key('resource')) {
      if (seenResource || seenScopes) bail();
      seenResource = true;
      resource = readResource();
    } else if (key('scopeSpans') || key('instrumentationLibrarySpans')) {
      // `addDocument` reads scopeSpans if present (and not null), else instrumentationLibrarySpans: one only here.
      if (seenScopes) bail();
      seenScopes = true;
      if (readNull()) continue;
      if (next() !== 91) bail();
      if (openArray()) continue;
      let s = 0;
      do readScope(r, s++, location, resource, out);
      while (!endOf(93));
    } else skipValue();
  } while (!endOf(125));
}

function begin(text: string, from: number, to: number): void {
  t = text;
  i = from;
  end = to;
  depth = 0;
  findSpecial(from);
}

/** Let go of the text (a chunk of a file) once read. */
function finish(): void {
  t = '';
  currentKey = '';
}

/**
 * The spans of the OTLP document in text[from, to), as `JSON.parse` + `OtlpAssembler#addDocument` would read
 * them (every span shares `location`), or undefined when the document is not one this reader reads exactly:
 * the caller then reads it the general way.
 */
export function readOtlpDocumentFast(text: string, from: number, to: number, location: ErrorLocation): SpanLite[] | undefined {
  begin(text, from, to);
  try {
    const out: SpanLite[] = [];
    if (next() !== 123) bail();
    let seen = false;
    if (!openObject()) {
      do {
        readKey();
        if (key('resourceSpans')) {
          if (seen) bail();
          seen = true;
          if (next() !== 91) bail();
          if (openArray()) continue;
          let r = 0;
          do readResourceSpans(r++, location, out);
          while (!endOf(93));
        } else skipValue();
      } while (!endOf(125));
    }
    if (!seen || !atEnd()) bail();
    fastReadStats.documents++;
    fastReadStats.spans += out.length;
    return out;
  } catch (e) {
    if (e !== BAIL) throw e;
    fastReadStats.bails++;
    return undefined;
  } finally {
    finish();
  }
}

/** Where the span read by the last successful `readOtlpSpanFastAt` ended. */
let spanEnd = 0;

/**
 * The span object at text[from] (a streamed document's block: the span need not end the text), as
 * `readOtlpSpanFast` reads it; `lastSpanEnd()` then tells where it ended. Undefined when the span does not end
 * before `to` (cut by the block's end) or cannot be read exactly.
 */
export function readOtlpSpanFastAt(text: string, from: number, to: number, where: string, whereIndex: number, location: ErrorLocation, resource: AttrList): SpanLite | undefined {
  begin(text, from, to);
  try {
    const span = readSpanAt(where, whereIndex, location, resource);
    spanEnd = i;
    fastReadStats.spans++;
    return span;
  } catch (e) {
    if (e !== BAIL) throw e;
    fastReadStats.bails++;
    return undefined;
  } finally {
    finish();
  }
}

/** The index just after the span `readOtlpSpanFastAt` read last. */
export function lastSpanEnd(): number {
  return spanEnd;
}

/**
 * One span object (the whole of `text`), entry `whereIndex` of the list at `where`, as `readSpan(JSON.parse(text),
 * ...)` would read it, or undefined when this reader cannot be sure to (the caller then parses it).
 */
export function readOtlpSpanFast(text: string, where: string, whereIndex: number, location: ErrorLocation, resource: AttrList): SpanLite | undefined {
  begin(text, 0, text.length);
  try {
    const span = readSpanAt(where, whereIndex, location, resource);
    if (!atEnd()) bail();
    fastReadStats.spans++;
    return span;
  } catch (e) {
    if (e !== BAIL) throw e;
    fastReadStats.bails++;
    return undefined;
  } finally {
    finish();
  }
}
