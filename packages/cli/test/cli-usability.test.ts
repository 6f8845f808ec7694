// What a new user meets first, through the built bin: strategy packages written as the authoring guide says,
// the config file's defaults, a closed stdout, and errors under --json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_CONFIG_FIELDS } from '../src/project-config';
import { BIN, cli, makeProject, strategySource } from './helpers';

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
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const types = JSON.parse(run.stdout).suggestions.map((s: { type: string }) => s.type).sort();
    expect(types).toEqual(['acme_other', 'acme_shrink']);
  });

  it('says precisely what it accepts when a package exports none of it', () => {
    install('helpers-only', "exports.makeThing = () => 1;\nexports.NAME = 'x';\n");
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ strategies: ['helpers-only'] }));
    const run = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/strategy package "helpers-only" .* exports no strategy; expected a default export .* every named export whose name ends in "Strategy"/);
  });
});

describe('suggest reads the workflow from the config file', () => {
  it('needs no --config when autotune.config.* names the workflow', () => {
    writeFileSync(join(project.dir, 'autotune.config.yaml'), 'teamId: review_team\nworkflow: workflow.yaml\nmetrics: [metrics.json]\n');
    const run = cli(['suggest', '--json'], { cwd: project.dir });
    expect(run.stderr).toBe('');
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
    const run = cli(args as string[], { cwd: project.dir });
    expect(run.status).toBe(status);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]) as { error: { code: string; message: string; location: unknown } };
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
    expect(run.stderr).toMatch(/no help for "runners": expected a topic \(runner, config\) or a command \(analyze, .*simulate\)/);
  });

  it('autotune help <command> is that command\'s --help', () => {
    expect(cli(['help', 'apply'], { cwd: project.dir }).stdout).toBe(cli(['apply', '--help'], { cwd: project.dir }).stdout);
  });

  const commands = ['analyze', 'suggest', 'apply', 'benchmark', 'validate', 'rollback', 'history', 'watch', 'simulate'];
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
