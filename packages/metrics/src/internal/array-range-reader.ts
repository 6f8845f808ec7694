import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MetricsAggregator } from '../aggregator';
import { MetricsError } from '../errors';
import type { ErrorLocation } from '@autotune/errors';
import { emptyReport } from '../read-options';
import type { ReadReport } from '../read-options';
import type { ExecutionRecord } from '../record';
import { AGGREGATOR_TEAM_FILTER } from './aggregator-state';
import { plainError, rangeResult, type PlainError, type RangeResult } from './range-reader';
import { RecordParser, teamIdNeedles } from './record-parser';

const READ_BYTES = 1 << 16;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * One part of a JSON array of records, for a worker thread. The first part starts at the file's start; a
 * later part starts at `start`, a guess (see `findElementStart`) that an element begins there. The part
 * before it checks the guess: it reads elements until one starts at or after `stopAt`. If that element
 * starts exactly at `stopAt` the guess was right and it stops; if not, it reads on to the end of the file,
 * and the later parts' results are discarded. So a wrong guess costs time, never a wrong result.
 */
export interface ArrayRangeTask {
  path: string;
  start: number;
  /** Where the next part starts (its guessed element start), or -1 for the last part. */
  stopAt: number;
  lenient: boolean;
  maxReportedSkips: number | undefined;
  teamId: string | undefined;
  /** Formations accepted besides the built-in five (`ReadOptions.formations`). */
  formations: readonly string[] | undefined;
}

/** A range's result, plus whether its end met the next part's start at an element boundary. */
export interface ArrayRangeResult extends Omit<RangeResult, 'lines'> {
  /** The part's first byte (`ArrayRangeTask.start`). */
  start: number;
  /** Lines in the part, or undefined when they were not counted (elements read in batches; see `ArrayPart`). */
  lines: number | undefined;
  /** Elements read (shifts the record index of later parts' errors). */
  elements: number;
  /** False when the next part's guessed start was not an element start: this part then read to the end. */
  verified: boolean;
}

/** 1 for the bytes the splitter has nothing to do with inside an element. */
const PLAIN = new Uint8Array(256).fill(1);
for (const c of [QUOTE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA, NEWLINE]) PLAIN[c] = 0;

/** Whether a byte is JSON whitespace; a read past the end of a buffer (undefined) is not. */
function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * Bytes of elements parsed together by one `JSON.parse` (see `ArrayPart.batch`): about 40 pretty-printed records.
 * The batch's text stays under V8's largest regular heap object (128 KiB): a larger string goes to the large-object
 * space, mapped fresh and faulted in page by page for every batch (half a megabyte cost a fifth more CPU, mostly
 * system time, and 40 MB more peak RSS on two workers).
 */
const BATCH_BYTES = 127 * 1024;
/** Largest batch: a batch in which no element ends grows fourfold up to this, so that large elements are still batched. */
const MAX_BATCH_BYTES = 8 << 20;
/** Batches in a row that failed (or found no cut) after which a part reads the rest of its elements one by one. */
const MAX_BATCH_MISSES = 4;
const TEAM_KEYS = [Buffer.from('"team_id"'), Buffer.from('"teamId"')];
const TEAM_KEY_PREFIX = Buffer.from('"team');

/**
 * One object element matched whole (see `ArrayPart.skim`): its strings (escapes included) and the brackets inside it,
 * nested up to `depth` deep. Applied to bytes decoded as Latin-1, one character a byte (UTF-8 puts no ASCII byte
 * inside a multi-byte character), it ends where the byte scanner's element ends: like the scanner it counts brackets
 * of either kind alike. Every alternative starts with a character of its own, so a failed match gives back what it
 * read once, not in every combination, and the pattern grows with the depth, not twofold a level.
 */
function elementPattern(depth: number): RegExp {
  const plain = '[^{}\\[\\]"]';
  const string = '"(?:[^"\\\\]|\\\\[^])*"';
  const open = '[{\\[]';
  const close = '[}\\]]';
  let inner = `(?:${plain}|${string})*`;
  for (let d = 0; d < depth; d++) inner = `(?:${plain}|${string}|${open}${inner}${close})*`;
  return new RegExp(`\\{${inner}${close}`, 'y');
}
const SKIM_ELEMENT = elementPattern(32);

/**
 * Aggregate one part of a JSON array (see `ArrayRangeTask`). Lines and element indexes are counted from the
 * part's start; the caller shifts them.
 */
export function aggregateArrayRange(task: ArrayRangeTask): ArrayRangeResult {
  const part = new ArrayPart(task);
  try {
    part.run();
  } catch (e) {
    if (!(e instanceof MetricsError)) throw e;
    part.error = plainError(e);
  } finally {
    part.close();
  }
  return part.result();
}

/**
 * One part of a JSON array, read in two ways that take turns:
 *
 * - `exact` splits elements one by one with a byte scanner (UTF-8 never puts an ASCII byte inside a multi-byte
 *   character, so brackets and quotes are found on bytes), counting lines, and hands each to the parser;
 * - `batch` reads half a megabyte, guesses a cut just before the last element that starts in it (a "}", ",", "{",
 *   "team_id" pattern, as `findElementStart` guesses part starts), and parses everything before the cut with one
 *   `JSON.parse` as an array. If that parses, the cut was between two elements of the array: a cut inside a string
 *   leaves the string open, a cut inside an element leaves a bracket open, and either is a syntax error. So the
 *   values are exactly the elements `exact` would have split, with no JS loop over their bytes. If it does not
 *   parse, or any value is not a valid record, nothing of it is kept and `exact` reads the same bytes again and
 *   reports what is wrong with its file, line and index.
 *
 * `batch` counts no lines (that costs as much as the parse saves); the line is counted from the last known one
 * when `exact` needs it (`syncLine`), and the part's total only if an error of a later part needs it (in the merge).
 * With a team wanted, `skim` reads instead of `batch`: it skips other teams' elements before decoding them (a parse
 * of every element cost more), finding where each ends with a regular expression, and `exact` reads what it cannot.
 */
class ArrayPart {
  error: PlainError | undefined;
  private readonly report: ReadReport;
  private readonly agg = new MetricsAggregator();
  private readonly parser: RecordParser;
  private readonly fd: number;
  private readonly size: number;
  private readonly buf = Buffer.allocUnsafe(READ_BYTES);
  private big: Buffer | undefined;
  private readonly out: ExecutionRecord[] = [];
  /** Needles of the wanted team (undefined: every team). */
  private readonly needles: Buffer[] | undefined;
  /** Next byte to read; always between elements (or before the "[" of the first part). */
  private pos: number;
  /** The 1-based line (counted from the part's start) at byte `lineAt`. */
  private line = 1;
  private lineAt: number;
  private index = 0;
  /** Before the opening "[" (first part only), between elements, or after the closing "]". */
  private opened: boolean;
  private closed = false;
  private stopAt: number;
  private verified: boolean;
  private done = false;
  private eof = false;

  constructor(private readonly task: ArrayRangeTask) {
    this.report = emptyReport(task.path);
    this.agg[AGGREGATOR_TEAM_FILTER](task.teamId);
    // The parser is used for what follows splitting: team filter, parse, validation, lenient skips.
    this.parser = new RecordParser(this.report, { lenient: task.lenient, maxReportedSkips: task.maxReportedSkips, formations: task.formations }, { summaryOnly: true, teamId: task.teamId });
    this.needles = task.teamId === undefined ? undefined : teamIdNeedles(task.teamId).map((t) => Buffer.from(t));
    this.pos = task.start;
    this.lineAt = task.start;
    this.opened = task.start > 0;
    this.stopAt = task.stopAt;
    this.verified = task.stopAt < 0;
    this.fd = openSync(task.path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  run(): void {
    // The first part reads its "[" exactly: every batch starts right after the byte before an element.
    if (!this.opened) this.exact(this.pos + 1);
    let misses = 0;
    while (!this.done && !this.eof && misses < MAX_BATCH_MISSES) {
      const outcome = this.needles === undefined ? this.batch() : this.skim();
      if (outcome === 'parsed') misses = 0;
      else misses++;
    }
    if (!this.done && !this.eof) {
      this.syncLine(this.pos); // `exact` counts lines from a known one
      this.exact(Infinity);
    }
    if (this.task.stopAt < 0 || !this.verified) {
      if (!this.closed) this.fail('JSON array is not closed: the file ends before its final "]"');
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  result(): ArrayRangeResult {
    return {
      ...rangeResult(this.agg, this.report, this.lineAt === this.pos ? this.line - 1 : undefined, this.error),
      start: this.task.start,
      elements: this.index,
      verified: this.verified,
    };
  }

  private fail(message: string): never {
    this.syncLine(this.pos);
    throw new MetricsError('METRICS_PARSE', message, { location: { file: this.task.path, line: this.line } });
  }

  /** Bring `line` up to byte `to` by counting the newlines since the last known line. */
  private syncLine(to: number): void {
    if (this.lineAt < to) this.line += countNewlines(this.fd, this.lineAt, to, this.buf);
    this.lineAt = to;
  }

  /**
   * Elements from `pos` parsed as one array (see the class comment). 'parsed' when they were; 'fallback' when
   * they were read by `exact` instead; 'no-cut' when no cut was found in the batch's bytes (`exact` read them).
   */
  private batch(): 'parsed' | 'fallback' | 'no-cut' {
    const big = (this.big ??= Buffer.allocUnsafe(BATCH_BYTES));
    const batchBytes = big.length;
    // The byte before an element start ("[", "," or whitespace) becomes the batch's "[".
    const from = this.pos - 1;
    const n = readSync(this.fd, big, 0, batchBytes, from);
    const atStop = this.stopAt >= 0 && this.stopAt - from < n;
    // The rest of the file, when it is all here: the array's own "]" closes the batch (the last part's tail).
    const toEnd = !atStop && this.task.stopAt < 0 && from + n >= this.size;
    const cut = atStop ? commaBefore(big, this.stopAt - from) : toEnd ? n : lastCut(big, n);
    if (cut <= 0) {
      this.syncLine(this.pos);
      this.exact(Math.max(from + n, this.pos + 1));
      // No element ended in the batch: elements this large are batched in larger batches from here on.
      if (batchBytes < MAX_BATCH_BYTES) this.big = Buffer.allocUnsafe(Math.min(4 * batchBytes, MAX_BATCH_BYTES));
      return 'no-cut';
    }
    big[0] = OPEN_BRACKET;
    if (!toEnd) big[cut] = CLOSE_BRACKET;
    let values: unknown;
    try {
      values = JSON.parse(decodeUtf8(big, 0, toEnd ? n : cut + 1));
    } catch {
      values = undefined;
    }
    const out = this.out;
    if (!Array.isArray(values) || !this.parser.elementValues(values, out)) {
      this.syncLine(this.pos);
      this.exact(toEnd ? Infinity : from + cut + 1);
      return 'fallback';
    }
    for (const r of out) this.agg.add(r);
    out.length = 0;
    this.index += values.length;
    this.pos = from + cut + 1;
    if (atStop) {
      // The comma before the next part's guessed start was between two elements: the guess was right.
      this.pos = this.stopAt;
      this.verified = true;
      this.done = true;
    } else if (toEnd) {
      // JSON.parse took the file's "]" and found nothing but whitespace after it.
      this.pos = from + n;
      this.closed = true;
      this.eof = true;
    }
    return 'parsed';
  }

  /**
   * With a team wanted: elements from `pos` in one block of bytes, each matched whole by `SKIM_ELEMENT` (a regular
   * expression runs natively, faster than the byte scanner's JavaScript loop), skipped unless its bytes hold one of
   * the team id's needles, as `exact` skips them. An element that holds one is parsed and validated on its own
   * (`elementValues`); lines are not counted (see `syncLine`). What is not plainly an object element there (a
   * scalar, brackets nested more than 32 deep, an element cut by the block's end that starts the block) and a named
   * element that is not a valid record are read by `exact`, one element, which reports what is wrong with its line.
   * The array's end and the next part's start are taken here too, so that no line is counted where none is needed.
   * 'parsed' when an element was matched or the block was used up; else 'fallback'.
   */
  private skim(): 'parsed' | 'fallback' {
    const block = (this.big ??= Buffer.allocUnsafe(BATCH_BYTES));
    const from = this.pos;
    const n = readSync(this.fd, block, 0, block.length, from);
    const text = block.toString('latin1', 0, n);
    // Where each needle next occurs in the block at or after the element being read (-1: nowhere further; -2: not
    // searched yet).
    const hits = this.needles!.map(() => -2);
    let i = 0;
    let matched = false;
    for (;;) {
      while (i < n && (isSpace(block[i]) || block[i] === COMMA)) i++;
      this.pos = from + i;
      if (i >= n) return n > 0 ? 'parsed' : 'fallback';
      const start = from + i;
      if (block[i] === CLOSE_BRACKET && n < block.length) {
        // The array's end, the rest of the file in this block: only whitespace may follow, as `exact` checks.
        let j = i + 1;
        while (j < n && isSpace(block[j])) j++;
        if (j === n) {
          this.closed = true;
          this.eof = true;
          this.pos = from + n;
          return 'parsed';
        }
      }
      if (block[i] !== CLOSE_BRACKET && this.stopAt >= 0 && start >= this.stopAt) {
        // The next part's guessed start, checked as `exact` checks it: right when an element starts exactly there.
        if (start === this.stopAt) {
          this.verified = true;
          this.done = true;
          return 'parsed';
        }
        this.stopAt = -1;
      }
      let end = -1;
      if (block[i] === OPEN_BRACE) {
        SKIM_ELEMENT.lastIndex = i;
        try {
          if (SKIM_ELEMENT.test(text)) end = SKIM_ELEMENT.lastIndex;
        } catch {
          end = -1; // the engine's backtracking stack ran out
        }
        // Cut by the block's end: the next block starts with it.
        if (end < 0 && i > 0 && n === block.length) return 'parsed';
      }
      if (end < 0 || (this.named(block, i, end, hits) && !this.skimmedRecord(block, i, end))) {
        this.syncLine(start);
        this.exact(start + 1);
        // After matches, go on in this block (it holds the same bytes) rather than read it again.
        if (!matched || this.done || this.eof || this.pos >= from + n) return matched ? 'parsed' : 'fallback';
        i = this.pos - from;
        continue;
      }
      this.index++;
      matched = true;
      i = end;
    }
  }

  /** Whether bytes [a, b) of `block` hold one of the team's needles; `hits` keeps where each was found next. */
  private named(block: Buffer, a: number, b: number, hits: number[]): boolean {
    const needles = this.needles!;
    let named = false;
    for (let k = 0; k < needles.length; k++) {
      const needle = needles[k]!;
      if (hits[k] === -2 || (hits[k]! >= 0 && hits[k]! < a)) hits[k] = block.indexOf(needle, a);
      const at = hits[k]!;
      if (at >= 0 && at + needle.length <= b) named = true;
    }
    return named;
  }

  /** A named element matched by `skim`, parsed and validated alone: false, with nothing counted, when it is not a valid record. */
  private skimmedRecord(block: Buffer, a: number, b: number): boolean {
    let value: unknown;
    try {
      value = JSON.parse(decodeUtf8(block, a, b));
    } catch {
      return false;
    }
    const out = this.out;
    if (!this.parser.elementValues([value], out)) return false;
    for (const r of out) this.agg.add(r);
    out.length = 0;
    return true;
  }

  /** Hand on the element in bytes [from, to) of `block` (after the `pieces` before it), which began on line `startLine`. */
  private element(pieces: Buffer[], block: Buffer, from: number, to: number, startLine: number): void {
    let bytes: Buffer;
    if (pieces.length === 0) bytes = block.subarray(from, to);
    else {
      pieces.push(block.subarray(from, to));
      bytes = Buffer.concat(pieces);
    }
    // With a team wanted, an element whose bytes hold none of the ways its id can be written is skipped
    // before it is decoded (the parser would skip its text for the same reason).
    if (this.needles !== undefined && !this.needles.some((needle) => bytes.indexOf(needle) >= 0)) {
      this.index++;
      return;
    }
    const loc: ErrorLocation = { file: this.task.path, line: startLine, index: this.index++ };
    this.parser.element(bytes.toString('utf8'), loc, this.out);
    for (const r of this.out) this.agg.add(r);
    this.out.length = 0;
  }

  /**
   * Split elements one by one from `pos` (where `line` must be known), until an element starts at or after
   * `pauseAt` (`pos` is left there), the next part's start is reached, or the file ends.
   */
  private exact(pauseAt: number): void {
    const buf = this.buf;
    const fd = this.fd;
    let line = this.line;
    let depth = 0;
    let inString = false;
    let inElement = false;
    let opened = this.opened;
    let closed = this.closed;
    let elementLine = 0;
    let pieces: Buffer[] = [];
    let pos = this.pos;
    let stopped = -1;
    while (stopped < 0) {
      const n = readSync(fd, buf, 0, READ_BYTES, pos);
      if (n === 0) {
        this.eof = true;
        break;
      }
      const blockStart = pos;
      pos += n;
      let elementFrom = 0;
      let i = 0;
      while (i < n) {
        if (inString) {
          // A loop, not Buffer#indexOf: most strings of a record are a few bytes (keys, ids), and a call into
          // C++ per string cost more than the bytes it skipped (pretty-printed records hold ~80 strings each).
          let q = i;
          while (q < n && buf[q] !== QUOTE) q++;
          if (q >= n) {
            i = n;
            break;
          }
          // An escaped quote has an odd number of backslashes before it (possibly in the previous block).
          let bs = 0;
          for (let k = q - 1; k >= 0 && buf[k] === BACKSLASH; k--) bs++;
          if (q - bs === 0 && pieces.length > 0) {
            const prev = pieces[pieces.length - 1]!; // pieces.length > 0
            for (let k = prev.length - 1; k >= 0 && prev[k] === BACKSLASH; k--) bs++;
          }
          i = q + 1;
          if (bs % 2 === 0) inString = false;
          continue;
        }
        if (inElement) {
          // Bytes that change nothing inside an element (all but quotes, brackets, commas and newlines) are
          // passed over in a tight loop: in pretty-printed records they are most of the bytes.
          while (i < n && PLAIN[buf[i]!] === 1) i++;
          if (i >= n) break;
        }
        const c = buf[i]!; // i < n <= buf.length
        if (!inElement) {
          if (c === NEWLINE) line++;
          else if (closed) {
            if (!isSpace(c)) {
              this.line = line;
              this.lineAt = this.pos = blockStart + i;
              this.fail('unexpected content after the closing "]" of the JSON array');
            }
          } else if (!opened) {
            if (c === OPEN_BRACKET) opened = true;
            else if (!isSpace(c) && !(c === 0xef || c === 0xbb || c === 0xbf)) {
              this.line = line;
              this.lineAt = this.pos = blockStart + i;
              this.fail('expected a JSON array');
            }
          } else if (c === CLOSE_BRACKET) closed = true;
          else if (c !== COMMA && !isSpace(c)) {
            const at = blockStart + i;
            if (this.stopAt >= 0 && at >= this.stopAt) {
              this.verified = at === this.stopAt;
              if (this.verified) {
                this.done = true;
                stopped = at;
                break;
              }
              this.stopAt = -1; // the next part started mid-element: read on to the end instead
            }
            if (at >= pauseAt) {
              stopped = at;
              break;
            }
            inElement = true;
            elementLine = line;
            elementFrom = i;
            depth = 0;
            continue; // read this byte again as part of the element
          }
          i++;
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (depth === 0) {
            this.element(pieces, buf, elementFrom, i, elementLine); // a scalar element right before the closing "]"
            if (pieces.length > 0) pieces = [];
            inElement = false;
            continue;
          }
          depth--;
          if (depth === 0) {
            this.element(pieces, buf, elementFrom, i + 1, elementLine);
            if (pieces.length > 0) pieces = [];
            inElement = false;
            i++;
            continue;
          }
        } else if (c === COMMA && depth === 0) {
          this.element(pieces, buf, elementFrom, i, elementLine);
          if (pieces.length > 0) pieces = [];
          inElement = false;
          continue;
        } else if (c === NEWLINE) line++;
        i++;
      }
      if (inElement && stopped < 0) {
        // The element goes on in the next block: keep this block's part of it (a copy: buf is reused).
        pieces.push(Buffer.from(buf.subarray(elementFrom, n)));
      }
    }
    this.pos = stopped >= 0 ? stopped : pos;
    this.line = line;
    this.lineAt = this.pos;
    this.opened = opened;
    this.closed = closed;
  }
}

/** Newlines in bytes [from, to) of a file (for lines that a fast read did not count). */
export function countNewlines(fd: number, from: number, to: number, buf: Buffer): number {
  let count = 0;
  let pos = from;
  while (pos < to) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (n === 0) break;
    for (let p = buf.indexOf(NEWLINE, 0); p >= 0 && p < n; p = buf.indexOf(NEWLINE, p + 1)) count++;
    pos += n;
  }
  return count;
}

/** The index of the comma before element start `at` (only whitespace between), or -1. */
function commaBefore(buf: Buffer, at: number): number {
  let k = at - 1;
  while (k > 0 && isSpace(buf[k])) k--;
  return k > 0 && buf[k] === COMMA ? k : -1;
}

/**
 * The index of the comma before the last element that starts in `buf[0, n)` by the look of it ("}", ",", "{",
 * then a "team_id" or "teamId" key, with any whitespace between), or -1. Whether it is really between two
 * elements is for `JSON.parse` to show.
 */
function lastCut(buf: Buffer, n: number): number {
  // One backward search for what both keys begin with (a search for a key that is absent would scan it all).
  const longest = TEAM_KEYS[0]!.length;
  for (let at = n >= longest ? buf.lastIndexOf(TEAM_KEY_PREFIX, n - longest) : -1; at > 0; at = buf.lastIndexOf(TEAM_KEY_PREFIX, at - 1)) {
    if (!TEAM_KEYS.some((key) => buf.compare(key, 0, key.length, at, at + key.length) === 0)) continue;
    let k = at - 1;
    while (k > 0 && isSpace(buf[k])) k--;
    if (buf[k] !== OPEN_BRACE) continue;
    const comma = commaBefore(buf, k);
    if (comma < 0) continue;
    let j = comma - 1;
    while (j > 0 && isSpace(buf[j])) j--;
    if (buf[j] === CLOSE_BRACE) return comma;
  }
  return -1;
}

/** Bytes [from, to) as a string: Latin-1 (a copy) when they are ASCII, which reads the same as UTF-8 and is several times faster to decode. */
export function decodeUtf8(buf: Buffer, from: number, to: number): string {
  return buf.toString(isAscii(buf.subarray(from, to)) ? 'latin1' : 'utf8', from, to);
}

/**
 * A guess at where an element of a JSON array of records starts, at or after byte `from`: a "{" preceded by
 * "}" and "," (with any whitespace) and followed by a "teamId" or "team_id" key, as every writer of records
 * puts it first. Inside a string this pattern can occur too; the previous part's check catches that.
 * Returns -1 if none is found within `window` bytes.
 */
export function findElementStart(path: string, from: number, window = 1 << 20): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(window);
    const n = readSync(fd, buf, 0, window, from);
    for (let p = buf.indexOf(OPEN_BRACE, 0); p >= 0 && p < n; p = buf.indexOf(OPEN_BRACE, p + 1)) {
      let k = p - 1;
      while (k >= 0 && isSpace(buf[k])) k--;
      if (k < 0 || buf[k] !== COMMA) continue;
      k--;
      while (k >= 0 && isSpace(buf[k])) k--;
      if (k < 0 || buf[k] !== CLOSE_BRACE) continue;
      let j = p + 1;
      while (j < n && isSpace(buf[j])) j++;
      const key = buf.toString('latin1', j, Math.min(n, j + 10));
      if (key.startsWith('"team_id"') || key.startsWith('"teamId"')) return from + p;
    }
    return -1;
  } finally {
    closeSync(fd);
  }
}
