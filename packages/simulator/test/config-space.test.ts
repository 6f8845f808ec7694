import { configFingerprint } from '@autotune/metrics';
import { enumerateConfigs, expectedPerformance, findBestConfig, generateScenario, loadScenario, validateTeamModel } from '../src';
import { config, independentTeam } from './helpers';

describe('enumerateConfigs', () => {
  it('puts the base first and covers formations x sizes x budgets once each', () => {
    const base = config('sequential', 4, { toolBudget: 40 });
    const configs = enumerateConfigs(base);
    expect(configs[0]).toBe(base);
    // 5 formations x sizes 2..4 x budgets {40, 34, 28, 20}
    expect(configs).toHaveLength(5 * 3 * 4);
    expect(new Set(configs.map(configFingerprint)).size).toBe(configs.length);
  });

  it('writes out the chosen members: a prefix by default, every subset on request', () => {
    const base = config('parallel', 3, { members: [{ id: 'a' }, { id: 'b', enabled: false }, { id: 'c' }, { id: 'd' }] });
    const space = { formations: ['parallel'], memberCounts: [2] };
    expect(enumerateConfigs(base, space).slice(1).map((c) => c.members?.map((m) => m.id))).toEqual([['a', 'c']]);
    const subsets = enumerateConfigs(base, { ...space, memberSelection: 'subsets' }).slice(1);
    expect(subsets.map((c) => c.members?.map((m) => m.id))).toEqual([['a', 'c'], ['a', 'd'], ['c', 'd']]);
  });

  it('keeps sub-teams as they are and varies the rest', () => {
    const base = config('hierarchical', 4, { members: [{ id: 's1', formation: 'parallel', members: [{ id: 'a' }, { id: 'b' }] }, { id: 'c' }, { id: 'd' }] });
    const configs = enumerateConfigs(base);
    expect(configs).toHaveLength(5);
    for (const c of configs) expect(c).toMatchObject({ memberCount: 4, members: base.members });
  });
});

describe('expectedPerformance and findBestConfig', () => {
  it('is deterministic for a seed', () => {
    const c = config('pipeline', 3);
    expect(expectedPerformance(independentTeam(3), c, { runs: 50, seed: 4 })).toEqual(expectedPerformance(independentTeam(3), c, { runs: 50, seed: 4 }));
  });

  it.each([
    ['sequential-independent', ['parallel'], 50],
    ['regression-trap', ['pipeline'], 20],
    ['research-consensus-oversized', ['parallel', 'hierarchical'], 50],
  ])('finds the truly best config of %s: %j, at least %i%% faster', (name, formations, minimum) => {
    const s = loadScenario(name);
    const { best, base } = findBestConfig(s.model, s.config, { runs: 150 });
    expect(formations).toContain(best.config.formation);
    expect(best.improvementPercentage).toBeGreaterThanOrEqual(minimum);
    expect(best.performance.successRate).toBeGreaterThanOrEqual(base.performance.successRate - 0.02);
  });

  it('returns the base when nothing beats it within the success-rate limit', () => {
    const s = loadScenario('regression-trap');
    const { best, base } = findBestConfig(s.model, s.config, { runs: 200, space: { formations: ['parallel', 'sequential'], memberCounts: [4], toolBudgets: [36] } });
    expect(best).toBe(base);
  });
});

describe('generateScenario', () => {
  const seeds = Array.from({ length: 30 }, (_, i) => i + 1);
  const generated = seeds.map((seed) => generateScenario(seed));

  it('is deterministic for a seed', () => {
    expect(generateScenario(7)).toEqual(generateScenario(7));
    expect(generateScenario(7)).not.toEqual(generateScenario(8));
  });

  it('produces valid models and runnable configs', () => {
    for (const s of generated) {
      expect(() => validateTeamModel(s.model)).not.toThrow();
      expect(s.config.memberCount).toBe(s.model.members.length);
      expect(s.config.members?.map((m) => m.id)).toEqual(s.model.members.map((m) => m.id));
      expect(expectedPerformance(s.model, s.config, { runs: 20 }).runs).toBe(20);
    }
  });

  it('varies formations, dependencies, budgets and timeouts across seeds', () => {
    expect(new Set(generated.map((s) => s.config.formation)).size).toBe(5);
    expect(generated.some((s) => s.model.members.some((m) => (m.dependsOn ?? []).length > 0))).toBe(true);
    expect(generated.some((s) => s.model.members.every((m) => (m.dependsOn ?? []).length === 0))).toBe(true);
    expect(generated.some((s) => s.config.toolBudget === undefined)).toBe(true);
    expect(generated.some((s) => s.config.timeoutSeconds !== undefined)).toBe(true);
    expect(new Set(generated.map((s) => s.config.memberCount)).size).toBeGreaterThanOrEqual(4);
  });
});
