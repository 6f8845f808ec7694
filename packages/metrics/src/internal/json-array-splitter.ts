import { MetricsError } from '../errors';

/** One top-level element of a JSON array, as text, with the 1-based line it starts on. */
export interface ArrayElement {
  text: string;
  line: number;
  index: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const NEWLINE = 10;

/**
 * Splits a JSON array arriving in chunks into the text of its top-level elements, so that a large array
 * is parsed one element at a time and never held whole. It only tracks nesting and strings; each element
 * is then checked by `JSON.parse`. The opening `[` must already have been consumed.
 */
export class JsonArraySplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private start = -1;
  private startLine = 0;
  private line: number;
  private index = 0;
  private closed = false;

  constructor(
    private readonly file: string | undefined,
    startLine: number,
  ) {
    this.line = startLine;
  }

  /** Feed more text; complete elements are appended to `out`. */
  push(chunk: string, out: ArrayElement[]): void {
    if (this.start >= 0) {
      this.buf = this.buf.slice(this.start) + chunk;
      this.pos -= this.start;
      this.start = 0;
    } else {
      this.buf = this.buf.slice(this.pos) + chunk;
      this.pos = 0;
    }
    this.scan(out);
  }

  /** Call at end of input: fails if the array was not closed. */
  end(): void {
    if (!this.closed) {
      throw new MetricsError('METRICS_PARSE', 'JSON array is not closed: the file ends before its final "]"', { location: {
        file: this.file,
        line: this.line,
      } });
    }
  }

  private scan(out: ArrayElement[]): void {
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    while (i < n) {
      if (this.inString) {
        const q = buf.indexOf('"', i);
        if (q < 0) {
          i = n;
          break;
        }
        let bs = 0;
        for (let k = q - 1; k >= 0 && buf.charCodeAt(k) === BACKSLASH; k--) bs++;
        i = q + 1;
        if (bs % 2 === 0) this.inString = false;
        continue;
      }
      const c = buf.charCodeAt(i);
      if (this.closed) {
        if (c === NEWLINE) this.line++;
        else if (!isSpace(c)) this.fail('unexpected content after the closing "]" of the JSON array');
        i++;
        continue;
      }
      if (this.start < 0) {
        // Between elements.
        if (c === NEWLINE) this.line++;
        else if (c === CLOSE_BRACKET) this.closed = true;
        else if (c !== COMMA && !isSpace(c)) {
          this.start = i;
          this.startLine = this.line;
          this.depth = 0;
          continue; // re-read this character as part of the element
        }
        i++;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (this.depth === 0) {
          // A "]" closing the outer array right after a scalar element.
          this.emit(buf, i, out);
          continue;
        }
        this.depth--;
        if (this.depth === 0) {
          this.emit(buf, i + 1, out);
          i++;
          continue;
        }
      } else if (c === COMMA && this.depth === 0) {
        this.emit(buf, i, out);
        continue;
      } else if (c === NEWLINE) this.line++;
      i++;
    }
    this.pos = i;
  }

  private emit(buf: string, endExclusive: number, out: ArrayElement[]): void {
    out.push({ text: buf.slice(this.start, endExclusive), line: this.startLine, index: this.index++ });
    this.start = -1;
    this.pos = endExclusive;
  }

  private fail(message: string): never {
    throw new MetricsError('METRICS_PARSE', message, { location: { file: this.file, line: this.line } });
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}
