import { formatFieldPath, teamToUser } from '@autotune/strategies';
import type { ChangedKey, FieldPath, MemberConfig, TeamConfig } from '@autotune/strategies';
import { isPlainObject } from './team-config';
import { parseWorkflowText, valueAt } from './workflow-file';
import type { ParsedDocument, WorkflowFile } from './workflow-file';

/**
 * Output names settings the way autotune's strategies do (`formation`, `tool_budget`, `members[2].enabled`),
 * but a user reads it against their own file, where the same settings may be `team_formation`,
 * `total_tool_budget` and `enable`, and where a member's own `tool_budget` is a different key from the team's.
 * This module knows how the loaded file spells each one, so that nothing downstream guesses.
 */

/** Where one of the team's settings sits in a workflow file. */
export interface TeamKeyPlace {
  /** The key path inside the team, as the file spells it: `team_formation`, `members[researcher].enable`. */
  key: string;
  /** The same key from the top of the document: `workflows.main.nodes[0].team_formation`. */
  path: string;
  /** 1-based line of the key (of its nearest parent that exists, for a key the file does not have yet). */
  line?: number;
}

const parsedCache = new WeakMap<WorkflowFile, ParsedDocument>();

function parsedOf(file: WorkflowFile): ParsedDocument {
  let parsed = parsedCache.get(file);
  if (!parsed) {
    parsed = parseWorkflowText(file.text, file.format, file.path);
    parsedCache.set(file, parsed);
  }
  return parsed;
}

/** The first of `keys` the map holds, else `fallback`: how this map spells one setting. */
function spelt(obj: unknown, keys: readonly string[], fallback: string): string {
  if (isPlainObject(obj)) {
    const found = keys.find((k) => obj[k] !== undefined);
    if (found !== undefined) return found;
  }
  return fallback;
}

/** `researcher`, or `"2"` / `"a b"` when a bare id would read as an index or not as one word. */
function memberRef(id: string): string {
  return /^[A-Za-z_][\w-]*$/.test(id) ? id : JSON.stringify(id);
}

/** Splits a strategies key (`members[1].members[0].enabled`, `members (order)`) into its parts. */
function keyParts(key: string): Array<string | number> | undefined {
  const parts: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\./g;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(key)) !== null) {
    if (m.index !== at) return undefined;
    at = re.lastIndex;
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
  }
  return at === key.length ? parts : undefined;
}

function uniqueIds(members: readonly MemberConfig[] | undefined): boolean {
  return members !== undefined && new Set(members.map((m) => m.id)).size === members.length;
}

interface Spelled {
  /** The key as the file spells it, members named by id where ids are unique. */
  key: string;
  /** The path into the document's data, for finding the line (indexes, not ids). */
  dataPath: FieldPath;
}

/** How a member list spells the enabled flag: as its first member that has one, else `enable` (what a write adds). */
function listEnableKey(list: unknown): string {
  if (Array.isArray(list)) {
    for (const m of list) if (isPlainObject(m)) for (const k of ['enable', 'enabled']) if (m[k] !== undefined) return k;
  }
  return 'enable';
}

/**
 * Spells a strategies key against the file's raw team node. Member indexes refer to `config`'s lists; a key
 * ending in a member index names a member added or removed whole, whose id `wholeMemberId` gives (an added
 * member's index counts in the new list, where `config` may hold someone else).
 */
function spell(raw: unknown, key: string, config: TeamConfig, dialect: WorkflowFile['kind'], wholeMemberId?: string): Spelled {
  const parts = keyParts(key);
  if (!parts || parts.length === 0) return { key, dataPath: [] };
  const node = dialect === 'workflow-node';
  const [head, ...rest] = parts;
  if (rest.length === 0) {
    let k: string | undefined;
    if (head === 'formation') k = spelt(raw, ['formation', 'team_formation'], node ? 'team_formation' : 'formation');
    else if (head === 'tool_budget') k = spelt(raw, ['tool_budget', 'total_tool_budget'], node ? 'total_tool_budget' : 'tool_budget');
    // `members: 5` is how some files write the count.
    else if (head === 'member_count') k = isPlainObject(raw) && raw.member_count === undefined && typeof raw.members === 'number' ? 'members' : 'member_count';
    if (k !== undefined) return { key: k, dataPath: [k] };
  }
  if (head !== 'members') return { key, dataPath: parts };
  // Walk the member lists: each `[i]` becomes `[id]`, and `enabled` the member's own spelling.
  let out = 'members';
  const dataPath: Array<string | number> = ['members'];
  let rawList: unknown = isPlainObject(raw) ? raw.members : undefined;
  let list: readonly MemberConfig[] | undefined = config.members;
  let rawMember: unknown;
  for (let i = 0; i < rest.length; i++) {
    const part = rest[i];
    if (typeof part === 'number') {
      const last = i === rest.length - 1;
      const member = last && wholeMemberId !== undefined ? undefined : list?.[part];
      const id = last && wholeMemberId !== undefined ? wholeMemberId : member?.id;
      // By id only where the id names one member: with duplicates the strategies matched members by position.
      out += id !== undefined && (list === undefined || uniqueIds(list)) ? `[${memberRef(id)}]` : `[${part}]`;
      // The file's own entry for the member, found by id: `config` may be a later config whose indexes differ.
      const at = Array.isArray(rawList) && member ? rawList.findIndex((m) => (isPlainObject(m) ? m.id : m) === member.id) : -1;
      dataPath.push(at >= 0 ? at : part);
      rawMember = at >= 0 ? (rawList as unknown[])[at] : undefined;
      list = member?.members;
      continue;
    }
    const name = part === 'enabled' ? spelt(rawMember, ['enable', 'enabled'], listEnableKey(rawList)) : String(part);
    out += `.${name}`;
    dataPath.push(name);
    if (name === 'members') {
      rawList = isPlainObject(rawMember) ? rawMember.members : undefined;
      continue;
    }
    // Below a member's own key (a map of its own, kept as written): the rest is spelled as it is.
    for (const p of rest.slice(i + 1)) {
      out += typeof p === 'number' ? `[${p}]` : `.${p}`;
      dataPath.push(p);
    }
    break;
  }
  return { key: out, dataPath };
}

/** The id of a member a change adds or removes whole (its `after`, else its `before`, is the member). */
function wholeMember(change: ChangedKey): string | undefined {
  for (const v of [change.after, change.before]) if (isPlainObject(v) && typeof v.id === 'string') return v.id;
  return undefined;
}

/**
 * Where a setting of the team sits in its workflow file, spelled as the file spells it.
 *
 * @param key a key as the strategies name it (`formation`, `tool_budget`, `members[1].enabled`).
 */
export function teamKeyInFile(file: WorkflowFile, key: string): TeamKeyPlace {
  const parsed = parsedOf(file);
  const raw = valueAt(parsed.value, file.nodePath);
  const spelled = spell(raw, key, file.config, file.kind);
  const full = [...file.nodePath, ...spelled.dataPath];
  const line = parsed.lineOf(full);
  return { key: spelled.key, path: formatFieldPath(full), ...(line !== undefined ? { line } : {}) };
}

/**
 * The changes with `fileKey` set: each key as the file spells it (`team_formation`, `total_tool_budget`,
 * `members[researcher].enable`), with members named by id. The strategies' `key` is left as it is, so a
 * program reading the JSON output keeps one vocabulary across files.
 *
 * @param changes keys comparing `before` with another config (`changedKeys(before, next)`).
 * @param before the config the keys' member indexes refer to: the file's own unless a change came after another.
 */
export function spellChanges<T extends ChangedKey>(file: WorkflowFile, changes: readonly T[], before: TeamConfig = file.config): Array<T & { fileKey: string }> {
  const raw = valueAt(parsedOf(file).value, file.nodePath);
  return changes.map((c) => ({ ...c, fileKey: spell(raw, c.key, before, file.kind, /\[\d+\]$/.test(c.key) ? wholeMember(c) : undefined).key }));
}

/**
 * A config as it would be written into this file's team: its spelling (`team_formation`, `enable`), its key
 * order, and its keys autotune does not know. What JSON output shows as a file's current or suggested config.
 */
export function configInFileShape(file: WorkflowFile, config: TeamConfig): Record<string, unknown> {
  const raw = valueAt(parsedOf(file).value, file.nodePath);
  const out = teamToUser(config, file.kind, raw);
  // A node's identity (`id`, `type`) is where the team sits, not part of its config.
  if (file.kind === 'workflow-node') {
    delete out.id;
    delete out.type;
  }
  return out;
}
