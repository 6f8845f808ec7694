import { parseDuration, formatDuration } from '../src/duration';
import { CliError } from '../src/errors';
import { EXIT_CODES, EXIT_CODES_HELP } from '../src/exit-codes';
import { ProgressBar, renderProgressLine } from '../src/progress';
import { parseApplyAnswer, LineReader } from '../src/prompt';
import { exitCodeOf, oneLine, reportError } from '../src/report-error';
import { colorEnabled, makeColors } from '../src/terminal';
import { PassThrough } from 'node:stream';
import { isAutotuneError } from '@autotune/errors';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    [' 10S ', 10_000],
  ])('%p -> %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses a duration longer than a timer can wait (24.8 days), which would fire at once', () => {
    expect(parseDuration('24d')).toBe(24 * 86_400_000);
    expect(() => parseDuration('25d', '--interval')).toThrow('--interval: "25d" is too long; the most is 24d');
    expect(() => parseDuration('1e9h', '--interval')).toThrow(CliError);
  });

  it.each(['24', '', 'h', '10 minutes', '5x', '0s', '-5m'])('refuses %p with a usage error naming the flag', (text) => {
    expect(() => parseDuration(text, '--interval')).toThrow(CliError);
    expect(() => parseDuration(text, '--interval')).toThrow(/--interval/);
  });

  it.each([
    [500, '500ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
  ])('formatDuration(%p) = %p and reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('exit codes', () => {
  it('are the documented numbers', () => {
    expect(EXIT_CODES).toEqual({ SUCCESS: 0, UNEXPECTED: 1, USAGE: 2, INCONCLUSIVE: 3, FAILED: 4, INTERRUPTED: 130, TERMINATED: 143, HANGUP: 129 });
    for (const code of Object.values(EXIT_CODES)) expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${code} `, 'm'));
  });

  const branded = (code: string) => Object.assign(new Error(`x ${code}`), { code, [Symbol.for('@autotune/error')]: true });
  it.each([
    [new CliError('CLI_USAGE', 'x'), 2],
    [new CliError('CLI_CONFIG', 'x'), 2],
    [new CliError('CLI_INTERRUPTED', 'x'), 130],
    [new CliError('CLI_INTERRUPTED', 'x', { signal: 'SIGTERM' }), 143],
    [new CliError('CLI_INTERRUPTED', 'x', { signal: 'SIGHUP' }), 129],
    [branded('ANALYZER_UNKNOWN_TEAM'), 2],
    [branded('METRICS_PARSE'), 2],
    [branded('CORE_WORKFLOW_PARSE'), 2],
    [branded('CORE_LOCKED'), 1],
    [branded('CORE_STORE'), 1],
    [branded('ABTEST_CANCELLED'), 130],
    [Object.assign(new Error('gone'), { code: 'ENOENT' }), 2],
    [new TypeError('bug'), 1],
    ['a string', 1],
  ])('%p exits %p', (err, code) => {
    expect(exitCodeOf(err)).toBe(code);
  });

  it('brands CLI errors like every autotune error', () => {
    expect(isAutotuneError(new CliError('CLI_INPUT', 'x'))).toBe(true);
  });
});

describe('reportError', () => {
  function sink() {
    let text = '';
    return { stream: { write: (s: string) => (text += s) }, text: () => text };
  }

  it('prints one line without a stack', () => {
    const out = sink();
    expect(reportError(new CliError('CLI_INPUT', 'metrics.json, line 3: bad\nmore detail'), out.stream, false)).toBe(2);
    expect(out.text()).toBe('autotune: metrics.json, line 3: bad\n');
  });

  it('prints the stack and causes under --verbose', () => {
    const out = sink();
    reportError(new CliError('CLI_INPUT', 'outer', { cause: new Error('inner') }), out.stream, true);
    expect(out.text()).toContain('autotune: outer\n');
    expect(out.text()).toMatch(/at .*small-parts\.test\.ts/);
    expect(out.text()).toContain('Caused by: Error: inner');
  });

  it('marks a non-autotune error as unexpected and points to --verbose', () => {
    const out = sink();
    expect(reportError(new TypeError('x is undefined'), out.stream, false)).toBe(1);
    expect(out.text()).toBe('autotune: unexpected error: x is undefined\nautotune: run again with --verbose for the stack trace\n');
  });

  it('keeps the first non-empty line', () => {
    expect(oneLine(new Error('\nfirst\nsecond'))).toBe('first');
  });
});

describe('colour', () => {
  it.each([
    [true, undefined, true],
    [true, '', true],
    [true, '1', false],
    [false, undefined, false],
    [undefined, undefined, false],
  ])('isTTY %p, NO_COLOR %p -> %p', (isTTY, noColor, enabled) => {
    const env: NodeJS.ProcessEnv = noColor === undefined ? {} : { NO_COLOR: noColor };
    expect(colorEnabled({ write: () => true, isTTY }, env)).toBe(enabled);
  });

  it('styles only when enabled', () => {
    expect(makeColors(false).red('x')).toBe('x');
    expect(makeColors(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});

describe('progress bar', () => {
  it('renders a proportional bar with the count', () => {
    expect(renderProgressLine('A/B test', 5, 20, 8)).toBe('A/B test [██░░░░░░] 5/20');
    expect(renderProgressLine('A/B test', 20, 20, 4, 'trials')).toBe('A/B test [████] 20/20 trials');
    expect(renderProgressLine('x', 0, 0, 2)).toBe('x [░░] 0/0');
  });

  it('draws on a terminal and clears itself', () => {
    let text = '';
    const bar = new ProgressBar({ isTTY: true, write: (s: string) => (text += s) }, 'Run', 4, { TERM: 'xterm-256color' });
    bar.update(1, 2);
    bar.done();
    expect(text).toBe('\r\u001b[KRun [██░░] 1/2\r\u001b[K');
  });

  it('writes nothing when the stream is not a terminal', () => {
    let text = '';
    const bar = new ProgressBar({ write: (s: string) => (text += s) }, 'Run');
    bar.update(1, 2);
    bar.done();
    expect(text).toBe('');
    expect(bar.active).toBe(false);
  });

  it('writes nothing on a TERM=dumb terminal, which cannot move its cursor', () => {
    let text = '';
    const bar = new ProgressBar({ isTTY: true, write: (s: string) => (text += s) }, 'Run', 4, { TERM: 'dumb' });
    bar.update(1, 2);
    bar.done();
    expect(text).toBe('');
  });
});

describe('interactive answers', () => {
  it.each([
    ['y', 'yes'],
    ['YES', 'yes'],
    [' n ', 'no'],
    ['v', 'view'],
    ['q', 'quit'],
    ['quit', 'quit'],
    ['', undefined],
    ['maybe', undefined],
  ])('%p reads as %p', (line, answer) => {
    expect(parseApplyAnswer(line)).toBe(answer);
  });

  it('reads lines piped before they are asked for, then end of input', async () => {
    const input = new PassThrough();
    input.end('y\nn\n');
    const reader = new LineReader(input);
    let asked = '';
    const out = { write: (s: string) => (asked += s) };
    expect(await reader.ask('1? ', out)).toBe('y');
    expect(await reader.ask('2? ', out)).toBe('n');
    expect(await reader.ask('3? ', out)).toBeUndefined();
    expect(asked).toBe('1? 2? 3? \n');
    reader.close();
  });
});
