import { builtinStrategies } from '@autotune/strategies';
import { checkStrategyConformance, formatConformanceFailures, runStrategyConformance } from '@autotune/strategies/testing';

describe.each(builtinStrategies().map((s) => [s.name, s] as const))('built-in %s', (_name, strategy) => {
  it('passes the conformance kit and fires on at least two default cases', () => {
    const report = checkStrategyConformance(strategy);
    expect(formatConformanceFailures(report.failures)).toBe('');
    expect(report.passed).toBe(true);
    expect(report.suggestionsMade).toBeGreaterThanOrEqual(2);
  });
});

// The same checks, registered as Jest tests through the framework adapter.
for (const strategy of builtinStrategies()) runStrategyConformance(strategy, { describe, it, expect });
