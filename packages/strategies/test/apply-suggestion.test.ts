import { StrategyError, applySuggestion } from '@autotune/strategies';
import type { MemberConfig, OptimizationSuggestion, TeamConfig } from '@autotune/strategies';
import { deepFreeze, sampleTeamConfig } from '@autotune/strategies/testing';

function suggestion(suggestedConfig: Record<string, unknown>, currentConfig: TeamConfig = sampleTeamConfig()): OptimizationSuggestion {
  return {
    type: 'custom',
    priority: 'medium',
    description: 'test',
    currentConfig,
    suggestedConfig: suggestedConfig,
    expectedImprovement: 10,
    confidence: 0.7,
    riskLevel: 0.2,
    targetMetric: 'duration',
  };
}

const ids = (ms: MemberConfig[] | undefined) => ms?.map((m) => m.id);

describe('applySuggestion', () => {
  it('merges the changed fields into a deep copy and leaves both inputs alone', () => {
    const config = deepFreeze(sampleTeamConfig());
    const s = deepFreeze(suggestion({ toolBudget: 30, timeoutSeconds: 180 }));
    const out = applySuggestion(config, s);
    expect(out).toEqual({ ...sampleTeamConfig(), toolBudget: 30, timeoutSeconds: 180 });
    expect(out.members).not.toBe(config.members);
    expect(out.extra).not.toBe(config.extra);
  });

  it.each<[string, Partial<TeamConfig> & Record<string, unknown>, (c: TeamConfig) => unknown, unknown]>([
    ['a new count trims the flat list from the end', { memberCount: 3 }, (c) => ids(c.members), ['m1', 'm2', 'm3']],
    ['a new count grows the list with member_<n>', { memberCount: 7 }, (c) => ids(c.members), ['m1', 'm2', 'm3', 'm4', 'm5', 'member_6', 'member_7']],
    ['a new list sets the count', { members: [{ id: 'a' }, { id: 'b' }] }, (c) => c.memberCount, 2],
    [
      'a sub-team counts as its members',
      { members: [{ id: 'boss', role: 'manager' }, { id: 't1', formation: 'parallel', members: [{ id: 'a' }, { id: 'b' }] }] },
      (c) => c.memberCount,
      3,
    ],
    ['both given: taken as they are', { memberCount: 2, members: [{ id: 'a' }, { id: 'b' }] }, (c) => [c.memberCount, ids(c.members)], [2, ['a', 'b']]],
    ['extra is merged key by key', { extra: { labels: { owner: 'ops' } } }, (c) => c.extra, { team_id: 'sample_team', labels: { owner: 'ops' } }],
    ['an unknown key lands in extra', { custom_param: 'new_value' }, (c) => c.extra?.custom_param, 'new_value'],
    ['an undefined field is ignored', { toolBudget: undefined as unknown as number /* as a JavaScript caller may pass */, formation: 'parallel' }, (c) => [c.toolBudget, c.formation], [50, 'parallel']],
  ])('%s', (_label, changes, pick, expected) => {
    expect(pick(applySuggestion(sampleTeamConfig(), suggestion(changes)))).toEqual(expected);
  });

  it('never drops a coordinator when trimming, and drops disabled members first', () => {
    const config = sampleTeamConfig({
      members: [{ id: 'lead', role: 'Coordinator' }, { id: 'a' }, { id: 'b', enabled: false }, { id: 'c' }, { id: 'd' }],
    });
    expect(ids(applySuggestion(config, suggestion({ memberCount: 2 })).members)).toEqual(['lead', 'a']);
  });

  it('leaves a config without members without members', () => {
    expect(applySuggestion({ formation: 'parallel', memberCount: 8 }, suggestion({ memberCount: 4 }))).toEqual({ formation: 'parallel', memberCount: 4 });
  });

  it.each([
    ['a member count of 0', { memberCount: 0 }, /memberCount.*integer >= 1, got 0/],
    ['a fractional member count', { memberCount: 2.5 }, /memberCount/],
    ['a negative tool budget', { toolBudget: -1 }, /toolBudget.*positive number, got -1/],
    ['an empty formation', { formation: '' }, /formation/],
    ['duplicate member ids', { members: [{ id: 'a' }, { id: 'a' }] }, /members\[1\]\.id.*unique/],
    ['a member without id', { members: [{ role: 'x' }] }, /members\[0\]\.id/],
    ['a zero multiplier in a sub-team', { members: [{ id: 't', members: [{ id: 'a', toolBudgetMultiplier: 0 }] }] }, /members\[0\]\.members\[0\]\.toolBudgetMultiplier/],
    ['a suggestedConfig that is not an object', 'fast' as never, /suggestedConfig/],
  ])('throws STRATEGY_INVALID_SUGGESTION for %s', (_label, changes, message) => {
    const call = () => applySuggestion(sampleTeamConfig(), suggestion(changes));
    expect(call).toThrow(StrategyError);
    expect(call).toThrow(message);
    expect(call).toThrow(/^suggestion "custom"/);
  });
});

describe('applySuggestion with objects from another realm', () => {
  it('accepts configs made in a vm context as plain data', () => {
    const vm = require('node:vm') as typeof import('node:vm');
    const foreign = vm.runInNewContext(`({ formation: 'sequential', memberCount: 2, members: [{ id: 'a' }, { id: 'b' }] })`);
    const { applySuggestion: apply } = jest.requireActual<typeof import('../src')>('../src');
    const next = apply(foreign, {
      type: 'formation_selection',
      priority: 'high',
      description: 'go parallel',
      currentConfig: foreign,
      suggestedConfig: { formation: 'parallel' },
      expectedImprovement: 10,
      confidence: 0.8,
      riskLevel: 0.3,
      targetMetric: 'duration',
    });
    expect(next.formation).toBe('parallel');
    expect(next.members!.map((m) => m.id)).toEqual(['a', 'b']);
  });
});
