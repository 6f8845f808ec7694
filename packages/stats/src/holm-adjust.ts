import { invalidInput } from './errors';
import { describe } from './internal/validate';

/**
 * Holm's step-down adjustment of p-values for testing several hypotheses at once (several metrics, or several
 * suggestions), as R's `p.adjust(p, method = "holm")`: it controls the family-wise error rate at alpha when each
 * adjusted p-value is compared with alpha, and is never less powerful than Bonferroni. Returns the adjusted
 * p-values in the input order; an empty array gives an empty array.
 *
 * @throws StatsError `STATS_INVALID_INPUT` for a value that is not a number in [0, 1].
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  if (!Array.isArray(pValues)) throw invalidInput('pValues', `expected an array of p-values, got ${describe(pValues)}`);
  pValues.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw invalidInput(`pValues[${i}]`, `expected a p-value in [0, 1], got ${describe(p)}`);
  });
  const n = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  const adjusted = new Array<number>(n);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (n - rank) * pValues[idx]));
    adjusted[idx] = running;
  });
  return adjusted;
}
