// Workflow files as Victor's users really have them (issue 16, item 6), through the built bin on real files: a
// team node with `team_formation: reflection`, `total_tool_budget`, members with their own `tool_budget`, comments;
// older files with `workflow:` (singular); the same in JSON. A real command runner (fixtures/fake-team.cjs) runs
// the A/B tests and the tune, and a real SQLite database holds the history.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, FIXTURES, reviewTeamRuns, strategiesSource } from './helpers';

const VICTOR_YAML = `# Deep research, as Victor writes it
workflows:
  deep_research:
    description: "Research with a reflecting team"
    nodes:
      - id: research_team
        type: team
        team_formation: reflection   # writer drafts, critic reviews
        total_tool_budget: 60
        timeout_seconds: 1200  # 20 minutes for research
        members:
          - id: researcher
            role: researcher
            tool_budget: 30   # its own budget, not the team's
          - id: analyst
            role: analyst
            enabled: true
            tool_budget: 20
          - id: critic
            role: reviewer
            tool_budget: 10
        next: [report]
      - id: report
        type: agent
        role: writer
        tool_budget: 10
`;

/** The same team in an older file: `workflow:` singular, as older versions of the original wrote it. */
const OLD_YAML = `# written by an older version
workflow:
  name: deep_research
  nodes:
    - id: research_team
      type: team
      team_formation: pipeline   # staged
      total_tool_budget: 60
      timeout_seconds: 128  # 20 minutes for research
      members:
        - id: researcher
          tool_budget: 30
        - id: analyst
          enabled: true
          tool_budget: 20
        - critic
`;

const OLD_JSON = `{
  "workflow": {
    "name": "deep_research",
    "nodes": [
      {"id": "fetch", "type": "agent"},
      {
        "id": "research_team",
        "type": "team",
        "team_formation": "pipeline",
        "total_tool_budget": 60,
        "timeout_seconds": 1200,
        "members": [
          {"id": "researcher", "tool_budget": 30},
          {"id": "analyst", "enabled": true, "tool_budget": 20},
          "critic"
        ]
      }
    ]
  }
}
`;

const RUNNER = 'node fake-team.cjs';

const MEMBERS = [
  { id: 'researcher', role: 'researcher', extra: { tool_budget: 30 } },
  { id: 'analyst', role: 'analyst', enabled: false, extra: { tool_budget: 20 } },
  { id: 'critic', role: 'reviewer', extra: { tool_budget: 10 } },
];

/** Plugin strategies that always suggest the given changes (TeamConfig fields), so tests pick what is on the table. */
const STRATEGIES = strategiesSource([
  { name: 'budget', type: 'tool_budget', description: 'Cut the team budget to 45', change: { toolBudget: 45 } },
  { name: 'bench', type: 'member_selection', description: 'Bench the analyst', change: { members: MEMBERS } },
  { name: 'shape', type: 'formation_selection', description: 'Run the team as a pipeline', change: { formation: 'pipeline' } },
  { name: 'relax', type: 'timeout_tuning', description: 'Stop hung runs after 5 minutes', change: { timeoutSeconds: 300 } },
]);

/** For the older files, whose members have no roles and whose critic is a bare id. */
const OLD_STRATEGIES = strategiesSource([
  { name: 'budget', type: 'tool_budget', description: 'Cut the team budget to 45', change: { toolBudget: 45 } },
  {
    name: 'bench',
    type: 'member_selection',
    description: 'Bench the analyst',
    change: { members: [{ id: 'researcher', extra: { tool_budget: 30 } }, { id: 'analyst', enabled: false, extra: { tool_budget: 20 } }, { id: 'critic' }] },
  },
  { name: 'relax', type: 'timeout_tuning', description: 'Raise the timeout to 300 s', change: { timeoutSeconds: 300 } },
]);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project folder with the workflow file, metrics of the team, the fake team and a config file. */
function project(workflow: { name: string; text: string }, config: Record<string, unknown> | undefined, formation = 'reflection', strategies = STRATEGIES): string {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-victor-'));
  dirs.push(dir);
  writeFileSync(join(dir, workflow.name), workflow.text);
  copyFileSync(join(FIXTURES, 'fake-team.cjs'), join(dir, 'fake-team.cjs'));
  writeFileSync(join(dir, 'strategies.cjs'), strategies);
  const runs = reviewTeamRuns(30, 11, 'research_team').map((r) => ({ ...r, formation, member_count: 3 }));
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(runs, null, 2));
  if (config) writeFileSync(join(dir, 'autotune.config.json'), JSON.stringify(config));
  return dir;
}

/** The undo command apply prints ("Undo with: autotune rollback ... --apply ID --db PATH"), as arguments. */
function undoArgs(stdout: string): string[] {
  const line = /^Undo with: autotune (rollback .*)$/m.exec(stdout)?.[1];
  expect(line).toBeDefined();
  return line!.split(' ');
}

/** The lines of `after` that differ from `before`, by position (the files here keep their line count). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return b.filter((line, i) => line !== a[i]);
}

const DECLARED = { formations: ['reflection'], builtinStrategies: false, strategies: ['./strategies.cjs'] };

describe('legacy formations (reflection) without a declaration', () => {
  it.each([
    ['simulate', ['simulate', '--config', 'victor.yaml', '--out', 'runs.jsonl']],
    ['apply', ['apply', '--auto', '--config', 'victor.yaml', '--metrics', 'metrics.json', '--runner', RUNNER]],
    ['suggest', ['suggest', '--config', 'victor.yaml', '--metrics', 'metrics.json']],
  ])('%s says it is a legacy formation, where, and exactly what to add to the config file', (_cmd, args) => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, undefined);
    const run = cli(args, { cwd: dir, env: { HOME: dir } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`team_formation "reflection" (${join(dir, 'victor.yaml')}, line 8) is a legacy formation of the original`);
    expect(run.stderr).toContain(`create autotune.config.json in ${dir} (where you run autotune) holding {"formations": ["reflection"]}`);
    expect(run.stderr).not.toMatch(/^autotune: unknown formation/m);
  }, 60_000);

  it('names the config file that exists, in its own syntax', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, undefined);
    writeFileSync(join(dir, 'autotune.config.yaml'), '# settings\nformations: [adaptive]\n');
    const run = cli(['simulate', '--config', 'victor.yaml', '--out', 'runs.jsonl'], { cwd: dir, env: { HOME: dir } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`extend formations: [adaptive, reflection] in ${join(dir, 'autotune.config.yaml')}`);
  }, 60_000);

  it('following the message makes the same command work', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, undefined);
    expect(cli(['suggest', '--config', 'victor.yaml', '--metrics', 'metrics.json'], { cwd: dir, env: { HOME: dir } }).status).toBe(2);
    writeFileSync(join(dir, 'autotune.config.json'), JSON.stringify({ formations: ['reflection'] }));
    const run = cli(['suggest', '--config', 'victor.yaml', '--metrics', 'metrics.json'], { cwd: dir, env: { HOME: dir } });
    expect(run.stderr).not.toContain('legacy formation');
    expect(run.status).toBe(0);
  }, 60_000);
});

describe('a Victor workflow with reflection declared, end to end', () => {
  it('analyze reads its metrics', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, DECLARED);
    const run = cli(['analyze', '--metrics', 'metrics.json', '--json'], { cwd: dir, env: { HOME: dir } });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ teamId: 'research_team', runs: 30 });
  }, 60_000);

  it('suggest names every key as the file spells it, in the text and in the JSON', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, DECLARED);
    const text = cli(['suggest', '--config', 'victor.yaml', '--metrics', 'metrics.json'], { cwd: dir, env: { HOME: dir } });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('   - team_formation: reflection → pipeline');
    expect(text.stdout).toContain('   - total_tool_budget: 60 → 45');
    expect(text.stdout).toContain('   - members[analyst].enabled: true → false');
    expect(text.stdout).not.toMatch(/^ {3}- (formation|tool_budget|members\[\d\])/m);
    const json = cli(['suggest', '--config', 'victor.yaml', '--metrics', 'metrics.json', '--json'], { cwd: dir, env: { HOME: dir } });
    const changes = JSON.parse(json.stdout).suggestions.flatMap((s: { changes: object[] }) => s.changes);
    expect(changes).toEqual(
      expect.arrayContaining([
        { key: 'formation', fileKey: 'team_formation', before: 'reflection', after: 'pipeline' },
        { key: 'tool_budget', fileKey: 'total_tool_budget', before: 60, after: 45 },
        { key: 'members[1].enabled', fileKey: 'members[analyst].enabled', before: true, after: false },
      ]),
    );
    const shaped = JSON.parse(json.stdout).suggestions.find((s: { strategy: string }) => s.strategy === 'shape').suggestedUserConfig;
    expect(shaped).toMatchObject({ team_formation: 'pipeline', total_tool_budget: 60 });
    expect(shaped).not.toHaveProperty('formation');
  }, 60_000);

  it('simulate, and apply or tune --simulate, say the simulator has no model of it and what to do instead', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, DECLARED);
    const sim = cli(['simulate', '--config', 'victor.yaml', '--out', 'runs.jsonl'], { cwd: dir, env: { HOME: dir } });
    expect(sim.status).toBe(2);
    expect(sim.stderr).toContain(`simulate cannot run this team: the simulator has no model of team_formation "reflection" (${join(dir, 'victor.yaml')}, line 8), a legacy formation of the original`);
    for (const cmd of [['apply', '--auto'], ['tune']]) {
      const run = cli([...cmd, '--config', 'victor.yaml', '--metrics', 'metrics.json', '--simulate'], { cwd: dir, env: { HOME: dir } });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('--simulate cannot run this team: the simulator has no model of team_formation "reflection"');
      expect(run.stderr).toContain('--runner CMD');
    }
    // benchmark --simulate refuses a reflection team on either side, naming that side's file.
    writeFileSync(join(dir, 'pipeline.yaml'), VICTOR_YAML.replace('team_formation: reflection', 'team_formation: pipeline'));
    const bench = cli(['benchmark', '--before', 'pipeline.yaml', '--after', 'victor.yaml', '--simulate', '--runs', '10'], { cwd: dir, env: { HOME: dir } });
    expect(bench.status).toBe(2);
    expect(bench.stderr).toContain(`the simulator has no model of team_formation "reflection" (${join(dir, 'victor.yaml')}, line 8)`);
  }, 90_000);

  it('apply (without A/B tests) writes only the changed lines, and history and rollback use the same keys', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, DECLARED);
    const file = join(dir, 'victor.yaml');
    const apply = cli(['apply', '--auto', '--config', 'victor.yaml', '--metrics', 'metrics.json', '--no-ab-test'], { cwd: dir, env: { HOME: dir } });
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('   - total_tool_budget: 60 → 45');
    const after = readFileSync(file, 'utf8');
    expect(changedLines(VICTOR_YAML, after)).toEqual([
      '        team_formation: pipeline   # writer drafts, critic reviews',
      '        total_tool_budget: 45',
      '        timeout_seconds: 300  # 5 minutes for research',
      '            enabled: false',
    ]);
    // A trailing comment that repeats the old value is updated; any other on a changed value is pointed out.
    expect(apply.stdout).toContain('Updated the comment on line 10 of victor.yaml to the new timeout_seconds: # 20 minutes for research → # 5 minutes for research');
    expect(apply.stdout).toContain('The comment on line 8 of victor.yaml may be stale (team_formation: reflection → pipeline): # writer drafts, critic reviews');
    expect(JSON.parse(cli(['history', '--team-id', 'research_team', '--config', 'victor.yaml', '--json'], { cwd: dir, env: { HOME: dir } }).stdout).history).toHaveLength(4);
    const history = cli(['history', '--team-id', 'research_team', '--config', 'victor.yaml'], { cwd: dir, env: { HOME: dir } });
    expect(history.stdout).toContain('    - team_formation: reflection → pipeline');
    expect(history.stdout).toContain('    - members[analyst].enabled: true → false');
    const rollback = cli([...undoArgs(apply.stdout), '--config', 'victor.yaml'], { cwd: dir, env: { HOME: dir } });
    expect(rollback.status).toBe(0);
    expect(rollback.stdout).toContain('  - total_tool_budget: 45 → 60');
    expect(readFileSync(file, 'utf8')).toBe(VICTOR_YAML);
  }, 120_000);

  it('apply with A/B tests through a real runner decides each change against the reflection team', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, DECLARED);
    const run = cli(['apply', '--auto', '--config', 'victor.yaml', '--metrics', 'metrics.json', '--runner', RUNNER, '--runs', '10', '--seed', '5', '--json'], { cwd: dir, env: { HOME: dir } });
    expect([0, 3, 4]).toContain(run.status);
    const out = JSON.parse(run.stdout);
    expect(out.results).toHaveLength(4);
    // Every arm ran: the baseline is the reflection team, which the runner runs like any other.
    for (const r of out.results) expect(r.evidence.verdict.before.runs).toBeGreaterThan(0);
    expect(run.stderr).toContain('   - team_formation: reflection → pipeline');
  }, 180_000);

  it('tune races the neighbourhood of a reflection team through a real runner', () => {
    const dir = project({ name: 'victor.yaml', text: VICTOR_YAML }, { formations: ['reflection'] });
    const run = cli(['tune', '--config', 'victor.yaml', '--metrics', 'metrics.json', '--runner', RUNNER, '--budget', '40', '--seed', '3', '--json'], { cwd: dir, env: { HOME: dir } });
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.initialConfig.formation).toBe('reflection');
    expect(out.runsUsed).toBeGreaterThan(0);
    const labels: string[] = out.steps[0].race.standings.map((s: { label: string }) => s.label);
    expect(labels).toContain('formation reflection -> sequential');
    const standing = out.steps[0].race.standings.find((s: { label: string }) => s.label === 'formation reflection -> sequential');
    expect(standing.changes).toEqual([{ key: 'formation', fileKey: 'team_formation', before: 'reflection', after: 'sequential' }]);
  }, 180_000);
});

describe('older files: workflow: (singular)', () => {
  it.each([
    ['YAML', 'old.yaml', OLD_YAML, ['      total_tool_budget: 45', '      timeout_seconds: 300  # 20 minutes for research', '          enabled: false']],
    ['JSON', 'old.json', OLD_JSON, ['        "total_tool_budget": 45,', '        "timeout_seconds": 300,', '          {"id": "analyst", "enabled": false, "tool_budget": 20},']],
  ])('are read and written back in their own shape (%s), and roll back byte for byte', (_format, name, text, lines) => {
    const dir = project({ name, text }, { builtinStrategies: false, strategies: ['./strategies.cjs'] }, 'pipeline', OLD_STRATEGIES);
    const file = join(dir, name);
    const apply = cli(['apply', '--auto', '--config', name, '--metrics', 'metrics.json', '--no-ab-test'], { cwd: dir, env: { HOME: dir } });
    expect(apply.stderr).not.toContain('got nothing');
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Team ID:  research_team');
    expect(changedLines(text, readFileSync(file, 'utf8'))).toEqual(lines);
    // The issue's own example: 128 s is not 20 minutes, so the comment is kept, and the output says it may be stale.
    if (name === 'old.yaml') expect(apply.stdout).toContain('The comment on line 9 of old.yaml may be stale (timeout_seconds: 128 → 300): # 20 minutes for research');
    const rollback = cli([...undoArgs(apply.stdout), '--config', name], { cwd: dir, env: { HOME: dir } });
    expect(rollback.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
  }, 120_000);

  it('a workflow: key without nodes is named with its line and what autotune reads', () => {
    const dir = project({ name: 'steps.yaml', text: '# steps, not nodes\nworkflow:\n  steps:\n    - name: analyze\n      agent: true\n' }, undefined, 'pipeline');
    const run = cli(['suggest', '--config', 'steps.yaml', '--metrics', 'metrics.json'], { cwd: dir, env: { HOME: dir } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'steps.yaml')}, line 2, field "workflow": expected "workflow" (the older singular spelling of "workflows") to hold a "nodes" list`);
    expect(run.stderr).toContain('got a map without "nodes" (its keys: steps)');
    expect(run.stderr).not.toContain('got nothing');
  }, 60_000);
});
