/**
 * Makes the error a failed check throws, from the field at fault (`options.alpha`) and what was expected. Each
 * package passes its own, so a bad option reaches the user as that package's error, with that package's code.
 */
export type InvalidInputFactory = (field: string, message: string) => Error;

/**
 * Checks of option values that say which field is wrong and what it should be. Each returns the value, typed,
 * when it passes. Plain functions (no `this`), so they can be destructured.
 */
export interface ArgumentChecks {
  /** An integer seed (any safe integer). */
  seed: (value: unknown, field: string) => number;
  /** A probability strictly between 0 and 1 (alpha, power, a confidence level). */
  openUnit: (value: unknown, field: string) => number;
  /** A safe integer no smaller than `min`. */
  integerAtLeast: (value: unknown, field: string, min: number) => number;
  /** One of a fixed set of strings. */
  oneOf: <T extends string>(value: unknown, field: string, allowed: readonly T[]) => T;
}

/**
 * A short rendering of a bad value for a message: numbers as written (`NaN` too), strings quoted, arrays by
 * length, anything else by its type, so that a message never dumps a large object.
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

/**
 * The option checks, throwing what `invalid` makes. One set of checks and one wording for every package that
 * takes the same kinds of options (@autotune/stats, @autotune/abtest).
 *
 * @example
 * const { openUnit } = argumentChecks((field, message) => new StatsError('STATS_INVALID_INPUT', message, { location: { field } }));
 * openUnit(0.05, 'options.alpha'); // 0.05
 * openUnit(5, 'options.alpha'); // throws: field "options.alpha": expected a number strictly between 0 and 1, got 5
 */
export function argumentChecks(invalid: InvalidInputFactory): ArgumentChecks {
  return {
    seed: (value, field) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, `expected an integer seed, got ${String(value)}`);
      return value;
    },
    openUnit: (value, field) => {
      if (typeof value !== 'number' || !(value > 0 && value < 1)) throw invalid(field, `expected a number strictly between 0 and 1, got ${describeValue(value)}`);
      return value;
    },
    integerAtLeast: (value, field, min) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalid(field, `expected an integer >= ${min}, got ${describeValue(value)}`);
      return value;
    },
    oneOf: <T extends string>(value: unknown, field: string, allowed: readonly T[]): T => {
      if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
        throw invalid(field, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(value)}`);
      }
      return value as T;
    },
  };
}
