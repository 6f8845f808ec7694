import { MIN_CONFIDENCE, sortSuggestions } from '@autotune/strategies';
import type { OptimizationPriority, OptimizationSuggestion } from '@autotune/strategies';
import { sampleTeamConfig } from '@autotune/strategies/testing';

function s(id: string, priority: OptimizationPriority, expectedImprovement: number, confidence: number): OptimizationSuggestion {
  return {
    type: id,
    priority,
    description: id,
    currentConfig: sampleTeamConfig(),
    suggestedConfig: { toolBudget: 1 },
    expectedImprovement,
    confidence,
    riskLevel: 0.1,
    targetMetric: 'duration',
  };
}

describe('sortSuggestions', () => {
  const list = [
    s('low', 'low', 90, 0.9),
    s('high-small', 'high', 10, 0.9),
    s('critical', 'critical', 5, 0.61),
    s('high-big', 'high', 15, 0.8),
    s('medium-unsure', 'medium', 50, 0.5),
    s('high-tie', 'high', 10, 0.9),
  ];

  it('orders by priority, then expected improvement x confidence, ties keeping their order', () => {
    expect(sortSuggestions(list).map((x) => x.type)).toEqual(['critical', 'high-big', 'high-small', 'high-tie', 'medium-unsure', 'low']);
  });

  it('drops suggestions below a minimum confidence when asked', () => {
    expect(MIN_CONFIDENCE).toBe(0.6);
    expect(sortSuggestions(list, { minConfidence: MIN_CONFIDENCE }).map((x) => x.type)).not.toContain('medium-unsure');
  });

  it('returns a new array and leaves its input alone', () => {
    const frozen = Object.freeze([...list]);
    const out = sortSuggestions(frozen);
    expect(out).not.toBe(frozen);
    expect(frozen.map((x) => x.type)[0]).toBe('low');
  });
});
