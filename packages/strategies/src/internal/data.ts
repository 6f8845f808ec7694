// Plain-data helpers. Configs and insights are JSON-like (they come from YAML/JSON files), except TeamStats,
// which holds Float64Arrays: both helpers treat typed arrays as values.

/** True for `{}`-style objects (not arrays, typed arrays, dates or class instances). */
export function isPlainObject(u: unknown): u is Record<string, unknown> {
  if (typeof u !== 'object' || u === null) return false;
  const proto = Object.getPrototypeOf(u) as object | null;
  if (proto === null || proto === Object.prototype) return true;
  // An object from another realm (a vm context, a worker's structuredClone, Jest's sandbox) has that realm's
  // Object.prototype: still plain data, so recognise it by shape, not identity.
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(u) === '[object Object]';
}

/** A deep copy of plain data; typed arrays are copied, anything else that is not plain is shared. */
export function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return (value as readonly unknown[]).map((v) => cloneData(v)) as T;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return (value as unknown as { slice(): unknown }).slice() as T;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneData(v);
    return out as T;
  }
  return value;
}

/**
 * Structural equality of plain data. A key whose value is `undefined` counts as absent, as it would after a
 * JSON round trip (a config written to YAML and read back must compare equal to itself).
 */
export function dataEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => dataEqual(v, b[i]));
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => dataEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Rounds to `digits` decimals, so suggestions print and compare cleanly. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
