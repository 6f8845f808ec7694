// Under `--json`, a script reads stdout as JSON whatever happens, so an error is JSON there too: one object,
// `{"error":{"code","message","location"}}`, beside the usual one line on stderr and with the same exit code.
import type { ErrorLocation } from '@autotune/errors';
import { CommanderError } from 'commander';
import { oneLine } from './report-error';


/** The JSON form of an error, as printed on stdout under `--json`. */
export interface JsonError {
  error: {
    /** A stable string to switch on: `CLI_USAGE`, `METRICS_PARSE`, `CORE_UNKNOWN_TEAM`, ... */
    code: string;
    /** The same one line as on stderr, without the `autotune: ` prefix. */
    message: string;
    /** Where the problem is; null when nothing more precise than the message is known. */
    location: ErrorLocation | null;
  };
}

const LOCATION_KEYS = ['file', 'line', 'column', 'index', 'field', 'flag'] as const;

function locationOf(err: unknown): ErrorLocation | null {
  if (err instanceof CommanderError) {
    // Commander names the flag in quotes: "unknown option '--runz'", "option '--runs <n>' argument ...".
    const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
    const flag = /--[\w-]+/.exec(quoted)?.[0] ?? /^-\w$/.exec(quoted.split(/[ ,]/)[0] ?? '')?.[0];
    return flag ? { flag } : null;
  }
  const loc = typeof err === 'object' && err !== null ? (err as { location?: unknown }).location : undefined;
  if (typeof loc !== 'object' || loc === null) return null;
  const out: ErrorLocation = {};
  for (const key of LOCATION_KEYS) {
    const v = (loc as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'number') (out as Record<string, unknown>)[key] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

function codeOf(err: unknown): string {
  if (err instanceof CommanderError) return 'CLI_USAGE';
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code !== '') return code;
  return 'UNEXPECTED';
}

/** The `--json` form of `err`. */
export function errorAsJson(err: unknown): JsonError {
  const message = err instanceof CommanderError ? oneLine(err).replace(/^error: /, '') : oneLine(err);
  return { error: { code: codeOf(err), message, location: locationOf(err) } };
}
