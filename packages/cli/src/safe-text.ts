// Everything the CLI prints passes through here, because much of it comes from input files: team ids,
// member ids, descriptions from strategy packages, file paths, error messages quoting bad values, a runner's
// stderr. A terminal obeys control characters in that text: ESC starts sequences that move the cursor, clear
// the screen, set the window title or make hyperlinks; NUL and C1 codes confuse terminals and logs; bidi
// overrides make text read differently than it is (Trojan Source). Escaping at the one place output leaves
// the process covers every printer, including ones not written yet.
import { colorEnabled, type OutputStream, type Terminal } from './terminal';

/**
 * Characters never printed as they are: C0 controls except tab and newline, DEL, C1 controls, the bidi
 * embedding, override and isolate controls, the Arabic letter mark, and the Unicode line separators.
 */
const UNSAFE = '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE_ONLY = new RegExp(UNSAFE, 'g');
/**
 * The sequences the CLI itself writes on a terminal: the styles of `makeColors` and the progress bar's
 * "return and clear the line". Only these pass, and only on a stream where the CLI draws them.
 */
const OWN_SEQUENCES = new RegExp(`(\\u001b\\[(?:1|2|22|31|32|33|36|39)m|\\r\\u001b\\[K)|${UNSAFE}`, 'g');

function escapeOne(ch: string): string {
  // `\uXXXX` reads plainly on a terminal and is a valid escape inside a JSON string, so `--json` stays JSON
  // (with the same value) when a bidi control or C1 code inside a string is escaped.
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character that a terminal would act on written as a visible `\uXXXX` escape. With
 * `allowOwnStyles`, the CLI's own colour codes and progress-bar redraw pass unchanged (a file can at worst
 * colour its text with them; it cannot move the cursor, hide text or rewrite the screen).
 */
export function escapeControlCharacters(text: string, allowOwnStyles = false): string {
  if (!allowOwnStyles) return text.replace(UNSAFE_ONLY, escapeOne);
  return text.replace(OWN_SEQUENCES, (match: string, own: string | undefined) => (own ? match : escapeOne(match)));
}

/**
 * A stream whose writes are escaped; `isTTY` and `columns` are those of the stream it wraps. The CLI's own
 * styles pass where it draws them: on a terminal, or where colour is forced (`FORCE_COLOR` into a CI log).
 */
function safeStream(stream: OutputStream, env: NodeJS.ProcessEnv): OutputStream {
  const ownStyles = stream.isTTY === true || colorEnabled(stream, env);
  return {
    write: (chunk: string) => stream.write(escapeControlCharacters(String(chunk), ownStyles)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** The terminal with stdout and stderr escaped by {@link escapeControlCharacters}. */
export function safeTerminal(terminal: Terminal): Terminal {
  return { ...terminal, stdout: safeStream(terminal.stdout, terminal.env), stderr: safeStream(terminal.stderr, terminal.env) };
}
