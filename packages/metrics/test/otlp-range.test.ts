import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTwoLists, planOtlpRanges, scanOtlpWindow, traceIdHash, traceIdHashes } from '../src/internal/otlp-range';

describe('inTwoLists (the check that no trace was assembled in two ranges)', () => {
  const ids = (n: number, from = 0) => Array.from({ length: n }, (_, k) => (from + k).toString(16).padStart(32, '0'));

  it.each([
    ['disjoint ranges', [ids(100), ids(100, 100), ids(50, 200)], false],
    ['an id in the first and last of three', [ids(100), ids(100, 100), [...ids(50, 200), ids(1, 7)[0]!]], true],
    ['an id in two neighbours', [ids(100), ids(100, 99)], true],
    ['an id twice within one range only', [[...ids(10), ids(1, 3)[0]!], ids(10, 10)], false],
    ['empty lists', [[], [], ids(3)], false],
    ['one range', [ids(5)], false],
    ['ids of any form (base64 not of 16 bytes, a newline, non-ASCII)', [['a\nz', 'bb==', 'é'], ['a', 'z', 'bb=', 'e']], false],
    ['ids of any form, one shared', [['a\nz', 'bb==', 'é'], ['z', 'é']], true],
  ])('%s', (_name, lists, expected) => {
    expect(inTwoLists(lists.map((l) => traceIdHashes(l)))).toBe(expected);
  });

  it('hashes ids to sorted whole numbers below 2^53, apart for ids a character apart', () => {
    // Ids as exporters and tests write them: counters, which differ in one or two characters.
    const list = ids(50_000);
    const hashes = traceIdHashes(list);
    expect(hashes).toHaveLength(list.length);
    // Strictly increasing: sorted, and no two alike.
    let increasing = true;
    for (let k = 1; k < hashes.length; k++) if (!(hashes[k - 1]! < hashes[k]!)) increasing = false;
    expect(increasing).toBe(true);
    for (const h of [hashes[0]!, hashes[hashes.length - 1]!]) {
      expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    }
    expect(traceIdHash('ab')).not.toBe(traceIdHash('ba'));
    expect(traceIdHash('a')).toBe(traceIdHash('a'));
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

  it('replays a trace seen on both sides, or within a 32nd of the window of the boundary, and no other', () => {
    // 4,096 lines of 1,061 bytes, cut in the middle: a window of 1 MiB (about 990 lines) each side, near = 30 lines.
    const lines: string[] = [];
    const at = new Map<number, number>([
      [2048 - 470, 901], // A: far before the cut ...
      [2048 + 470, 901], // ... and far after it
      [2048 - 20, 902], // B: near before it only
      [2048 + 20, 903], // C: near after it only
      [2048 - 50, 907], // G: before it only, not near (an eighth of the window away)
      [2048 + 50, 908], // H: after it only, not near
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
    for (const trace of [904, 905, 906, 907, 908]) expect(diverted.has(id(trace))).toBe(false);
    // Besides those, only traces within the near share of the boundary: about 2 x 30 lines.
    expect(diverted.size).toBeGreaterThan(50);
    expect(diverted.size).toBeLessThan(70);
    // The second range starts at the latest end before the cut.
    expect(plans[1]!.watermarkNs).toBe(String(1000 + 2047));
    expect(plans[0]!.watermarkNs).toBe('0');
  });
});

describe('scanOtlpWindow (trace ids and the latest span end near a boundary, by byte search)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-otlp-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds what a parse finds, whatever form the ids and ends take, across its 1 MiB blocks', () => {
    // About 3 MiB of one-span documents: ids repeated in runs (found by comparing bytes), in upper case or with a
    // space after the colon (decoded), ends with leading zeros, longer than 64 bits, as numbers, or with spaces.
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const lines: string[] = [];
    const expectedIds: [string, number][] = [];
    let expectedMax = -1n;
    let offset = 0;
    let trace = 1;
    for (let k = 0; offset < 3 << 20; k++) {
      if (rand() < 0.2) trace++;
      const id = trace.toString(16).padStart(32, '0');
      const idForm = rand();
      const idText = idForm < 0.05 ? `"traceId": "${id}"` : idForm < 0.1 ? `"traceId":"${id.toUpperCase()}"` : `"traceId":"${id}"`;
      const ns = BigInt(1_700_000_000_000_000_000 + Math.floor(rand() * 1e12)) * (rand() < 0.01 ? 10_000_000n : 1n);
      const endForm = rand();
      const endText =
        endForm < 0.05
          ? `"endTimeUnixNano":"000${ns}"`
          : endForm < 0.1
            ? `"endTimeUnixNano":${Number(ns / 1_000_000_000n)}`
            : endForm < 0.15
              ? `"endTimeUnixNano" : "${ns}"`
              : `"endTimeUnixNano":"${ns}"`;
      const value = endForm >= 0.05 && endForm < 0.1 ? ns / 1_000_000_000n : ns;
      if (value > expectedMax) expectedMax = value;
      const line = `{"resourceSpans":[{"scopeSpans":[{"spans":[{${idText},"spanId":"${id.slice(16)}","name":"s${k}","startTimeUnixNano":"1",${endText}}]}]}],"pad":"${'.'.repeat(Math.floor(rand() * 400))}"}\n`;
      expectedIds.push([id, offset + line.indexOf('"traceId"')]);
      lines.push(line);
      offset += line.length;
    }
    const path = join(dir, 'scan.jsonl');
    writeFileSync(path, lines.join(''));
    const found: [string, number][] = [];
    // The overlap of two blocks is searched twice: an id may be reported twice at one place, which the callers allow.
    const seen = new Set<string>();
    const max = scanOtlpWindow(path, 0, offset, (id, at) => {
      if (!seen.has(`${id}@${at}`)) found.push([id, at]);
      seen.add(`${id}@${at}`);
    });
    expect(found).toEqual(expectedIds);
    expect(max).toBe(expectedMax);
  });
});
