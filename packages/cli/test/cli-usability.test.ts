// What a new user meets first, through the built bin: strategy packages written as the authoring guide says,
// the config file's defaults, a closed stdout, and errors under --json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { PROJECT_CONFIG_FIELDS } from '../src/project-config';
import { MIN_RUNS_PER_ARM_FLAG } from '../src/flag-checks';
import { BIN, cli, cliOnTerminal, makeProject, reviewTeamRuns, strategySource } from './helpers';


/** stderr without the line that names the config file in use (every command prints it when there is one). */
function withoutSettingsNote(stderr: string): string {
  return stderr.replace(/^autotune: using settings from .*\n/m, '');
}

let project: ReturnType<typeof makeProject>;
beforeEach(() => {
  project = makeProject();
});
afterEach(() => project.cleanup());

function install(name: string, source: string) {
  const dir = join(project.dir, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), source);
}

/** The strategy object of {@link strategySource} as an expression, to wrap in other export shapes. */
function strategyBody(name: string, description: string, change: Record<string, unknown>): string {
  return strategySource({ name, type: name, description, change })
    .replace(/^module\.exports = /, '')
    .replace(/;\n$/, '');
}

describe('strategy packages as docs/strategies/authoring.md writes them', () => {
  it('loads every named factory export ending in "Strategy", with its options, and calls nothing else', () => {
    install(
      'acme-strategies',
      [
        `exports.shrinkStrategy = (options) => { if (options.to !== 3) throw new Error('options not passed: ' + JSON.stringify(options)); return ${strategyBody('acme_shrink', 'ACME: shrink the team', { memberCount: 3 })}; };`,
        `exports.otherStrategy = ${strategyBody('acme_other', 'ACME: a smaller tool budget', { toolBudget: 20 })};`,
        `exports.ACME_NAME = 'acme_shrink';`,
        `exports.helper = () => { throw new Error('a helper was called as a factory'); };`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(project.dir, 'autotune.config.json'),
      JSON.stringify({ teamId: 'review_team', builtinStrategies: false, strategies: ['acme-strategies'], strategyOptions: { 'acme-strategies': { to: 3 } } }),
    );
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--json'], { cwd: project.dir });
    expect(withoutSettingsNote(run.stderr)).toBe('');
    expect(run.status).toBe(0);
    const types = JSON.parse(run.stdout).suggestions.map((s: { type: string }) => s.type).sort();
    expect(types).toEqual(['acme_other', 'acme_shrink']);
  });

  it('says precisely what it accepts when a package exports none of it', () => {
    install('helpers-only', "exports.makeThing = () => 1;\nexports.NAME = 'x';\n");
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ strategies: ['helpers-only'] }));
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(withoutSettingsNote(run.stderr).trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/strategy package "helpers-only" .* exports no strategy; expected a default export .* every named export whose name ends in "Strategy"/);
  });
});

describe('suggest reads the workflow from the config file', () => {
  it('needs no --config when autotune.config.* names the workflow', () => {
    writeFileSync(join(project.dir, 'autotune.config.yaml'), 'teamId: review_team\nworkflow: workflow.yaml\nmetrics: [metrics.json]\n');
    const run = cli(['suggest', '--json'], { cwd: project.dir });
    expect(withoutSettingsNote(run.stderr)).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ teamId: 'review_team', workflow: project.workflow });
  });

  it('without either, names both ways to give it', () => {
    const run = cli(['suggest', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/missing --config FILE .*"workflow" in autotune\.config/);
  });
});

describe('a closed stdout', () => {
  // The reader closes its end before autotune writes a byte, so every write meets EPIPE: the case of
  // `autotune --help | head -1` without depending on how fast head is.
  it.each([[['--help']], [['simulate', '--list']], [['analyze', '--metrics', 'metrics.json']]])(
    'ends `autotune %j` quietly with exit 0',
    async (args) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
      expect(stderr).toBe('');
      expect(status).toBe(0);
    },
    60_000,
  );
});

describe('errors under --json', () => {
  it.each([
    ['a missing file', ['analyze', '--metrics', 'nope.json', '--json'], 2, 'CLI_INPUT', /nope\.json: metrics file not found/, { file: expect.stringMatching(/nope\.json$/) }],
    ['an unknown flag', ['analyze', '--metrics', 'metrics.json', '--runz', '3', '--json'], 2, 'CLI_USAGE', /unknown option '--runz'/, { flag: '--runz' }],
    ['a bad flag value', ['apply', '--runs', 'x', '--json'], 2, 'CLI_USAGE', /--runs expects a whole number/, { flag: '--runs' }],
    ['an unknown team', ['analyze', '--team-id', 'nobody', '--metrics', 'metrics.json', '--json'], 2, expect.stringMatching(/^[A-Z_]+$/), /nobody/, undefined],
  ])('%s is one JSON object on stdout, with the same exit code', (_what, args, status, code, message, location) => {
    const run = cli(args, { cwd: project.dir });
    expect(run.status).toBe(status);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { error: { code: string; message: string; location: unknown } };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(Object.keys(parsed.error)).toEqual(['code', 'message', 'location']);
    expect(parsed.error.code).toEqual(code);
    expect(parsed.error.message).toMatch(message);
    if (location !== undefined) expect(parsed.error.location).toEqual(location);
    // The human line still goes to stderr for whoever watches the terminal.
    expect(run.stderr).toMatch(/^autotune: /);
  });

  it('a malformed metrics file names its line and field in the location', () => {
    writeFileSync(join(project.dir, 'bad.jsonl'), '{"teamId":"t","executionId":"a","startTimeMs":1,"endTimeMs":2,"durationSeconds":1,"success":"yes"}\n');
    const run = cli(['analyze', '--metrics', 'bad.jsonl', '--json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; location: Record<string, unknown> } };
    expect(error.code).toMatch(/^METRICS_/);
    expect(error.location).toMatchObject({ file: expect.stringMatching(/bad\.jsonl$/), line: 1, field: 'success' });
  });
});

describe('the CLI explains itself without the docs folder', () => {
  it.each([
    ['runner', ['AUTOTUNE_CONFIG', 'AUTOTUNE_TEAM_ID', 'AUTOTUNE_TRIAL', 'AUTOTUNE_ARM', 'AUTOTUNE_SEED', 'snake_case', 'member_count', 'last non-empty line']],
    ['config', [...PROJECT_CONFIG_FIELDS]],
  ])('autotune help %s prints the reference', (topic, mustMention) => {
    const run = cli(['help', topic], { cwd: project.dir });
    expect(run.status).toBe(0);
    for (const word of mustMention) expect(run.stdout).toContain(word);
  });

  it('documents every config field, each on its own line', () => {
    const text = cli(['help', 'config'], { cwd: project.dir }).stdout;
    for (const field of PROJECT_CONFIG_FIELDS) expect(text).toMatch(new RegExp(`^  ${field} `, 'm'));
  });

  it('an unknown topic lists the topics and the commands', () => {
    const run = cli(['help', 'runners'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no help for "runners": expected a topic \(runner, config\) or a command \(analyze, .*simulate, receive\)/);
  });

  it('autotune help <command> is that command\'s --help', () => {
    expect(cli(['help', 'apply'], { cwd: project.dir }).stdout).toBe(cli(['apply', '--help'], { cwd: project.dir }).stdout);
  });

  const commands = ['analyze', 'suggest', 'apply', 'benchmark', 'validate', 'rollback', 'history', 'unlock', 'watch', 'simulate', 'worker'];
  it.each(commands)('autotune %s --help shows 2-3 examples of that command, and points at help topics not at files', (command) => {
    const run = cli([command, '--help'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const examples = run.stdout.split('\n').filter((l) => l.startsWith('  $ autotune '));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    for (const e of examples) expect(e).toMatch(new RegExp(`^  \\$ autotune ${command}( |$)`));
    expect(run.stdout).not.toContain('docs/');
  });

  it('the main --help names the help topics, not a file the package lacks', () => {
    const run = cli(['--help'], { cwd: project.dir });
    expect(run.stdout).toContain('autotune help config');
    expect(run.stdout).toContain('autotune help runner');
    expect(run.stdout).not.toContain('docs/');
  });

  it('the built bin can be executed directly (it keeps its run bit)', () => {
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
    const run = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
  });
});

describe('small things', () => {
  it('a --runs too small for an A/B test is refused before any work, naming the flag', () => {
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--simulate', '--runs', '5'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^autotune: option '--runs <n>' argument '5' is invalid\. --runs expects a whole number of runs per arm of at least 10/);
    expect(run.stderr).not.toMatch(/runsPerArm|Suggestions/);
  });

  it('a runsPerArm too small in the config file is named with its file and line before any work', () => {
    writeFileSync(join(project.dir, 'autotune.config.yaml'), 'teamId: review_team\nrunsPerArm: 5\n');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--simulate'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/autotune\.config\.yaml, line 2: field "runsPerArm" must be a whole number from 10 to [\d,]+, got 5/);
  });

  it('the runs floor of the flag is the A/B test\'s own', () => {
    expect(MIN_RUNS_PER_ARM_FLAG).toBe((require('@autotune/abtest') as typeof import('@autotune/abtest')).MIN_RUNS_PER_ARM);
  });

  it.each([
    ['simulate --output', ['simulate', '--scenario', 'research-consensus-oversized', '--runs', '12', '--output', 'sim.jsonl'], 'sim.jsonl'],
    ['simulate -o', ['simulate', '--scenario', 'research-consensus-oversized', '--runs', '12', '-o', 'sim.jsonl'], 'sim.jsonl'],
    ['analyze --out', ['analyze', '--metrics', 'metrics.json', '--out', 'report.json'], 'report.json'],
    ['suggest --out', ['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--out', 'report.json'], 'report.json'],
  ])('%s writes the file as its other spelling does', (_name, args, file) => {
    const run = cli(args, { cwd: project.dir });
    expect(run.stderr).not.toMatch(/^autotune: /m);
    expect(run.status).toBe(0);
    const text = readFileSync(join(project.dir, file), 'utf8');
    // simulate writes runs (JSON Lines), the others a JSON report.
    if (file === 'sim.jsonl') expect(text.trim().split('\n')).toHaveLength(12);
    else expect(JSON.parse(text)).toHaveProperty('teamId', 'review_team');
  });

  it('--out and --output naming two files is a usage error', () => {
    const run = cli(['analyze', '--metrics', 'metrics.json', '--out', 'a.json', '--output', 'b.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--out and --output are the same flag/);
  });

  it.each([
    ['formaton: parallel', 'formaton', 'formation'],
    ['membr_count: 8', 'membr_count', 'member_count'],
  ])('a misspelt workflow key (%s) is named, with the key it meant', (line, key, meant) => {
    writeFileSync(join(project.dir, 'typo.yaml'), `team_id: review_team\nformation: parallel\nmember_count: 8\n`.replace(new RegExp(`^${meant}: .*$`, 'm'), line));
    const run = cli(['suggest', '--config', 'typo.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`typo\\.yaml, line \\d, field "${key}": unknown key "${key}"; did you mean "${meant}"\\?`));
  });

  describe('--metrics takes globs, folders and .gz files', () => {
    const runsOf = (args: string[]) => {
      const run = cli(['analyze', '--team-id', 'review_team', ...args, '--json'], { cwd: project.dir });
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout) as { runs: number; metrics: string[] };
    };
    beforeEach(() => {
      mkdirSync(join(project.dir, 'runs', 'old'), { recursive: true });
      writeFileSync(join(project.dir, 'runs', 'a.jsonl'), reviewTeamRuns(12, 1).map((r) => JSON.stringify(r)).join('\n') + '\n');
      writeFileSync(join(project.dir, 'runs', 'b.json'), JSON.stringify(reviewTeamRuns(8, 2)));
      writeFileSync(join(project.dir, 'runs', 'notes.txt'), 'not metrics');
      writeFileSync(join(project.dir, 'runs', 'old', 'c.jsonl.gz'), gzipSync(reviewTeamRuns(5, 3).map((r) => JSON.stringify(r)).join('\n') + '\n'));
    });

    it.each([
      ['a quoted glob', ['--metrics', 'runs/*.jsonl'], 12, 1],
      ['a folder (its metrics files only)', ['--metrics', 'runs'], 20, 2],
      ['a gzipped file', ['--metrics', 'runs/old/c.jsonl.gz'], 5, 1],
      ['a recursive glob, gzipped files included', ['--metrics', 'runs/**/*.json*'], 25, 3],
    ])('%s', (_name, args, runs, files) => {
      const report = runsOf(args);
      expect(report.runs).toBe(runs);
      expect(report.metrics).toHaveLength(files);
    });

    it.each([
      ['a glob matching nothing', ['--metrics', 'nothing/*.jsonl'], /--metrics nothing\/\*\.jsonl: the pattern matches no file/],
      ['a folder without metrics files', ['--metrics', 'runs/old/../../node_modules'], /the folder holds no metrics files/],
    ])('%s is a clear error', (_name, args, message) => {
      mkdirSync(join(project.dir, 'node_modules'), { recursive: true });
      const run = cli(['analyze', ...args], { cwd: project.dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    });
  });

  describe('colour follows FORCE_COLOR, NO_COLOR and TERM', () => {
    const ESC = '\u001b[';
    it.each([
      ['FORCE_COLOR=1 into a pipe', { FORCE_COLOR: '1' }, false, true],
      ['FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0' }, true, false],
      ['TERM=dumb on a terminal', { TERM: 'dumb' }, true, false],
      ['NO_COLOR=1 on a terminal', { NO_COLOR: '1' }, true, false],
      ['FORCE_COLOR=1 wins over NO_COLOR=1', { FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    ])('%s', (_name, env, terminal, coloured) => {
      const args = ['analyze', '--team-id', 'review_team', '--metrics', 'metrics.json'];
      const run = terminal ? cliOnTerminal(args, { cwd: project.dir, env }) : cli(args, { cwd: project.dir, env });
      expect(run.stdout).toContain('Performance Analysis');
      expect(run.stdout.includes(ESC)).toBe(coloured);
    });

    it('is on for a plain terminal (so the cases above can tell)', () => {
      const run = cliOnTerminal(['analyze', '--team-id', 'review_team', '--metrics', 'metrics.json'], { cwd: project.dir, env: { TERM: 'xterm' } });
      expect(run.stdout).toContain(ESC);
    });
  });
});
