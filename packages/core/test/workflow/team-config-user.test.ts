import { isAutotuneError } from '@autotune/errors';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../../src/errors';
import { isTeamConfig, teamConfigFromUser, teamConfigToUser } from '../../src/workflow/team-config';

describe('teamConfigFromUser', () => {
  it('maps the guide’s snake_case keys and keeps unknown keys in extra', () => {
    const config = teamConfigFromUser({
      team_id: 'my_team',
      formation: 'hierarchical',
      member_count: 3,
      tool_budget: 30,
      timeout_seconds: 180,
      members: [
        { id: 'coordinator', role: 'manager' },
        { id: 'sub_team_1', formation: 'parallel', members: ['a', { id: 'b', enable: false, tool_budget_multiplier: 0.8 }] },
        { id: 'sub_team_2', formation: 'parallel', members: 2 },
      ],
      owner: 'ops',
    });
    expect(config).toEqual<TeamConfig>({
      formation: 'hierarchical',
      memberCount: 3,
      toolBudget: 30,
      timeoutSeconds: 180,
      members: [
        { id: 'coordinator', role: 'manager' },
        { id: 'sub_team_1', formation: 'parallel', members: [{ id: 'a' }, { id: 'b', enabled: false, toolBudgetMultiplier: 0.8 }] },
        { id: 'sub_team_2', formation: 'parallel', extra: { members: 2 } },
      ],
      extra: { team_id: 'my_team', owner: 'ops' },
    });
  });

  it.each([
    ['a members list', { formation: 'parallel', members: ['a', 'b', 'c'] }, 3],
    ['a members count', { formation: 'consensus', members: 5 }, 5],
    ['member_count over the list', { formation: 'parallel', member_count: 2, members: ['a', 'b', 'c'] }, 2],
    ['the agents of sub-teams', { formation: 'hierarchical', members: ['c', { id: 's1', members: ['x', 'y'] }, { id: 's2', members: 3 }] }, 6],
  ])('takes the member count from %s', (_label, user, count) => {
    expect(teamConfigFromUser(user).memberCount).toBe(count);
  });

  it.each([
    ['not a map', ['parallel'], undefined, 'expected a map of team settings'],
    ['no formation', { member_count: 3 }, 'formation', 'expected a formation such as sequential'],
    ['an empty formation', { formation: ' ', member_count: 3 }, 'formation', 'expected a formation name, got " "'],
    ['both formation spellings', { formation: 'a', team_formation: 'b', member_count: 1 }, 'team_formation', 'only one of formation or team_formation'],
    ['no member count', { formation: 'parallel' }, 'member_count', 'expected a member count'],
    ['a zero member count', { formation: 'parallel', member_count: 0 }, 'member_count', 'an integer at least 1, got 0'],
    ['a fractional member count', { formation: 'parallel', member_count: 2.5 }, 'member_count', 'an integer at least 1, got 2.5'],
    ['a text members value', { formation: 'parallel', members: 'a, b' }, 'members', 'a list of members or a member count'],
    ['a negative budget', { formation: 'parallel', member_count: 2, tool_budget: -1 }, 'tool_budget', 'a number at least 0, got -1'],
    ['a zero timeout', { formation: 'parallel', member_count: 2, timeout_seconds: 0 }, 'timeout_seconds', 'greater than 0'],
    ['a member without id', { formation: 'parallel', members: [{ role: 'x' }] }, 'members[0].id', 'expected a member id'],
    ['a numeric member', { formation: 'parallel', members: [7] }, 'members[0]', 'a member id or a map with an "id"'],
    ['a text enable flag', { formation: 'parallel', members: [{ id: 'a', enable: 'no' }] }, 'members[0].enable', 'expected true or false, got "no"'],
    ['a duplicate member', { formation: 'parallel', members: ['a', { id: 'a' }] }, 'members[1].id', '"a" is already used by members[0]'],
    ['a bad multiplier', { formation: 'parallel', members: [{ id: 'a', tool_budget_multiplier: -2 }] }, 'members[0].tool_budget_multiplier', 'at least 0'],
    ['a bad sub-team member', { formation: 'h', members: [{ id: 's', members: [{ id: '' }] }] }, 'members[0].members[0].id', 'member id'],
  ])('rejects %s, naming the field', (_label, user, field, message) => {
    let caught: unknown;
    try {
      teamConfigFromUser(user, 'current_config');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CoreError);
    const err = caught as CoreError;
    expect(isAutotuneError(err)).toBe(true);
    expect(err.code).toBe('CORE_CONFIG_INVALID');
    expect(err.location.field).toBe(field);
    expect(err.message).toContain('current_config');
    expect(err.message).toContain(message);
  });
});

describe('teamConfigToUser', () => {
  it.each<[string, Record<string, unknown>]>([
    ['the guide’s minimal config', { formation: 'sequential', member_count: 5 }],
    ['every team key', { team_id: 't', formation: 'parallel', member_count: 2, tool_budget: 50, timeout_seconds: 300, members: ['a', 'b'] }],
    ['member maps', { formation: 'parallel', member_count: 2, members: [{ id: 'a', role: 'r', enable: false }, { id: 'b', tool_budget_multiplier: 1.5 }] }],
    ['sub-teams', { formation: 'hierarchical', member_count: 2, members: [{ id: 'c', role: 'manager' }, { id: 's', formation: 'parallel', members: ['x', 'y'] }] }],
    ['unknown keys at every level', { formation: 'parallel', member_count: 1, custom: { deep: [1, 2] }, members: [{ id: 'a', model: 'big' }] }],
  ])('round-trips %s exactly without a template (canonical input)', (_label, user) => {
    const back = teamConfigToUser(teamConfigFromUser(user));
    expect(back).toEqual(user);
    expect(Object.keys(back)).toEqual(Object.keys(user).sort((x, y) => canonicalRank(x) - canonicalRank(y)));
  });

  it.each<[string, Record<string, unknown>]>([
    ['enabled instead of enable', { formation: 'parallel', members: [{ id: 'a', enabled: true }, 'b'] }],
    ['member maps holding only an id', { formation: 'parallel', members: [{ id: 'member1' }, { id: 'member2' }] }],
    ['members as a count', { formation: 'consensus', members: 5, tool_budget: 75 }],
    ['node spelling', { team_formation: 'sequential', total_tool_budget: 40, members: ['a'] }],
    ['member_count beside a count', { formation: 'parallel', member_count: 3, members: 5 }],
    ['empty known keys', { formation: 'parallel', member_count: 2, tool_budget: null }],
    ['a user’s own key order', { members: ['a', 'b'], timeout_seconds: 60, formation: 'pipeline', team_id: 'x' }],
  ])('round-trips %s exactly with the source as template, key order included', (_label, user) => {
    const back = teamConfigToUser(teamConfigFromUser(user), user);
    expect(back).toEqual(user);
    expect(JSON.stringify(back)).toBe(JSON.stringify(user));
  });

  it('writes a member count the list does not show, next to the formation', () => {
    const user = { formation: 'parallel', tool_budget: 10, members: ['a', 'b', 'c', 'd'] };
    const config = teamConfigFromUser(user);
    expect(JSON.stringify(teamConfigToUser({ ...config, memberCount: 2 }, user))).toBe(
      JSON.stringify({ formation: 'parallel', member_count: 2, tool_budget: 10, members: ['a', 'b', 'c', 'd'] }),
    );
  });

  it('spells a newly disabled member like its siblings', () => {
    const user = { formation: 'parallel', members: [{ id: 'a', enabled: true }, 'b'] };
    const config = teamConfigFromUser(user);
    const next: TeamConfig = { ...config, members: [config.members![0]!, { id: 'b', enabled: false }] };
    expect(teamConfigToUser(next, user)).toEqual({ formation: 'parallel', members: [{ id: 'a', enabled: true }, { id: 'b', enabled: false }] });
  });
});

function canonicalRank(key: string): number {
  const order = ['formation', 'member_count', 'tool_budget', 'timeout_seconds', 'members'];
  const i = order.indexOf(key);
  return i >= 0 ? i : order.length;
}

describe('isTeamConfig', () => {
  it.each([
    [{ formation: 'parallel', memberCount: 3 }, true],
    [{ formation: 'parallel', memberCount: 3, members: [{ id: 'a' }] }, true],
    [{ formation: 'parallel', member_count: 3 }, false],
    [{ formation: 'parallel', memberCount: 3, member_count: 3 }, false],
    [{ formation: 'parallel', memberCount: '3' }, false],
    [{ formation: 'parallel', memberCount: 3, members: 3 }, false],
    [null, false],
    ['parallel', false],
  ])('%j -> %s', (u, expected) => {
    expect(isTeamConfig(u)).toBe(expected);
  });
});
