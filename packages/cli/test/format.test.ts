import type { PerformanceInsight } from '@autotune/analyzer';
import {
  banner,
  fixed2,
  formatAnalysis,
  formatHistory,
  formatInsight,
  formatSuggestion,
  formatSuggestionList,
  formatValue,
  formatVerdict,
  severityBar,
  signedPercent,
  titleCase,
  wrapText,
  type SuggestionView,
  type VerdictView,
} from '../src/format';
import { makeColors } from '../src/terminal';

const slow: PerformanceInsight = {
  bottleneck: 'slow_execution',
  severity: 0.85,
  currentValue: 75,
  baselineValue: 30,
  impactMagnitude: 0.85,
  recommendation: 'Average execution time (75.0s) is 150.0% above baseline. Consider optimizing formation or reducing team size.',
  affectedComponents: [],
  evidence: { runs: 42 },
};

const sizing: SuggestionView = {
  type: 'team_sizing',
  priority: 'high',
  description: 'Reduce team size from 8 to 4',
  expectedImprovement: 15,
  confidence: 0.8,
  riskLevel: 0.2,
  targetMetric: 'duration',
  changes: [{ key: 'member_count', before: 8, after: 4 }],
};

describe('banner', () => {
  it('is a line of 80 =, two spaces and the title, and another line of 80 =', () => {
    expect(banner('Performance Analysis')).toBe(`${'='.repeat(80)}\n  Performance Analysis\n${'='.repeat(80)}`);
  });
});

describe('severityBar', () => {
  it.each([
    [0, '[          ]'],
    [0.05, '[          ]'],
    [0.1, '[█         ]'],
    [0.3, '[███       ]'],
    [0.7, '[███████   ]'],
    [0.85, '[████████  ]'],
    [0.99, '[█████████ ]'],
    [1, '[██████████]'],
    [1.4, '[██████████]'],
  ])('severity %p -> %p', (severity, bar) => {
    expect(severityBar(severity)).toBe(bar);
  });
});

describe('small formatters', () => {
  it.each([
    ['slow_execution', 'Slow Execution'],
    ['suboptimal_formation_consensus', 'Suboptimal Formation Consensus'],
    ['oversized_team', 'Oversized Team'],
  ])('titleCase(%p) = %p', (input, out) => {
    expect(titleCase(input)).toBe(out);
  });

  it.each([
    [8, '8'],
    ['pipeline', 'pipeline'],
    [false, 'false'],
    [undefined, '(unset)'],
    [null, '(unset)'],
    [[1, 2], '[1,2]'],
  ])('formatValue(%p) = %p', (value, out) => {
    expect(formatValue(value)).toBe(out);
  });

  it.each([
    [15, '+15.0%'],
    [0, '+0.0%'],
    [-3.24, '-3.2%'],
  ])('signedPercent(%p) = %p', (value, out) => {
    expect(signedPercent(value)).toBe(out);
  });

  it('prints two decimals', () => {
    expect(fixed2(75)).toBe('75.00');
    expect(fixed2(0.8549)).toBe('0.85');
  });

  it('never breaks a line around a comparison operator', () => {
    expect(wrapText('based on 30 runs; one-sample t-test p < 0.001', '   ', 40)).toBe('   based on 30 runs; one-sample t-test\n   p < 0.001');
  });

  it('wraps at word boundaries without passing the width', () => {
    const text = wrapText('one two three four five six seven eight nine ten', '   ', 20);
    expect(text.split('\n')).toEqual(['   one two three', '   four five six', '   seven eight nine', '   ten']);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(20);
  });
});

describe('formatInsight', () => {
  it('prints the original shape plus the evidence line', () => {
    expect(formatInsight(slow, 1, 'based on 42 runs; 95% CI 61.2-88.4 s')).toBe(
      [
        '1. Slow Execution',
        '   Severity: [████████  ] 0.85/1.0',
        '   Current:  75.00',
        '   Baseline: 30.00',
        '   Impact:   0.85',
        '',
        '   Average execution time (75.0s) is 150.0% above baseline. Consider',
        '   optimizing formation or reducing team size.',
        '   Evidence: based on 42 runs; 95% CI 61.2-88.4 s',
      ].join('\n'),
    );
  });

  it('names affected components when there are some', () => {
    expect(formatInsight({ ...slow, affectedComponents: ['reviewer_3'] }, 2, '')).toContain('   Affects: reviewer_3');
  });
});

describe('formatAnalysis', () => {
  it('opens with the banner and the team, and counts the issues', () => {
    const text = formatAnalysis('code_review_team', [slow, { ...slow, bottleneck: 'excessive_tool_usage', severity: 0.4 }], () => 'ev');
    expect(text.startsWith(`${'='.repeat(80)}\n  Performance Analysis\n${'='.repeat(80)}\nTeam ID: code_review_team\n\nFound 2 performance issue(s):\n\n1. Slow Execution\n`)).toBe(true);
    expect(text).toContain('\n2. Excessive Tool Usage\n');
    expect(text.endsWith('Evidence: ev\n')).toBe(true);
  });

  it('says so when there is nothing to report', () => {
    expect(formatAnalysis('t', [], () => '')).toContain('No performance issues found.');
  });
});

describe('formatSuggestion', () => {
  it('prints icon, type, priority, expected, confidence, risk and changed keys', () => {
    expect(formatSuggestion(sizing, 1)).toBe(
      [
        '1. 🟠 Reduce team size from 8 to 4',
        '   Type:     team_sizing',
        '   Priority: high',
        '   Expected: +15.0% improvement',
        '   Confidence: 0.80',
        '   Risk: 0.20',
        '   - member_count: 8 → 4',
      ].join('\n'),
    );
  });

  it.each([
    ['critical', '🔴'],
    ['high', '🟠'],
    ['medium', '🟡'],
    ['low', '🟢'],
  ])('priority %p has icon %p', (priority, icon) => {
    expect(formatSuggestion({ ...sizing, priority }, 3).startsWith(`3. ${icon} `)).toBe(true);
  });

  it('names a target metric other than duration', () => {
    expect(formatSuggestion({ ...sizing, targetMetric: 'cost' }, 1)).toContain('Expected: +15.0% improvement (cost)');
  });

  it('wraps a long description under its number', () => {
    const text = formatSuggestion({ ...sizing, description: 'Reduce the team from 8 to 5 members: 8 s per member against a 7 s baseline shows diminishing returns' }, 1);
    expect(text.split('\n').slice(0, 2)).toEqual([
      '1. 🟠 Reduce the team from 8 to 5 members: 8 s per member against a 7 s',
      '   baseline shows diminishing returns',
    ]);
  });

  it('does not count colour codes as columns when wrapping', () => {
    const plain = formatSuggestion({ ...sizing, description: 'x '.repeat(50) }, 1).split('\n')[1];
    const coloured = formatSuggestion({ ...sizing, description: 'x '.repeat(50) }, 1, makeColors(true)).split('\n')[1]!;
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('counts the list', () => {
    expect(formatSuggestionList([sizing, sizing]).startsWith('Generated 2 optimization suggestion(s):\n\n1. 🟠')).toBe(true);
    expect(formatSuggestionList([])).toContain('No optimizations suggested');
  });
});

describe('formatVerdict', () => {
  const verdict: VerdictView = {
    status: 'passed',
    metric: 'duration',
    improvementPercentage: 30.71,
    before: { runs: 20, successRate: 0.95, mean: 75.2, median: 74, p95: 90.123, meanToolCalls: 25, meanCostUsd: 0.0123 },
    after: { runs: 20, successRate: 1, mean: 52.1, median: 51, p95: 60, meanToolCalls: 20, meanCostUsd: 0.0101 },
    tests: { welch: { pValue: 0.00001 }, mannWhitney: { pValue: 0.0021 } },
    bootstrap: { estimate: 30.7, low: 22.06, high: 38.01, confidenceLevel: 0.95 },
    guardrails: { successRateDrop: { value: -0.05, breached: false }, p95Increase: { value: -0.33, breached: false } },
    reason: 'improvement 30.7% >= 5% and significant',
  };

  it('prints both distributions, the improvement with its interval, the tests and the verdict', () => {
    const text = formatVerdict(verdict);
    expect(text).toContain('  Mean (s)                 75.20       52.10');
    expect(text).toContain('  P95 (s)                  90.12       60.00');
    expect(text).toContain('  Success rate             95.0%      100.0%');
    expect(text).toContain('  Mean cost              $0.0123     $0.0101');
    expect(text).toContain('Improvement: +30.7% (duration), 95% CI +22.1% to +38.0%');
    expect(text).toContain("  Welch's t-test: p < 0.0001");
    expect(text).toContain('  Mann-Whitney U: p = 0.0021');
    expect(text).toContain('Verdict: PASSED - improvement 30.7% >= 5% and significant');
    expect(text).not.toContain('Guardrail');
  });

  it('names a breached guardrail and suggests more runs when inconclusive', () => {
    const text = formatVerdict({
      ...verdict,
      status: 'inconclusive',
      recommendedRunsPerArm: 40,
      guardrails: { successRateDrop: { value: 15, limit: 10, breached: true }, p95Increase: { value: 62.5, limit: 50, breached: true } },
      before: { ...verdict.before, timeouts: 1, errors: 0 },
    });
    expect(text).toContain('Guardrail breached: success rate down 15.0 points (limit 10 points)');
    expect(text).toContain('Guardrail breached: P95 up 62.5% (limit 50%)');
    expect(text).toContain('  Timeouts/errors            1/0         0/0');
    expect(text).toContain('About 40 runs per arm would likely decide (--runs 40).');
  });

  it('prints the success checks\' power to catch a 10-point loss, and a breached guardrail\'s test', () => {
    const text = formatVerdict({
      ...verdict,
      status: 'failed',
      guardrails: { successRateDrop: { value: 30, limit: 10, breached: true, pValue: 0.003, marginPValue: 0.0467, powerTenPointLoss: 0.0448 }, p95Increase: { value: 10, limit: 50, breached: false, pValue: 0.8 } },
    });
    expect(text).toContain('Guardrail breached: success rate down 30.0 points (limit 10 points, one-sided p = 0.0467)');
    expect(text).toContain('  Success checks: 4.5% power to catch a true 10-point loss of success rate at these sizes');
    expect(formatVerdict({ ...verdict, guardrails: { successRateDrop: { value: 0, breached: false, powerTenPointLoss: 0.39 } } })).toContain('  Success checks: 39% power');
  });

  it('speaks of percentage points for success rate, and omits an interval that could not be resampled', () => {
    const text = formatVerdict({ ...verdict, metric: 'success_rate', improvementPercentage: 5, bootstrap: { estimate: 5, low: 5, high: 5 } });
    expect(text).toContain('Improvement: +5.0 points (success rate)\n');
  });

  it('prints n/a, never +0.0%, for an improvement that could not be measured', () => {
    const text = formatVerdict({ ...verdict, metric: 'cost', status: 'inconclusive', improvementPercentage: null, bootstrap: null, tests: {}, reason: 'cost was not recorded in every run' });
    expect(text).toMatch(/^Improvement: n\/a \(cost\)$/m);
    expect(text).not.toContain('+0.0');
  });

  it('colours the status only when asked', () => {
    expect(formatVerdict(verdict, makeColors(true))).toContain('\u001b[32mPASSED\u001b[39m');
    expect(formatVerdict(verdict)).not.toContain('\u001b[');
  });
});

describe('formatHistory', () => {
  it('lists entries with their rollback index, changes and file', () => {
    const text = formatHistory(
      [
        {
          id: 2,
          timestamp: '2025-01-15T10:00:00.000Z',
          optimization: { description: 'Reduce team size from 8 to 4', changes: [{ key: 'member_count', before: 8, after: 4 }] },
          validationStatus: 'passed',
          status: 'applied',
          improvementPercentage: 18.25,
          filePath: '/w/workflow.yaml',
        },
        { id: 1, timestamp: '2025-01-14T10:00:00.000Z', optimization: { description: 'Switch to parallel', changes: [] }, validationStatus: 'failed', status: 'rolled_back', improvementPercentage: null, reason: 'P95 up 60%' },
        {
          id: 0,
          timestamp: '2025-01-13T10:00:00.000Z',
          optimization: { description: 'Cut the tool budget to 20', changes: [] },
          validationStatus: 'passed',
          status: 'rolled_back',
          improvementPercentage: 7.5,
          reason: 'regressed in production',
          rolledBackAt: '2025-01-13T12:00:00.000Z',
        },
      ],
      (e) => (e.status === 'applied' ? 0 : undefined),
    );
    expect(text).toContain('[0] 2025-01-15T10:00:00.000Z  APPLIED  Reduce team size from 8 to 4');
    expect(text).toContain('    Validation: passed   Improvement: +18.3%   History id: 2');
    expect(text).toContain('    - member_count: 8 → 4');
    expect(text).toContain('    File: /w/workflow.yaml');
    // Failed its A/B test during apply: recorded as rolled_back, but never in the file (no rolledBackAt).
    expect(text).toContain('    2025-01-14T10:00:00.000Z  NOT_KEPT  Switch to parallel');
    // Applied, then undone: that one was rolled back.
    expect(text).toContain('    2025-01-13T10:00:00.000Z  ROLLED_BACK  Cut the tool budget to 20');
    expect(text).toContain('    Rolled back at: 2025-01-13T12:00:00.000Z');
    expect(text).toContain('Improvement: not measured');
    expect(text).toContain('    Reason: P95 up 60%');
  });

  it('says when there is no history', () => {
    expect(formatHistory([], () => undefined)).toContain('No optimization history');
  });
});
