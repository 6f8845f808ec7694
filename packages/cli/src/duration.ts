import { CliError } from './errors';
import { MAX_DURATION_MS } from './limits';

const UNIT_MS: Record<'ms' | 's' | 'm' | 'h' | 'd', number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `30s`, `15m`, `24h`, `2d`, `500ms` or a sum like `1h30m` into milliseconds.
 * A bare number is refused: `--interval 24` could mean hours or seconds, and guessing wrong is costly.
 *
 * @throws CliError `CLI_USAGE` naming the flag and the accepted forms.
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const trimmed = text.trim().toLowerCase();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (!match) {
      throw new CliError('CLI_USAGE', `${flag}: "${text}" is not a duration; expected a number with a unit, e.g. 30s, 15m, 24h, 2d or 1h30m`);
    }
    // The pattern's two groups always match, the second one of UNIT_MS's keys.
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    index = part.lastIndex;
  }
  if (trimmed.length === 0 || total <= 0) {
    throw new CliError('CLI_USAGE', `${flag}: "${text}" is not a positive duration; expected e.g. 30s, 15m, 24h`);
  }
  if (total > MAX_DURATION_MS) throw new CliError('CLI_USAGE', `${flag}: "${text}" is too long; the most is 24d`);
  return Math.round(total);
}

/** Formats milliseconds the way {@link parseDuration} reads them back (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
