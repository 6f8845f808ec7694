import { isAutotuneError } from '@autotune/errors';
import {
  STRATEGY_API_VERSION,
  StrategyError,
  applySuggestion,
  assertCompatibleStrategy,
  defineStrategy,
  isCompatibleStrategy,
} from '@autotune/strategies';
import type { OptimizationStrategy } from '@autotune/strategies';
import { sampleTeamConfig } from '@autotune/strategies/testing';

const fns = { suggest: () => [], apply: applySuggestion };

describe('defineStrategy', () => {
  it('fills in the contract version and keeps the name', () => {
    const s = defineStrategy({ name: 'x', ...fns });
    expect(s.apiVersion).toBe(STRATEGY_API_VERSION);
    expect(s.name).toBe('x');
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('keeps an apiVersion the author gave', () => {
    expect(defineStrategy({ name: 'x', apiVersion: '1.7', ...fns }).apiVersion).toBe('1.7');
  });

  it('stamps suggestions with the strategy name unless they carry one', () => {
    const config = sampleTeamConfig();
    const base = {
      type: 'custom',
      priority: 'low' as const,
      description: 'd',
      currentConfig: config,
      suggestedConfig: { toolBudget: 10 },
      expectedImprovement: 1,
      confidence: 0.7,
      riskLevel: 0.1,
      targetMetric: 'cost' as const,
    };
    const s = defineStrategy({ name: 'mine', suggest: () => [base, { ...base, strategy: 'other' }], apply: applySuggestion });
    expect(s.suggest([], config).map((x) => x.strategy)).toEqual(['mine', 'other']);
  });

  it('calls suggest and apply with the definition as `this`', () => {
    const def = {
      name: 'this_check',
      marker: 42,
      suggest(this: { marker: number }) {
        return this.marker === 42 ? [] : [null as never];
      },
      apply: applySuggestion,
    };
    expect(defineStrategy(def).suggest([], sampleTeamConfig())).toEqual([]);
  });

  it.each([
    ['an empty name', { name: '', ...fns }, /name/],
    ['no suggest', { name: 'x', apply: applySuggestion }, /suggest/],
    ['apply not a function', { name: 'x', suggest: () => [], apply: 3 }, /apply/],
  ])('rejects %s with STRATEGY_INVALID', (_label, def, message) => {
    const call = () => defineStrategy(def as never);
    expect(call).toThrow(StrategyError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect((e as StrategyError).code).toBe('STRATEGY_INVALID');
      expect(isAutotuneError(e)).toBe(true);
    }
  });
});

describe('isCompatibleStrategy / assertCompatibleStrategy', () => {
  const good = { apiVersion: STRATEGY_API_VERSION, name: 'ok', ...fns };

  it.each([
    ['this version', good],
    ['a later minor', { ...good, apiVersion: '1.9' }],
    ['a patch-level version', { ...good, apiVersion: '1.0.3' }],
    ['an object from another copy of the package (no shared prototype)', Object.assign(Object.create(null), good)],
  ])('accepts %s', (_label, value) => {
    const r = isCompatibleStrategy(value);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.strategy).toBe(value);
    expect(() => assertCompatibleStrategy(value, 'plugin.js')).not.toThrow();
  });

  it.each([
    ['null', null, 'STRATEGY_INVALID', /got null/],
    ['a string', 'team_sizing', 'STRATEGY_INVALID', /got string/],
    ['no apiVersion', { name: 'x', ...fns }, 'STRATEGY_INCOMPATIBLE', /no apiVersion/],
    ['a malformed apiVersion', { ...good, apiVersion: 'v1' }, 'STRATEGY_INCOMPATIBLE', /"v1" is not of the form/],
    ['another major version', { ...good, apiVersion: '2.0' }, 'STRATEGY_INCOMPATIBLE', /written against strategy API 2\.0.*supports 1\.x/],
    ['an older major version', { ...good, apiVersion: '0.9' }, 'STRATEGY_INCOMPATIBLE', /0\.9/],
    ['a missing name', { ...good, name: undefined }, 'STRATEGY_INVALID', /"name"/],
    ['suggest not a function', { ...good, suggest: 'no' }, 'STRATEGY_INVALID', /"suggest" must be a function/],
  ])('rejects %s', (_label, value, code, message) => {
    const r = isCompatibleStrategy(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(message);
    let thrown: unknown;
    try {
      assertCompatibleStrategy(value, 'node_modules/acme-strategy/index.js');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StrategyError);
    expect((thrown as StrategyError).code).toBe(code);
    expect((thrown as StrategyError).message).toMatch(/^node_modules\/acme-strategy\/index\.js: /);
  });

  it('narrows the value for the caller', () => {
    const loaded: unknown = good;
    assertCompatibleStrategy(loaded);
    const s: OptimizationStrategy = loaded;
    expect(s.name).toBe('ok');
  });
});
