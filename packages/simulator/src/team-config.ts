import { ConfigIssue, parseTeamObject } from '@autotune/strategies';
import type { FieldPath, TeamConfig } from '@autotune/strategies';
import { SimulatorError } from './errors';
import { formatFieldPath } from './team-model';

/**
 * Reads a team written the way users write it (`formation`, `member_count`, `members`, ...), as scenarios
 * and generated scenarios hold it. The parser is the one core's workflow files use (from
 * @autotune/strategies); a bad field becomes a SimulatorError naming `where` and the field, with `at`
 * (where the team sits in the scenario) put in front of the field path.
 */
export function teamConfigFromUser(
  obj: unknown,
  where?: string,
  at: FieldPath = [],
  lineOf: (path: FieldPath) => number | undefined = () => undefined,
  code: 'SIMULATOR_INVALID_SCENARIO' | 'SIMULATOR_INVALID_CONFIG' = 'SIMULATOR_INVALID_CONFIG',
): TeamConfig {
  try {
    return parseTeamObject(obj, 'flat');
  } catch (cause) {
    if (!(cause instanceof ConfigIssue)) throw cause;
    const path = [...at, ...cause.path];
    const field = path.length > 0 ? formatFieldPath(undefined, path) : undefined;
    throw new SimulatorError(code,  cause.message, { location: { file: where, line: lineOf(path), field }, cause });
  }
}
