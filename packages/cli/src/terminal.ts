/** The streams and environment a command talks to; passed in so tests can drive a command in-process. */
export interface Terminal {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The part of a writable stream the CLI uses. `isTTY` and `columns` exist on terminals only. */
export interface OutputStream {
  write(chunk: string): unknown;
  // `| undefined`: Node's streams declare both as possibly undefined, and wrappers forward them as read.
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** The real process's streams. */
export function processTerminal(): Terminal {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * Whether to colour what goes to `stream`, by the conventions other tools follow:
 * 1. `FORCE_COLOR` set: colour unless it is `0` or `false`, even into a pipe (CI logs that render ANSI);
 *    like Node itself, it wins over `NO_COLOR`;
 * 2. `NO_COLOR` set to a non-empty value (https://no-color.org): no colour;
 * 3. `TERM=dumb` (Emacs shells, some CI consoles): no colour;
 * 4. otherwise colour only on a terminal.
 */
export function colorEnabled(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Text styles; identity functions when colour is off, so callers never branch on it. */
export interface Colors {
  // Function-valued properties, not methods: callers pick one (`colors.red`) and call it unbound.
  bold: (text: string) => string;
  dim: (text: string) => string;
  red: (text: string) => string;
  green: (text: string) => string;
  yellow: (text: string) => string;
  cyan: (text: string) => string;
}

/** ANSI styles when `enabled`, plain text otherwise. */
export function makeColors(enabled: boolean): Colors {
  const style = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    bold: style(1, 22),
    dim: style(2, 22),
    red: style(31, 39),
    green: style(32, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
  };
}
