/** Marks numbers JSON cannot hold (a verdict may carry an infinite bound), so they come back as they went in. */
const NON_FINITE = '$autotune:number';

/** JSON text of a value, keeping Infinity and NaN (the same encoding as core's SQLite store). */
export function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v));
}

/** The value {@link encode} wrote. */
export function decode<T>(text: string): T {
  // A reviver runs for every value; most texts hold no marker and parse several times faster without one.
  if (!text.includes(NON_FINITE)) return JSON.parse(text) as T;
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === NON_FINITE) return Number((v as Record<string, string>)[NON_FINITE]);
    }
    return v;
  }) as T;
}
