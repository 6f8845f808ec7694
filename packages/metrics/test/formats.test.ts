import { join } from 'node:path';
import { loadMetrics, loadMetricsWithReport, readRecords, summarizeRecords } from '@autotune/metrics';
import type { MetricsFormat, MetricsSummary } from '@autotune/metrics';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

/** The summary with Float64Arrays as plain arrays, so a mismatch prints readably. */
function plain(s: MetricsSummary): unknown {
  return JSON.parse(JSON.stringify({ ...s, teams: Object.fromEntries(s.teams) }, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)));
}

describe('every format of the fixture dataset', () => {
  const formats: [string, MetricsFormat][] = [
    ['dataset.snake.json', 'json-array'],
    ['dataset.autotune.jsonl', 'jsonl'],
    ['dataset.snake.jsonl', 'jsonl'],
    ['dataset.otlp.json', 'otlp-json'],
    ['dataset.otlp.jsonl', 'otlp-jsonl'],
  ];
  let reference: MetricsSummary;

  beforeAll(async () => {
    reference = await summarizeRecords(readRecords(fixture('dataset.autotune.jsonl')));
  });

  it('has the expected figures (checked by hand)', () => {
    expect([...reference.teams.keys()]).toEqual(['code_review_team', 'research_team']);
    const crt = reference.teams.get('code_review_team')!;
    expect(crt.runs).toBe(4);
    expect(crt.successRate).toBe(0.75);
    expect(Array.from(crt.durationsSeconds)).toEqual([48.25, 75, 95.5, 120]);
    expect(crt.duration.median).toBe(85.25);
    expect(crt.limitHits).toEqual({ timeout: 1, tool_budget: 1, max_turns: 0 });
    expect(crt.meanToolCalls).toBe((25 + 3 + 6 + 5) / 4);
    expect(crt.meanInputTokens).toBe((3000 + 4400 + 3200) / 3);
    expect(crt.totalCostUsd).toBe(0.625 + 1.25 + 0.625);
    expect(Object.keys(crt.byFormation)).toEqual(['parallel', 'sequential']);
    expect(crt.byFingerprint.aaaa1111bbbb2222?.runs).toBe(2);
    expect(crt.members.summarizer?.waitedFor).toEqual(['reviewer_1', 'reviewer_2']);
    expect(crt.members.summarizer?.startedAfterEndOf).toEqual({ reviewer_1: 3, reviewer_2: 3 });
    expect(crt.members.reviewer_2?.startedAfterEndOf).toEqual({ reviewer_1: 1, summarizer: 0 });
    expect(crt.members.reviewer_1?.runs).toBe(4);
    expect(crt.latestFormation).toBe('sequential');
    const rt = reference.teams.get('research_team')!;
    expect(rt.members.writer?.successRate).toBeCloseTo(2 / 3, 12);
    expect(rt.members.writer?.startedAfterEndOf).toEqual({ researcher: 3 });
  });

  it.each(formats)('%s is detected as %s and gives the same summary', async (name, format) => {
    const stream = readRecords(fixture(name));
    const summary = await summarizeRecords(stream);
    expect(stream.report.format).toBe(format);
    expect(stream.report.records).toBe(7);
    expect(stream.report.skipped).toBe(0);
    expect(stream.report.unattachedSpans).toBe(0);
    expect(plain(summary)).toEqual(plain(reference));
  });

  it('reads the reference record of the original verbatim, as the first run of the dataset', async () => {
    const { records, report } = await loadMetricsWithReport(fixture('single.snake.json'));
    expect(report.format).toBe('json-object');
    expect(records).toHaveLength(1);
    const [all] = await loadMetrics(fixture('dataset.otlp.jsonl'));
    if (records[0] === undefined || all === undefined) throw new Error('expected a record from each file');
    const { executionId: _a, labels: _l1, ...single } = records[0];
    const { executionId: _b, labels: _l2, ...fromOtlp } = all;
    expect(single).toEqual(fromOtlp);
    expect(records[0]).toMatchObject({
      teamId: 'code_review_team',
      startTimeMs: 1736935125000,
      endTimeMs: 1736935200000,
      durationSeconds: 75,
      memberCount: 5,
      toolCalls: 25,
      members: [{ memberId: 'reviewer_1', startTimeMs: 1736935125000, endTimeMs: 1736935195200, durationSeconds: 70.2, toolCalls: 6 }],
    });
  });
});
