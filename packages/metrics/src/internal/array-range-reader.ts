import { closeSync, openSync, readSync } from 'node:fs';
import { MetricsAggregator } from '../aggregator';
import { MetricsError } from '../errors';
import type { ErrorLocation } from '@autotune/errors';
import { emptyReport } from '../read-options';
import type { ReadReport } from '../read-options';
import type { ExecutionRecord } from '../record';
import { AGGREGATOR_STATE, AGGREGATOR_TEAM_FILTER } from './aggregator-state';
import { plainError, type PlainError, type RangeResult } from './range-reader';
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
export interface ArrayRangeResult extends RangeResult {
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
 * Split one part of a JSON array into elements by scanning bytes (UTF-8 never puts an ASCII byte inside a
 * multi-byte character, so brackets and quotes are found on bytes), and aggregate them. An element spanning
 * read blocks is kept as a list of blocks and joined once. Lines and element indexes are counted from the part's start; the caller shifts them.
 */
export function aggregateArrayRange(task: ArrayRangeTask): ArrayRangeResult {
  const report: ReadReport = emptyReport(task.path);
  const agg = new MetricsAggregator();
  agg[AGGREGATOR_TEAM_FILTER](task.teamId);
  // The parser is used for what follows splitting: team filter, parse, validation, lenient skips.
  const parser = new RecordParser(report, { lenient: task.lenient, maxReportedSkips: task.maxReportedSkips, formations: task.formations }, { summaryOnly: true, teamId: task.teamId });
  const fd = openSync(task.path, 'r');
  const buf = Buffer.allocUnsafe(READ_BYTES);
  let line = 1;
  let index = 0;
  let depth = 0;
  let inString = false;
  let inElement = false;
  /** Before the opening "[" (first part only), between elements, or after the closing "]". */
  let opened = task.start > 0;
  let closed = false;
  let verified = task.stopAt < 0;
  let stopAt = task.stopAt;
  let elementLine = 0;
  let pieces: Buffer[] = [];
  let error: PlainError | undefined;
  const out: ExecutionRecord[] = [];
  // Nothing the scanning loop changes is captured by these closures (a captured variable lives in a heap
  // context, and the loop below reads and writes its own variables for every byte).
  const fail = (message: string, line: number): never => {
    throw new MetricsError('METRICS_PARSE', message, { location: { file: task.path, line } });
  };
  // With a team wanted, an element whose bytes hold none of the ways its id can be written is skipped
  // before it is decoded (the parser would skip its text for the same reason).
  const needles = task.teamId === undefined ? undefined : teamIdNeedles(task.teamId).map((t) => Buffer.from(t));
  const named = (b: Buffer): boolean => {
    for (const n of needles!) if (b.indexOf(n) >= 0) return true;
    return false;
  };
  /** Hand on the element in bytes [from, to) of `block` (after the `pieces` before it), which began on line `startLine`. */
  const emit = (block: Buffer, from: number, to: number, startLine: number): void => {
    let text: string;
    if (pieces.length === 0) {
      if (needles !== undefined && !named(block.subarray(from, to))) {
        index++;
        return;
      }
      text = block.toString('utf8', from, to);
    } else {
      pieces.push(block.subarray(from, to));
      const whole = Buffer.concat(pieces);
      pieces = [];
      if (needles !== undefined && !named(whole)) {
        index++;
        return;
      }
      text = whole.toString('utf8');
    }
    const loc: ErrorLocation = { file: task.path, line: startLine, index: index++ };
    parser.element(text, loc, out);
    for (const r of out) agg.add(r);
    out.length = 0;
  };
  try {
    let pos = task.start;
    let done = false;
    while (!done) {
      const n = readSync(fd, buf, 0, READ_BYTES, pos);
      if (n === 0) break;
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
            if (!isSpace(c)) fail('unexpected content after the closing "]" of the JSON array', line);
          } else if (!opened) {
            if (c === OPEN_BRACKET) opened = true;
            else if (!isSpace(c) && !(c === 0xef || c === 0xbb || c === 0xbf)) fail('expected a JSON array', line);
          } else if (c === CLOSE_BRACKET) closed = true;
          else if (c !== COMMA && !isSpace(c)) {
            const at = blockStart + i;
            if (stopAt >= 0 && at >= stopAt) {
              verified = at === stopAt;
              if (verified) {
                done = true;
                break;
              }
              stopAt = -1; // the next part started mid-element: read on to the end instead
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
            emit(buf, elementFrom, i, elementLine); // a scalar element right before the closing "]"
            inElement = false;
            continue;
          }
          depth--;
          if (depth === 0) {
            emit(buf, elementFrom, i + 1, elementLine);
            inElement = false;
            i++;
            continue;
          }
        } else if (c === COMMA && depth === 0) {
          emit(buf, elementFrom, i, elementLine);
          inElement = false;
          continue;
        } else if (c === NEWLINE) line++;
        i++;
      }
      if (inElement && !done) {
        // The element goes on in the next block: keep this block's part of it (a copy: buf is reused).
        pieces.push(Buffer.from(buf.subarray(elementFrom, n)));
      }
    }
    if (task.stopAt < 0 || !verified) {
      if (!closed) fail('JSON array is not closed: the file ends before its final "]"', line);
    }
  } catch (e) {
    if (!(e instanceof MetricsError)) throw e;
    error = plainError(e);
  } finally {
    closeSync(fd);
  }
  return {
    state: agg[AGGREGATOR_STATE](),
    lines: line - 1,
    elements: index,
    records: report.records,
    skipped: report.skipped,
    firstSkips: report.firstSkips.map((s) => plainError(s.error)),
    error,
    verified,
  };
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
