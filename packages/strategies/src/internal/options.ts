// Strategy options come from two places: the factory call (code) and `context.options[<strategy name>]`
// (the user's autotune config, per run). Both are checked, because the second is user input.
import type { StrategyContext } from '../contract';
import { StrategyError } from '../errors';
import { isPlainObject } from './data';

/** Allowed range of each numeric option. */
export type NumericSpec<T> = { readonly [K in keyof T]-?: readonly [min: number, max: number] };

function check<T extends object>(name: string, where: string, given: unknown, spec: NumericSpec<T>): Partial<T> {
  if (given === undefined) return {};
  if (!isPlainObject(given)) {
    throw new StrategyError('STRATEGY_INVALID_OPTIONS', `${where} for strategy "${name}" must be an object, got ${JSON.stringify(given)}`);
  }
  const known = Object.keys(spec);
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const range = (spec as Record<string, readonly [number, number]>)[key];
    if (range === undefined) {
      throw new StrategyError(
        'STRATEGY_INVALID_OPTIONS',
        `${where} for strategy "${name}": unknown option "${key}"; known options: ${known.join(', ')}`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < range[0] || value > range[1]) {
      throw new StrategyError(
        'STRATEGY_INVALID_OPTIONS',
        `${where} for strategy "${name}": option "${key}" must be a number in ${range[0]}..${range[1]}, got ${JSON.stringify(value)}`,
      );
    }
  }
  return given as Partial<T>;
}

/** Validates factory options now, so a bad option fails where it is written. */
export function checkFactoryOptions<T extends object>(name: string, given: Partial<T> | undefined, spec: NumericSpec<T>): Partial<T> {
  return check(name, 'options', given, spec);
}

/** Defaults, overridden by factory options, overridden by `context.options[name]`. */
export function resolveOptions<T extends object>(
  name: string,
  defaults: T,
  factory: Partial<T>,
  context: StrategyContext | undefined,
  spec: NumericSpec<T>,
): T {
  const fromContext = check(name, `context.options.${name}`, context?.options?.[name], spec);
  return { ...defaults, ...factory, ...fromContext };
}
