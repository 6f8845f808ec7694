// Reliability and security of the command line, as a user meets them: every test runs the BUILT bin in a temp
// project with real files, a real SQLite database and real runner processes (issue 14, docs/reliability.md).
import Database from 'better-sqlite3';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, FIXTURES, makeProject, reviewTeamRuns, startCli, waitFor } from './helpers';

const REL_TEAM = `node ${JSON.stringify(join(FIXTURES, 'rel-team.cjs'))}`;
const mode = (path: string) => statSync(path).mode & 0o777;

/** Whether a process is still running (a zombie, dead but not yet reaped by its new parent, is not). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Runs whose durations are about 0.3 s: the default trial timeout is then its floor of 10 s. */
function quickRuns(): object[] {
  return reviewTeamRuns(30).map((r, i) => ({ ...r, duration_seconds: 0.3 + (i % 7) * 0.02, end_time: undefined }));
}

let project: ReturnType<typeof makeProject>;
beforeEach(() => {
  project = makeProject();
});
afterEach(() => project.cleanup());

describe('item 3: which config file is used', () => {
  // A config whose loading would be visible: it names a team the metrics do not hold.
  const foreign = JSON.stringify({ teamId: 'foreign_team' });

  it('stops searching at the repository root (a .git folder)', () => {
    const repo = join(project.dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'sub'));
    writeFileSync(join(project.dir, 'autotune.config.json'), foreign);
    const run = cli(['analyze', '--metrics', project.metrics], { cwd: join(repo, 'sub') });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Team ID: review_team');
  });

  it('searches the home folder but never above it, and says which file it uses', () => {
    const home = join(project.dir, 'home');
    mkdirSync(join(home, 'work'), { recursive: true });
    writeFileSync(join(project.dir, 'autotune.config.json'), foreign);
    const above = cli(['analyze', '--metrics', project.metrics], { cwd: join(home, 'work'), env: { HOME: home } });
    expect(above.status).toBe(0);
    expect(above.stderr).toBe('');

    writeFileSync(join(home, 'autotune.config.json'), JSON.stringify({ metrics: [project.metrics] }));
    const inHome = cli(['analyze', '--json'], { cwd: join(home, 'work'), env: { HOME: home } });
    expect(inHome.status).toBe(0);
    expect(inHome.stderr).toBe(`autotune: using settings from ${join(home, 'autotune.config.json')}\n`);
    // The note goes to stderr, so --json output stays JSON.
    expect(JSON.parse(inHome.stdout).teamId).toBe('review_team');
  });

  it.each([
    [0o666, /writable by any user \(mode 0666\)/],
    [0o664, /writable by its group \(mode 0664\)/],
  ])('never runs a script config with mode %o, naming the file', (bits, message) => {
    const config = join(project.dir, 'autotune.config.cjs');
    const marker = join(project.dir, 'config-ran');
    writeFileSync(config, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = { teamId: 'review_team' };\n`);
    chmodSync(config, bits);
    const run = cli(['analyze', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(`autotune: ${config}: refusing to load a config script`);
    expect(run.stderr).toContain('chmod go-w');
    expect(existsSync(marker)).toBe(false);
  });

  const root = process.getuid?.() === 0;
  (root ? it : it.skip)('never runs a script config owned by another user, even as root', () => {
    const config = join(project.dir, 'autotune.config.cjs');
    const marker = join(project.dir, 'config-ran');
    writeFileSync(config, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = {};\n`);
    chmodSync(config, 0o644);
    chownSync(config, 65534, 65534);
    const run = cli(['analyze', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/refusing to load a config script owned by another user \(uid 65534, you are uid 0\)/);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs a script config that is yours and not writable by others', () => {
    const config = join(project.dir, 'autotune.config.cjs');
    writeFileSync(config, `module.exports = { teamId: 'review_team', metrics: ['metrics.json'] };\n`);
    chmodSync(config, 0o644);
    const run = cli(['analyze'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`autotune: using settings from ${config}\n`);
  });
});

describe('item 13: user errors are exit 2 naming the file, not bugs', () => {
  it('a billion-laughs YAML workflow', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    writeFileSync(join(project.dir, 'laughs.yaml'), `${levels.join('\n')}\nteam_id: review_team\nformation: parallel\nmember_count: 3\n`);
    const run = cli(['suggest', '--config', 'laughs.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/laughs\.yaml: invalid YAML: aliases expand to too much data/);
    expect(run.stderr).not.toMatch(/unexpected error/);
  });

  it('a JS config whose exported function throws', () => {
    const config = join(project.dir, 'autotune.config.cjs');
    writeFileSync(config, `module.exports = () => { throw new Error('SECRET_TOKEN is not set'); };\n`);
    chmodSync(config, 0o644);
    const run = cli(['analyze', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`autotune: ${config}: the exported config function threw: SECRET_TOKEN is not set\n`);
  });
});

describe('item 10: counts are bounded before any work', () => {
  it.each([
    [['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--simulate', '--runs', '1e12'], /--runs must be at most 10,000, got "1e12"/],
    [['benchmark', '--before', 'workflow.yaml', '--after', 'workflow.yaml', '--simulate', '--runs', '10001'], /--runs must be at most 10,000, got "10001"/],
    [['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--simulate', '--seed', '1e300'], /--seed must be at most 4,294,967,295/],
    [['simulate', '--scenario', 'x', '--out', 'o.jsonl', '--runs', '1e9'], /--runs must be at most 1,000,000/],
    [['rollback', '--team-id', 'review_team', '--index', '99999999999'], /--index must be at most 1,000,000/],
    [['watch', '--config', 'workflow.yaml', '--simulate', '--interval', '30d'], /--interval: "30d" is too long; the most is 24d/],
    [['worker', '--db', 'postgres://localhost/x', '--runner', 'node x.js', '--concurrency', '100000'], /--concurrency must be at most 256, got "100000"/],
  ])('%j', (args, message) => {
    const run = cli(args, { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(project.dir, '.autotune'))).toBe(false);
  });

  it('a count in the config file, naming the file and line', () => {
    writeFileSync(join(project.dir, 'autotune.config.yaml'), 'teamId: review_team\nrunsPerArm: 1000000000000\n');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--simulate'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/autotune\.config\.yaml, line 2: field "runsPerArm" must be a whole number from 10 to 10000, got 1000000000000/);
    expect(existsSync(join(project.dir, '.autotune'))).toBe(false);
  });
});

describe('item 8: a read-only workflow file', () => {
  it('is refused with exit 2 unless --force, and keeps its mode when forced', () => {
    chmodSync(project.workflow, 0o444);
    const original = readFileSync(project.workflow, 'utf8');
    const args = ['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'];
    const refused = cli(args, { cwd: project.dir });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`autotune: ${project.workflow} is read-only (mode 0444): autotune will not replace it; make it writable (chmod u+w) or pass --force\n`);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
    expect(existsSync(join(project.dir, '.autotune'))).toBe(false);

    const forced = cli([...args, '--force'], { cwd: project.dir });
    expect(forced.status).toBe(0);
    expect(readFileSync(project.workflow, 'utf8')).not.toBe(original);
    expect(mode(project.workflow)).toBe(0o444);
  });

  it('is refused by rollback and tune as well (tune before it races), unless --force', () => {
    const original = readFileSync(project.workflow, 'utf8');
    const applied = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir });
    expect(applied.status).toBe(0);
    const changed = readFileSync(project.workflow, 'utf8');
    chmodSync(project.workflow, 0o444);
    const refusal = `autotune: ${project.workflow} is read-only (mode 0444): autotune will not replace it; make it writable (chmod u+w) or pass --force\n`;

    const tune = cli(['tune', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--simulate', '--budget', '30'], { cwd: project.dir });
    expect(tune.status).toBe(2);
    expect(tune.stderr).toContain(refusal.slice('autotune: '.length));
    expect(tune.stderr).not.toMatch(/round \d/);

    const rollback = cli(['rollback', '--team-id', 'review_team'], { cwd: project.dir });
    expect(rollback.status).toBe(2);
    expect(rollback.stderr).toBe(refusal);
    expect(readFileSync(project.workflow, 'utf8')).toBe(changed);

    // Every change of the apply: the oldest applied one and all later ones.
    const history = JSON.parse(cli(['history', '--team-id', 'review_team', '--json'], { cwd: project.dir }).stdout).history as Array<{ rollbackIndex: number | null }>;
    const oldest = Math.max(...history.map((e) => e.rollbackIndex ?? 0));
    const forced = cli(['rollback', '--team-id', 'review_team', '--index', String(oldest), '--force'], { cwd: project.dir });
    expect(forced.status).toBe(0);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
  });
});

describe('item 7: what autotune creates is no more readable than the workflow', () => {
  it.each([
    [0o600, 0o700, 0o600],
    [0o640, 0o750, 0o640],
  ])('workflow %o: .autotune/ and backups/ %o, database and backup %o', (workflowMode, dirMode, fileMode) => {
    chmodSync(project.workflow, workflowMode);
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir });
    expect(run.status).toBe(0);
    const folder = join(project.dir, '.autotune');
    expect(mode(folder)).toBe(dirMode);
    expect(mode(join(folder, 'backups'))).toBe(dirMode);
    const files = readdirSync(folder).filter((f) => f.startsWith('autotune.db'));
    expect(files).toContain('autotune.db');
    for (const f of files) expect([f, mode(join(folder, f))]).toEqual([f, fileMode]);
    for (const f of readdirSync(join(folder, 'backups'))) expect(mode(join(folder, 'backups', f))).toBe(fileMode);
  });

  it('warns about a database made earlier that is more readable than the workflow, and leaves its mode alone', () => {
    const first = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir });
    expect(first.status).toBe(0);
    const db = join(project.dir, '.autotune', 'autotune.db');
    chmodSync(db, 0o644);
    chmodSync(project.workflow, 0o600);
    const run = cli(['history', '--config', 'workflow.yaml', '--team-id', 'review_team'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`autotune: warning: ${db} (mode 0644) is readable by others, but ${project.workflow} is not; it holds the workflow's text: chmod go-r ${db}\n`);
    expect(mode(db)).toBe(0o644);
  });
});

describe('item 6: SIGTERM and SIGHUP stop apply like Ctrl-C; hung trials time out', () => {
  it.each([
    ['SIGTERM', 143, 'Terminated (SIGTERM): stopping the A/B test'],
    ['SIGHUP', 129, 'Hangup (SIGHUP): stopping the A/B test'],
  ] as const)('%s kills the runner and its children, writes nothing, says so and exits %i', async (signal, status, message) => {
    const ready = join(project.dir, 'ready.log');
    const original = readFileSync(project.workflow, 'utf8');
    const started = startCli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', REL_TEAM], {
      cwd: project.dir,
      env: { REL_MODE: 'hang', REL_READY: ready },
    });
    // The runner's own readiness line: the trial is running and its child too.
    await waitFor(() => existsSync(ready) && readFileSync(ready, 'utf8').includes('\n'));
    const [, runnerPid = NaN, childPid = NaN] = readFileSync(ready, 'utf8').trim().split(' ').map(Number);
    expect(running(runnerPid) && running(childPid)).toBe(true);
    started.child.kill(signal);
    const run = await started.exited;
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(`${message}; ${project.workflow} is left as it was.`);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
    await waitFor(() => !running(runnerPid) && !running(childPid));
    const db = new Database(join(project.dir, '.autotune', 'autotune.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM history').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  }, 120_000);

  it('a trial that hangs is cut off by the default timeout (10 x P99 of recorded runs, at least 10 s)', () => {
    writeFileSync(join(project.dir, 'quick.json'), JSON.stringify(quickRuns()));
    const ready = join(project.dir, 'ready.log');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'quick.json', '--auto', '--runner', REL_TEAM, '--runs', '10', '--json'], {
      cwd: project.dir,
      env: { REL_MODE: 'hang-once', REL_MARK: join(project.dir, 'mark'), REL_READY: ready },
    });
    expect([0, 3, 4]).toContain(run.status);
    expect(readFileSync(ready, 'utf8')).toMatch(/^ready \d+\n$/);
    const verdicts = JSON.parse(run.stdout).results.map((r: { evidence?: { verdict: { before: { timeouts: number }; after: { timeouts: number } } } }) => r.evidence?.verdict);
    const timeouts = verdicts.reduce((n: number, v: { before: { timeouts: number }; after: { timeouts: number } }) => n + v.before.timeouts + v.after.timeouts, 0);
    expect(timeouts).toBe(1);
  }, 180_000);
});

describe('item 9: a runner printing 100 MB', () => {
  it('is read through a bounded tail: the record on its last line counts, and memory stays small', () => {
    writeFileSync(join(project.dir, 'quick.json'), JSON.stringify(quickRuns()));
    // A 64 MB heap: keeping the 100 MB of output would crash the process with "heap out of memory".
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'quick.json', '--auto', '--runner', REL_TEAM, '--runs', '10', '--json'], {
      cwd: project.dir,
      env: { REL_MODE: 'noisy-once', REL_MARK: join(project.dir, 'mark') },
      nodeArgs: ['--max-old-space-size=64'],
    });
    expect(run.stderr).not.toMatch(/heap|unexpected error/);
    expect([0, 3, 4]).toContain(run.status);
    const db = new Database(join(project.dir, '.autotune', 'autotune.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT team_id FROM records WHERE execution_id = 'noisy-run'").get();
      expect(row).toEqual({ team_id: 'review_team' });
    } finally {
      db.close();
    }
  }, 180_000);
});

describe('item 11: runner output that breaks the protocol', () => {
  it.each([
    ['other-team', /is not valid trial output: it reports team "someone_else", but this trial runs team "review_team"$/m],
    ['fixed-id', /is not valid trial output: execution id "always-the-same" was already reported by an earlier trial/],
  ])('%s stops the A/B test, naming the problem, and nothing is recorded', (relMode, message) => {
    const original = readFileSync(project.workflow, 'utf8');
    const run = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runner', REL_TEAM], { cwd: project.dir, env: { REL_MODE: relMode } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(readFileSync(project.workflow, 'utf8')).toBe(original);
    const db = new Database(join(project.dir, '.autotune', 'autotune.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT COUNT(*) AS n FROM records WHERE team_id = 'someone_else' OR execution_id = 'always-the-same'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('item 14: values out of bounds and unknown formations', () => {
  it.each([
    [{ duration_seconds: 1e308 }, /metrics\.json, line 1, field "duration_seconds": 1e\+308 is out of range: the most is 31622400 s \(366 days\)$/m],
    [{ start_time: 1e15 }, /metrics\.json, line 1, field "start_time": time 1000000000000000 is out of range: expected a time from 1970 to 2200$/m],
    [{ total_tool_calls: 1e300 }, /metrics\.json, line 1, field "total_tool_calls": 1e\+300 is out of range: the most is 1000000000$/m],
  ])('%j is refused with the file, record and field', (patch, message) => {
    const runs = reviewTeamRuns(30).map((r, i) => (i === 3 ? { ...r, ...patch, end_time: undefined } : r));
    writeFileSync(project.metrics, JSON.stringify(runs));
    const run = cli(['analyze', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('an unknown formation is an error unless declared in the config file', () => {
    const lines = reviewTeamRuns(30).map((r, i) => JSON.stringify(i === 2 ? { ...r, formation: 'reflection' } : r));
    writeFileSync(join(project.dir, 'runs.jsonl'), `${lines.join('\n')}\n`);
    const refused = cli(['analyze', '--metrics', 'runs.jsonl'], { cwd: project.dir });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/runs\.jsonl, line 3, field "formation": unknown formation "reflection": expected one of sequential, parallel, pipeline, hierarchical, consensus; list any other formation your teams use under "formations" in autotune\.config\.\*$/m);
    writeFileSync(join(project.dir, 'autotune.config.yaml'), 'formations: [reflection, adaptive, hybrid]\n');
    const declared = cli(['analyze', '--metrics', 'runs.jsonl'], { cwd: project.dir });
    expect(declared.stderr).toBe(`autotune: using settings from ${join(project.dir, 'autotune.config.yaml')}\n`);
    expect(declared.status).toBe(0);
  });

  it('the workflow file\'s formation follows the same rule', () => {
    writeFileSync(project.workflow, readFileSync(project.workflow, 'utf8').replace('formation: parallel', 'formation: hybrid'));
    const refused = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/formation "hybrid" \(\S+workflow\.yaml, line 3\) is a legacy formation of the original, not one of autotune's five \(sequential, parallel, pipeline, hierarchical, consensus\): declare it/);
    expect(refused.stderr).toContain('holding {"formations": ["hybrid"]}');
    writeFileSync(join(project.dir, 'autotune.config.json'), JSON.stringify({ formations: ['hybrid'] }));
    const declared = cli(['suggest', '--config', 'workflow.yaml', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(declared.status).toBe(0);
  });
});

describe('item 15: control characters from input are escaped in everything printed', () => {
  const evil = 'team\u001b]0;pwned\u0007\u001b[2J\u202eevil\u0000\u009b';

  it('in the text report and in error messages', () => {
    writeFileSync(project.metrics, JSON.stringify(reviewTeamRuns(30, 7, evil)));
    const run = cli(['analyze', '--metrics', 'metrics.json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Team ID: team\\u001b]0;pwned\\u0007\\u001b[2J\\u202eevil\\u0000\\u009b');
    const unknown = cli(['analyze', '--metrics', 'metrics.json', '--team-id', `x\u001b[31m\u202e`], { cwd: project.dir });
    expect(unknown.status).toBe(2);
    for (const out of [run.stdout, run.stderr, unknown.stdout, unknown.stderr]) {
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    expect(unknown.stderr).toContain('x\\u001b[31m\\u202e');
  });

  it('in --json output, which stays valid JSON with the same values', () => {
    writeFileSync(project.metrics, JSON.stringify(reviewTeamRuns(30, 7, evil)));
    const run = cli(['analyze', '--metrics', 'metrics.json', '--json'], { cwd: project.dir });
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(run.stdout).teamId).toBe(evil);
  });
});
