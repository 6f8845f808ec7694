import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnalyzerError, describeEvidence, PerformanceAnalyzer, type PerformanceInsight } from '@autotune/analyzer';
import { MetricsError } from '@autotune/metrics';
import { makeHistory, makeRecords } from './helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'original-metrics.json');

describe('PerformanceAnalyzer', () => {
  it('adds runs from records and one by one, and lists teams sorted', () => {
    const a = new PerformanceAnalyzer();
    a.loadMetrics(makeRecords({ teamId: 'zeta', runs: 6 }));
    a.loadMetrics(makeRecords({ teamId: 'alpha', runs: 3 }));
    for (const r of makeRecords({ teamId: 'alpha', runs: 2, seed: 9 })) a.addRecord(r);
    expect(a.listTeams()).toEqual(['alpha', 'zeta']);
    expect(a.getTeamStats('alpha').runs).toBe(5);
    expect(a.totalRecords).toBe(11);
  });

  it('throws ANALYZER_UNKNOWN_TEAM listing the teams it knows', () => {
    const a = new PerformanceAnalyzer();
    expect(() => a.analyzeTeamWorkflow('x')).toThrow(/no metrics are loaded yet/);
    a.loadMetrics(makeRecords({ teamId: 'beta', runs: 5 }));
    a.loadMetrics(makeRecords({ teamId: 'alpha', runs: 5 }));
    let caught: unknown;
    try {
      a.getTeamStats('gamma');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AnalyzerError);
    expect(caught).toMatchObject({ code: 'ANALYZER_UNKNOWN_TEAM', message: 'no runs loaded for team "gamma"; known teams: alpha, beta' });
  });

  it('analyzeAll gives every team what analyzeTeamWorkflow gives it', () => {
    const a = new PerformanceAnalyzer();
    a.loadMetrics(makeRecords({ teamId: 'slow', runs: 20, meanSeconds: 80 }));
    a.loadMetrics(makeRecords({ teamId: 'fine', runs: 20 }));
    const all = a.analyzeAll();
    expect([...all.keys()]).toEqual(['fine', 'slow']);
    expect(all.get('fine')).toEqual([]);
    expect(all.get('slow')).toEqual(a.analyzeTeamWorkflow('slow'));
    expect(all.get('slow')!.map((i) => i.bottleneck)).toContain('slow_execution');
  });

  it('uses its options', () => {
    const records = makeRecords({ runs: 20, meanSeconds: 80 });
    const strict = new PerformanceAnalyzer();
    const lax = new PerformanceAnalyzer({ baselines: { durationSeconds: 90, p95Seconds: 120 } });
    strict.loadMetrics(records);
    lax.loadMetrics(records);
    expect(strict.analyzeTeamWorkflow('team')).not.toEqual([]);
    expect(lax.analyzeTeamWorkflow('team')).toEqual([]);
    expect(lax.options.baselines.durationSeconds).toBe(90);
  });
});

describe('PerformanceAnalyzer on a metrics file in the original\'s JSON format, end to end', () => {
  let analyzer: PerformanceAnalyzer;
  let byTeam: Map<string, PerformanceInsight[]>;
  const names = (team: string) => byTeam.get(team)!.map((i) => i.bottleneck);

  beforeAll(async () => {
    analyzer = new PerformanceAnalyzer();
    const report = await analyzer.loadMetricsFromFile(FIXTURE);
    expect(report).toMatchObject({ format: 'json-array', records: 132, skipped: 0 });
    byTeam = analyzer.analyzeAll();
  });

  it('reads every team', () => {
    expect(analyzer.listTeams()).toEqual(['code_review_team', 'docs_team', 'flaky_team', 'healthy_team', 'research_team', 'tiny_team']);
  });

  it.each<[string, string[]]>([
    ['code_review_team', ['slow_execution', 'underperforming_member', 'excessive_tool_usage']],
    ['research_team', ['slow_execution', 'suboptimal_formation_consensus', 'oversized_team']],
    ['docs_team', ['parallelizable_members', 'slow_execution']],
    ['flaky_team', ['underperforming_member', 'low_success_rate']],
    ['healthy_team', []],
    ['tiny_team', []],
  ])('%s: %j, by severity', (team, expected) => {
    expect(names(team)).toEqual(expected);
  });

  it('names the slow reviewer, the better formation, the independent writers and the failing fetcher', () => {
    const pick = (team: string, b: string) => byTeam.get(team)!.find((i) => i.bottleneck === b)!;
    expect(pick('code_review_team', 'underperforming_member').affectedComponents).toEqual(['reviewer_3']);
    expect(pick('research_team', 'suboptimal_formation_consensus').evidence.details!.betterFormation).toBe('parallel');
    expect(pick('research_team', 'oversized_team').recommendation).toBe('Reduce team size from 8 to 5: 8 members is more than the 7 a team should have.');
    expect(pick('docs_team', 'parallelizable_members').evidence.details!.independentMembers).toEqual(['writer_a', 'writer_b']);
    expect(pick('flaky_team', 'underperforming_member').affectedComponents).toEqual(['fetcher']);
  });

  it('every insight rests on enough runs and prints its evidence', () => {
    for (const insights of byTeam.values()) {
      for (const i of insights) {
        expect(i.evidence.runs).toBeGreaterThanOrEqual(5);
        expect(i.severity).toBeGreaterThan(0);
        expect(i.severity).toBeLessThanOrEqual(1);
        expect(describeEvidence(i.evidence)).toMatch(/^based on \d+ runs/);
      }
    }
  });
});

describe('loadMetricsFromFile with other formats and bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analyzer-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the same insights from JSON Lines as from the records themselves', async () => {
    const records = makeHistory({ runs: 20, formation: 'parallel', meanSeconds: 30 }, { runs: 20, formation: 'consensus', meanSeconds: 80, toolCalls: 40 });
    const file = path.join(dir, 'runs.jsonl');
    fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
    const fromFile = new PerformanceAnalyzer();
    await fromFile.loadMetricsFromFile(file);
    const fromMemory = new PerformanceAnalyzer();
    fromMemory.loadMetrics(records);
    const insights = fromFile.analyzeTeamWorkflow('team');
    expect(insights.map((i) => i.bottleneck)).toContain('suboptimal_formation_consensus');
    expect(insights).toEqual(fromMemory.analyzeTeamWorkflow('team'));
  });

  it('rejects a broken file with the reader\'s error, or skips the bad line when lenient', async () => {
    const file = path.join(dir, 'broken.jsonl');
    const lines = makeRecords({ runs: 6 }).map((r) => JSON.stringify(r));
    lines.splice(3, 0, '{"team_id": "team", "success": tru');
    fs.writeFileSync(file, lines.join('\n'));
    await expect(new PerformanceAnalyzer().loadMetricsFromFile(file)).rejects.toBeInstanceOf(MetricsError);
    const lenient = new PerformanceAnalyzer();
    const skipped: string[] = [];
    const report = await lenient.loadMetricsFromFile(file, { lenient: true, onSkip: (s) => skipped.push(s.reason) });
    expect(report).toMatchObject({ records: 6, skipped: 1 });
    expect(skipped[0]).toContain('line 4');
    expect(lenient.getTeamStats('team').runs).toBe(6);
  });
});

describe('PerformanceAnalyzer.loadMetrics validates records handed in from code', () => {
  it('names the record and field of a NaN duration', () => {
    const analyzer = new PerformanceAnalyzer();
    const good = { teamId: 't', executionId: 'a', startTimeMs: 0, endTimeMs: 1000, durationSeconds: 1, success: true, memberCount: 2, toolCalls: 1, members: [] };
    expect(() => analyzer.loadMetrics([good, { ...good, executionId: 'b', durationSeconds: Number.NaN }])).toThrow(/record 1.*durationSeconds|durationSeconds.*record 1/);
  });
});
