// A required key is missing but a key one or two typos away is there (`formaton:`): name the key that is
// there and the one meant, instead of "field formation ... got nothing", which sends users looking for a
// line that does not exist.
import { ConfigIssue, type FieldPath } from './field-path';

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours), capped work for short keys. */
export function editDistance(a: string, b: string): number {
  // A flat (a.length + 1) x (b.length + 1) table; at(i, j) reads cells that the loops below keep in range.
  const w = b.length + 1;
  const d = new Array<number>((a.length + 1) * w).fill(0);
  const at = (i: number, j: number): number => d[i * w + j]!;
  for (let i = 0; i <= a.length; i++) d[i * w] = i;
  for (let j = 1; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(a.length, b.length);
}

/**
 * The key of `obj` that looks like a misspelling of one of `wanted` (case-insensitive, at most 2 edits, and
 * fewer than half the letters), with the key it most likely meant; undefined when none does.
 */
export function misspeltKey(obj: Record<string, unknown>, wanted: readonly string[], known: ReadonlySet<string>): { key: string; meant: string } | undefined {
  let best: { key: string; meant: string; distance: number } | undefined;
  for (const key of Object.keys(obj)) {
    if (known.has(key)) continue;
    for (const meant of wanted) {
      const distance = editDistance(key.toLowerCase(), meant);
      if (distance <= 2 && distance < meant.length / 2 && (!best || distance < best.distance)) best = { key, meant, distance };
    }
  }
  return best && { key: best.key, meant: best.meant };
}

/** The issue for a required key that is missing while a misspelling of it is present. */
export class MisspeltKeyIssue extends ConfigIssue {
  constructor(path: FieldPath, key: string, meant: string, expected: string) {
    super([...path, key], expected, undefined, true);
    this.message = `unknown key "${key}"; did you mean "${meant}"? (expected ${expected})`;
  }
}
