import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';
import type { ErrorLocation } from '@autotune/errors';
import {
  OTLP_EARLY_BUILDS,
  OTLP_RANGE_MODE,
  OTLP_STREAM_BEGIN,
  OTLP_STREAM_END,
  OTLP_STREAM_READ_SPAN,
  OTLP_STREAM_RESUME,
  OTLP_STREAM_SKIP,
  OTLP_STREAM_SPAN,
  OTLP_STREAM_STOP,
  OTLP_SUMMARY_ONLY,
  OtlpAssembler,
  resourceAttributes,
} from '../otlp';
import type { AttrList, OtlpOptions, OtlpRangeHooks, OtlpSink } from '../otlp';
import type { RecordChecks } from '../validate';
import { otlpTeamNeedles, scanOtlpSpan, skippedSpanAt, tracesNamingTeam, walkSpan } from './otlp-skip';
import { lastSpanEnd, readOtlpSpanFast, readOtlpSpanFastAt } from './otlp-fast';

/*
 * One OTLP/JSON document read as a stream, so that memory follows the runs still open rather than the document
 * (a JSON.parse of a 149 MB document took 500 MB before a single span was read). A byte scanner walks the
 * structure `{"resourceSpans":[{"resource":..., "scopeSpans":[{"scope":..., "spans":[ span, span, ... ]}]}]}`
 * and hands each span's text to the fast reader (`otlp-fast.ts`), or where it gives up to JSON.parse and
 * `readSpan`, then to the assembler exactly as `addDocument` would (same paths in error messages, same batches).
 * Every other value (a resource, a scope, an unknown key) is parsed on its own, so nothing goes unchecked.
 *
 * Only that shape is streamed. Anything else (a duplicate key, a resource after its spans, a value of the wrong
 * type, a syntax error, content after the document) throws `NotStreamable`, and the caller reads the file the
 * general way, which reports it as it always has.
 */

/** The document is not in the shape this reader streams: read it the general way. */
export class NotStreamable extends Error {}

type Role = 'root' | 'rsArr' | 'rsObj' | 'ssArr' | 'ssObj' | 'spArr' | 'other';

/** Object states: 0 after "{", 1 after ",", 2 after a key, 3 after ":" (value), 4 after a value. Arrays: 0 after "[", 3 after ",", 4 after a value. */
interface Frame {
  role: Role;
  isObject: boolean;
  state: number;
  /** Elements seen (arrays); this container's index in its parent array (objects). */
  count: number;
  index: number;
  key: string;
  keys: Set<string> | undefined;
}

/**
 * A span starting this close to the end of a block is captured, not read in place (`spanAt`): one cut by the
 * block's end makes the fast reader give up wherever the end falls, and each place it first gave up at made V8
 * throw away and recompile the reader's optimized code (about 15 times per thread per document). Reading one
 * part of the benchmark's document took 5% less CPU with this margin.
 */
const IN_PLACE_MARGIN = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What the scanner found, in document order. */
export interface OtlpDocumentHandlers {
  resource(resourceIndex: number, value: unknown): void;
  /** A span, as its text (checked as JSON by whoever reads it: see `streamOtlpDocument`). */
  span(resourceIndex: number, scopeIndex: number, spanIndex: number, text: string): void;
  /**
   * A span that starts at text[from] in the current block decoded (an ASCII block, so characters are bytes):
   * the index just after it if it was read from there, else -1 (cut by the block's end, or not readable
   * fast): it is then captured and handed to `span`.
   */
  spanAt?(resourceIndex: number, scopeIndex: number, spanIndex: number, text: string, from: number, to: number): number;
  /**
   * Team skipping: called with a span's bytes, `b[from, to)`, before they are parsed; true when it was taken
   * unparsed. When the scanner found them on its way (`scanSpan`), also where the span's trace id, span id, start
   * and end keys end in `b` (see `walkSpan`), and whether a needle of the team lies in it.
   */
  skipSpan?(resourceIndex: number, b: Buffer, from: number, to: number, found: { keys: Int32Array; named: boolean } | undefined): boolean;
}

/**
 * Where a span starts inside a document, as far as the scanner's state goes: the indexes of its resourceSpans,
 * scopeSpans and spans entries, the key that holds its scope list, which keys came before in the objects around
 * it, and the document's line. A part of a document read from its middle starts from a guess of this
 * (`OtlpDocumentScanner.resume`), checked against the state of the part before it (`cutState`).
 */
export interface SpanPosition {
  line: number;
  resourceIndex: number;
  scopeIndex: number;
  spanIndex: number;
  scopeKey: 'scopeSpans' | 'instrumentationLibrarySpans';
  hasResource: boolean;
  hasScope: boolean;
}

/** A push scanner over the document's bytes (see the top of this file). */
export class OtlpDocumentScanner {
  private readonly stack: Frame[] = [];
  private phase: 'before' | 'inside' | 'after' = 'before';
  /** Lines before the document's "{" (1-based line of the document). */
  line = 1;
  /** True when a newline sits inside the document (it is not a one-line document). */
  multiLine = false;
  // A value or key being captured, possibly across blocks.
  private capturing = false;
  private capKey = false;
  private capKind: 'string' | 'nested' | 'scalar' = 'scalar';
  private capDepth = 0;
  private capInString = false;
  /** Backslashes that ended the previous block inside a string (an odd count escapes the next byte). */
  private capBackslashes = 0;
  private pieces: Buffer[] = [];
  private capFrom = 0;
  /** What `scanSpan` found of the last span: where its trace id, span id, start and end keys end; whether it names the team. */
  private readonly found = { keys: new Int32Array(4), named: false };
  private readonly seen = { newline: false };
  /** The first of `hits` not passed yet, and where the current block starts in the document. */
  private hitAt = 0;
  private blockStart = 0;
  private blockEnd = 0;

  /**
   * `hits`: where a team's id appears in the document (byte offsets, in order), for team skipping (see
   * `OtlpDocumentHandlers.skipSpan`).
   */
  constructor(
    private readonly on: OtlpDocumentHandlers,
    private readonly hits: readonly number[] = [],
  ) {}

  /** Feed the next block; `block` must not be reused by the caller (captured pieces keep views into it). */
  push(block: Buffer): void {
    const n = block.length;
    let i = 0;
    this.blockStart = this.blockEnd;
    this.blockEnd += n;
    if (this.capturing) {
      this.capFrom = 0;
      i = this.scanCapture(block, 0);
      if (i < 0) return this.keepPiece(block);
    }
    while (i < n) {
      const c = block[i]!;
      if (this.phase !== 'inside') {
        if (c === 0x0a) this.line++;
        else if (!isSpace(c)) {
          if (this.phase === 'before' && c === 0x7b /* { */) {
            this.phase = 'inside';
            this.stack.push(frame('root', true, 0));
          } else if (this.phase === 'before' && (c === 0xef || c === 0xbb || c === 0xbf)) {
            // a UTF-8 byte-order mark
          } else throw new NotStreamable('content before or after the document');
        }
        i++;
        continue;
      }
      if (isSpace(c)) {
        if (c === 0x0a) this.multiLine = true;
        i++;
        continue;
      }
      const f = this.stack[this.stack.length - 1]!;
      if (f.isObject) {
        if (f.state === 0 || f.state === 1) {
          if (c === 0x7d /* } */ && f.state === 0) {
            i = this.close(i);
            continue;
          }
          if (c !== QUOTE) throw new NotStreamable('expected a key');
          this.startCapture(true, i);
          i = this.scanCapture(block, i);
          if (i < 0) return this.keepPiece(block);
          continue;
        }
        if (f.state === 2) {
          if (c !== 0x3a /* : */) throw new NotStreamable('expected ":"');
          f.state = 3;
          i++;
          continue;
        }
        if (f.state === 4) {
          if (c === 0x2c /* , */) f.state = 1;
          else if (c === 0x7d) {
            i = this.close(i);
            continue;
          } else throw new NotStreamable('expected "," or "}"');
          i++;
          continue;
        }
      } else {
        if (f.state === 4) {
          if (c === 0x2c) f.state = 3;
          else if (c === 0x5d /* ] */) {
            i = this.close(i);
            continue;
          } else throw new NotStreamable('expected "," or "]"');
          i++;
          continue;
        }
        if (c === 0x5d && f.state === 0) {
          i = this.close(i);
          continue;
        }
      }
      // A value starts here (object state 3, array state 0 or 3).
      const role = this.childRole(f);
      if (role !== 'other') {
        const wantObject = role === 'rsObj' || role === 'ssObj';
        if (c !== (wantObject ? 0x7b : 0x5b)) throw new NotStreamable(`expected ${wantObject ? 'an object' : 'a list'}`);
        this.stack.push(frame(role, wantObject, f.isObject ? 0 : f.count));
        i++;
        continue;
      }
      if (f.role === 'spArr' && this.on.spanAt !== undefined && this.on.skipSpan === undefined && n - i > IN_PLACE_MARGIN) {
        const text = this.textOf(block);
        if (text !== undefined) {
          const end = this.on.spanAt(this.stack[this.stack.length - 4]!.index, this.stack[this.stack.length - 2]!.index, f.count, text, i, n);
          if (end >= 0) {
            if (!this.multiLine) {
              // The next newline of the block, searched again only once passed (a one-line document has none).
              if (this.newlineAt < i) {
                const nl = text.indexOf('\n', i);
                // None: the text's length, a small integer like any index (Infinity would make V8 store the
                // field as a double, and recompile every function that reads it).
                this.newlineAt = nl < 0 ? text.length : nl;
              }
              if (this.newlineAt < end) this.multiLine = true;
            }
            afterValue(f);
            i = end;
            continue;
          }
        }
      }
      this.startCapture(false, i);
      if (f.role === 'spArr' && c === 0x7b && this.on.skipSpan !== undefined) {
        const end = this.scanSpan(block, i);
        if (end >= 0) {
          if (this.on.skipSpan(this.stack[this.stack.length - 4]!.index, block, i, end, this.found)) {
            this.capturing = false;
            afterValue(f);
          } else this.deliver(block, end, false);
          i = end;
          continue;
        }
      }
      i = this.scanCapture(block, i);
      if (i < 0) return this.keepPiece(block);
    }
  }

  private textBlock: Buffer | undefined;
  private text: string | undefined;
  private newlineAt = -1;

  /**
   * The block as text when it is all ASCII (then an index in the text is one in the block), decoded once; spans
   * are read from it in place instead of being walked byte by byte, cut out and decoded one by one.
   */
  private textOf(block: Buffer): string | undefined {
    if (block !== this.textBlock) {
      this.textBlock = block;
      this.text = isAscii(block) ? block.toString('latin1') : undefined;
      this.newlineAt = -1;
    }
    return this.text;
  }

  /**
   * Team skipping: a span found whole in one block, scanned for its end and for where its own trace id, span
   * id, start and end keys end (into `found`), and whether the team is named in it, so that skipping it needs no
   * second pass over its bytes.
   * Returns the index after it, or -1 when it goes on past the block or holds an escape (the general scan then
   * takes it from its start).
   */
  private scanSpan(block: Buffer, from: number): number {
    const seen = this.seen;
    seen.newline = false;
    const end = walkSpan(block, from, this.found.keys, seen);
    if (end < 0) return -1;
    if (seen.newline) this.multiLine = true;
    const hits = this.hits;
    let h = this.hitAt;
    while (h < hits.length && hits[h]! < this.blockStart + from) h++;
    this.hitAt = h;
    this.found.named = h < hits.length && hits[h]! < this.blockStart + end;
    return end;
  }

  /** The block ended inside a captured value: keep its part (a view: the caller does not reuse blocks). */
  private keepPiece(block: Buffer): void {
    this.pieces.push(block.subarray(this.capFrom));
  }

  /**
   * The state between two spans of a spans list, as text (the same for `resume` from the same position); undefined
   * anywhere else. Compared across parts of a document read in parts: equal states mean that the next part,
   * started by `resume`, scans on exactly as this scanner would.
   */
  cutState(): string | undefined {
    const top = this.stack[this.stack.length - 1];
    if (this.capturing || this.phase !== 'inside' || top?.role !== 'spArr' || (top.state !== 0 && top.state !== 3)) return undefined;
    const frames = this.stack.map((f) => [f.role, f.state, f.count, f.index, f.key, f.keys === undefined ? null : [...f.keys].sort()]);
    return JSON.stringify([this.line, frames]);
  }

  /** Start inside a spans list, before the span at `p` (a part of a document read from its middle). */
  resume(p: SpanPosition): void {
    const object = (role: Role, index: number, key: string, keys: string[]): Frame => ({ ...frame(role, true, index), state: 3, key, keys: new Set(keys) });
    const list = (role: Role, count: number): Frame => ({ ...frame(role, false, 0), state: count > 0 ? 3 : 0, count });
    this.phase = 'inside';
    this.line = p.line;
    this.stack.length = 0;
    this.stack.push(
      object('root', 0, 'resourceSpans', ['resourceSpans']),
      list('rsArr', p.resourceIndex),
      object('rsObj', p.resourceIndex, p.scopeKey, p.hasResource ? ['resource', p.scopeKey] : [p.scopeKey]),
      list('ssArr', p.scopeIndex),
      object('ssObj', p.scopeIndex, 'spans', p.hasScope ? ['scope', 'spans'] : ['spans']),
      list('spArr', p.spanIndex),
    );
  }

  /** The end of input: the document must be complete. */
  end(): void {
    if (this.phase !== 'after') throw new NotStreamable('the document is incomplete');
  }

  /** Which container a value starting in `f` opens ('other': a value captured and parsed whole). */
  private childRole(f: Frame): Role {
    switch (f.role) {
      case 'root':
        return f.key === 'resourceSpans' ? 'rsArr' : 'other';
      case 'rsArr':
        return 'rsObj';
      case 'rsObj':
        if (f.key === 'scopeSpans' || f.key === 'instrumentationLibrarySpans') {
          // `addDocument` takes scopeSpans when both are there: only one of them is streamed.
          if (f.keys!.has('scopeSpans') && f.keys!.has('instrumentationLibrarySpans')) throw new NotStreamable('both scopeSpans and instrumentationLibrarySpans');
          return 'ssArr';
        }
        return 'other';
      case 'ssArr':
        return 'ssObj';
      case 'ssObj':
        return f.key === 'spans' ? 'spArr' : 'other';
      default:
        return 'other';
    }
  }

  private close(i: number): number {
    this.stack.pop();
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) this.phase = 'after';
    else afterValue(parent);
    return i + 1;
  }

  private startCapture(key: boolean, i: number): void {
    this.capturing = true;
    this.capKey = key;
    this.capFrom = i;
    this.capDepth = 0;
    this.capInString = false;
    this.capBackslashes = 0;
    this.capKind = 'scalar';
    this.pieces = [];
  }

  /**
   * Scan a captured value from `i` (its first byte, or the block start when it goes on from the previous
   * block). Returns the index after it once it is complete (and delivered), or -1 when the block ends first.
   */
  private scanCapture(block: Buffer, i: number): number {
    const n = block.length;
    if (this.pieces.length === 0 && i === this.capFrom) {
      const c = block[i]!;
      if (c === QUOTE) {
        this.capKind = 'string';
        this.capInString = true;
        i++;
      } else if (c === 0x7b || c === 0x5b) this.capKind = 'nested';
      else this.capKind = 'scalar';
    }
    if (this.capKind === 'scalar') {
      while (i < n) {
        const c = block[i]!;
        if (c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c)) return this.deliver(block, i);
        i++;
      }
      return -1;
    }
    while (i < n) {
      if (this.capInString) {
        // A loop, not Buffer#indexOf: a span's strings are short (keys, ids, names), and a call into C++ per
        // string cost more than the bytes it skipped.
        let q = i;
        while (q < n && block[q] !== QUOTE) q++;
        if (q >= n) {
          let bs = 0;
          for (let k = n - 1; k >= i && block[k] === BACKSLASH; k--) bs++;
          this.capBackslashes = bs === n - i ? this.capBackslashes + bs : bs;
          return -1;
        }
        let bs = 0;
        for (let k = q - 1; k >= i && block[k] === BACKSLASH; k--) bs++;
        if (bs === q - i) bs += this.capBackslashes;
        this.capBackslashes = 0;
        i = q + 1;
        if (bs % 2 === 0) {
          this.capInString = false;
          if (this.capKind === 'string') return this.deliver(block, i);
        }
        continue;
      }
      const c = block[i]!;
      if (c === QUOTE) this.capInString = true;
      else if (c === 0x7b || c === 0x5b) this.capDepth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.capDepth === 0) return this.deliver(block, i + 1);
      } else if (c === 0x0a) this.multiLine = true;
      i++;
    }
    this.capBackslashes = 0;
    return -1;
  }

  private deliver(block: Buffer, end: number, trySkip = true): number {
    let bytes: Buffer;
    if (this.pieces.length === 0) bytes = block.subarray(this.capFrom, end);
    else {
      this.pieces.push(block.subarray(this.capFrom, end));
      bytes = Buffer.concat(this.pieces);
      this.pieces = [];
    }
    this.capturing = false;
    const top = this.stack[this.stack.length - 1]!;
    if (trySkip && !this.capKey && top.role === 'spArr' && this.on.skipSpan?.(this.stack[this.stack.length - 4]!.index, bytes, 0, bytes.length, undefined) === true) {
      afterValue(top);
      return end;
    }
    const text = bytes.toString('utf8');
    const f = this.stack[this.stack.length - 1]!;
    if (f.role === 'spArr' && !this.capKey) {
      this.on.span(this.stack[this.stack.length - 4]!.index, this.stack[this.stack.length - 2]!.index, f.count, text);
      afterValue(f);
      return end;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new NotStreamable('not valid JSON');
    }
    if (this.capKey) {
      const key = value as string;
      if (f.keys !== undefined) {
        if (f.keys.has(key)) throw new NotStreamable(`duplicate key ${key}`);
        f.keys.add(key);
      }
      f.key = key;
      f.state = 2;
      return end;
    }
    if (f.role === 'rsObj' && f.key === 'resource') {
      this.on.resource(f.index, value);
    }
    afterValue(f);
    return end;
  }
}

function frame(role: Role, isObject: boolean, index: number): Frame {
  return { role, isObject, state: 0, count: 0, index, key: '', keys: isObject ? new Set() : undefined };
}

function afterValue(f: Frame): void {
  if (!f.isObject) f.count++;
  f.state = 4;
}

/** What a streamed document gave: the assembler's runs went to the sink; this is what the report needs. */
export interface StreamedDocument {
  /** 'otlp-jsonl' for a document on one line (as the general reader names it), else 'otlp-json'. */
  format: 'otlp-json' | 'otlp-jsonl';
  assembler: OtlpAssembler;
  /**
   * A part (`DocumentPart`): where it stopped (a head) or started (a tail), as scanner state, resource and
   * spans of the unfinished batch; undefined for a head that did not stop between two spans. A head and the
   * tail after it read exactly as one pass when their `seam`s are equal.
   */
  seam?: string | undefined;
}

/**
 * One of the two parts of a document read on two threads (see internal/otlp-document-parts.ts): the head reads
 * bytes up to `stopAt` (a span's start) and stops there, mid-batch; the tail starts at `start` in the state
 * `at`, with its resource (`resource`, the value of its resource key, when `at.hasResource`) and `batchSpans`
 * spans of the unfinished batch before it. Both assemble in range mode (`range`).
 */
export type DocumentPart = { range: OtlpRangeHooks } & (
  | { kind: 'head'; stopAt: number }
  | { kind: 'tail'; start: number; at: SpanPosition; resource: unknown; batchSpans: number }
);

/**
 * Bytes read per call: large enough that the scanner's per-block work is negligible. (127 KiB, to keep the block's
 * text out of V8's large-object space as the JSON array's batches are, cost a quarter more: 200,000 spans, one
 * thread 2.7-2.9 s -> 3.3-3.4 s, with a team id 1.18 s -> 1.51 s.)
 */
const BLOCK_BYTES = 1 << 20;

/**
 * Stream one OTLP document from `path` into a new assembler whose runs go to `sink` (flushed at the end).
 * Throws `NotStreamable` when the file is not one document of the streamed shape (nothing is final then:
 * the caller discards what the sink got and reads the file the general way).
 *
 * With `skipOtherTeams`, spans of other teams' traces are skipped unparsed: a first pass over the bytes finds the
 * traces the team's id points to (`tracesNamingTeam`); then a span is read if it names the team (or its resource
 * does) or belongs to one of those traces or cannot be checked by byte search (`scanOtlpSpan`), and skipped
 * otherwise, the assembler told its trace and end. Throws `OtlpSkipConflict` when that could change the team's
 * runs (a trace with spans read and skipped, say): the caller then reads the document in full.
 *
 * With `earlyBuilds` (and not `skipOtherTeams`), runs are built before their batch ends where that builds them
 * exactly as the batch's advance would (see `OTLP_EARLY_BUILDS`); throws `OtlpEarlyBuildConflict` where it could
 * not: the caller then reads the document again without.
 */
export async function streamOtlpDocument(
  path: string,
  options: { otlp?: OtlpOptions | undefined; teamId?: string | undefined } & RecordChecks,
  file: string,
  sink: OtlpSink,
  skipOtherTeams = false,
  part?: DocumentPart,
  earlyBuilds = false,
): Promise<StreamedDocument> {
  const assembler = new OtlpAssembler(options.otlp, options);
  // Only aggregateFile streams a document: its runs go to an aggregator.
  assembler[OTLP_SUMMARY_ONLY]();
  if (earlyBuilds && !skipOtherTeams) assembler[OTLP_EARLY_BUILDS]();
  if (part !== undefined) assembler[OTLP_RANGE_MODE](part.range);
  let location: ErrorLocation | undefined;
  let resourceIndex = -1;
  let resource: AttrList = [];
  let spansInResource = 0;
  /** The current resource's value as JSON ('none' without one): part of a part's seam. */
  let resourceJson = 'none';
  const begin = (): void => {
    if (location === undefined) {
      location = { file, line: scanner.line };
      assembler[OTLP_STREAM_BEGIN]();
    }
  };
  /** A span of resource `i` is next: a resourceSpans entry with no resource has none. */
  const toResource = (i: number): void => {
    if (i !== resourceIndex) {
      resourceIndex = i;
      resource = [];
      resourceJson = 'none';
      resourceNamesTeam = false;
      spansInResource = 0;
    }
  };
  /** A span of resource `i` arrives. */
  const enter = (i: number): void => {
    toResource(i);
    spansInResource++;
  };
  const teamId = skipOtherTeams ? options.teamId : undefined;
  const needles = teamId === undefined ? [] : otlpTeamNeedles(teamId);
  let teamTraces: Set<string> | undefined;
  let teamHits: number[] = [];
  let resourceNamesTeam = false;
  /** The path of the spans list of `resourceSpans[i].scopeSpans[j]`, made once per list (see `SpanLite.where`). */
  let pathOf = { i: -1, j: -1, path: '' };
  const spansPath = (i: number, j: number): string => {
    if (pathOf.i !== i || pathOf.j !== j) pathOf = { i, j, path: `resourceSpans[${i}].scopeSpans[${j}].spans` };
    return pathOf.path;
  };
  const handlers: OtlpDocumentHandlers = {
    resource(i, value) {
      if (i === resourceIndex && spansInResource > 0) throw new NotStreamable('a resource after its spans');
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw new NotStreamable('a resource that is not an object');
      resourceIndex = i;
      spansInResource = 0;
      resource = resourceAttributes(value, location ?? { file });
      resourceJson = JSON.stringify(value);
      // A run can take its team from its resource (service.name, say): then no span under it is skipped.
      resourceNamesTeam = teamId !== undefined && resourceJson.includes(JSON.stringify(teamId).slice(1, -1));
    },
    spanAt(i, j, k, text, from, to) {
      begin();
      toResource(i);
      const span = readOtlpSpanFastAt(text, from, to, spansPath(i, j), k, location!, resource); // set by begin()
      if (span === undefined) return -1;
      spansInResource++;
      assembler[OTLP_STREAM_READ_SPAN](span, sink);
      return lastSpanEnd();
    },
    span(i, j, k, text) {
      begin();
      enter(i);
      // The fast reader builds the span from its text when it can read it exactly; else it is parsed.
      const span = readOtlpSpanFast(text, spansPath(i, j), k, location!, resource);
      if (span !== undefined) {
        assembler[OTLP_STREAM_READ_SPAN](span, sink);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new NotStreamable('not valid JSON');
      }
      assembler[OTLP_STREAM_SPAN](value, `${spansPath(i, j)}[${k}]`, location!, resource, sink);
    },
  };
  const skipSpan = (i: number, b: Buffer, from: number, to: number, found: { keys: Int32Array; named: boolean } | undefined): boolean => {
    if (teamTraces === undefined || (i === resourceIndex && resourceNamesTeam)) return false;
    if (found === undefined ? needles.some((needle) => b.indexOf(needle) >= 0) : found.named) return false;
    // Keys found on the way come from `scanSpan`, which takes only spans without escapes.
    const span = found === undefined ? scanOtlpSpan(b.subarray(from, to)) : skippedSpanAt(b, found.keys);
    if (span === undefined || teamTraces.has(span.traceId)) return false;
    begin();
    enter(i);
    assembler[OTLP_STREAM_SKIP](span.traceId, span.endNs, sink);
    return true;
  };
  if (teamId !== undefined) handlers.skipSpan = skipSpan;
  const fh = await open(path, 'r');
  if (teamId !== undefined) {
    try {
      ({ traces: teamTraces, hits: teamHits } = tracesNamingTeam(fh.fd, needles));
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
  const scanner = new OtlpDocumentScanner(handlers, teamHits);
  let seam: string | undefined;
  const seamOf = (state: string | undefined, batchSpans: number): string | undefined =>
    state === undefined ? undefined : JSON.stringify([state, resourceIndex, resourceJson, batchSpans]);
  if (part?.kind === 'tail') {
    scanner.resume(part.at);
    location = { file, line: part.at.line };
    resourceIndex = part.at.resourceIndex;
    if (part.at.hasResource) handlers.resource(resourceIndex, part.resource);
    assembler[OTLP_STREAM_RESUME](part.batchSpans);
    seam = seamOf(scanner.cutState(), part.batchSpans);
  }
  const stopAt = part?.kind === 'head' ? part.stopAt : Number.POSITIVE_INFINITY;
  // The next block is read (on libuv's pool) while this one is scanned: waiting for each read in turn left this
  // thread idle for about a sixth of a one-thread read.
  const readAt = (at: number): Promise<Buffer> => {
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    return fh.read(block, 0, Math.min(BLOCK_BYTES, stopAt - at), at).then(({ bytesRead }) => block.subarray(0, bytesRead));
  };
  let pos = part?.kind === 'tail' ? part.start : 0;
  let next = pos < stopAt ? readAt(pos) : undefined;
  try {
    while (next !== undefined) {
      const block = await next;
      next = undefined;
      if (block.length === 0) break;
      pos += block.length;
      if (pos < stopAt) next = readAt(pos);
      scanner.push(block);
    }
  } finally {
    // A read still in flight (the scan stopped) ends before the file closes; its own failure no longer matters.
    await next?.catch(() => undefined);
    await fh.close();
  }
  if (part?.kind === 'head') {
    if (location === undefined) assembler[OTLP_STREAM_BEGIN]();
    const state = scanner.cutState();
    seam = seamOf(state, assembler[OTLP_STREAM_STOP]());
  } else {
    scanner.end();
    if (location === undefined) assembler[OTLP_STREAM_BEGIN]();
    assembler[OTLP_STREAM_END](sink);
  }
  assembler.flush(sink);
  return { format: scanner.multiLine ? 'otlp-json' : 'otlp-jsonl', assembler, seam };
}
