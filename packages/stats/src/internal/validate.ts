import { argumentChecks, describeValue as describe } from '@autotune/errors';
import { invalidInput } from '../errors';

// The option checks every package shares (in @autotune/errors), throwing StatsError.
export const { seed: checkSeed, openUnit, integerAtLeast, oneOf } = argumentChecks(invalidInput);
export { describe };

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

