import { pairedComparison, raceEliminations, type RacerObservations } from '@autotune/abtest';

// R's `sleep` data: extra sleep under two drugs for the same 10 patients; t.test(extra ~ group, paired = TRUE)
// gives t = -4.0621, df = 9, two-sided p = 0.002833.
const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const racer = (id: string, values: Array<number | undefined>, successes = values.length, runs = values.length): RacerObservations => ({ id, values, runs, successes });

describe('pairedComparison', () => {
  it("matches R's paired t-test on the sleep data (one-sided p = 0.002833 / 2)", () => {
    const c = pairedComparison(racer('a', drug1), racer('b', drug2));
    expect(c.rounds).toBe(10);
    expect(c.meanDifference).toBeCloseTo(1.58, 10);
    expect(c.pWorse).toBeCloseTo(0.002833 / 2, 5);
    expect(c.pBetter).toBeCloseTo(1 - 0.002833 / 2, 5);
  });

  it('uses only the rounds both ran', () => {
    const c = pairedComparison(racer('a', [10, 10, undefined, 10]), racer('b', [undefined, 8, 9, 8]));
    expect(c.rounds).toBe(2);
    expect(c.improvementPercentage).toBeCloseTo(20, 10);
    // Both shared rounds differ by exactly 2: the difference is exact.
    expect(c.pBetter).toBe(0);
  });
});

describe('raceEliminations', () => {
  it('drops a racer far slower than the leader, and one whose success rate is far below the bar, and keeps the leader', () => {
    const leader = racer('lead', [50, 52, 49, 51, 50]);
    const slow = racer('slow', [80, 83, 79, 82, 81]);
    const failing = racer('failing', [50, 51, 50, 52, 49], 0, 5);
    const base = racer('base', [60, 61, 59, 62, 60], 45, 45);
    const out = raceEliminations([base, leader, slow, failing], 'lead', 'base', { alpha: 0.05 });
    expect(out.map((e) => [e.id, e.reason]).sort()).toEqual([
      ['failing', 'success'],
      ['slow', 'objective'],
    ]);
    expect(out.every((e) => e.pValue <= 0.05)).toBe(true);
  });

  it('eliminates nobody on the objective before the racers share the minimum rounds', () => {
    const out = raceEliminations([racer('base', [60, 60]), racer('lead', [50, 50]), racer('slow', [90, 91])], 'lead', 'base', { minRounds: 3 });
    expect(out).toEqual([]);
  });

  it('rejects a leader that is not racing', () => {
    expect(() => raceEliminations([racer('a', [1, 2, 3])], 'b', 'a')).toThrow(/field "leaderId": expected the id of a racer/);
  });
});
