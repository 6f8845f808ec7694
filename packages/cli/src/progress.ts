import type { OutputStream } from './terminal';

/**
 * A one-line progress bar for A/B trials. It draws only when its stream is a terminal that understands
 * cursor movement: redirected output, CI logs and `TERM=dumb` consoles stay free of escape codes.
 */
export class ProgressBar {
  private drawn = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly label: string,
    private readonly width = 24,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** True when the bar draws anything at all: on a terminal that can move its cursor (not `TERM=dumb`). */
  get active(): boolean {
    return this.stream.isTTY === true && this.env.TERM !== 'dumb';
  }

  /** Redraws the bar at `completed` of `total`; `detail` goes after the count (e.g. the last sample). */
  update(completed: number, total: number, detail = ''): void {
    if (!this.active) return;
    this.stream.write(`\r\u001b[K${renderProgressLine(this.label, completed, total, this.width, detail)}`);
    this.drawn = true;
  }

  /** Clears the bar so that the next line of output starts clean. */
  done(): void {
    if (!this.active || !this.drawn) return;
    this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}

/** The text of a progress line: `label [████░░░░] 12/20 detail`. */
export function renderProgressLine(label: string, completed: number, total: number, width = 24, detail = ''): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, completed / total)) : 0;
  const filled = Math.round(ratio * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `${label} [${bar}] ${completed}/${total}${detail ? ` ${detail}` : ''}`;
}
