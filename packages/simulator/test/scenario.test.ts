import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SimulatorError, expectedPerformance, improvementPercent, listScenarios, loadScenario, scenarioConfigWith, scenarioDirectory } from '../src';

const REQUIRED = ['code-review-parallel-budget', 'regression-trap', 'research-consensus-oversized', 'sequential-independent'];

describe('shipped scenarios', () => {
  it('include the four of issue 9', () => {
    expect(listScenarios()).toEqual(expect.arrayContaining(REQUIRED));
  });

  it.each(listScenarios())('%s loads with a model, a workflow and claims to check', (name) => {
    const s = loadScenario(name);
    expect(s.name).toBe(name);
    expect(s.source).toBe(path.join(scenarioDirectory(), `${name}.yaml`));
    expect(s.description.length).toBeGreaterThan(40);
    expect(s.model.members.length).toBeGreaterThan(0);
    expect(s.workflow.team_id).toBe(s.teamId);
    expect(s.config.memberCount).toBe(s.workflow.member_count);
    expect(s.expectations.length).toBeGreaterThanOrEqual(2);
  });

  const claims = listScenarios().flatMap((name) =>
    loadScenario(name).expectations.map((e, i) => [name, i, `${JSON.stringify(e.change)} -> ${e.metric} ${e.outcome}`] as const),
  );

  // Each scenario behaves as its description says: every claimed effect of a change is measured on 800 runs
  // of both configs with the same seeds.
  it.each(claims)('%s, claim %i: %s', (name, index) => {
    const s = loadScenario(name);
    const e = s.expectations[index];
    if (e === undefined) throw new Error(`${name} has no claim ${index}`);
    const before = expectedPerformance(s.model, s.config, { runs: 800, seed: 11 });
    const after = expectedPerformance(s.model, scenarioConfigWith(s, e.change), { runs: 800, seed: 11 });
    const improvement = improvementPercent(e.metric, before, after);
    if (e.outcome === 'better') expect(improvement).toBeGreaterThanOrEqual(e.byAtLeastPercent);
    else if (e.outcome === 'worse') expect(improvement).toBeLessThanOrEqual(-e.byAtLeastPercent);
    else expect(Math.abs(improvement)).toBeLessThanOrEqual(e.withinPercent);
  });

  it('make the regression trap tempting: the parallel change is faster but fails far more', () => {
    const s = loadScenario('regression-trap');
    const before = expectedPerformance(s.model, s.config, { runs: 800 });
    const parallel = expectedPerformance(s.model, scenarioConfigWith(s, { formation: 'parallel' }), { runs: 800 });
    expect(parallel.meanDurationSeconds).toBeLessThan(before.meanDurationSeconds / 2);
    expect(parallel.successRate).toBeLessThan(before.successRate / 2);
  });

  it('give the research team the symptoms the guide describes: slow and oversized', () => {
    const s = loadScenario('research-consensus-oversized');
    const p = expectedPerformance(s.model, s.config, { runs: 400 });
    expect(p.meanDurationSeconds).toBeGreaterThan(36); // slow_execution: mean > 1.2 x 30 s
    expect(s.config.memberCount).toBeGreaterThan(7);
  });

  it('give the code-review team excessive tool use far under its budget need', () => {
    const s = loadScenario('code-review-parallel-budget');
    const p = expectedPerformance(s.model, s.config, { runs: 400 });
    expect(p.meanToolCalls).toBeGreaterThan(22.5); // excessive_tool_usage: mean > 1.5 x 15
    expect(p.toolBudgetRate).toBeLessThan(0.01);
  });
});

describe('loadScenario errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'autotune-scenario-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const valid = [
    'name: tiny',
    'description: a tiny team for tests',
    'team_id: tiny_team',
    'model:',
    '  members:',
    '    - { id: a, work_seconds: 10 }',
    '    - { id: b, work_seconds: 12, depends_on: [a] }',
    'workflow:',
    '  formation: sequential',
    '  member_count: 2',
  ].join('\n');

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('loads a scenario file by path', () => {
    const s = loadScenario(write('tiny.yaml', valid));
    expect(s).toMatchObject({ name: 'tiny', teamId: 'tiny_team', config: { formation: 'sequential', memberCount: 2 } });
    expect(s.model.members[1]?.dependsOn).toEqual(['a']);
  });

  it('lists the known scenarios when the name is unknown', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(/unknown scenario "no-such-scenario"; expected one of: .*regression-trap/);
    try {
      loadScenario('no-such-scenario');
    } catch (e) {
      expect((e as SimulatorError).code).toBe('SIMULATOR_UNKNOWN_SCENARIO');
    }
  });

  it.each([
    ['a rate out of range', valid.replace('work_seconds: 10 }', 'work_seconds: 10, success_rate: 1.5 }'), 6, 'model.members[0].success_rate', /from 0 to 1, got 1.5/, 'SIMULATOR_INVALID_MODEL'],
    ['a misspelt model field', valid.replace('work_seconds: 12', 'work_secs: 12'), 7, 'model.members[1].work_secs', /unknown field; expected one of: id, role, work_seconds/, 'SIMULATOR_INVALID_MODEL'],
    ['a dependency on an unknown member', valid.replace('depends_on: [a]', 'depends_on: [z]'), 7, 'model.members[1].depends_on[0]', /unknown member "z"/, 'SIMULATOR_INVALID_MODEL'],
    ['a missing team id', valid.replace('team_id: tiny_team\n', ''), undefined, 'team_id', /non-empty string/, 'SIMULATOR_INVALID_SCENARIO'],
    ['a bad member_count', valid.replace('member_count: 2', 'member_count: two'), 10, 'workflow.member_count', /expected an integer/, 'SIMULATOR_INVALID_SCENARIO'],
    ['an unknown top-level field', `${valid}\nextras: 1`, 11, 'extras', /unknown field/, 'SIMULATOR_INVALID_SCENARIO'],
    ['a bad expectation', `${valid}\nexpectations:\n  - { change: { formation: parallel }, metric: speed, outcome: better }`, 12, 'expectations[0].metric', /duration, cost or success_rate/, 'SIMULATOR_INVALID_SCENARIO'],
  ])('names file, line and field for %s', (_what, text, line, field, message, code) => {
    const file = write('bad.yaml', text);
    let caught: unknown;
    try {
      loadScenario(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SimulatorError);
    const err = caught as SimulatorError;
    expect(err.code).toBe(code);
    expect(err.location).toMatchObject({ file, field });
    if (line !== undefined) expect(err.location.line).toBe(line);
    expect(err.message).toContain(file);
    expect(err.message).toContain(`"${field}"`);
    expect(err.message).toMatch(message);
  });

  it('refuses a billion-laughs scenario as bad input naming the file', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const file = write('laughs.yaml', `${levels.join('\n')}\n`);
    expect(() => loadScenario(file)).toThrow(SimulatorError);
    expect(() => loadScenario(file)).toThrow(/laughs\.yaml: not valid YAML: .*alias/i);
  });

  it('reports YAML syntax errors with their line', () => {
    const file = write('broken.yaml', 'name: x\nmodel: [unclosed\n');
    expect(() => loadScenario(file)).toThrow(/broken\.yaml, line \d+: not valid YAML/);
  });
});
