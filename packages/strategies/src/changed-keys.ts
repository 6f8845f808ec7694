import type { MemberConfig, TeamConfig } from './contract';
import { cloneData, dataEqual, isPlainObject } from './internal/data';

/** One changed setting, keyed in the user's snake_case vocabulary (`member_count`, `members[2].enabled`). */
export interface ChangedKey {
  key: string;
  before: unknown;
  after: unknown;
  /**
   * The key as the workflow file being changed spells it (`team_formation`, `total_tool_budget`,
   * `members[researcher].enable`), when the change is to a file: what output shows a user. Set by core;
   * `changedKeys` leaves it out.
   */
  fileKey?: string;
}

const TEAM_KEYS: ReadonlyArray<readonly [keyof TeamConfig, string]> = [
  ['formation', 'formation'],
  ['memberCount', 'member_count'],
];
const LIMIT_KEYS: ReadonlyArray<readonly [keyof TeamConfig, string]> = [
  ['toolBudget', 'tool_budget'],
  ['timeoutSeconds', 'timeout_seconds'],
];
const MEMBER_KEYS: ReadonlyArray<readonly [keyof MemberConfig, string]> = [
  ['id', 'id'],
  ['role', 'role'],
  ['enabled', 'enabled'],
  ['toolBudgetMultiplier', 'tool_budget_multiplier'],
  ['formation', 'formation'],
];

/** A member as the user would write it, for printing a whole added or removed member. */
function memberToUser(m: MemberConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, user] of MEMBER_KEYS) if (m[k] !== undefined) out[user] = cloneData(m[k]);
  if (m.members !== undefined) out.members = m.members.map(memberToUser);
  return { ...out, ...cloneData(m.extra ?? {}) };
}

/** Effective values: an absent `enabled` means enabled and an absent multiplier means 1, as the contract says. */
function memberValue(m: MemberConfig, k: keyof MemberConfig): unknown {
  if (k === 'enabled') return m.enabled ?? true;
  if (k === 'toolBudgetMultiplier') return m.toolBudgetMultiplier ?? 1;
  return m[k];
}

function diffExtra(prefix: string, before: unknown, after: unknown, out: ChangedKey[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const k of keys) diffExtra(prefix ? `${prefix}.${k}` : k, before[k], after[k], out);
  } else if (!dataEqual(before, after)) {
    out.push({ key: prefix, before: cloneData(before), after: cloneData(after) });
  }
}

function diffMember(prefix: string, b: MemberConfig, a: MemberConfig, out: ChangedKey[]): void {
  for (const [k, user] of MEMBER_KEYS) {
    const before = memberValue(b, k);
    const after = memberValue(a, k);
    if (!dataEqual(before, after)) out.push({ key: `${prefix}.${user}`, before, after });
  }
  if (Array.isArray(b.members) && Array.isArray(a.members)) diffMembers(`${prefix}.members`, b.members, a.members, out);
  else if (!dataEqual(b.members, a.members)) {
    out.push({ key: `${prefix}.members`, before: b.members?.map(memberToUser), after: a.members?.map(memberToUser) });
  }
  diffExtra(prefix, b.extra ?? {}, a.extra ?? {}, out);
}

function uniqueIds(ms: readonly MemberConfig[]): boolean {
  return new Set(ms.map((m) => m.id)).size === ms.length;
}

/**
 * Members are matched by id, so dropping one member reports that member alone, not a shift of every
 * later one. Keys use the member's index in the current list (the file the user has open); added members
 * use their index in the new list. With duplicate ids, members are matched by position. A list where more
 * than half the members come or go (a restructure) is reported as one key with both whole lists.
 */
function diffMembers(prefix: string, before: readonly MemberConfig[], after: readonly MemberConfig[], out: ChangedKey[]): void {
  if (!uniqueIds(before) || !uniqueIds(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const b = before[i];
      const a = after[i];
      if (b && a) diffMember(`${prefix}[${i}]`, b, a, out);
      else out.push({ key: `${prefix}[${i}]`, before: b && memberToUser(b), after: a && memberToUser(a) });
    }
    return;
  }
  const beforeIndex = new Map(before.map((m, i) => [m.id, i]));
  const afterIds = new Set(after.map((m) => m.id));
  const removed = before.filter((m) => !afterIds.has(m.id)).length;
  const added = after.filter((m) => !beforeIndex.has(m.id)).length;
  if (removed + added > Math.max(before.length, after.length) / 2) {
    // A restructured list (members moved into sub-teams) reads better whole than as a soup of removals.
    out.push({ key: prefix, before: before.map(memberToUser), after: after.map(memberToUser) });
    return;
  }
  const keptBefore = before.filter((m) => afterIds.has(m.id)).map((m) => m.id);
  const keptAfter = after.filter((m) => beforeIndex.has(m.id)).map((m) => m.id);
  before.forEach((b, i) => {
    if (!afterIds.has(b.id)) out.push({ key: `${prefix}[${i}]`, before: memberToUser(b), after: undefined });
  });
  after.forEach((a, j) => {
    const i = beforeIndex.get(a.id);
    if (i === undefined) out.push({ key: `${prefix}[${j}]`, before: undefined, after: memberToUser(a) });
    else diffMember(`${prefix}[${i}]`, before[i], a, out);
  });
  if (!dataEqual(keptBefore, keptAfter)) out.push({ key: `${prefix} (order)`, before: keptBefore, after: keptAfter });
}

/**
 * What differs between two configs, as flat dotted keys in the user's snake_case vocabulary, in a stable
 * order: `formation`, `member_count`, `members[...]...`, `tool_budget`, `timeout_seconds`, then the team's
 * other keys (from `extra`, unprefixed). The CLI prints each as `- key: old -> new`; `undefined` on one
 * side means the key or member is added or removed.
 */
export function changedKeys(before: TeamConfig, after: TeamConfig): ChangedKey[] {
  const out: ChangedKey[] = [];
  for (const [k, user] of TEAM_KEYS) {
    if (!dataEqual(before[k], after[k])) out.push({ key: user, before: cloneData(before[k]), after: cloneData(after[k]) });
  }
  if (Array.isArray(before.members) && Array.isArray(after.members)) diffMembers('members', before.members, after.members, out);
  else if (!dataEqual(before.members, after.members)) {
    out.push({ key: 'members', before: before.members?.map(memberToUser), after: after.members?.map(memberToUser) });
  }
  for (const [k, user] of LIMIT_KEYS) {
    if (!dataEqual(before[k], after[k])) out.push({ key: user, before: before[k], after: after[k] });
  }
  diffExtra('', before.extra ?? {}, after.extra ?? {}, out);
  return out;
}
