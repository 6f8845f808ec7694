import { changedKeys } from '@autotune/strategies';
import type { TeamConfig } from '@autotune/strategies';
import { sampleTeamConfig } from '@autotune/strategies/testing';

const base = sampleTeamConfig();
const members = base.members!;
const [m1, m2] = members;
if (m1 === undefined || m2 === undefined) throw new Error('the sample team has members');

describe('changedKeys', () => {
  it('is empty for equal configs, including an explicit default vs an absent one', () => {
    expect(changedKeys(base, sampleTeamConfig())).toEqual([]);
    expect(changedKeys(base, { ...base, members: members.map((m) => ({ ...m, enabled: true, toolBudgetMultiplier: 1 })) })).toEqual([]);
  });

  it.each<[string, Partial<TeamConfig>, Array<{ key: string; before: unknown; after: unknown }>]>([
    ['formation', { formation: 'parallel' }, [{ key: 'formation', before: 'sequential', after: 'parallel' }]],
    ['limits, in snake_case', { toolBudget: 30, timeoutSeconds: 180 }, [
      { key: 'tool_budget', before: 50, after: 30 },
      { key: 'timeout_seconds', before: 300, after: 180 },
    ]],
    ['a member disabled', { members: members.map((m) => (m.id === 'm3' ? { ...m, enabled: false } : m)) }, [
      { key: 'members[2].enabled', before: true, after: false },
    ]],
    ['a multiplier', { members: members.map((m) => (m.id === 'm1' ? { ...m, toolBudgetMultiplier: 1.5 } : m)) }, [
      { key: 'members[0].tool_budget_multiplier', before: 1, after: 1.5 },
    ]],
    ['a member dropped from the middle (matched by id, not shifted)', { memberCount: 4, members: members.filter((m) => m.id !== 'm2') }, [
      { key: 'member_count', before: 5, after: 4 },
      { key: 'members[1]', before: { id: 'm2', role: 'researcher' }, after: undefined },
    ]],
    ['a member added', { memberCount: 6, members: [...members, { id: 'm6', toolBudgetMultiplier: 0.5 }] }, [
      { key: 'member_count', before: 5, after: 6 },
      { key: 'members[5]', before: undefined, after: { id: 'm6', tool_budget_multiplier: 0.5 } },
    ]],
    ['members reordered', { members: [m2, m1, ...members.slice(2)] }, [
      { key: 'members (order)', before: ['m1', 'm2', 'm3', 'm4', 'm5'], after: ['m2', 'm1', 'm3', 'm4', 'm5'] },
    ]],
    ['a nested extra key, unprefixed', { extra: { team_id: 'sample_team', labels: { owner: 'ops', tier: 2 } } }, [
      { key: 'labels.owner', before: 'qa', after: 'ops' },
    ]],
    ['a member extra key', { members: members.map((m) => (m.id === 'm4' ? { ...m, extra: { model: 'small' } } : m)) }, [
      { key: 'members[3].model', before: undefined, after: 'small' },
    ]],
  ])('reports %s', (_label, change, expected) => {
    expect(changedKeys(base, { ...base, ...change })).toEqual(expected);
  });

  it('reports a restructured list (into sub-teams) as one key with both lists', () => {
    const after: TeamConfig = {
      ...base,
      formation: 'hierarchical',
      memberCount: 6,
      members: [
        { id: 'coordinator', role: 'manager' },
        { id: 'm1', role: 'planner' },
        { id: 'sub_team_1', formation: 'parallel', members: members.slice(1, 3) },
        { id: 'sub_team_2', formation: 'parallel', members: members.slice(3) },
      ],
    };
    const keys = changedKeys(base, after);
    expect(keys.map((k) => k.key)).toEqual(['formation', 'member_count', 'members']);
    expect(keys[2]?.after).toEqual([
      { id: 'coordinator', role: 'manager' },
      { id: 'm1', role: 'planner' },
      { id: 'sub_team_1', formation: 'parallel', members: [{ id: 'm2', role: 'researcher' }, { id: 'm3', role: 'researcher' }] },
      { id: 'sub_team_2', formation: 'parallel', members: [{ id: 'm4', role: 'writer' }, { id: 'm5', role: 'reviewer' }] },
    ]);
  });

  it('diffs inside a sub-team by path', () => {
    const team = (enabled?: boolean): TeamConfig => ({
      formation: 'hierarchical',
      memberCount: 3,
      members: [{ id: 'boss' }, { id: 't', formation: 'parallel', members: [{ id: 'a' }, { id: 'b', ...(enabled === undefined ? {} : { enabled }) }] }],
    });
    expect(changedKeys(team(), team(false))).toEqual([{ key: 'members[1].members[1].enabled', before: true, after: false }]);
  });

  it('reports a members list that appears as a whole', () => {
    const before: TeamConfig = { formation: 'parallel', memberCount: 2 };
    expect(changedKeys(before, { ...before, members: [{ id: 'a' }, { id: 'b' }] })).toEqual([
      { key: 'members', before: undefined, after: [{ id: 'a' }, { id: 'b' }] },
    ]);
  });
});
