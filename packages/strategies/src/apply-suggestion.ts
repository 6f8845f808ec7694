import type { MemberConfig, OptimizationSuggestion, TeamConfig } from './contract';
import { StrategyError } from './errors';
import { cloneData, isPlainObject } from './internal/data';
import { countAgents, hasSubTeams, padMembers, trimMembers } from './internal/members';

const KNOWN_KEYS = new Set(['formation', 'memberCount', 'members', 'toolBudget', 'timeoutSeconds', 'extra']);

function invalid(suggestion: OptimizationSuggestion, field: string, expected: string, got: unknown): StrategyError {
  return new StrategyError(
    'STRATEGY_INVALID_SUGGESTION',
    `suggestion "${String(suggestion.type)}"${suggestion.strategy ? ` of strategy "${suggestion.strategy}"` : ''}: ` +
      `field "${field}" must be ${expected}, got ${JSON.stringify(got)}`,
  );
}

function checkMembers(s: OptimizationSuggestion, members: unknown, path: string): void {
  if (!Array.isArray(members)) throw invalid(s, path, 'an array of members', members);
  const ids = new Set<string>();
  members.forEach((m: MemberConfig, i) => {
    if (!isPlainObject(m) || typeof m.id !== 'string' || m.id === '') throw invalid(s, `${path}[${i}].id`, 'a non-empty string', m?.id);
    if (ids.has(m.id)) throw invalid(s, `${path}[${i}].id`, 'unique among its siblings', m.id);
    ids.add(m.id);
    const mult = m.toolBudgetMultiplier;
    if (mult !== undefined && !(Number.isFinite(mult) && mult > 0)) {
      throw invalid(s, `${path}[${i}].toolBudgetMultiplier`, 'a positive number', mult);
    }
    if (m.members !== undefined) checkMembers(s, m.members, `${path}[${i}].members`);
  });
}

function checkResult(s: OptimizationSuggestion, c: TeamConfig): void {
  if (typeof c.formation !== 'string' || c.formation === '') throw invalid(s, 'formation', 'a non-empty string', c.formation);
  if (!Number.isInteger(c.memberCount) || c.memberCount < 1) throw invalid(s, 'memberCount', 'an integer >= 1', c.memberCount);
  for (const key of ['toolBudget', 'timeoutSeconds'] as const) {
    const v = c[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw invalid(s, key, 'a positive number', v);
  }
  if (c.members !== undefined) checkMembers(s, c.members, 'members');
}

/**
 * A new config with the suggestion's changed fields merged in; neither input is touched.
 *
 * - Top-level fields of `suggestedConfig` replace the config's; `members` is replaced as a whole list.
 * - `extra` is merged key by key (it holds only changed keys, like the rest of `suggestedConfig`); a key
 *   that `TeamConfig` does not know (a plain-JS plugin's `custom_param`) lands in `extra` too, so it
 *   reaches the user's file instead of being dropped.
 * - `members` and `memberCount` stay in step: a new count trims a flat list (disabled members first, then
 *   the last listed, never a coordinator) or pads it with `member_<n>`; a new list sets the count to its
 *   number of agents (a sub-team counts as its members).
 *
 * @throws StrategyError `STRATEGY_INVALID_SUGGESTION` when the result would not be a valid config (empty
 *   formation, count below 1, non-positive budget or timeout, members without unique ids).
 */
export function applySuggestion(config: TeamConfig, suggestion: OptimizationSuggestion): TeamConfig {
  const changes = suggestion.suggestedConfig as Record<string, unknown>;
  if (!isPlainObject(changes)) throw invalid(suggestion, 'suggestedConfig', 'an object of changed fields', changes);
  const out = cloneData(config) as TeamConfig & Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'extra') {
      if (!isPlainObject(value)) throw invalid(suggestion, 'extra', 'an object', value);
      out.extra = { ...(out.extra ?? {}), ...cloneData(value) };
    } else if (KNOWN_KEYS.has(key)) {
      out[key] = cloneData(value);
    } else {
      out.extra = { ...(out.extra ?? {}), [key]: cloneData(value) };
    }
  }
  const setsCount = changes.memberCount !== undefined;
  const setsMembers = changes.members !== undefined;
  if (setsMembers && !setsCount && Array.isArray(out.members)) {
    out.memberCount = countAgents(out.members);
  } else if (setsCount && !setsMembers && Array.isArray(out.members) && !hasSubTeams(out.members)) {
    if (!Number.isInteger(out.memberCount) || out.memberCount < 1) throw invalid(suggestion, 'memberCount', 'an integer >= 1', out.memberCount);
    if (out.members.length > out.memberCount) out.members = trimMembers(out.members, out.memberCount);
    else if (out.members.length < out.memberCount) out.members = padMembers(out.members, out.memberCount);
  }
  checkResult(suggestion, out);
  return out;
}
