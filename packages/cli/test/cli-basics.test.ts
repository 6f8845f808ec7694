// The built `autotune` bin as a child process: help, start-up cost, usage errors, analyze and suggest.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readRecords } from '@autotune/metrics';
import { cli, cliOnTerminal, makeProject, reviewTeamRuns } from './helpers';

let project: ReturnType<typeof makeProject>;
beforeAll(() => {
  project = makeProject();
});
afterAll(() => project.cleanup());

describe('autotune --help', () => {
  it('lists every command and documents the exit codes', () => {
    const run = cli(['--help'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: autotune');
    for (const command of ['analyze', 'suggest', 'apply', 'benchmark', 'validate', 'rollback', 'history', 'watch']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toMatch(/^ {2}3 +inconclusive validation/m);
    expect(run.stdout).toMatch(/^ {2}4 +failed validation, or a change was rolled back/m);
  });

  it('loads neither the statistics nor the database driver', () => {
    const log = join(project.dir, 'loaded-modules.txt');
    const hook = join(project.dir, 'record-loads.cjs');
    writeFileSync(
      hook,
      `const Module = require('module'); const fs = require('fs'); const seen = new Set();
       const load = Module._load;
       Module._load = function (request, parent, isMain) { try { seen.add(Module._resolveFilename(request, parent, isMain)); } catch {} return load.apply(this, arguments); };
       process.on('exit', () => fs.writeFileSync(${JSON.stringify(log)}, [...seen].join('\\n')));`,
    );
    for (const args of [['--help'], ['apply', '--help']]) {
      const run = cli(args, { cwd: project.dir, nodeArgs: ['--require', hook] });
      expect(run.status).toBe(0);
      const loaded = readFileSync(log, 'utf8');
      expect(loaded).toContain('commander');
      expect(loaded).not.toMatch(/better-sqlite3/);
      expect(loaded).not.toMatch(/[/\\]abtest[/\\]/);
      expect(loaded).not.toMatch(/@stdlib/);
      expect(loaded).not.toMatch(/[/\\]core[/\\]dist/);
      expect(loaded).not.toMatch(/[/\\]analyzer[/\\]dist/);
      rmSync(log);
    }
  });

  it('prints the version', () => {
    const run = cli(['--version'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('bad usage exits 2 with one line', () => {
  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['analyze', '--frob'], /unknown option '--frob'/],
    [['apply', '--config', 'workflow.yaml', '--runs', 'ten', '--auto'], /--runs expects a whole number/],
    [['apply', '--config', 'workflow.yaml', '--threshold', '-3', '--auto'], /--threshold expects a percentage/],
    [['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], /apply needs --interactive .* or --auto/],
    [['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--interactive'], /exclude each other/],
    [['watch', '--team-id', 'review_team', '--interval', '24'], /--interval: "24" is not a duration/],
    [['suggest', '--metrics', 'metrics.json'], /required option '-c, --config <file>' not specified/],
    [['benchmark', '--before', 'workflow.yaml'], /required option '--after <file>' not specified/],
    [['analyze'], /missing --metrics FILE/],
    [['history'], /missing --team-id/],
  ])('autotune %j', (args, message) => {
    const run = cli(args, { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
  });
});

describe('autotune analyze', () => {
  it('prints the insights in the original shape, with evidence', () => {
    const run = cli(['analyze', '--team-id', 'review_team', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['='.repeat(80), '  Performance Analysis', '='.repeat(80), 'Team ID: review_team']);
    expect(run.stdout).toMatch(/^Found \d+ performance issue\(s\):$/m);
    expect(run.stdout).toMatch(/^1\. Slow Execution$/m);
    expect(run.stdout).toMatch(/^ {3}Severity: \[█{0,10} {0,10}\] \d\.\d\d\/1\.0$/m);
    expect(run.stdout).toMatch(/^ {3}Current: {2}\d+\.\d\d$/m);
    expect(run.stdout).toMatch(/^ {3}Baseline: \d+\.\d\d$/m);
    expect(run.stdout).toMatch(/^ {3}Impact: {3}\d+\.\d\d$/m);
    expect(run.stdout).toMatch(/^ {3}Evidence: based on 30 runs/m);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('--json prints only JSON on stdout', () => {
    const run = cli(['analyze', '--team-id', 'review_team', '--metrics', 'metrics.json', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.teamId).toBe('review_team');
    expect(report.runs).toBe(30);
    expect(report.insights[0]).toMatchObject({ bottleneck: 'slow_execution', evidenceText: expect.stringMatching(/^based on 30 runs/) });
  });

  it('--output writes the JSON report too, and several --metrics merge', () => {
    writeFileSync(join(project.dir, 'more.json'), JSON.stringify(reviewTeamRuns(12, 99)));
    const run = cli(['analyze', '--metrics', 'metrics.json', 'more.json', '--output', 'out/report.json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Team ID: review_team');
    expect(run.stderr).toContain('Report written to');
    expect(JSON.parse(readFileSync(join(project.dir, 'out', 'report.json'), 'utf8')).runs).toBe(42);
  });

  it('lists the known teams for an unknown one', () => {
    const run = cli(['analyze', '--team-id', 'nobody', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/nobody/);
    expect(run.stderr).toMatch(/review_team/);
  });

  it('names the file of bad metrics in one line, and shows the stack only with --verbose', () => {
    writeFileSync(join(project.dir, 'bad.jsonl'), '{"team_id":"review_team","success":true,"duration_seconds":5,"timestamp":"2025-01-15T10:00:00"}\n{"team_id": "review_team", "success": "yes", "duration_seconds": 3, "timestamp": "2025-01-15T11:00:00"}\n');
    const run = cli(['analyze', '--metrics', 'bad.jsonl'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/bad\.jsonl/);
    expect(run.stderr).toMatch(/line 2/);
    expect(run.stderr).toMatch(/success/);
    const verbose = cli(['analyze', '--metrics', 'bad.jsonl', '--verbose'], { cwd: project.dir });
    expect(verbose.status).toBe(2);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });

  it('reports a missing metrics file as bad input', () => {
    const run = cli(['analyze', '--metrics', 'nope.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/nope\.json: metrics file not found/);
  });
});

describe('autotune suggest', () => {
  it('prints prioritised suggestions with icon, type, priority, expectations and changed keys', () => {
    const run = cli(['suggest', '--team-id', 'review_team', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual(['='.repeat(80), '  Optimization Suggestions', '='.repeat(80)]);
    expect(run.stdout).toMatch(/^Generated \d+ optimization suggestion\(s\):$/m);
    expect(run.stdout).toMatch(/^1\. (🔴|🟠|🟡|🟢) \S.*$/m);
    expect(run.stdout).toMatch(/^ {3}Type: {5}[a-z_]+$/m);
    expect(run.stdout).toMatch(/^ {3}Priority: (critical|high|medium|low)$/m);
    expect(run.stdout).toMatch(/^ {3}Expected: \+\d+\.\d% improvement/m);
    expect(run.stdout).toMatch(/^ {3}Confidence: \d\.\d\d$/m);
    expect(run.stdout).toMatch(/^ {3}Risk: \d\.\d\d$/m);
    expect(run.stdout).toMatch(/^ {3}- member_count: 8 → \d$/m);
  });

  it('--json prints the suggestions with their changes, and the file is untouched', () => {
    const before = readFileSync(project.workflow, 'utf8');
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.teamId).toBe('review_team');
    expect(report.suggestions.length).toBeGreaterThan(0);
    for (const s of report.suggestions) expect(s.changes.length).toBeGreaterThan(0);
    expect(readFileSync(project.workflow, 'utf8')).toBe(before);
    expect(existsSync(join(project.dir, '.autotune'))).toBe(false);
  });

  it('--db takes the team\'s runs from a database, as documented, with no metrics file', async () => {
    const dbPath = join(project.dir, 'recorded', 'runs.db');
    mkdirSync(join(project.dir, 'recorded'));
    // Lazily, as the CLI itself loads core (a lint rule keeps it out of static imports).
    const { SqliteStore } = require('@autotune/core') as typeof import('@autotune/core');
    const db = new Database(dbPath);
    const records = [];
    for await (const record of readRecords(project.metrics)) records.push(record);
    await SqliteStore.open(db).writeMany(records);
    db.close();
    const run = cli(['suggest', '--config', 'workflow.yaml', '--db', 'recorded/runs.db', '--json'], { cwd: project.dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).suggestions.length).toBeGreaterThan(0);
  });

  it('refuses a workflow file that is not valid YAML, naming file and line', () => {
    writeFileSync(join(project.dir, 'broken.yaml'), 'team_id: review_team\nformation: [parallel\n');
    const run = cli(['suggest', '--config', 'broken.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml/);
    expect(run.stderr).toMatch(/line \d/);
  });
});

describe('colour', () => {
  const args = ['analyze', '--team-id', 'review_team', '--metrics', 'metrics.json'];

  it('is used on a terminal', () => {
    const run = cliOnTerminal(args, { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('\u001b[1mPerformance Analysis\u001b[22m');
  });

  it('is never used with NO_COLOR, nor when output is not a terminal', () => {
    const run = cliOnTerminal(args, { cwd: project.dir, env: { NO_COLOR: '1' } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Performance Analysis');
    expect(run.stdout).not.toContain('\u001b[');
    expect(cli(args, { cwd: project.dir }).stdout).not.toContain('\u001b[');
  });
});
