// apply, rollback, history, validate, benchmark and watch through the built bin, with a real command
// runner (test/fixtures/fake-team.cjs), real workflow files and a real SQLite database.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, cliOnTerminal, makeProject, reviewTeamRuns, startCli, strategiesSource, strategySource, waitFor } from './helpers';

const RUNNER = 'node fake-team.cjs';
/** What every command prints on stderr when it uses a config file (and nothing else, here). */
const SETTINGS_NOTE = /^autotune: using settings from \S+\/autotune\.config\.(json|yaml)\n$/;

interface Result {
  success: boolean;
  validationStatus: string;
  rolledBack?: { reason: string };
  optimization: { type: string; description: string; changes: Array<{ key: string; before: unknown; after: unknown }> };
}

function yamlValue(text: string, key: string): string | undefined {
  return new RegExp(`^${key}: (\\S+)`, 'm').exec(text)?.[1];
}

describe('autotune apply --auto, then rollback --index 0', () => {
  // Three changes whose fate the fake team decides: a smaller team is faster (passes), a starved tool
  // budget makes runs fail (fails, rolled back), a timeout far above every run changes nothing (inconclusive).
  let project: ReturnType<typeof makeProject>;
  let original: string;
  let report: { results: Result[]; written: { path: string; backupPath?: string } | null };
  let apply: ReturnType<typeof cli>;
  const outcome = (key: string) => report.results.find((r) => r.optimization.changes.some((c) => c.key === key))!;

  beforeAll(() => {
    project = makeProject();
    original = readFileSync(project.workflow, 'utf8');
    writeFileSync(
      join(project.dir, 'strategies.cjs'),
      strategiesSource([
        { name: 'shrink', type: 'team_sizing', description: 'Shrink the team to 4', change: { memberCount: 4 } },
        { name: 'starve', type: 'tool_budget', description: 'Cut the tool budget to 10', change: { toolBudget: 10 } },
        { name: 'relax', type: 'timeout_tuning', description: 'Set the timeout to 200 s', change: { timeoutSeconds: 200 } },
      ]),
    );
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ builtinStrategies: false, strategies: ['./strategies.cjs'] }));
    apply = cli(['apply', '--team-id', 'review_team', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', RUNNER, '--runs', '10', '--seed', '42', '--json'], {
      cwd: project.dir,
    });
    report = JSON.parse(apply.stdout);
  });
  afterAll(() => project.cleanup());

  it('tests every suggestion and prints only JSON on stdout', () => {
    expect(report.results).toHaveLength(3);
    expect(apply.stderr).toContain('Generated 3 optimization suggestion(s)');
  });

  it('keeps the change that passed, rolls back the one that failed, rejects the inconclusive one', () => {
    expect(outcome('member_count')).toMatchObject({ success: true, validationStatus: 'passed' });
    expect(outcome('tool_budget')).toMatchObject({ success: false, validationStatus: 'failed', rolledBack: expect.anything() });
    expect(outcome('timeout_seconds')).toMatchObject({ success: false, validationStatus: 'inconclusive' });
  });

  it('exits 4 because a change failed its A/B test', () => {
    expect(apply.status).toBe(4);
  });

  it('says the failed change was not kept, not "rolled back": it was never in the file', () => {
    expect(apply.stderr).toMatch(/-> not kept \(failed its A\/B test\)/);
    expect(apply.stderr).toContain('Applied 1 of 3 change(s); 1 failed its A/B test and was not kept.');
    expect(apply.stderr).not.toMatch(/rolled back/i);
  });

  it('changes the file only for the suggestion that passed, comments and layout kept', () => {
    expect(readFileSync(project.workflow, 'utf8')).toBe(original.replace('member_count: 8', 'member_count: 4'));
  });

  it('keeps a backup with the exact original bytes', () => {
    const dir = join(project.dir, '.autotune', 'backups');
    const backups = readdirSync(dir).filter((f) => f.startsWith('workflow.') && f.endsWith('.yaml'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(dir, backups[0]!), 'utf8')).toBe(original);
    expect(report.written?.backupPath).toBe(join(dir, backups[0]!));
  });

  it('records every decision in the default database beside the workflow file', () => {
    expect(existsSync(join(project.dir, '.autotune', 'autotune.db'))).toBe(true);
    const run = cli(['history', '--team-id', 'review_team', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const history = JSON.parse(run.stdout).history as Array<{ status: string; validationStatus: string; rollbackIndex: number | null }>;
    expect(history.map((e) => [e.status, e.validationStatus]).sort()).toEqual([
      ['applied', 'passed'],
      ['rejected', 'inconclusive'],
      ['rolled_back', 'failed'],
    ]);
    expect(history.find((e) => e.status === 'applied')?.rollbackIndex).toBe(0);
    const text = cli(['history', '--team-id', 'review_team'], { cwd: project.dir });
    expect(text.stdout).toContain('  Optimization History');
    expect(text.stdout).toMatch(/^\[0\] \S+ {2}APPLIED {2}Shrink the team to 4$/m);
    expect(text.stdout).toMatch(/^ {4}\S+ {2}NOT_KEPT {2}Cut the tool budget to 10$/m);
    expect(text.stdout).not.toContain('ROLLED_BACK');
  });

  it('history --limit N shows only the newest N entries, and says older ones may exist', () => {
    const all = JSON.parse(cli(['history', '--team-id', 'review_team', '--json'], { cwd: project.dir }).stdout).history as Array<{ id: number }>;
    const two = JSON.parse(cli(['history', '--team-id', 'review_team', '--limit', '2', '--json'], { cwd: project.dir }).stdout).history as Array<{ id: number }>;
    expect(two.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    const text = cli(['history', '--team-id', 'review_team', '-n', '1'], { cwd: project.dir });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('The newest 1 entries; older ones may exist');
    const bad = cli(['history', '--team-id', 'review_team', '--limit', '0'], { cwd: project.dir });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--limit/);
  });

  it('rollback --list shows the history without changing anything', () => {
    const before = readFileSync(project.workflow, 'utf8');
    const run = cli(['rollback', '--team-id', 'review_team', '--list'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\[0\] /m);
    expect(readFileSync(project.workflow, 'utf8')).toBe(before);
  });

  it('rollback --index past the end says how many there are', () => {
    const run = cli(['rollback', '--team-id', 'review_team', '--index', '1'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no applied change at index 1 for team "review_team": there is 1 \(index 0 is the latest/);
  });

  it('rollback --index 0 restores the file byte for byte', () => {
    const run = cli(['rollback', '--team-id', 'review_team', '--index', '0'], { cwd: project.dir });
    expect(run.stderr).toMatch(SETTINGS_NOTE);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  Rollback');
    expect(run.stdout).toContain('  - member_count: 4 → 8');
    expect(run.stdout).toMatch(/^Restored .*workflow\.yaml/m);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
    const again = cli(['rollback', '--team-id', 'review_team'], { cwd: project.dir });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/no applied change to roll back/);
  });
});

describe('autotune apply --auto with the built-in strategies', () => {
  it('changes the file only for suggestions that passed', () => {
    const project = makeProject();
    try {
      const original = readFileSync(project.workflow, 'utf8');
      const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', RUNNER, '--runs', '10', '--seed', '7', '--json'], { cwd: project.dir });
      expect([0, 3, 4]).toContain(run.status);
      const results = JSON.parse(run.stdout).results as Result[];
      expect(results.length).toBeGreaterThan(0);
      const text = readFileSync(project.workflow, 'utf8');
      for (const key of ['formation', 'member_count', 'tool_budget', 'timeout_seconds']) {
        const passed = results.find((r) => r.success && r.optimization.changes.some((c) => c.key === key));
        const expected = passed ? String(passed.optimization.changes.find((c) => c.key === key)!.after) : yamlValue(original, key);
        expect(yamlValue(text, key)).toBe(expected);
      }
      expect(text).toContain('# every reviewer works at once');
    } finally {
      project.cleanup();
    }
  });
});

describe('autotune apply, one change then rollback --index 0', () => {
  it('restores the exact bytes of a JSON workflow file', () => {
    const project = makeProject();
    try {
      const json = join(project.dir, 'team.json');
      const original = '{\n    "team_id": "review_team",\n    "formation": "parallel",\n    "member_count": 8,\n    "tool_budget": 50\n}\n';
      writeFileSync(json, original);
      writeFileSync(join(project.dir, 'shrink.cjs'), strategySource({ name: 'shrink', type: 'team_sizing', description: 'Shrink the team to 4', change: { memberCount: 4 } }));
      writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ builtinStrategies: false, strategies: ['./shrink.cjs'] }));
      const run = cli(['apply', '--config', 'team.json', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir });
      expect(run.stderr).toMatch(SETTINGS_NOTE);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/Validation: SKIPPED/);
      expect(run.stdout).toMatch(/^Wrote .*team\.json \(backup: /m);
      expect(run.stdout).toMatch(/^Undo with: autotune rollback --team-id review_team --apply [0-9a-f]{8} --db \S+\/\.autotune\/autotune\.db$/m);
      expect(readFileSync(json, 'utf8')).toBe(original.replace('"member_count": 8', '"member_count": 4'));
      const back = cli(['rollback', '--team-id', 'review_team', '--index', '0', '--config', 'team.json'], { cwd: project.dir });
      expect(back.stderr).toMatch(SETTINGS_NOTE);
      expect(back.status).toBe(0);
      expect(back.stdout).toContain('  - member_count: 4 → 8');
      expect(readFileSync(json, 'utf8')).toBe(original);
      const history = JSON.parse(cli(['history', '--team-id', 'review_team', '--config', 'team.json', '--json'], { cwd: project.dir }).stdout).history;
      expect(history.map((e: { status: string }) => e.status)).toEqual(['rollback', 'rolled_back']);
    } finally {
      project.cleanup();
    }
  });
});

describe('autotune apply --interactive', () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject();
  });
  afterEach(() => project.cleanup());

  it('asks for each suggestion on stdin: v shows it in full, n skips, y takes, q stops', () => {
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--interactive', '--no-ab-test', '--json'], { cwd: project.dir, input: 'v\nn\ny\nq\n' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Apply suggestion #1? (y/n/v/q): ');
    expect(run.stderr).toContain('Resulting config:');
    expect(run.stderr).toContain('Apply suggestion #2? (y/n/v/q): ');
    const report = JSON.parse(run.stdout);
    expect(report.results).toHaveLength(1);
    expect(report.results[0].optimization.description).toBe(report.suggestions[1].description);
    expect(report.results[0].validationStatus).toBe('skipped');
  });

  it('asks again on a wrong answer, and treats the end of input as q', () => {
    const original = readFileSync(project.workflow, 'utf8');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--interactive', '--no-ab-test'], { cwd: project.dir, input: 'maybe\n' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Please answer y (apply), n (skip), v (view in full) or q (quit).');
    expect(run.stdout.match(/Apply suggestion #1\? \(y\/n\/v\/q\): /g)).toHaveLength(2);
    expect(run.stdout).toContain('Nothing chosen; the workflow file is unchanged.');
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
  });
});

describe('autotune apply: other modes', () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject();
  });
  afterEach(() => project.cleanup());

  it('--dry-run runs nothing and writes nothing', () => {
    const original = readFileSync(project.workflow, 'utf8');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--dry-run', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.results.every((r: Result) => r.validationStatus === 'dry_run' && !r.success)).toBe(true);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
  });

  it('refuses A/B testing without a runner, saying how to give one', () => {
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/needs a way to run the team: pass --runner "CMD ARGS" or --simulate/);
  });

  it('reports a runner command that does not exist before any trial', () => {
    const original = readFileSync(project.workflow, 'utf8');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', 'no-such-command-xyz --flag'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no-such-command-xyz/);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
  });

  it('runs A/B tests in the simulator with --simulate', () => {
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--simulate', '--runs', '10', '--seed', '1', '--json'], { cwd: project.dir });
    expect([0, 3, 4]).toContain(run.status);
    const report = JSON.parse(run.stdout);
    expect(report.results.length).toBeGreaterThan(0);
    for (const r of report.results) expect(['passed', 'failed', 'inconclusive']).toContain(r.validationStatus);
  });

  it('lets only one apply per team run at a time (--db shared)', async () => {
    const first = startCli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', RUNNER, '--db', 'shared/tuning.db'], {
      cwd: project.dir,
      env: { FAKE_TEAM_HANG: '1' },
    });
    await waitFor(() => first.output().stdout.includes('Generated'));
    const second = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', RUNNER, '--db', 'shared/tuning.db'], { cwd: project.dir });
    first.child.kill('SIGINT');
    await first.exited;
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another apply is in progress for team "?review_team"?/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(project.dir, 'shared', 'tuning.db'))).toBe(true);
  });

  it('Ctrl-C during the A/B test stops it and leaves the file as it was', async () => {
    const original = readFileSync(project.workflow, 'utf8');
    const trialStarted = join(project.dir, 'trial-started.txt');
    const started = startCli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', RUNNER], {
      cwd: project.dir,
      env: { FAKE_TEAM_HANG: '1', FAKE_TEAM_STARTED: trialStarted },
    });
    // The first trial of the A/B test has started (the fake team wrote its pid): Ctrl-C lands mid-experiment.
    await waitFor(() => existsSync(trialStarted));
    started.child.kill('SIGINT');
    const run = await started.exited;
    expect(run.status).toBe(130);
    expect(run.stderr).toContain('Interrupted');
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
  });
});

describe('autotune benchmark', () => {
  let project: ReturnType<typeof makeProject>;
  beforeAll(() => {
    project = makeProject();
    writeFileSync(join(project.dir, 'smaller.yaml'), readFileSync(project.workflow, 'utf8').replace('member_count: 8', 'member_count: 4'));
  });
  afterAll(() => project.cleanup());

  it('runs both configs and prints distributions, improvement, tests and verdict', () => {
    const run = cli(['benchmark', '--before', 'workflow.yaml', '--after', 'smaller.yaml', '--runner', RUNNER, '--runs', '10', '--seed', '3'], { cwd: project.dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  Benchmark');
    for (const row of ['Runs', 'Mean (s)', 'Median (s)', 'P95 (s)', 'Success rate']) expect(run.stdout).toMatch(new RegExp(`^  ${row.replace(/[()]/g, '\\$&')} +\\S+ +\\S+$`, 'm'));
    expect(run.stdout).toMatch(/^Improvement: \+\d+\.\d% \(duration\), 95% CI \+\d+\.\d% to \+\d+\.\d%$/m);
    expect(run.stdout).toMatch(/Welch's t-test: p/);
    expect(run.stdout).toMatch(/^Verdict: PASSED/m);
  });

  it('draws a progress bar of trials on a terminal only', () => {
    const args = ['benchmark', '--before', 'workflow.yaml', '--after', 'smaller.yaml', '--runner', RUNNER, '--runs', '10', '--seed', '3'];
    const onTerminal = cliOnTerminal(args, { cwd: project.dir });
    expect(onTerminal.status).toBe(0);
    expect(onTerminal.stdout).toMatch(/\r\u001b\[KBenchmark \[[█░]+\] 1\/20 trials/);
    expect(onTerminal.stdout).toMatch(/\r\u001b\[KBenchmark \[█+\] 20\/20 trials/);
    const piped = cli(args, { cwd: project.dir });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('\r');
  });

  it('exits 3 when the two configs cannot be told apart', () => {
    const run = cli(['benchmark', '--before', 'workflow.yaml', '--after', 'workflow.yaml', '--runner', RUNNER, '--runs', '10', '--seed', '3', '--json'], { cwd: project.dir });
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout).verdict.status).toBe('inconclusive');
  });

  it('exits 4 when the candidate is worse', () => {
    writeFileSync(join(project.dir, 'starved.yaml'), readFileSync(project.workflow, 'utf8').replace('tool_budget: 50', 'tool_budget: 10'));
    const run = cli(['benchmark', '--before', 'workflow.yaml', '--after', 'starved.yaml', '--runner', RUNNER, '--runs', '10', '--seed', '3'], { cwd: project.dir });
    expect(run.status).toBe(4);
    expect(run.stdout).toMatch(/^Verdict: FAILED/m);
  });
});

describe('autotune validate', () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject();
  });
  afterEach(() => project.cleanup());

  function useOnly(strategy: Parameters<typeof strategySource>[0]) {
    writeFileSync(join(project.dir, 'only-strategy.cjs'), strategySource(strategy));
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ builtinStrategies: false, strategies: ['./only-strategy.cjs'], runner: RUNNER }));
  }

  it('passes a change that helps (exit 0)', () => {
    useOnly({ name: 'shrink', type: 'team_sizing', description: 'Shrink the team to 4', change: { memberCount: 4 } });
    const applied = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir });
    expect(applied.status).toBe(0);
    expect(yamlValue(readFileSync(project.workflow, 'utf8'), 'member_count')).toBe('4');
    const run = cli(['validate', '--team-id', 'review_team', '--runs', '10', '--seed', '5'], { cwd: project.dir });
    expect(run.stderr).toMatch(SETTINGS_NOTE);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  Validation');
    expect(run.stdout).toContain('Change:  Shrink the team to 4');
    expect(run.stdout).toMatch(/^Verdict: PASSED/m);
  });

  it('rolls back a change that hurts (exit 4), restoring the file', () => {
    const original = readFileSync(project.workflow, 'utf8');
    useOnly({ name: 'starve', type: 'tool_budget', description: 'Cut the tool budget to 10', change: { toolBudget: 10 } });
    expect(cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir }).status).toBe(0);
    expect(yamlValue(readFileSync(project.workflow, 'utf8'), 'tool_budget')).toBe('10');
    const run = cli(['validate', '--team-id', 'review_team', '--runs', '10', '--seed', '5', '--json'], { cwd: project.dir });
    expect(run.status).toBe(4);
    const report = JSON.parse(run.stdout);
    expect(report.verdict.status).toBe('failed');
    expect(report.rollback).not.toBeNull();
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
  });

  it('says when there is nothing to validate', () => {
    const none = cli(['validate', '--team-id', 'review_team', '--runner', RUNNER], { cwd: project.dir });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no autotune database at .*autotune\.db/);
  });
});

describe('strategy packages named in autotune.config', () => {
  let project: ReturnType<typeof makeProject>;
  beforeEach(() => {
    project = makeProject();
  });
  afterEach(() => project.cleanup());

  function install(name: string, source: string, main = 'index.js', type?: 'module') {
    const dir = join(project.dir, 'node_modules', ...name.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main, ...(type ? { type } : {}) }));
    writeFileSync(join(dir, main), source);
  }

  it.each([
    ['object', 'index.js', undefined],
    ['factory', 'index.js', undefined],
    ['array', 'index.js', undefined],
    ['esm', 'index.js', 'module'],
  ] as const)('loads a package exporting a strategy as %s', (exportAs, main, type) => {
    install('@acme/shrink-strategy', strategySource({ name: 'acme_shrink', type: 'team_sizing', description: 'ACME: shrink the team to 3', change: { memberCount: 3 }, exportAs }), main, type);
    writeFileSync(join(project.dir, 'autotune.config.yaml'), '# project settings\nteamId: review_team\nbuiltinStrategies: false\nstrategies:\n  - "@acme/shrink-strategy"\n');
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.stderr).toMatch(SETTINGS_NOTE);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('1. 🟠 ACME: shrink the team to 3');
    expect(run.stdout).toContain('   - member_count: 8 → 3');
  });

  it('adds plugin strategies to the built-in ones', () => {
    install('shrink-strategy', strategySource({ name: 'acme_shrink', type: 'acme', description: 'ACME: shrink the team to 3', change: { memberCount: 3 } }));
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ strategies: ['shrink-strategy'] }));
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const strategies = new Set(JSON.parse(run.stdout).suggestions.map((s: { strategy: string }) => s.strategy));
    expect(strategies.size).toBeGreaterThan(1);
  });

  it.each([
    ['missing', undefined, /strategy package "ghost-strategy" \(listed in .*autotune\.config\.json\) was not found from .*; install it: npm install ghost-strategy/],
    ['incompatible', '2.0', /strategy package "ghost-strategy" .*2\.0/],
  ])('refuses a %s package with a clear error', (_kind, apiVersion, message) => {
    if (apiVersion) install('ghost-strategy', strategySource({ name: 'ghost', type: 'x', description: 'x', change: { memberCount: 3 }, apiVersion }));
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ strategies: ['ghost-strategy'] }));
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    const [note, ...rest] = run.stderr.trim().split('\n');
    expect(`${note}\n`).toMatch(SETTINGS_NOTE);
    expect(rest).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('reads settings from an ES module config file and refuses unknown fields', () => {
    writeFileSync(join(project.dir, 'autotune.config.mjs'), "export default { teamId: 'review_team', metrics: ['metrics.json'] };\n");
    const run = cli(['analyze', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).teamId).toBe('review_team');
    writeFileSync(join(project.dir, 'autotune.config.mjs'), 'export default { teamID: 1 };\n');
    const bad = cli(['analyze', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/autotune\.config\.mjs: unknown field "teamID"/);
  });

  it('takes the database path and runner from the config file', () => {
    writeFileSync(join(project.dir, 'autotune.config.cjs'), `module.exports = { runner: ${JSON.stringify(RUNNER)}, db: 'state/tuning.db', teamId: 'review_team' };\n`);
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runs', '10', '--seed', '2', '--json'], { cwd: project.dir });
    expect([0, 3, 4]).toContain(run.status);
    expect(existsSync(join(project.dir, 'state', 'tuning.db'))).toBe(true);
    expect(JSON.parse(run.stdout).database).toBe(join(project.dir, 'state', 'tuning.db'));
  });
});

describe('autotune watch', () => {
  it('tunes every interval, picks up appended runs, and stops cleanly on Ctrl-C', async () => {
    const project = makeProject();
    try {
      const lines = (runs: object[]) => runs.map((r) => JSON.stringify(r)).join('\n') + '\n';
      writeFileSync(join(project.dir, 'runs.jsonl'), lines(reviewTeamRuns(30, 7)));
      const started = startCli(['watch', '--config', 'workflow.yaml', '--metrics', 'runs.jsonl', '--interval', '2s', '--simulate', '--runs', '10', '--seed', '9'], { cwd: project.dir });
      await waitFor(() => started.output().stdout.includes('Next cycle in 2s'));
      appendFileSync(join(project.dir, 'runs.jsonl'), lines(reviewTeamRuns(5, 11)));
      await waitFor(() => started.output().stderr.includes('Loaded 5 new run(s) for the next cycle.'));
      await waitFor(() => (started.output().stdout.match(/Auto-tuning review_team/g) ?? []).length >= 2);
      started.child.kill('SIGINT');
      const run = await started.exited;
      expect([0, 4]).toContain(run.status);
      expect(run.stdout).toContain('  Continuous Auto-Tuning');
      expect(run.stdout).toMatch(/Found \d+ suggestion\(s\)|No optimizations needed/);
      expect(run.stdout).toMatch(/Monitoring: /);
      expect(run.stderr).toContain('Stopped.');
    } finally {
      project.cleanup();
    }
  });

  it('--json prints one JSON object per cycle', async () => {
    const project = makeProject();
    try {
      const started = startCli(['watch', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--interval', '1h', '--simulate', '--runs', '10', '--json'], { cwd: project.dir });
      await waitFor(() => started.output().stdout.trim().length > 0 && started.output().stdout.endsWith('\n'));
      started.child.kill('SIGINT');
      const run = await started.exited;
      const cycles = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(cycles).toHaveLength(1);
      expect(cycles[0]).toMatchObject({ teamId: 'review_team', at: expect.any(String), suggestions: expect.any(Number) });
    } finally {
      project.cleanup();
    }
  });
});
