/**
 * Freezes a value and everything reachable from it, so a strategy that writes to its input throws (in
 * strict-mode code, which TypeScript and ES modules always are). Typed arrays cannot be frozen, and
 * sloppy-mode writes to frozen objects fail silently; for both, the kit also compares inputs with a
 * snapshot. Returns its argument.
 */
export function deepFreeze<T>(value: T): T {
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v)) return;
    seen.add(v);
    for (const key of Reflect.ownKeys(v)) walk((v as Record<PropertyKey, unknown>)[key]);
    Object.freeze(v);
  };
  walk(value);
  return value;
}
