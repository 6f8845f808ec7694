import { invalidInput } from '../errors';

// Option checks for the experiment and verdict options. The statistics' own argument checks live in
// @autotune/stats and throw its StatsError; these throw AbtestError, naming the option.

/** Integer seed check shared by everything that takes a `seed` option. */
export function checkSeed(seed: unknown, field: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw invalidInput(field, `expected an integer seed, got ${String(seed)}`);
  return seed;
}

/** A probability strictly between 0 and 1 (alpha, power, confidence level). */
export function openUnit(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) throw invalidInput(field, `expected a number strictly between 0 and 1, got ${describe(value)}`);
  return value;
}

/** An integer no smaller than `min`. */
export function integerAtLeast(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalidInput(field, `expected an integer >= ${min}, got ${describe(value)}`);
  return value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidInput(field, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** A short rendering of a bad value for a message. */
export function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}
