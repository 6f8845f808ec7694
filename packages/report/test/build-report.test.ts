import { EXPERIMENT_LABEL } from '@autotune/core';
import { quantileSorted, type ExecutionRecord } from '@autotune/metrics';
import { buildReport, diffConfigs, flattenConfig, isReportError, REPORT_SCHEMA_VERSION, summarizeChanges, type ReportDocument } from '@autotune/report';
import { raceFixture, teamFixture } from './fixtures/team';

let fixture: Awaited<ReturnType<typeof teamFixture>>;
let doc: ReportDocument;

beforeAll(async () => {
  fixture = await teamFixture({ liveRuns: 120, experiments: 5 });
  doc = buildReport({ ...fixture.input, race: raceFixture(fixture.focusId) });
}, 60_000);

function mergeHistograms(hs: ReportDocument['configs'][number]['histogram'][]) {
  // Every config's histogram has the same edges: the merge is a sum per bin.
  const first = hs[0]!;
  for (const h of hs) expect(h.edgesSeconds).toEqual(first.edgesSeconds);
  return { edgesSeconds: first.edgesSeconds, succeeded: first.succeeded.map((_, i) => hs.reduce((a, h) => a + h.succeeded[i]!, 0)), failed: first.failed.map((_, i) => hs.reduce((a, h) => a + h.failed[i]!, 0)) };
}

const live = () => fixture.input.records.filter((r) => !r.labels?.[EXPERIMENT_LABEL]);
const sortedDurations = (rs: readonly ExecutionRecord[]) => rs.map((r) => r.durationSeconds).sort((a, b) => a - b);

describe('buildReport', () => {
  it('describes the team\'s own runs, not the A/B trials, in the summary and per config', () => {
    const own = live();
    expect(own.length).toBe(120);
    expect(doc.kind).toBe('autotune-report');
    expect(doc.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(doc.summary.runsShown).toBe('live');
    expect(doc.summary.trialRuns).toBe(fixture.input.records.length - 120);
    const f = doc.summary.figures!;
    expect(f.runs).toBe(120);
    expect(f.successes).toBe(own.filter((r) => r.success).length);
    const d = sortedDurations(own);
    expect(f.medianSeconds).toBe(quantileSorted(d, 0.5));
    expect(f.p95Seconds).toBe(quantileSorted(d, 0.95));
    expect(f.totalCostUsd).toBeCloseTo(own.reduce((a, r) => a + (r.costUsd ?? 0), 0), 9);
    // The config before the tuning, and the one it left in force when a change was kept.
    const kept = fixture.input.history!.some((h) => h.status === 'applied');
    expect(doc.configs).toHaveLength(kept ? 2 : 1);
    expect(doc.configs[0]!.settings?.formation).toBe('consensus');
    expect(doc.configs.map((x) => x.current)).toEqual(kept ? [false, true] : [true]);
    expect(doc.configs.reduce((a, x) => a + x.figures.runs, 0)).toBe(120);
    const c = { ...doc.configs[0]!, histogram: mergeHistograms(doc.configs.map((x) => x.histogram)) };
    expect(c.histogram.succeeded.reduce((a, b) => a + b, 0)).toBe(f.successes);
    expect(c.histogram.failed.reduce((a, b) => a + b, 0)).toBe(120 - f.successes);
    expect(c.histogram.edgesSeconds[0]).toBeLessThanOrEqual(d[0]!);
    expect(c.histogram.edgesSeconds[c.histogram.edgesSeconds.length - 1]).toBeGreaterThanOrEqual(d.at(-1)!);
  });

  it('carries every experiment\'s verdict: the three p-values, interval, guardrails and reason as the verdict has them', () => {
    expect(doc.experiments).toHaveLength(5);
    expect(doc.experiments[0]!.id).toBe(fixture.focusId);
    expect(doc.experiments[0]!.fromThisRun).toBe(true);
    for (const e of doc.experiments) {
      const v = fixture.input.experiments!.find((x) => x.id === e.id)!.verdict;
      expect(e.verdict.status).toBe(v.status);
      expect(e.verdict.improvementPercentage).toBe(v.improvementPercentage);
      expect(e.verdict.pValues).toEqual({ welch: v.tests.welch?.pValue ?? null, mannWhitney: v.tests.mannWhitney?.pValue ?? null, fisher: v.tests.fisher?.pValue ?? null });
      expect(e.verdict.interval).toEqual(v.bootstrap === null ? null : { low: v.bootstrap.low, high: v.bootstrap.high, confidenceLevel: v.bootstrap.confidenceLevel });
      expect(e.verdict.guardrails.map((g) => g.breached)).toEqual([v.guardrails.successRateDrop.breached, v.guardrails.p95Increase.breached, v.guardrails.limitHitIncrease.breached]);
      expect(e.verdict.reason).toBe(v.reason);
      expect(e.baseline.durationsSeconds).toEqual([...v.before.durationsSeconds].sort((a, b) => a - b));
      expect(e.candidate.figures.p95Seconds).toBe(v.after.p95);
      expect(e.changes.length).toBeGreaterThan(0);
      const costs = fixture.input.experiments!.find((x) => x.id === e.id)!.result!.baseline.map((t) => t.record.costUsd!).sort((a, b) => a - b);
      expect(e.baseline.costsUsd).toEqual(costs);
    }
    const s = doc.summary.experiments;
    expect(s.passed + s.failed + s.inconclusive).toBe(5);
    expect(doc.summary.headline).toContain(doc.experiments[0]!.verdict.reason);
  });

  it('compares the team\'s runs before and after the change still in force', () => {
    const applied = [...fixture.input.history!].filter((h) => h.status === 'applied').sort((a, b) => b.id - a.id)[0]!;
    const since = doc.summary.sinceLastChange!;
    expect(since.historyId).toBe(applied.id);
    const at = Date.parse(applied.timestamp);
    expect(since.before.runs).toBe(live().filter((r) => r.startTimeMs < at).length);
    expect(since.after.runs).toBe(60);
    expect(since.after.medianSeconds).toBe(quantileSorted(sortedDurations(live().filter((r) => r.startTimeMs >= at)), 0.5));
  });

  it('puts the history on the timeline and the runs in buckets of consecutive runs', () => {
    expect(doc.timeline.events.map((e) => e.historyId)).toEqual([...fixture.input.history!].map((h) => h.id).sort((a, b) => a - b));
    expect(doc.timeline.events.every((e) => e.changes.length > 0)).toBe(true);
    expect(doc.timeline.runsPerBucket).toBe(10);
    expect(doc.timeline.buckets).toHaveLength(12);
    expect(doc.timeline.buckets.reduce((a, b) => a + b.figures.runs, 0)).toBe(120);
    expect(doc.summary.changes.applied + doc.summary.changes.rejected + doc.summary.changes.rolledBack).toBe(fixture.input.history!.length);
  });

  it('keeps the race as the tuner gave it, with the runs it used', () => {
    expect(doc.race!.runsUsed).toBe(120);
    expect(doc.race!.candidates.find((c) => c.role === 'winner')!.changes).toEqual([{ key: 'formation', before: 'consensus', after: 'parallel' }]);
    expect(doc.race!.confirm!.experimentId).toBe(fixture.focusId);
  });

  it('passes the analyzer\'s insights with their evidence in words', () => {
    expect(doc.insights.length).toBeGreaterThan(0);
    for (const i of doc.insights) expect(i.evidence).toMatch(/based on \d+ runs/);
  });

  it('shows the trials when the team has no runs of its own (a benchmark and nothing else)', () => {
    const trials = fixture.input.records.filter((r) => r.labels?.[EXPERIMENT_LABEL]);
    const only = buildReport({ teamId: fixture.input.teamId, records: trials });
    expect(only.summary.runsShown).toBe('trials');
    expect(only.summary.figures!.runs).toBe(trials.length);
    expect(only.configs.length).toBeGreaterThan(1);
  });

  it('says so when there is nothing at all', () => {
    const empty = buildReport({ teamId: 't', records: [] });
    expect(empty.summary.figures).toBeNull();
    expect(empty.configs).toEqual([]);
    expect(empty.timeline.buckets).toEqual([]);
    expect(empty.summary.headline).toMatch(/No runs and no experiments/);
  });

  it.each([
    [{ teamId: '', records: [] }, /teamId: expected a non-empty string/],
    [{ teamId: 't', records: [{ teamId: 't', executionId: 'a', startTimeMs: 0, endTimeMs: 1, durationSeconds: Number.NaN, success: true, memberCount: 1, toolCalls: 0, members: [] }] }, /records\[0\]\.durationSeconds: expected a finite number >= 0, got NaN/],
    [{ teamId: 't', records: [], experiments: [{ id: 'x', createdAt: '', baselineConfig: { formation: 'parallel', memberCount: 1 }, candidateConfig: { formation: 'parallel', memberCount: 1 } }] }, /experiments\[0\]\.verdict: expected the verdict/],
    [{ teamId: 't', records: [], race: { objective: 'duration', rounds: 1, eliminationRule: 'x', candidates: [] } }, /race\.candidates: expected at least one candidate/],
  ])('rejects bad input naming the field (%#)', (input, message) => {
    let caught: unknown;
    try {
      buildReport(input as never);
    } catch (err) {
      caught = err;
    }
    expect(isReportError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('flattenConfig and diffConfigs', () => {
  it('tells members apart by id, so dropping one does not shift the others', () => {
    const team = (ids: string[]) => flattenConfig({ formation: 'parallel', memberCount: ids.length, members: ids.map((id) => ({ id, role: id === 'b' ? 'critic' : 'writer' })) });
    const changes = diffConfigs(team(['a', 'b', 'c']), team(['a', 'c']));
    expect(changes).toEqual([
      { key: 'member_count', before: '3', after: '2' },
      { key: 'members[b]', before: '{"role":"critic"}' },
    ]);
    expect(summarizeChanges(changes)).toBe('member_count: 3 → 2; members[b] removed');
    expect(summarizeChanges([...changes, { key: 'x', after: '1' }])).toBe('member_count: 3 → 2; members[b] removed; +1 more');
  });

  it('flattens to the workflow file\'s keys and lists what changed, removed and added', () => {
    const before = flattenConfig({ formation: 'sequential', memberCount: 2, members: [{ id: 'a' }, { id: 'b' }], toolBudget: 10 });
    const after = flattenConfig({ formation: 'parallel', memberCount: 1, members: [{ id: 'a' }], timeoutSeconds: 60 });
    expect(before).toMatchObject({ formation: 'sequential', member_count: '2', 'members[b]': 'present', tool_budget: '10' });
    expect(diffConfigs(before, after)).toEqual([
      { key: 'formation', before: 'sequential', after: 'parallel' },
      { key: 'member_count', before: '2', after: '1' },
      { key: 'tool_budget', before: '10' },
      { key: 'members[b]', before: 'present' },
      { key: 'timeout_seconds', after: '60' },
    ]);
  });
});
