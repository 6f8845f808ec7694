import type { MemberConfig, TeamConfig } from './contract';
import { ConfigIssue, formatFieldPath } from './field-path';
import type { FieldPath } from './field-path';
import { MisspeltKeyIssue, misspeltKey } from './closest-key';

/**
 * How a team is spelled on disk. `flat`: a file (or object) that is one team, keys `formation`,
 * `member_count`, `tool_budget`, `timeout_seconds`, `members`. `workflow-node`: a `type: team` node of a
 * workflow, keys `team_formation`, `total_tool_budget`, ... and an `id`.
 */
export type TeamDialect = 'flat' | 'workflow-node';

type Obj = Record<string, unknown>;

/** Alternative spellings of each team field; the first is what a flat file gets when nothing says otherwise. */
const FORMATION_KEYS = ['formation', 'team_formation'] as const;
const TOOL_BUDGET_KEYS = ['tool_budget', 'total_tool_budget'] as const;
const ENABLE_KEYS = ['enable', 'enabled'] as const;
const TEAM_KNOWN = new Set(['formation', 'team_formation', 'member_count', 'tool_budget', 'total_tool_budget', 'timeout_seconds', 'members']);
/** A node's identity is where the team sits in the workflow, not part of its config. */
const NODE_IDENTITY = new Set(['id', 'type']);
const MEMBER_KNOWN = new Set(['id', 'role', 'enable', 'enabled', 'tool_budget_multiplier', 'formation', 'members']);


function isPlainObject(u: unknown): u is Obj {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The one key of `keys` that `obj` holds (null counts as absent); throws when it holds two. */
function pickKey(obj: Obj, keys: readonly string[], path: FieldPath): string | undefined {
  const present = keys.filter((k) => obj[k] !== undefined && obj[k] !== null);
  const second = present[1];
  if (second !== undefined) {
    throw new ConfigIssue([...path, second], `only one of ${keys.join(' or ')}`, obj[second]);
  }
  return present[0];
}

function finiteNumber(obj: Obj, key: string, path: FieldPath, min: number, exclusive: boolean, integer: boolean): number {
  const v = obj[key];
  const ok = typeof v === 'number' && Number.isFinite(v) && (exclusive ? v > min : v >= min) && (!integer || Number.isInteger(v));
  if (!ok) {
    const what = `${integer ? 'an integer' : 'a number'} ${exclusive ? 'greater than' : 'at least'} ${min}`;
    throw new ConfigIssue([...path, key], what, v);
  }
  return v;
}

function nonEmptyString(obj: Obj, key: string, path: FieldPath, what: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigIssue([...path, key], what, v);
  return v;
}

/** Keys the mapping does not understand, kept verbatim so a write-back loses nothing. */
function extraOf(obj: Obj, known: (k: string) => boolean): Obj | undefined {
  const extra: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    // A known key left empty (`tool_budget:` with no value) is kept as it is written.
    if (!known(k) || v === null) extra[k] = clone(v);
  }
  return Object.keys(extra).length > 0 ? extra : undefined;
}

/**
 * The number of agents a member list stands for, as the strategies count them: a sub-team counts as its
 * members (a listed sub-team recursively, `members: 2` as two), anyone else as one.
 */
function agentCount(members: readonly MemberConfig[]): number {
  let n = 0;
  for (const m of members) {
    if (m.members && m.members.length > 0) n += agentCount(m.members);
    else if (typeof m.extra?.members === 'number' && m.extra.members >= 1) n += m.extra.members;
    else n += 1;
  }
  return n;
}

function parseMembers(list: unknown[], path: FieldPath): MemberConfig[] {
  const seen = new Map<string, number>();
  return list.map((entry, i) => {
    const at = [...path, i];
    let member: MemberConfig;
    if (typeof entry === 'string') {
      if (entry.trim() === '') throw new ConfigIssue(at, 'a member id', entry);
      member = { id: entry };
    } else if (isPlainObject(entry)) {
      member = parseMember(entry, at);
    } else {
      throw new ConfigIssue(at, 'a member id or a map with an "id"', entry);
    }
    const first = seen.get(member.id);
    if (first !== undefined) {
      throw new ConfigIssue(
        typeof entry === 'string' ? at : [...at, 'id'],
        `a unique member id ("${member.id}" is already used by ${formatFieldPath([...path, first])})`,
        member.id,
      );
    }
    seen.set(member.id, i);
    return member;
  });
}

function parseMember(obj: Obj, path: FieldPath): MemberConfig {
  const member: MemberConfig = { id: nonEmptyString(obj, 'id', path, 'a member id (a non-empty string)') };
  if (obj.role !== undefined && obj.role !== null) member.role = nonEmptyString(obj, 'role', path, 'a role name');
  const enableKey = pickKey(obj, ENABLE_KEYS, path);
  if (enableKey !== undefined) {
    if (typeof obj[enableKey] !== 'boolean') throw new ConfigIssue([...path, enableKey], 'true or false', obj[enableKey]);
    member.enabled = obj[enableKey];
  }
  if (obj.tool_budget_multiplier !== undefined && obj.tool_budget_multiplier !== null) {
    member.toolBudgetMultiplier = finiteNumber(obj, 'tool_budget_multiplier', path, 0, false, false);
  }
  if (obj.formation !== undefined && obj.formation !== null) {
    member.formation = nonEmptyString(obj, 'formation', path, 'a formation name');
  }
  // A sub-team's `members` may be a list (parsed) or a bare count, which is kept as written.
  const listed = Array.isArray(obj.members);
  if (listed) member.members = parseMembers(obj.members as unknown[], [...path, 'members']);
  const extra = extraOf(obj, (k) => MEMBER_KNOWN.has(k) && (k !== 'members' || listed));
  if (extra) member.extra = extra;
  return member;
}

/**
 * Parses one team object in either dialect. Throws {@link ConfigIssue} with the path of the bad field; the
 * callers add the file and line.
 */
export function parseTeamObject(obj: unknown, dialect: TeamDialect, path: FieldPath = []): TeamConfig {
  if (!isPlainObject(obj)) throw new ConfigIssue(path, 'a map of team settings (formation, member_count, ...)', obj);
  const formationKey = pickKey(obj, FORMATION_KEYS, path);
  if (formationKey === undefined) {
    const key = dialect === 'flat' ? 'formation' : 'team_formation';
    const expected = 'a formation such as sequential, parallel, pipeline, hierarchical or consensus';
    const typo = misspeltKey(obj, FORMATION_KEYS, TEAM_KNOWN);
    if (typo) throw new MisspeltKeyIssue(path, typo.key, typo.meant, expected);
    throw new ConfigIssue([...path, key], expected, undefined, true);
  }
  const formation = nonEmptyString(obj, formationKey, path, 'a formation name');

  let members: MemberConfig[] | undefined;
  let countFromMembers: number | undefined;
  const rawMembers = obj.members;
  if (Array.isArray(rawMembers)) {
    members = parseMembers(rawMembers, [...path, 'members']);
    countFromMembers = agentCount(members);
  } else if (rawMembers !== undefined && rawMembers !== null) {
    if (typeof rawMembers !== 'number') throw new ConfigIssue([...path, 'members'], 'a list of members or a member count', rawMembers);
    countFromMembers = finiteNumber(obj, 'members', path, 1, false, true);
  }
  let memberCount: number;
  if (obj.member_count !== undefined && obj.member_count !== null) {
    memberCount = finiteNumber(obj, 'member_count', path, 1, false, true);
  } else if (countFromMembers !== undefined) {
    memberCount = countFromMembers;
  } else {
    const expected = 'a member count (member_count, or a members list)';
    const typo = misspeltKey(obj, ['member_count', 'members'], TEAM_KNOWN);
    if (typo) throw new MisspeltKeyIssue(path, typo.key, typo.meant, expected);
    throw new ConfigIssue([...path, 'member_count'], expected, undefined, true);
  }

  const config: TeamConfig = { formation, memberCount };
  if (members) config.members = members;
  const budgetKey = pickKey(obj, TOOL_BUDGET_KEYS, path);
  if (budgetKey !== undefined) config.toolBudget = finiteNumber(obj, budgetKey, path, 0, false, false);
  if (obj.timeout_seconds !== undefined && obj.timeout_seconds !== null) {
    config.timeoutSeconds = finiteNumber(obj, 'timeout_seconds', path, 0, true, false);
  }
  const membersIsCountOnly = !Array.isArray(rawMembers) && obj.member_count !== undefined && obj.member_count !== null;
  const extra = extraOf(obj, (k) => {
    if (dialect === 'workflow-node' && NODE_IDENTITY.has(k)) return true;
    // `members: 5` next to `member_count: 3` says nothing the config can hold: keep it verbatim.
    if (k === 'members' && membersIsCountOnly) return false;
    return TEAM_KNOWN.has(k);
  });
  if (extra) {
    if (dialect === 'workflow-node') for (const k of NODE_IDENTITY) delete extra[k];
    if (Object.keys(extra).length > 0) config.extra = extra;
  }
  return config;
}

/**
 * Puts `entries` in the template's key order; a key the template lacks goes right after the entry that
 * precedes it in `entries` (so a new `member_count` lands after the formation, not at the end).
 */
function orderLike(entries: [string, unknown][], template: unknown): Obj {
  if (!isPlainObject(template)) return Object.fromEntries(entries);
  const present = new Set(entries.map(([k]) => k));
  const order = Object.keys(template).filter((k) => present.has(k));
  entries.forEach(([k], i) => {
    if (order.includes(k)) return;
    let at = order.length;
    for (let j = i - 1; j >= 0; j--) {
      const idx = order.indexOf(entries[j]![0]); // 0 <= j < i < entries.length
      if (idx >= 0) {
        at = idx + 1;
        break;
      }
    }
    order.splice(at, 0, k);
  });
  const byKey = new Map(entries);
  const out: Obj = {};
  for (const k of order) out[k] = byKey.get(k);
  return out;
}

function spelling(keys: readonly string[], template: unknown, fallback: string): string {
  if (isPlainObject(template)) {
    const found = keys.find((k) => template[k] !== undefined);
    if (found !== undefined) return found;
  }
  return fallback;
}

function memberId(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (isPlainObject(entry) && typeof entry.id === 'string') return entry.id;
  return undefined;
}

interface ListStyle {
  /** Whether a member that is only an id is written as a bare string. */
  bareIds: boolean;
  enableKey: string;
  byId: Map<string, unknown>;
}

function listStyle(template: unknown): ListStyle {
  const byId = new Map<string, unknown>();
  let bareIds = true;
  let enableKey: string = ENABLE_KEYS[0];
  if (Array.isArray(template)) {
    if (template.length > 0) bareIds = typeof template[0] === 'string';
    for (const entry of template) {
      const id = memberId(entry);
      if (id !== undefined) byId.set(id, entry);
      if (isPlainObject(entry)) {
        const key = ENABLE_KEYS.find((k) => entry[k] !== undefined);
        if (key) enableKey = key;
      }
    }
  }
  return { bareIds, enableKey, byId };
}

function membersToUser(members: readonly MemberConfig[], template: unknown): unknown[] {
  const style = listStyle(template);
  return members.map((m) => memberToUser(m, style.byId.get(m.id), style));
}

function memberToUser(m: MemberConfig, template: unknown, style: ListStyle): unknown {
  const extra = m.extra ?? {};
  const onlyId =
    m.role === undefined &&
    m.enabled === undefined &&
    m.toolBudgetMultiplier === undefined &&
    m.formation === undefined &&
    m.members === undefined &&
    Object.keys(extra).length === 0;
  if (onlyId && (template === undefined ? style.bareIds : typeof template === 'string')) return m.id;
  const entries: [string, unknown][] = [['id', m.id]];
  if (m.role !== undefined) entries.push(['role', m.role]);
  if (m.enabled !== undefined) entries.push([spelling(ENABLE_KEYS, template, style.enableKey), m.enabled]);
  if (m.toolBudgetMultiplier !== undefined) entries.push(['tool_budget_multiplier', m.toolBudgetMultiplier]);
  if (m.formation !== undefined) entries.push(['formation', m.formation]);
  if (m.members !== undefined) {
    entries.push(['members', membersToUser(m.members, isPlainObject(template) ? template.members : undefined)]);
  }
  for (const [k, v] of Object.entries(extra)) if (!entries.some(([e]) => e === k)) entries.push([k, clone(v)]);
  return orderLike(entries, template);
}

/**
 * Writes a team config in the user's snake_case shape, spelled like `template` (the object it was read
 * from) where one is given: same keys (`enable` or `enabled`, `team_formation` or `formation`), bare ids
 * or maps, `members: 5` or `member_count: 5`, same key order. Without a template the shape is canonical.
 */
export function teamToUser(config: TeamConfig, dialect: TeamDialect, template?: unknown): Obj {
  const tpl = isPlainObject(template) ? template : undefined;
  const entries: [string, unknown][] = [];
  const node = dialect === 'workflow-node';
  entries.push([spelling(FORMATION_KEYS, tpl, node ? 'team_formation' : 'formation'), config.formation]);
  if (Array.isArray(config.members)) {
    const countWritten = tpl === undefined || typeof tpl.member_count === 'number' || agentCount(config.members) !== config.memberCount;
    if (countWritten) entries.push(['member_count', config.memberCount]);
  } else if (tpl !== undefined && typeof tpl.members === 'number' && typeof tpl.member_count !== 'number') {
    entries.push(['members', config.memberCount]);
  } else {
    entries.push(['member_count', config.memberCount]);
  }
  if (config.toolBudget !== undefined) {
    entries.push([spelling(TOOL_BUDGET_KEYS, tpl, node ? 'total_tool_budget' : 'tool_budget'), config.toolBudget]);
  }
  if (config.timeoutSeconds !== undefined) entries.push(['timeout_seconds', config.timeoutSeconds]);
  if (Array.isArray(config.members)) entries.push(['members', membersToUser(config.members, tpl?.members)]);
  for (const [k, v] of Object.entries(config.extra ?? {})) {
    if (!entries.some(([e]) => e === k)) entries.push([k, clone(v)]);
  }
  return orderLike(entries, tpl);
}
