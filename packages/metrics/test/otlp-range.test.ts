import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTwoLists, planOtlpRanges } from '../src/internal/otlp-range';

describe('inTwoLists (the check that no trace was assembled in two ranges)', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, k) => (from + k).toString(16).padStart(32, '0')).sort();

  it.each([
    ['disjoint ranges', [ids(100), ids(100, 100), ids(50, 200)], false],
    ['an id in the first and last of three', [ids(100), ids(100, 100), [...ids(50, 200), ids(1, 7)[0]!].sort()], true],
    ['an id in two neighbours', [ids(100), ids(100, 99)], true],
    ['an id twice within one range only', [[...ids(10), ids(1, 3)[0]!].sort(), ids(10, 10)], false],
    ['empty lists', [[], [], ids(3)], false],
    ['one range', [ids(5)], false],
  ])('%s', (_name, lists, expected) => {
    expect(inTwoLists(lists)).toBe(expected);
  });

  it('checks lists that are not in order (an id with a newline, split in two) through a map', () => {
    // Split, "a\nz" leaves "z" before "b": a walk along the lists would pass "b" by.
    const first = 'a\nz\nb'.split('\n');
    expect(inTwoLists([first, ['b']])).toBe(true);
    expect(inTwoLists([first, ['y']])).toBe(false);
  });
});

describe('planOtlpRanges (which traces near a boundary are replayed on the calling thread)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-otlp-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const id = (n: number) => n.toString(16).padStart(32, '0');
  /** One OTLP JSON Lines document of about 1 KB: one span of trace `trace`, ending at `endNs`. */
  const line = (trace: number, endNs: number) => {
    const span = `{"traceId":"${id(trace)}","spanId":"${id(trace).slice(16)}","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"${endNs}"}`;
    return `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}],"pad":"${'.'.repeat(1000 - span.length)}"}]}\n`;
  };

  it('replays a trace seen on both sides, or within an eighth of the window of the boundary, and no other', () => {
    // 4,096 lines of 1,061 bytes, cut in the middle: a window of 1 MiB (about 990 lines) each side, near = 123 lines.
    const lines: string[] = [];
    const at = new Map<number, number>([
      [2048 - 470, 901], // A: far before the cut ...
      [2048 + 470, 901], // ... and far after it
      [2048 - 50, 902], // B: near before it only
      [2048 + 50, 903], // C: near after it only
      [2048 - 400, 904], // D: far before it only
      [2048 + 400, 905], // E: far after it only
      [2048 - 300, 906], // F: far before it, and beyond the window after it
      [2048 + 1500, 906],
    ]);
    for (let k = 0; k < 4096; k++) lines.push(line(at.get(k) ?? 10_000 + k, 1000 + k));
    const path = join(dir, 'plan.jsonl');
    writeFileSync(path, lines.join(''));
    const cut = lines.slice(0, 2048).join('').length;
    const size = cut + lines.slice(2048).join('').length;
    const plans = planOtlpRanges(path, [
      [0, cut],
      [cut, size],
    ]);
    const diverted = new Set(plans[0]!.divert.split('\n'));
    expect(plans[1]!.divert).toBe(plans[0]!.divert);
    for (const trace of [901, 902, 903]) expect(diverted.has(id(trace))).toBe(true);
    for (const trace of [904, 905, 906]) expect(diverted.has(id(trace))).toBe(false);
    // Besides those, only traces within the near share of the boundary: about 2 x 123 lines.
    expect(diverted.size).toBeGreaterThan(200);
    expect(diverted.size).toBeLessThan(260);
    // The second range starts at the latest end before the cut.
    expect(plans[1]!.watermarkNs).toBe(String(1000 + 2047));
    expect(plans[0]!.watermarkNs).toBe('0');
  });
});
