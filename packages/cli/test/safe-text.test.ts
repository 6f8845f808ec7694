import { escapeControlCharacters, safeTerminal } from '../src/safe-text';
import { makeColors, type OutputStream } from '../src/terminal';
import { PassThrough } from 'node:stream';

describe('escapeControlCharacters', () => {
  it.each([
    ['ESC (cursor, screen, title sequences)', 'a\u001b[2Jb', 'a\\u001b[2Jb'],
    ['OSC title with BEL', '\u001b]0;x\u0007', '\\u001b]0;x\\u0007'],
    ['NUL', 'a\u0000b', 'a\\u0000b'],
    ['carriage return (overwrites the line)', 'ok\rfake', 'ok\\u000dfake'],
    ['DEL and C1 CSI', '\u007f\u009b', '\\u007f\\u009b'],
    ['right-to-left override and isolates', 'a\u202eb\u2066c\u2069', 'a\\u202eb\\u2066c\\u2069'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
  ])('escapes %s', (_what, input, output) => {
    expect(escapeControlCharacters(input)).toBe(output);
  });

  it('keeps tabs, newlines and every printable character, emoji included', () => {
    const text = 'Team\tX\n🔴 █ ░ → ≤ naïve 日本';
    expect(escapeControlCharacters(text)).toBe(text);
  });

  it('lets only the CLI’s own colours and progress redraw through, and only when asked', () => {
    const c = makeColors(true);
    const own = `${c.red('x')}${c.bold('y')}\r\u001b[Kbar`;
    expect(escapeControlCharacters(own, true)).toBe(own);
    expect(escapeControlCharacters(own, false)).not.toContain('\u001b');
    // Other sequences never pass: conceal (8m), cursor moves, a bare carriage return.
    expect(escapeControlCharacters('\u001b[8mhidden\u001b[1A\rx', true)).toBe('\\u001b[8mhidden\\u001b[1A\\u000dx');
  });

  it('keeps JSON valid and its values unchanged', () => {
    const value = { id: 'a\u202eb\u0085c\u001b', n: 'x\\\u202e' };
    const escaped = escapeControlCharacters(JSON.stringify(value));
    expect(escaped).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(JSON.parse(escaped)).toEqual(value);
  });
});

describe('safeTerminal', () => {
  it('escapes what goes to stdout and stderr, and keeps isTTY and columns', () => {
    const written: string[] = [];
    const tty: OutputStream = { write: (s: string) => written.push(s), isTTY: true, columns: 120 };
    const safe = safeTerminal({ stdout: tty, stderr: tty, stdin: new PassThrough(), env: {}, cwd: '/' });
    safe.stdout.write('\u001b[31mred\u001b[39m \u001b]8;;http://x\u0007link');
    expect(written).toEqual(['\u001b[31mred\u001b[39m \\u001b]8;;http://x\\u0007link']);
    expect(safe.stderr.isTTY).toBe(true);
    expect(safe.stdout.columns).toBe(120);
  });
});
