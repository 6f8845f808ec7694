import { canonicalJson } from '@autotune/metrics';
import type { FieldPath } from '@autotune/strategies';
import { isPlainObject } from './team-config';

/**
 * One change to a document: set a key or list item (adding the key if new), delete one, or insert a list
 * item before `path`'s last index. Changes are as small as the data allows, so a member list edit touches
 * only the members that changed.
 */
export type EditOp =
  /** `after`: for a key the map lacks, the key to insert it after (absent: at the end). */
  | { op: 'set'; path: FieldPath; value: unknown; after?: string }
  | { op: 'delete'; path: FieldPath }
  | { op: 'insert'; path: FieldPath; value: unknown };

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** An item's identity in a list: a bare string, or a map's string `id` (team members). */
function identity(item: unknown): string | undefined {
  if (typeof item === 'string') return `s:${item}`;
  if (isPlainObject(item) && typeof item.id === 'string') return `s:${item.id}`;
  return undefined;
}

function uniqueIds(list: readonly unknown[]): string[] | undefined {
  const ids = list.map(identity);
  if (ids.some((id) => id === undefined) || new Set(ids).size !== ids.length) return undefined;
  return ids as string[];
}

function diffLists(before: readonly unknown[], after: readonly unknown[], at: FieldPath, ops: EditOp[]): void {
  const idsBefore = uniqueIds(before);
  const idsAfter = uniqueIds(after);
  if (idsBefore && idsAfter) {
    const inAfter = new Set(idsAfter);
    const inBefore = new Map(idsBefore.map((id, i) => [id, i]));
    const keptBefore = idsBefore.filter((id) => inAfter.has(id));
    const keptAfter = idsAfter.filter((id) => inBefore.has(id));
    if (keptBefore.join('\u0000') === keptAfter.join('\u0000')) {
      // Members matched by id: removals first (from the end, so indexes hold), then edits and insertions in order.
      // idsBefore holds one id per item of before.
      for (let i = before.length - 1; i >= 0; i--) if (!inAfter.has(idsBefore[i]!)) ops.push({ op: 'delete', path: [...at, i] });
      idsAfter.forEach((id, j) => {
        const i = inBefore.get(id);
        if (i === undefined) ops.push({ op: 'insert', path: [...at, j], value: after[j] });
        else diffValues(before[i], after[j], [...at, j], ops);
      });
      return;
    }
    ops.push({ op: 'set', path: at, value: after });
    return;
  }
  const common = Math.min(before.length, after.length);
  const prefixSame = before.slice(0, common).every((v, i) => same(v, after[i]));
  if (before.length === after.length || prefixSame) {
    for (let i = 0; i < common; i++) diffValues(before[i], after[i], [...at, i], ops);
    for (let i = before.length - 1; i >= common; i--) ops.push({ op: 'delete', path: [...at, i] });
    for (let j = common; j < after.length; j++) ops.push({ op: 'insert', path: [...at, j], value: after[j] });
    return;
  }
  ops.push({ op: 'set', path: at, value: after });
}

/** The smallest list of {@link EditOp}s that turns `before` into `after`. */
export function diffValues(before: unknown, after: unknown, at: FieldPath = [], ops: EditOp[] = []): EditOp[] {
  if (same(before, after)) return ops;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) if (!(key in after)) ops.push({ op: 'delete', path: [...at, key] });
    const keys = Object.keys(after);
    keys.forEach((key, i) => {
      if (!(key in before)) ops.push({ op: 'set', path: [...at, key], value: after[key], ...(i > 0 ? { after: keys[i - 1] } : {}) });
      else diffValues(before[key], after[key], [...at, key], ops);
    });
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    diffLists(before, after, at, ops);
    return ops;
  }
  ops.push({ op: 'set', path: at, value: after });
  return ops;
}

/** Applies ops to plain data (parsed JSON) in place. */
export function applyOpsToValue(root: unknown, base: FieldPath, ops: readonly EditOp[]): void {
  for (const op of ops) {
    const full = [...base, ...op.path];
    const key = full.at(-1);
    // Replacing the root itself would need a new value returned, not an edit in place.
    if (key === undefined) throw new Error('applyOpsToValue: an edit of the document root cannot be applied in place');
    let parent = root as Record<string | number, unknown>;
    for (const k of full.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    if (op.op === 'set') {
      if (Array.isArray(parent) || key in parent || op.after === undefined || !(op.after in parent)) {
        parent[key] = op.value;
      } else {
        // Rebuild the object so the new key sits where the user would have written it.
        const entries = Object.entries(parent);
        const at = entries.findIndex(([k]) => k === op.after) + 1;
        entries.splice(at, 0, [String(key), op.value]);
        for (const [k] of entries) delete parent[k];
        for (const [k, v] of entries) parent[k] = v;
      }
    } else if (Array.isArray(parent)) {
      if (op.op === 'delete') parent.splice(key as number, 1);
      else parent.splice(key as number, 0, op.value);
    } else if (op.op === 'delete') delete parent[key];
    else parent[key] = op.value;
  }
}
