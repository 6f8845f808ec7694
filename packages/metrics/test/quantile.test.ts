import { distributionOfSorted, quantileSorted } from '@autotune/metrics';

// Reference values from numpy.percentile(x, q) with the default method ('linear', R type 7).
describe('quantileSorted (type 7, numpy default)', () => {
  const oneToTen = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const five = [15, 20, 35, 40, 50];
  it.each([
    [oneToTen, 0.5, 5.5],
    [oneToTen, 0.95, 9.55],
    [oneToTen, 0.99, 9.91],
    [oneToTen, 0.25, 3.25],
    [oneToTen, 0, 1],
    [oneToTen, 1, 10],
    [five, 0.5, 35],
    [five, 0.95, 48],
    [five, 0.99, 49.6],
    [five, 0.4, 29],
    [[7], 0.95, 7],
  ])('%p at p=%p is %p', (xs, p, expected) => {
    expect(quantileSorted(xs, p)).toBeCloseTo(expected, 12);
  });

  it('is NaN for no values', () => {
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('distributionOfSorted', () => {
  it('gives mean, sample sd, min, max and type 7 quantiles', () => {
    const d = distributionOfSorted([15, 20, 35, 40, 50]);
    expect(d).toEqual({
      count: 5,
      mean: 32,
      stdDev: expect.closeTo(Math.sqrt(830 / 4), 12),
      min: 15,
      max: 50,
      median: 35,
      p95: expect.closeTo(48, 12),
      p99: expect.closeTo(49.6, 12),
    });
  });

  it('has sd 0 for one value and NaN figures for none', () => {
    expect(distributionOfSorted([3]).stdDev).toBe(0);
    const empty = distributionOfSorted([]);
    expect(empty.count).toBe(0);
    expect(empty.mean).toBeNaN();
  });
});
