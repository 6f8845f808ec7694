import { FORMATIONS, configFingerprint } from '@autotune/metrics';
import { changedKeys, type MemberConfig, type TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';
import { TUNE_SETTINGS, type TuneBounds, type TuneSearchSpace, type TuneSetting } from './tune-types';

/** A candidate config and what it changes. */
export interface NeighbourCandidate {
  config: TeamConfig;
  label: string;
  /** The settings it touches, so two candidates can be combined when they touch different ones. */
  settings: TuneSetting[];
}

function fail(field: string, expected: string, got: unknown): never {
  throw new CoreError('CORE_CONFIG_INVALID', `searchSpace.${field}: expected ${expected}, got ${JSON.stringify(got)}`, { location: { field: `searchSpace.${field}` } });
}

function checkBounds(b: unknown, field: string, integer: boolean): TuneBounds | undefined {
  if (b === undefined) return undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) fail(field, 'an object with min, max and/or levels', b);
  const o = b as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['min', 'max', 'levels'].includes(k)) fail(`${field}.${k}`, 'one of min, max, levels', k);
  const num = (v: unknown, f: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) fail(f, integer ? 'a whole number > 0' : 'a number > 0', v);
    return v;
  };
  const min = num(o.min, `${field}.min`);
  const max = num(o.max, `${field}.max`);
  if (min !== undefined && max !== undefined && min > max) fail(`${field}.max`, `a number >= min (${min})`, max);
  let levels: number[] | undefined;
  if (o.levels !== undefined) {
    if (!Array.isArray(o.levels)) fail(`${field}.levels`, 'an array of numbers', o.levels);
    levels = (o.levels as unknown[]).map((v, i) => num(v, `${field}.levels[${i}]`) as number);
  }
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(levels ? { levels } : {}) };
}

/**
 * Checks a search space from a config file or the API and returns it normalised.
 *
 * @throws CoreError `CORE_CONFIG_INVALID` naming the field and what was expected.
 */
export function validateSearchSpace(space: unknown): TuneSearchSpace {
  if (space === undefined || space === null) return {};
  if (typeof space !== 'object' || Array.isArray(space)) fail('', 'an object', space);
  const o = space as Record<string, unknown>;
  const known = ['formations', 'memberCount', 'toolBudget', 'timeoutSeconds', 'frozen', 'keepMembers'];
  for (const k of Object.keys(o)) if (!known.includes(k)) fail(k, `one of ${known.join(', ')}`, k);
  const out: TuneSearchSpace = {};
  if (o.formations !== undefined) {
    if (!Array.isArray(o.formations) || o.formations.length === 0) fail('formations', `a non-empty array of ${FORMATIONS.join(', ')}`, o.formations);
    (o.formations as unknown[]).forEach((f, i) => {
      if (!(FORMATIONS as readonly unknown[]).includes(f)) fail(`formations[${i}]`, `one of ${FORMATIONS.join(', ')}`, f);
    });
    out.formations = [...(o.formations as string[])];
  }
  const mc = checkBounds(o.memberCount, 'memberCount', true);
  if (mc) out.memberCount = mc;
  const tb = checkBounds(o.toolBudget, 'toolBudget', true);
  if (tb) out.toolBudget = tb;
  const to = checkBounds(o.timeoutSeconds, 'timeoutSeconds', false);
  if (to) out.timeoutSeconds = to;
  if (o.frozen !== undefined) {
    if (!Array.isArray(o.frozen)) fail('frozen', `an array of ${TUNE_SETTINGS.join(', ')}`, o.frozen);
    (o.frozen as unknown[]).forEach((f, i) => {
      if (!(TUNE_SETTINGS as readonly unknown[]).includes(f)) fail(`frozen[${i}]`, `one of ${TUNE_SETTINGS.join(', ')}`, f);
    });
    out.frozen = [...(o.frozen as TuneSetting[])];
  }
  if (o.keepMembers !== undefined) {
    if (!Array.isArray(o.keepMembers) || (o.keepMembers as unknown[]).some((m) => typeof m !== 'string' || m === '')) fail('keepMembers', 'an array of member ids', o.keepMembers);
    out.keepMembers = [...(o.keepMembers as string[])];
  }
  return out;
}

/** Merges two spaces: fields of `over` win. */
export function mergeSearchSpaces(base: TuneSearchSpace | undefined, over: TuneSearchSpace | undefined): TuneSearchSpace {
  return { ...(base ?? {}), ...(over ?? {}) };
}

const enabledMembers = (c: TeamConfig): MemberConfig[] => (c.members ?? []).filter((m) => m.enabled !== false);
const hasSubTeams = (c: TeamConfig): boolean => (c.members ?? []).some((m) => (m.members?.length ?? 0) > 0);

/** The settings in which two configs differ. */
export function settingsChanged(before: TeamConfig, after: TeamConfig): TuneSetting[] {
  const out: TuneSetting[] = [];
  if (before.formation !== after.formation) out.push('formation');
  const ids = (c: TeamConfig) => enabledMembers(c).map((m) => m.id).join('\u0000');
  const count = (c: TeamConfig) => (c.members ? enabledMembers(c).length : c.memberCount);
  if (count(before) !== count(after) || before.memberCount !== after.memberCount) out.push('member_count');
  if (ids(before) !== ids(after) || JSON.stringify(before.members ?? []) !== JSON.stringify(after.members ?? [])) out.push('members');
  if (before.toolBudget !== after.toolBudget) out.push('tool_budget');
  if (before.timeoutSeconds !== after.timeoutSeconds) out.push('timeout_seconds');
  return out;
}

/**
 * Why a config lies outside the space around `origin` (a frozen setting changed, a bound crossed, a formation
 * not allowed, a member that must stay dropped), or undefined when it is inside.
 */
export function outsideSpace(origin: TeamConfig, config: TeamConfig, space: TuneSearchSpace): string | undefined {
  const changed = settingsChanged(origin, config);
  const frozen = new Set(space.frozen ?? []);
  for (const s of changed) {
    // Changing how many members run changes which run; `members` frozen forbids both.
    if (frozen.has(s) || (s === 'member_count' && frozen.has('members'))) return `it changes ${s}, which is frozen`;
  }
  if (changed.includes('formation') && space.formations && !space.formations.includes(config.formation)) return `formation ${config.formation} is not allowed`;
  const count = config.members ? enabledMembers(config).length : config.memberCount;
  const inBounds = (v: number | undefined, b: TuneBounds | undefined) => v === undefined || !b || ((b.min === undefined || v >= b.min) && (b.max === undefined || v <= b.max));
  if (changed.includes('member_count') && !inBounds(count, space.memberCount)) return `${count} members is outside the bounds`;
  if (changed.includes('tool_budget') && !inBounds(config.toolBudget, space.toolBudget)) return `tool budget ${config.toolBudget} is outside the bounds`;
  if (changed.includes('timeout_seconds') && !inBounds(config.timeoutSeconds, space.timeoutSeconds)) return `timeout ${config.timeoutSeconds} s is outside the bounds`;
  if (count < 1) return 'it leaves no member';
  const keep = space.keepMembers ?? [];
  if (config.members && keep.length > 0) {
    const on = new Set(enabledMembers(config).map((m) => m.id));
    const gone = keep.filter((id) => (origin.members ?? []).some((m) => m.id === id) && !on.has(id));
    if (gone.length > 0) return `it drops ${gone.join(', ')}, which must stay`;
  }
  return undefined;
}

/** A config with exactly the members `on` enabled (the others kept in the list, disabled). */
function withMembers(config: TeamConfig, on: ReadonlySet<string>): TeamConfig {
  const members = (config.members ?? []).map((m) => {
    const copy: MemberConfig = { ...m };
    if (on.has(m.id)) delete copy.enabled;
    else copy.enabled = false;
    return copy;
  });
  return { ...config, members, memberCount: on.size };
}

function levelsAround(value: number | undefined, bounds: TuneBounds | undefined, factors: number[], integer: boolean): number[] {
  const raw = bounds?.levels ?? (value === undefined ? [] : factors.map((f) => (integer ? Math.max(1, Math.round(value * f)) : Math.round(value * f * 10) / 10)));
  return [...new Set(raw)].filter((v) => v !== value && (bounds?.min === undefined || v >= bounds.min) && (bounds?.max === undefined || v <= bounds.max));
}

/**
 * Every one-setting change of `config` inside `space`, in the order the tuner tries them when the budget cannot
 * hold all: each other formation; fewer members (smaller teams keeping the first members, down to 2 unless the
 * bounds say otherwise, then each other single member dropped), more members (a disabled one enabled); tool
 * budget levels; timeout levels. Timeout and budget
 * come last because on a duration objective they rarely pay (tools/bench found none of 146 did).
 */
export function neighbours(config: TeamConfig, space: TuneSearchSpace): NeighbourCandidate[] {
  const out: NeighbourCandidate[] = [];
  const seen = new Set<string>([configFingerprint(config)]);
  const add = (c: TeamConfig, label: string) => {
    const fp = configFingerprint(c);
    if (seen.has(fp) || outsideSpace(config, c, space) !== undefined) return;
    seen.add(fp);
    out.push({ config: c, label, settings: settingsChanged(config, c) });
  };
  // A team of one is no team: unless the bounds say otherwise, sizes stop at 2 (or the size in force, if smaller).
  const smallest = space.memberCount?.min ?? Math.min(2, config.memberCount);
  for (const f of space.formations ?? FORMATIONS) if (f !== config.formation) add({ ...config, formation: f }, `formation ${config.formation} -> ${f}`);

  if (config.members && !hasSubTeams(config)) {
    const on = enabledMembers(config);
    // Smaller teams keeping the first members first (the order users list members in is usually their importance),
    // then each other single member dropped.
    for (let n = on.length - 1; n >= smallest; n--) add(withMembers(config, new Set(on.slice(0, n).map((x) => x.id))), n === on.length - 1 ? `drop member ${on[n]!.id}` : `${on.length} -> ${n} members (keep the first ${n})`);
    for (const m of on.slice(0, -1)) add(withMembers(config, new Set(on.filter((x) => x !== m).map((x) => x.id))), `drop member ${m.id}`);
    for (const m of config.members.filter((x) => x.enabled === false)) add(withMembers(config, new Set([...on.map((x) => x.id), m.id])), `enable member ${m.id}`);
  } else if (!config.members) {
    for (const n of [config.memberCount - 1, config.memberCount - 2, config.memberCount + 1]) if (n >= smallest) add({ ...config, memberCount: n }, `${config.memberCount} -> ${n} members`);
  }
  for (const b of levelsAround(config.toolBudget, space.toolBudget, [0.85, 0.7, 0.5, 1.25], true)) add({ ...config, toolBudget: b }, `tool budget ${config.toolBudget ?? 'none'} -> ${b}`);
  for (const t of levelsAround(config.timeoutSeconds, space.timeoutSeconds, [0.75, 1.5], false)) add({ ...config, timeoutSeconds: t }, `timeout ${config.timeoutSeconds ?? 'none'} -> ${t} s`);
  return out;
}

/**
 * The config with both changes: `b`'s settings applied over `a`. Undefined when they touch a common setting or
 * the result leaves the space.
 */
export function combine(origin: TeamConfig, a: NeighbourCandidate, b: NeighbourCandidate, space: TuneSearchSpace): NeighbourCandidate | undefined {
  if (a.settings.some((s) => b.settings.includes(s))) return undefined;
  // Member changes combine only with non-member ones: two member edits are one edit of the member list.
  const config: TeamConfig = JSON.parse(JSON.stringify(a.config)) as TeamConfig;
  for (const s of b.settings) {
    if (s === 'formation') config.formation = b.config.formation;
    if (s === 'member_count' || s === 'members') {
      config.memberCount = b.config.memberCount;
      if (b.config.members) config.members = JSON.parse(JSON.stringify(b.config.members)) as MemberConfig[];
    }
    if (s === 'tool_budget') {
      if (b.config.toolBudget === undefined) delete config.toolBudget;
      else config.toolBudget = b.config.toolBudget;
    }
    if (s === 'timeout_seconds') {
      if (b.config.timeoutSeconds === undefined) delete config.timeoutSeconds;
      else config.timeoutSeconds = b.config.timeoutSeconds;
    }
  }
  if (outsideSpace(origin, config, space) !== undefined) return undefined;
  return { config, label: `${a.label} + ${b.label}`, settings: [...a.settings, ...b.settings] };
}

/** Changes of a candidate in the user's vocabulary. */
export function describeChanges(before: TeamConfig, after: TeamConfig): Array<{ key: string; before: unknown; after: unknown }> {
  return changedKeys(before, after);
}
