import { invalidInput } from '../errors';

/**
 * Checks that `values` is an array of at least `min` finite numbers and returns it as a plain array. The
 * message names the first offending element, so a NaN that crept in from a bad record is found quickly.
 */
export function finiteSample(values: unknown, field: string, min: number): number[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw invalidInput(field, `expected an array of numbers, got ${describe(values)}`);
  const arr = Array.from(values as ArrayLike<unknown>);
  if (arr.length < min) {
    throw invalidInput(field, `expected at least ${min} value${min === 1 ? '' : 's'}, got ${arr.length}${arr.length === 1 ? ' (a single value has no spread to test against)' : ''}`);
  }
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidInput(`${field}[${i}]`, `expected a finite number, got ${describe(v)}`);
  }
  return arr as number[];
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

export function describe(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}
