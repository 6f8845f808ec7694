import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TrialContext } from '@autotune/abtest';
import { configFingerprint } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { CoreError } from '../../src/errors';
import { CommandRunner } from '../../src/runners/command-runner';

/** Everything this file writes goes under one folder, removed at the end. */
const scratchRoot = mkdtempSync(path.join(tmpdir(), 'autotune-test-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

const fixtures = path.join(__dirname, '..', 'fixtures', 'runners');
const node = process.execPath;
const team = (mode: string, ...args: string[]) => [node, path.join(fixtures, 'team.cjs'), mode, ...args];

const config: TeamConfig = {
  formation: 'parallel',
  memberCount: 3,
  toolBudget: 40,
  timeoutSeconds: 120,
  members: [{ id: 'a', role: 'lead' }, { id: 'b', enabled: false }, { id: 'c' }],
};

function context(overrides: Partial<TrialContext> = {}): TrialContext {
  return { teamId: 'review_team', arm: 'candidate', trial: 4, seed: 1234, signal: new AbortController().signal, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<CoreError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error('expected a failure');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Every test here starts real processes; on a busy 2-core CI machine starting node alone can take seconds.
jest.setTimeout(120_000);

/**
 * Waits for a condition that another process brings about (it polls: a pid file or a dead pid sends no
 * event); fails the test, naming what it waited for, if it never holds within a minute.
 */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting until ${what}`);
}

/**
 * The temporary folders the runner creates from now on. Watching these exact folders, not the shared temp
 * directory, keeps the check blind to trials other test processes run at the same time.
 */
function trackTrialDirs(): { created: string[]; left: () => string[] } {
  const created: string[] = [];
  const real = fsp.mkdtemp.bind(fsp);
  jest.spyOn(fsp, 'mkdtemp').mockImplementation(async (prefix: string) => {
    const dir = await real(prefix);
    created.push(dir);
    return dir;
  });
  return { created, left: () => created.filter((d) => existsSync(d)) };
}

afterEach(() => jest.restoreAllMocks());

describe('CommandRunner', () => {
  it('takes the record on the last stdout line and fills what it lacks from the trial and its config', async () => {
    const record = await new CommandRunner({ command: team('camel') }).run(config, context());
    expect(record).toMatchObject({
      teamId: 'review_team',
      success: true,
      durationSeconds: 1.25,
      toolCalls: 7,
      formation: 'parallel',
      memberCount: 3,
      toolBudget: 40,
      timeoutSeconds: 120,
      configFingerprint: configFingerprint(config),
    });
    expect(record.members).toEqual([{ memberId: 'a', success: true, durationSeconds: 1, toolCalls: 7 }]);
    expect(record.executionId).toMatch(/^review_team-candidate-4-[0-9a-f]{8}$/);
    expect(record.endTimeMs - record.startTimeMs).toBe(1250);
  });

  it('reads the original’s snake_case record as it is', async () => {
    const record = await new CommandRunner({ command: team('snake') }).run(config, context({ teamId: 'snake_team' }));
    expect(record).toMatchObject({
      teamId: 'snake_team',
      formation: 'pipeline',
      memberCount: 2,
      success: false,
      durationSeconds: 75,
      toolCalls: 25,
      startTimeMs: 1736935125000,
      error: 'reviewer crashed',
      toolBudget: 40,
      configFingerprint: configFingerprint(config),
    });
    expect(record.members[0]).toMatchObject({ memberId: 'r1', success: false, toolCalls: 6 });
  });

  it('refuses a record for another team than the trial’s, naming both', async () => {
    const err = await failure(new CommandRunner({ command: team('snake') }).run(config, context()));
    expect(err.code).toBe('CORE_RUNNER_OUTPUT');
    expect(err.message).toMatch(/is not valid trial output: it reports team "snake_team", but this trial runs team "review_team"$/);
  });

  it('refuses an execution id an earlier trial already reported, so trials never collapse into one row', async () => {
    const runner = new CommandRunner({ command: team('fixed-id') });
    expect((await runner.run(config, context({ trial: 1 }))).executionId).toBe('run-1');
    const err = await failure(runner.run(config, context({ trial: 2 })));
    expect(err.code).toBe('CORE_RUNNER_OUTPUT');
    expect(err.message).toMatch(/execution id "run-1" was already reported by an earlier trial; each run needs its own id/);
  });

  it('gives the command the config in the user’s shape and the trial in its environment, and removes the file', async () => {
    const cwd = realpathSync(mkdtempSync(path.join(scratchRoot, 'autotune-cwd-')));
    const runner = new CommandRunner({ command: `"${node}" '${path.join(fixtures, 'team.cjs')}' env "two words" a\\ b`, cwd, env: { EXTRA_VAR: 'yes' }, teamId: 'other_id' });
    const record = await runner.run(config, context({ arm: 'baseline', trial: 7, seed: 99 }));
    const labels = record.labels!;
    expect(JSON.parse(labels.config!)).toEqual({
      formation: 'parallel',
      member_count: 3,
      tool_budget: 40,
      timeout_seconds: 120,
      members: [{ id: 'a', role: 'lead' }, { id: 'b', enable: false }, 'c'],
    });
    expect(labels).toMatchObject({ team: 'other_id', trial: '7', arm: 'baseline', seed: '99', cwd, extra: 'yes', args: JSON.stringify(['two words', 'a b']) });
    expect(record.teamId).toBe('other_id');
    expect(path.basename(labels.configPath!)).toBe('config.json');
    expect(existsSync(labels.configPath!)).toBe(false);
    expect(existsSync(path.dirname(labels.configPath!))).toBe(false);
  });

  it.each([
    ['exit code 0 and no record', team('json-log'), true, undefined],
    ['a non-zero exit code', team('exit', '3'), false, 'exited with code 3: last words'],
  ])('times the process and judges it by its exit code: %s', async (_label, command, success, error) => {
    const before = Date.now();
    const record = await new CommandRunner({ command }).run(config, context());
    expect(record.success).toBe(success);
    expect(record.error).toBe(error);
    expect(record.startTimeMs).toBeGreaterThanOrEqual(before);
    expect(record.durationSeconds).toBe((record.endTimeMs - record.startTimeMs) / 1000);
    expect(record).toMatchObject({ teamId: 'review_team', memberCount: 3, toolCalls: 0, members: [], formation: 'parallel' });
  });

  it('rejects a record line that is not a valid record, saying why', async () => {
    const err = await failure(new CommandRunner({ command: team('bad-record') }).run(config, context()));
    expect(err.code).toBe('CORE_RUNNER_OUTPUT');
    expect(err.message).toContain('the last line of stdout of');
    expect(err.message).toContain('field "success"');
  });

  it('kills the command and what it started when the trial is cancelled, and removes its files', async () => {
    const pidFile = path.join(mkdtempSync(path.join(scratchRoot, 'autotune-pids-')), 'pids.json');
    const dirs = trackTrialDirs();
    const controller = new AbortController();
    const running = new CommandRunner({ command: [node, path.join(fixtures, 'hang.cjs')], env: { PID_FILE: pidFile } }).run(config, context({ signal: controller.signal }));
    await until(() => existsSync(pidFile), 'the command started');
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
    expect(alive(pids.grandchild)).toBe(true);
    controller.abort(new Error('experiment cancelled'));
    await expect(running).rejects.toThrow('experiment cancelled');
    expect(alive(pids.child)).toBe(false);
    await until(() => !alive(pids.grandchild), 'the grandchild is gone');
    expect(dirs.created).toHaveLength(1);
    expect(dirs.left()).toEqual([]);
  });

  it('escalates to SIGKILL for a command that ignores SIGTERM, and records its own timeout', async () => {
    // The command writes its pid file only after it has started ignoring SIGTERM, so a pid file proves the
    // escalation was exercised. A loaded machine may need longer than the first timeout just to start node:
    // then the command died of SIGTERM before that point, and the trial is repeated with twice the timeout.
    let timeoutMs = 300;
    let pidFile = '';
    let record: Awaited<ReturnType<CommandRunner['run']>>;
    for (;;) {
      pidFile = path.join(mkdtempSync(path.join(scratchRoot, 'autotune-pids-')), 'pids.json');
      const runner = new CommandRunner({ command: [node, path.join(fixtures, 'hang.cjs')], env: { PID_FILE: pidFile, IGNORE_TERM: '1' }, timeoutMs, killGraceMs: 100 });
      record = await runner.run(config, context());
      if (existsSync(pidFile) || timeoutMs >= 20_000) break;
      timeoutMs *= 2;
    }
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
    expect(record).toMatchObject({ success: false, limitHit: 'timeout', error: `timed out after ${timeoutMs} ms`, timeoutSeconds: 120 });
    expect(alive(pids.child)).toBe(false);
    await until(() => !alive(pids.grandchild), 'the grandchild is gone');
  });

  it('finishes when the command exits, killing what it left running', async () => {
    const pidFile = path.join(mkdtempSync(path.join(scratchRoot, 'autotune-pids-')), 'pids.json');
    const record = await new CommandRunner({ command: [node, path.join(fixtures, 'leave-behind.cjs')], env: { PID_FILE: pidFile } }).run(config, context());
    expect(record.success).toBe(true);
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
    await until(() => !alive(pids.grandchild), 'the grandchild is gone');
  });

  it('refuses to start a trial that is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(new CommandRunner({ command: team('camel') }).run(config, context({ signal: controller.signal }))).rejects.toThrow('too late');
  });

  it('stops a trial cancelled while its config file is being written, before the command runs', async () => {
    const mark = path.join(mkdtempSync(path.join(scratchRoot, 'autotune-mark-')), 'ran');
    const dirs = trackTrialDirs();
    const controller = new AbortController();
    const command = [node, '-e', 'require("node:fs").writeFileSync(process.env.MARK, "")'];
    const running = new CommandRunner({ command, env: { MARK: mark } }).run(config, context({ signal: controller.signal }));
    // run() is now waiting for its temporary folder: the abort lands before the command is spawned.
    controller.abort(new Error('cancelled during setup'));
    await expect(running).rejects.toThrow('cancelled during setup');
    expect(existsSync(mark)).toBe(false);
    expect(dirs.left()).toEqual([]);
  });

  it('reads a record whose UTF-8 characters arrive split across two chunks of stdout', async () => {
    const record = await new CommandRunner({ command: team('split-utf8') }).run(config, context());
    expect(record.error).toBe('échec: übersetzung');
  });

  describe('a command that cannot run', () => {
    const notExecutable = path.join(fixtures, 'team.cjs');
    it.each([
      ['a name not on PATH', 'autotune-no-such-command-xyz', 'no executable named "autotune-no-such-command-xyz" in PATH'],
      ['a path that does not exist', './no/such/script.sh', 'does not exist'],
      ['a file that is not executable', notExecutable, 'is not executable'],
    ])('fails prepare() with CORE_RUNNER_NOT_FOUND: %s', async (_label, command, message) => {
      const err = await failure(new CommandRunner({ command: [command] }).prepare());
      expect(err.code).toBe('CORE_RUNNER_NOT_FOUND');
      expect(err.message).toContain(`cannot run the team command "${command}"`);
      expect(err.message).toContain(message);
    });

    it('passes prepare() for a program on PATH and for a path', async () => {
      await new CommandRunner({ command: 'node -e 1' }).prepare();
      await new CommandRunner({ command: [node, '-e', '1'] }).prepare();
    });

    it('fails run() with CORE_RUNNER_NOT_FOUND and leaves no temporary files', async () => {
      const dirs = trackTrialDirs();
      const err = await failure(new CommandRunner({ command: ['autotune-no-such-command-xyz'] }).run(config, context()));
      expect(err.code).toBe('CORE_RUNNER_NOT_FOUND');
      expect(dirs.created).toHaveLength(1);
      expect(dirs.left()).toEqual([]);
    });
  });

  it.each([
    [''],
    ['   '],
  ])('rejects an empty command %j', (command) => {
    expect(() => new CommandRunner({ command })).toThrow(CoreError);
  });
});
