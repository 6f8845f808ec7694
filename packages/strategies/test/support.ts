/** The first element, or a test failure saying what was expected: for results a test needs at least one of. */
export function first<T>(xs: readonly T[], what = 'a suggestion'): T {
  const x = xs[0];
  if (x === undefined) throw new Error(`expected at least ${what}, got none`);
  return x;
}

/** A copy of `o` without `key`: how a test builds a config or stats that lack a field (not set to undefined). */
export function without<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const copy = { ...o };
  delete copy[key];
  return copy;
}
