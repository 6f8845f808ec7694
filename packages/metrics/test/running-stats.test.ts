import { ExactSum, RunningStats } from '../src/internal/running-stats';

/** A fixed shuffle (seeded), so order-independence is checked on many orders without flakiness. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!]; // i, j <= out.length - 1
  }
  return out;
}

const sum = (xs: number[]) => {
  const e = new ExactSum();
  for (const x of xs) e.add(x);
  return e.value;
};

describe('ExactSum', () => {
  it.each([
    [[0.1, 0.2, 0.3], 0.6],
    [[1e16, 1, -1e16], 1],
    [Array(10).fill(0.1), 1],
    [[1e300, 1, -1e300], 1],
    [[2 ** 53, 1, 1], 2 ** 53 + 2],
    [[], 0],
  ])('sums %j to %p, correctly rounded', (xs, expected) => {
    expect(sum(xs)).toBe(expected);
  });

  it('gives the same bits in any order, where a plain sum does not', () => {
    const xs = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 1000) / 7 + 1e-3 * i);
    const plainSums = new Set<number>();
    const exact = new Set<number>();
    for (let seed = 1; seed <= 20; seed++) {
      const ys = shuffled(xs, seed);
      plainSums.add(ys.reduce((a, b) => a + b, 0));
      exact.add(sum(ys));
    }
    expect(plainSums.size).toBeGreaterThan(1); // the test data is sensitive to order
    expect(exact.size).toBe(1);
  });

  it('merges exactly', () => {
    const a = new ExactSum();
    const b = new ExactSum();
    [0.1, 1e20, 3].forEach((x) => a.add(x));
    [-1e20, 0.2, 2 ** 60].forEach((x) => b.add(x));
    a.merge(b.state());
    expect(a.value).toBe(sum([0.1, 1e20, 3, -1e20, 0.2, 2 ** 60]));
    expect(a.value).toBe(2 ** 60 + 3.3);
  });
});

describe('RunningStats', () => {
  it('has the textbook mean and sample standard deviation', () => {
    const s = new RunningStats();
    [2, 4, 4, 4, 5, 5, 7, 9].forEach((x) => s.add(x));
    expect(s.mean).toBe(5);
    expect(s.stdDev).toBe(Math.sqrt(32 / 7));
  });

  it('is exactly 0 for equal values, even where squares are inexact', () => {
    const s = new RunningStats();
    for (let i = 0; i < 1001; i++) s.add(0.1);
    expect(s.stdDev).toBe(0);
    expect(s.mean).toBe(0.1);
  });

  it('keeps precision with a large mean and a small spread (no cancellation)', () => {
    const s = new RunningStats();
    [1e9 + 0.5, 1e9 + 1.5, 1e9 + 2.5].forEach((x) => s.add(x));
    expect(s.stdDev).toBe(1);
  });

  it('is the same in any order and when merged from parts', () => {
    const xs = Array.from({ length: 500 }, (_, i) => Math.sqrt(i + 0.37) * 13.1);
    const ref = new RunningStats();
    xs.forEach((x) => ref.add(x));
    for (let seed = 1; seed <= 5; seed++) {
      const ys = shuffled(xs, seed);
      const a = new RunningStats();
      const b = new RunningStats();
      ys.slice(0, 200).forEach((x) => a.add(x));
      ys.slice(200).forEach((x) => b.add(x));
      a.merge(b.state());
      expect([a.count, a.mean, a.stdDev]).toEqual([ref.count, ref.mean, ref.stdDev]);
    }
  });

  it('is 0 for fewer than two values', () => {
    const s = new RunningStats();
    expect([s.mean, s.stdDev]).toEqual([0, 0]);
    s.add(3);
    expect([s.mean, s.stdDev]).toEqual([3, 0]);
  });
});
