import { createInterface, type Interface } from 'node:readline';
import type { OutputStream } from './terminal';

/**
 * Reads answers line by line from a stream. It works the same on a terminal and on a pipe: lines that
 * arrive before they are asked for are buffered (readline's `question` would drop them), and the end of
 * the input reads as `undefined`.
 */
export class LineReader {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;

  constructor(input: NodeJS.ReadableStream) {
    this.rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  /** Writes `question` to `output` and resolves with the next line, or undefined at end of input. */
  async ask(question: string, output: OutputStream): Promise<string | undefined> {
    output.write(question);
    const next = await this.lines.next();
    if (next.done) {
      output.write('\n');
      return undefined;
    }
    return next.value;
  }

  /** Stops reading, so that the process can exit while stdin is still open. */
  close(): void {
    this.rl.close();
  }
}

/** What an answer to `Apply suggestion #N? (y/n/v/q):` means. */
export type ApplyAnswer = 'yes' | 'no' | 'view' | 'quit';

/** Reads y/yes, n/no, v/view, q/quit in any case; undefined for anything else (the question is asked again). */
export function parseApplyAnswer(line: string): ApplyAnswer | undefined {
  const answer = line.trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return 'yes';
  if (answer === 'n' || answer === 'no') return 'no';
  if (answer === 'v' || answer === 'view') return 'view';
  if (answer === 'q' || answer === 'quit') return 'quit';
  return undefined;
}
