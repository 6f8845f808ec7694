import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../src/errors';
import { checkScriptConfigTrusted, findProjectConfig, loadProjectConfig, validateProjectConfig } from '../src/project-config';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'autotune-cli-config-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('findProjectConfig', () => {
  it('finds the nearest config file walking up from the working directory', () => {
    const deep = join(root, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(root, 'autotune.config.json'), '{}');
    writeFileSync(join(root, 'a', 'autotune.config.yaml'), 'teamId: x\n');
    expect(findProjectConfig(deep)).toBe(join(root, 'a', 'autotune.config.yaml'));
    expect(findProjectConfig(root)).toBe(join(root, 'autotune.config.json'));
  });

  it('stops at the repository root: the folder holding .git is searched, its parents are not', () => {
    const repo = join(root, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(root, 'autotune.config.json'), '{}');
    expect(findProjectConfig(join(repo, 'src'))).toBeUndefined();
    writeFileSync(join(repo, 'autotune.config.yaml'), 'teamId: x\n');
    expect(findProjectConfig(join(repo, 'src'))).toBe(join(repo, 'autotune.config.yaml'));
  });

  it('stops at the home folder, after searching it; a .git file (worktree) counts too', () => {
    const home = join(root, 'home');
    mkdirSync(join(home, 'p'), { recursive: true });
    writeFileSync(join(root, 'autotune.config.json'), '{}');
    expect(findProjectConfig(join(home, 'p'), { home })).toBeUndefined();
    writeFileSync(join(home, 'autotune.config.json'), '{}');
    expect(findProjectConfig(join(home, 'p'), { home })).toBe(join(home, 'autotune.config.json'));
    writeFileSync(join(home, 'p', '.git'), 'gitdir: /elsewhere\n');
    expect(findProjectConfig(join(home, 'p'), { home })).toBeUndefined();
  });

  it('refuses two config files in one folder', () => {
    writeFileSync(join(root, 'autotune.config.json'), '{}');
    writeFileSync(join(root, 'autotune.config.cjs'), 'module.exports = {}');
    expect(() => findProjectConfig(root)).toThrow(/holds 2 autotune config files \(autotune.config.json, autotune.config.cjs\)/);
  });
});

describe('checkScriptConfigTrusted', () => {
  it('passes a file of the given user that only its owner may write', () => {
    const file = join(root, 'autotune.config.cjs');
    writeFileSync(file, 'module.exports = {}');
    chmodSync(file, 0o644);
    expect(() => checkScriptConfigTrusted(file, process.getuid!())).not.toThrow();
  });

  it.each([
    [0o646, /writable by any user \(mode 0646\)/],
    [0o624, /writable by its group \(mode 0624\)/],
  ])('refuses mode %o', (mode, message) => {
    const file = join(root, 'autotune.config.cjs');
    writeFileSync(file, 'module.exports = {}');
    chmodSync(file, mode);
    expect(() => checkScriptConfigTrusted(file, process.getuid!())).toThrow(message);
  });

  it('refuses a file owned by another user', () => {
    const file = join(root, 'autotune.config.mjs');
    writeFileSync(file, 'export default {}');
    chmodSync(file, 0o600);
    const other = process.getuid!() + 1;
    expect(() => checkScriptConfigTrusted(file, other)).toThrow(new RegExp(`owned by another user \\(uid ${process.getuid!()}, you are uid ${other}\\)`));
  });
});

describe('loadProjectConfig', () => {
  it('reads JSON and YAML, resolving paths against the file', async () => {
    writeFileSync(join(root, 'autotune.config.yaml'), '# project settings\nteamId: research_team\nabTestThreshold: 10\nrunner: node run.js --fast\nmetrics: runs.jsonl\n');
    const sub = join(root, 'sub');
    mkdirSync(sub);
    const loaded = await loadProjectConfig(sub);
    expect(loaded).toEqual({
      path: join(root, 'autotune.config.yaml'),
      dir: root,
      config: { teamId: 'research_team', abTestThreshold: 10, runner: 'node run.js --fast', metrics: ['runs.jsonl'] },
    });
  });

  it('is empty when no file exists', async () => {
    const loaded = await loadProjectConfig(root);
    expect(loaded.path === undefined || !loaded.path.startsWith(root)).toBe(true);
  });

  it('names the file and line of a JSON syntax error', async () => {
    writeFileSync(join(root, 'autotune.config.json'), '{\n  "teamId": "x",\n  "db": \n}\n');
    await expect(loadProjectConfig(root)).rejects.toThrow(/autotune\.config\.json, line 4, column 1: not valid JSON: unexpected character "}"$/);
  });

  it('names the file of a YAML syntax error', async () => {
    writeFileSync(join(root, 'autotune.config.yaml'), 'teamId: [unclosed\n');
    await expect(loadProjectConfig(root)).rejects.toThrow(/autotune\.config\.yaml: not valid YAML/);
  });
});

describe('loadProjectConfig names the line of a bad field', () => {
  it.each([
    ['autotune.config.yaml', 'teamId: t\n# comment\nrunsPerArm: ten\n', /autotune\.config\.yaml, line 3: field "runsPerArm" must be a number, got "ten"$/],
    ['autotune.config.json', '{\n  "teamId": "t",\n  "abTestTreshold": 5\n}\n', /autotune\.config\.json, line 3: unknown field "abTestTreshold"/],
  ])('%s', async (name, text, message) => {
    writeFileSync(join(root, name), text);
    await expect(loadProjectConfig(root)).rejects.toThrow(message);
  });
});

describe('validateProjectConfig', () => {
  it.each([
    [{ abTestTreshold: 5 }, /unknown field "abTestTreshold"; known fields: teamId, workflow/],
    [{ runsPerArm: '10' }, /field "runsPerArm" must be a number, got "10"/],
    [{ autoRollback: 'yes' }, /field "autoRollback" must be true or false/],
    [{ strategies: [1] }, /field "strategies" must be a list of strings/],
    [{ runner: '' }, /field "runner" must be a command line string/],
    [{ runner: { cwd: '.' } }, /field "runner" must be a command line string/],
    [{ baselines: [] }, /field "baselines" must be an object/],
    [[1, 2], /expected an object of settings/],
    [{ runsPerArm: 1e12 }, /field "runsPerArm" must be a whole number from 10 to 10000, got 1000000000000/],
    [{ concurrency: 0 }, /field "concurrency" must be a whole number from 1 to 256/],
    [{ seed: 2 ** 40 }, /field "seed" must be a whole number from 0 to 4294967295/],
    [{ trialTimeout: 1e308 }, /field "trialTimeout" must be at most 2147483647 ms \(24 days\)/],
    [{ formations: [1] }, /field "formations" must be a list of strings/],
  ])('refuses %p', (value, message) => {
    expect(() => validateProjectConfig(value, '/p/autotune.config.json')).toThrow(CliError);
    expect(() => validateProjectConfig(value, '/p/autotune.config.json')).toThrow(message);
  });

  it.each([
    [{ runner: ['node', 'run.js'] }],
    [{ runner: { command: 'node run.js', env: { A: '1' } } }],
    [{ baselines: { durationSeconds: 20 }, strategyOptions: { tool_budget: { headroom: 1.3 } }, trialTimeout: '10m' }],
  ])('accepts %p', (value) => {
    expect(validateProjectConfig(value, 'x')).toEqual(value);
  });

  it('treats an empty file as no settings', () => {
    expect(validateProjectConfig(null, 'x')).toEqual({});
  });
});
