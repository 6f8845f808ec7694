import { ConfigIssue, formatFieldPath, parseTeamObject, teamToUser } from '@autotune/strategies';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';

// The parsing itself lives in @autotune/strategies (next to TeamConfig, so the simulator shares it without
// depending on core); core's public functions add the source name and throw CoreError.

function issueToError(issue: ConfigIssue, where: string | undefined): CoreError {
  return new CoreError('CORE_CONFIG_INVALID', issue.message, { location: { file: where, field: issue.path.length > 0 ? formatFieldPath(issue.path) : undefined }, cause: issue });
}

/** True for `{}`-style values (not arrays, not null). */
export function isPlainObject(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/**
 * Reads a team config written the way users write it (`formation`, `member_count`, `tool_budget`,
 * `timeout_seconds`, `members` as ids or maps with `id`, `role`, `enable`/`enabled`,
 * `tool_budget_multiplier`, `formation`, `members`; `team_formation`/`total_tool_budget` are accepted
 * too). Unknown keys, `team_id` among them, are kept in `extra`.
 *
 * @param where names the source in error messages (a file name, or `current_config`).
 * @throws CoreError `CORE_CONFIG_INVALID` naming the field and what was expected.
 */
export function teamConfigFromUser(obj: unknown, where?: string): TeamConfig {
  try {
    return parseTeamObject(obj, 'flat');
  } catch (e) {
    if (e instanceof ConfigIssue) throw issueToError(e, where);
    throw e;
  }
}

/**
 * Writes a {@link TeamConfig} back in the user's flat snake_case shape. `teamConfigToUser(teamConfigFromUser(u), u)`
 * deep-equals `u`; without the template the output is canonical (`member_count` always written, members
 * that are only an id as bare strings, `enable` for the enabled flag), which equals `u` when `u` is canonical.
 *
 * @param template the user object the config was read from, whose spelling and key order to follow.
 */
export function teamConfigToUser(config: TeamConfig, template?: unknown): Record<string, unknown> {
  return teamToUser(config, 'flat', template);
}

/** True when `u` already has the {@link TeamConfig} shape (camelCase `memberCount`), not the user's snake_case. */
export function isTeamConfig(u: unknown): u is TeamConfig {
  return (
    isPlainObject(u) &&
    typeof u.formation === 'string' &&
    typeof u.memberCount === 'number' &&
    (u.members === undefined || Array.isArray(u.members)) &&
    u.member_count === undefined
  );
}
