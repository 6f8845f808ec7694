import { oneOf } from './internal/validate';

/**
 * The alternative hypothesis, as in R and SciPy: `'less'` means the first sample tends to be smaller than the
 * second (for Fisher's test, an odds ratio below 1), `'greater'` the reverse.
 */
export type Alternative = 'two-sided' | 'less' | 'greater';

export const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];

export function checkAlternative(value: unknown, field = 'options.alternative'): Alternative {
  return value === undefined ? 'two-sided' : oneOf(value, field, ALTERNATIVES);
}
