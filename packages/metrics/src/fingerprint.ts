import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal configs serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * A stable 16-hex-digit hash of a team config. Key order and undefined fields do not change it, so the
 * same config read from YAML or JSON gets the same fingerprint, and runs of different configs can be told apart.
 */
export function configFingerprint(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}
