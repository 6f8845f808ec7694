import { normalQuantile } from '@autotune/stats';
import { groupSequentialBounds } from '@autotune/abtest';
import { createRng } from '@autotune/stats';
import { expectAbtestError } from './support';

const fiveLooks = [0.2, 0.4, 0.6, 0.8, 1];

describe('groupSequentialBounds', () => {
  // Published Lan-DeMets bounds for five equally spaced looks at one-sided alpha 0.025 (Jennison & Turnbull
  // 2000, table 7.6; gsDesign and ldbounds give the same to three decimals).
  it.each([
    ['obrien-fleming', [4.877, 3.357, 2.68, 2.29, 2.031]],
    ['pocock', [2.438, 2.427, 2.41, 2.397, 2.386]],
  ] as const)('%s spending matches the published bounds to 1e-3', (spending, expected) => {
    const b = groupSequentialBounds({ fractions: fiveLooks, alpha: 0.025, spending });
    b.z.forEach((z, i) => expect(Math.abs(z - (expected[i] ?? Number.NaN))).toBeLessThan(1e-3));
    expect(b.cumulativeAlpha[4]).toBeCloseTo(0.025, 12);
  });

  it('one look is the fixed design', () => {
    const b = groupSequentialBounds({ fractions: [1], alpha: 0.05 });
    expect(b.z[0]).toBeCloseTo(normalQuantile(0.95, 0, 1), 10);
    expect(b.nominalAlpha[0]).toBeCloseTo(0.05, 12);
  });

  it('the chance of ever crossing under no effect is alpha (Monte Carlo, 200,000 paths, 4 sd band)', () => {
    const fractions = [1 / 3, 2 / 3, 1];
    const b = groupSequentialBounds({ fractions, alpha: 0.05, spending: 'pocock' });
    const rng = createRng(11);
    const paths = 200000;
    let crossed = 0;
    for (let p = 0; p < paths; p++) {
      let s = 0;
      let prev = 0;
      for (const [k, f] of fractions.entries()) {
        s += Math.sqrt(f - prev) * rng.normal();
        prev = f;
        if (s / Math.sqrt(f) >= (b.z[k] ?? Number.POSITIVE_INFINITY)) {
          crossed++;
          break;
        }
      }
    }
    const sd = Math.sqrt((0.05 * 0.95) / paths);
    expect(Math.abs(crossed / paths - 0.05)).toBeLessThan(4 * sd);
  });

  it.each([[[0.5, 0.4, 1]], [[0.5]], [[]], [[0, 1]]])('rejects fractions %p', (fractions) => {
    expectAbtestError(() => groupSequentialBounds({ fractions }), 'ABTEST_INVALID_INPUT');
  });
});
