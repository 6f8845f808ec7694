import { holmAdjust } from '@autotune/stats';
import { expectStatsError } from './support';

describe('holmAdjust', () => {
  it.each([
    // Hand-computed from Holm (1979): sort, multiply the i-th smallest by (m - i + 1), running max, cap at 1.
    ['four p-values', [0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]],
    ['capped at 1', [0.5, 0.6], [1, 1]],
    ['ties', [0.02, 0.02, 0.5], [0.06, 0.06, 0.5]],
    ['one p-value is unchanged', [0.03], [0.03]],
    ['empty', [], []],
  ])('%s', (_name, input, expected) => {
    const out = holmAdjust(input);
    expect(out).toHaveLength(expected.length);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 14));
  });

  it('never adjusts below the raw p-value and keeps the input order', () => {
    const p = [0.2, 0.001, 0.04, 0.3, 0.01];
    const adj = holmAdjust(p);
    adj.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(p[i] ?? Number.NaN));
    expect(adj[1]).toBeCloseTo(0.005, 14);
  });

  it.each([[[0.1, Number.NaN]], [[1.2]], [[-0.1]]])('rejects %p', (p) => {
    expectStatsError(() => holmAdjust(p), 'STATS_INVALID_INPUT');
  });
});
