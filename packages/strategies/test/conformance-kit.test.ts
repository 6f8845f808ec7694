import { STRATEGY_API_VERSION, applySuggestion, defineStrategy } from '@autotune/strategies';
import type { OptimizationStrategy, OptimizationSuggestion, TeamConfig } from '@autotune/strategies';
import {
  CONFORMANCE_CHECKS,
  DEFAULT_CONFORMANCE_CASES,
  checkStrategyConformance,
  deepFreeze,
  runStrategyConformance,
  sampleInsight,
  sampleTeamConfig,
} from '@autotune/strategies/testing';
import type { ConformanceCheckName } from '@autotune/strategies/testing';

/** A small, correct strategy: with any insight, cap the tool budget at 10. */
function capSuggestion(config: TeamConfig): OptimizationSuggestion {
  return {
    type: 'cap',
    priority: 'low',
    description: 'Cap the tool budget at 10',
    currentConfig: config,
    suggestedConfig: { toolBudget: 10 },
    expectedImprovement: 5,
    confidence: 0.7,
    riskLevel: 0.2,
    targetMetric: 'cost',
  };
}
const good = {
  apiVersion: STRATEGY_API_VERSION,
  name: 'cap',
  suggest: (insights: readonly unknown[], config: TeamConfig): OptimizationSuggestion[] =>
    insights.length > 0 && (config.toolBudget ?? Infinity) > 10 ? [capSuggestion(config)] : [],
  apply: applySuggestion,
};
// Deliberately loose: the broken variants break the contract's types too.
type Part = Record<string, unknown>;
const variant = (part: Part): OptimizationStrategy => ({ ...good, ...part });
const withSuggestion = (change: (s: OptimizationSuggestion) => unknown): OptimizationStrategy =>
  variant({ suggest: (i: readonly unknown[], c: TeamConfig) => good.suggest(i, c).map((s) => change({ ...s }) as OptimizationSuggestion) });
const failed = (s: unknown): ConformanceCheckName[] => checkStrategyConformance(s).checks.filter((c) => !c.passed).map((c) => c.name);

describe('checkStrategyConformance', () => {
  it('passes a correct strategy, having really exercised it', () => {
    const report = checkStrategyConformance(good);
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ passed: true, strategy: 'cap', casesRun: DEFAULT_CONFORMANCE_CASES.length });
    expect(report.suggestionsMade).toBeGreaterThan(5);
    expect(report.checks.map((c) => c.name)).toEqual(CONFORMANCE_CHECKS.map((c) => c.name));
  });

  it.each<[string, OptimizationStrategy, ConformanceCheckName[]]>([
    [
      'suggest that mutates the config it is given',
      variant({ suggest: (i: readonly unknown[], c: TeamConfig) => ((c.memberCount = 3), good.suggest(i, c)) }),
      ['suggest-does-not-mutate', 'fires-somewhere'],
    ],
    [
      'suggest that sorts the insights array in place',
      variant({ suggest: (i: unknown[], c: TeamConfig) => (i.sort(), good.suggest(i, c)) }),
      ['suggest-does-not-mutate'],
    ],
    [
      'suggest that sorts the stats\' durations (a typed array, which cannot be frozen) in place',
      variant({
        suggest: (i: readonly unknown[], c: TeamConfig, ctx?: { stats?: { durationsSeconds: Float64Array } }) => {
          ctx?.stats?.durationsSeconds.reverse();
          return good.suggest(i, c);
        },
      }),
      ['suggest-does-not-mutate'],
    ],
    [
      'apply that writes into the config it is given',
      variant({ apply: (c: TeamConfig, s: OptimizationSuggestion) => Object.assign(c, s.suggestedConfig) }),
      ['apply-does-not-mutate'],
    ],
    ['apply that returns its input', variant({ apply: (c: TeamConfig) => c }), ['apply-does-not-mutate', 'apply-holds-suggested-values']],
    ['apply that ignores the suggestion', variant({ apply: (c: TeamConfig) => ({ ...c }) }), ['apply-holds-suggested-values']],
    [
      'apply that also changes fields it was not asked to',
      variant({ apply: (c: TeamConfig, s: OptimizationSuggestion) => ({ ...applySuggestion(c, s), timeoutSeconds: 1, extra: {} }) }),
      ['apply-keeps-other-fields'],
    ],
    ['a suggestion of the value the team already has', withSuggestion((s) => ({ ...s, suggestedConfig: { toolBudget: 10, formation: s.currentConfig.formation } })), ['suggests-a-change']],
    ['an empty suggestedConfig', withSuggestion((s) => ({ ...s, suggestedConfig: {} })), ['suggests-a-change']],
    ['an unknown priority', withSuggestion((s) => ({ ...s, priority: 'urgent' })), ['suggestion-shape']],
    ['a confidence above 1', withSuggestion((s) => ({ ...s, confidence: 1.2 })), ['suggestion-shape']],
    ['a negative risk', withSuggestion((s) => ({ ...s, riskLevel: -0.1 })), ['suggestion-shape']],
    ['a NaN expected improvement', withSuggestion((s) => ({ ...s, expectedImprovement: NaN })), ['suggestion-shape']],
    ['no target metric', withSuggestion((s) => ({ ...s, targetMetric: undefined })), ['suggestion-shape']],
    ['a currentConfig that is not the input', withSuggestion((s) => ({ ...s, currentConfig: { formation: 'x', memberCount: 1 } })), ['suggestion-shape']],
    ['a strategy field naming another strategy', withSuggestion((s) => ({ ...s, strategy: 'other' })), ['suggestion-shape']],
    ['metadata that does not survive JSON', withSuggestion((s) => ({ ...s, metadata: { at: new Date(0) } })), ['suggestion-shape']],
    ['a suggestion that is not an object', withSuggestion(() => 'cap the budget'), ['suggestion-shape', 'fires-somewhere']],
    [
      'suggestions that differ between identical calls',
      (() => {
        let n = 0;
        return withSuggestion((s) => ({ ...s, expectedImprovement: ++n }));
      })(),
      ['deterministic'],
    ],
    ['a suggest that throws when it has nothing to say', variant({ suggest: (i: readonly unknown[], c: TeamConfig) => { const out = good.suggest(i, c); if (out.length === 0) throw new Error('nothing'); return out; } }), ['suggest-returns-list']],
    ['a suggest that returns null', variant({ suggest: () => null }), ['suggest-returns-list', 'fires-somewhere']],
    ['a suggestion with no insights at all', variant({ suggest: (_i: readonly unknown[], c: TeamConfig) => good.suggest([1], c) }), ['empty-when-nothing-to-say']],
    ['a strategy that never fires', variant({ suggest: () => [] }), ['fires-somewhere']],
  ])('fails %s', (_label, strategy, checks) => {
    expect(failed(strategy)).toEqual(checks);
  });

  it('catches a write that sloppy-mode code makes to a frozen input (silently ignored there)', () => {
    // new Function bodies are sloppy mode: assigning to a frozen property neither throws nor changes it.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- sloppy-mode code is what this test is about
    const sloppySuggest = new Function('insights', 'config', "config.toolBudget = 1; return [];") as OptimizationStrategy['suggest'];
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- as above
    const sloppyApply = new Function('apply', 'return function (c, s) { c.timeoutSeconds = 1; return apply(c, s); };')(applySuggestion);
    expect(failed(variant({ suggest: sloppySuggest }))).toEqual(['suggest-does-not-mutate', 'fires-somewhere']);
    expect(failed(variant({ apply: sloppyApply }))).toEqual(['apply-does-not-mutate']);
  });

  it('reports what a mutating strategy did, in which case', () => {
    const report = checkStrategyConformance(variant({ apply: (c: TeamConfig, s: OptimizationSuggestion) => Object.assign(c, s.suggestedConfig) }));
    expect(report.passed).toBe(false);
    expect(report.failures[0]).toMatchObject({ check: 'apply-does-not-mutate', case: 'oversized team of eight with a lead' });
    expect(report.failures[0]?.message).toMatch(/apply of suggestion "cap" threw TypeError: .*read[- ]only/i);
  });

  it.each<[string, unknown]>([
    ['another major version', { ...good, apiVersion: '2.0' }],
    ['no apiVersion', { ...good, apiVersion: undefined }],
    ['not an object', 42],
  ])('stops at api-version for %s and marks the other checks not run', (_label, value) => {
    const report = checkStrategyConformance(value);
    expect(report.failures.map((f) => f.check)).toEqual(['api-version']);
    expect(report.checks.filter((c) => !c.passed)).toHaveLength(CONFORMANCE_CHECKS.length);
    expect(report.checks[1]?.failures[0]?.message).toMatch(/not run/);
  });

  it('runs the author\'s cases instead of the defaults', () => {
    const only = [{ name: 'mine', insights: [sampleInsight('slow_execution')], config: sampleTeamConfig({ toolBudget: 5 }) }];
    const report = checkStrategyConformance(good, only);
    expect(report.casesRun).toBe(1);
    expect(report.failures.map((f) => f.check)).toEqual(['fires-somewhere']);
  });

  it('works with strategies made by defineStrategy', () => {
    expect(checkStrategyConformance(defineStrategy(good)).passed).toBe(true);
  });
});

describe('runStrategyConformance (framework adapter)', () => {
  type Registered = { name: string; fn: () => void };
  function collect(strategy: unknown, withExpect = false): { suites: string[]; tests: Registered[] } {
    const suites: string[] = [];
    const tests: Registered[] = [];
    runStrategyConformance(strategy, {
      describe: (name, fn) => {
        suites.push(name);
        fn();
      },
      it: (name, fn) => void tests.push({ name, fn }),
      ...(withExpect ? { expect: expect } : {}),
    });
    return { suites, tests };
  }

  it('registers one suite named after the strategy and one test per check, all passing for a good strategy', () => {
    const { suites, tests } = collect(good);
    expect(suites).toEqual(['strategy conformance: cap']);
    expect(tests.map((t) => t.name.split(':')[0])).toEqual(CONFORMANCE_CHECKS.map((c) => c.name));
    for (const t of tests) expect(t.fn).not.toThrow();
  });

  it.each([false, true])('fails exactly the broken checks of a mutating strategy (framework expect: %s)', (withExpect) => {
    const { tests } = collect(variant({ suggest: (i: readonly unknown[], c: TeamConfig) => ((c.formation = 'x'), good.suggest(i, c)) }), withExpect);
    const failing = tests.filter((t) => {
      try {
        t.fn();
        return false;
      } catch {
        return true;
      }
    });
    expect(failing.map((t) => t.name.split(':')[0])).toEqual(['suggest-does-not-mutate', 'fires-somewhere']);
  });

  it('names the strategy, the check and the case in the thrown error', () => {
    const { tests } = collect(variant({ suggest: () => null }));
    expect(tests[1]?.fn).toThrow(/strategy "cap" fails suggest-returns-list:\n\[suggest-returns-list\] case "no insights and no context": suggest returned null/);
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and leaves typed arrays usable', () => {
    const v = deepFreeze({ a: [{ b: 1 }], t: new Float64Array([1, 2]) });
    expect(Object.isFrozen(v.a[0])).toBe(true);
    expect(() => {
      'use strict';
      (v.a as unknown[]).push(2);
    }).toThrow(TypeError);
    expect(Array.from(v.t)).toEqual([1, 2]);
  });
});
