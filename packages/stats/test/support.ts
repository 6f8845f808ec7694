import { StatsError, createRng } from '@autotune/stats';

/** Runs `fn`, expects a StatsError with `code`, and returns it for further checks. */
export function expectStatsError(fn: () => unknown, code: string): StatsError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(StatsError);
  expect((caught as StatsError).code).toBe(code);
  return caught as StatsError;
}

/** True when `e` carries the brand every autotune error has (what `isAutotuneError` in @autotune/errors checks). */
export function hasAutotuneBrand(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[Symbol.for('@autotune/error')] === true;
}

/** Normal draws with a fixed seed. */
export function normals(seed: number, n: number, mean: number, sd: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}
