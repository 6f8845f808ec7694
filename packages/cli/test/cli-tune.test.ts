import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, makeProject, startCli, waitFor } from './helpers';

const RUNNER = 'node fake-team.cjs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('autotune tune', () => {
  it('races, confirms, writes the winner into the file with one history entry per kept change, and one rollback undoes it all', () => {
    const project = makeProject();
    try {
      const original = readFileSync(project.workflow, 'utf8');
      const run = cli(['tune', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--runner', RUNNER, '--budget', '80', '--seed', '4', '--json', '--report', 'tune-report.json'], { cwd: project.dir });
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout);
      // --report: the report document holds the last step's race, racer by racer, and its confirm test.
      const report = JSON.parse(readFileSync(join(project.dir, 'tune-report.json'), 'utf8'));
      const lastRace = out.steps[out.steps.length - 1].race;
      expect(report.race.candidates).toHaveLength(lastRace.standings.length);
      expect(report.race.candidates.filter((c: { role: string }) => c.role === 'incumbent')).toHaveLength(1);
      expect(report.race.rounds).toBe(lastRace.rounds);
      expect(out.runsUsed).toBeLessThanOrEqual(80);
      expect(out.steps.length).toBeGreaterThan(0);
      const race = out.steps[0].race;
      // The fake team is 8 s faster per member dropped: a smaller team wins the race and passes its confirm test.
      expect(race.standings.length).toBeGreaterThan(3);
      expect(race.standings.filter((s: { dropReason?: string; status: string }) => s.status === 'eliminated').every((s: { dropReason?: string }) => typeof s.dropReason === 'string')).toBe(true);
      const kept = out.steps.filter((s: { kept: boolean }) => s.kept);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept[0].confirm.verdict.status).toBe('passed');
      expect(out.finalConfig.memberCount).toBeLessThan(8);
      const after = readFileSync(project.workflow, 'utf8');
      expect(after).not.toBe(original);
      expect(after).toContain('# every reviewer works at once');
      expect(run.stderr).toMatch(/round \d+: \d+ runs; leading: /);

      const history = cli(['history', '--config', 'workflow.yaml', '--team-id', 'review_team', '--json'], { cwd: project.dir });
      const entries = JSON.parse(history.stdout);
      const list = entries.history;
      expect(list.filter((e: { status: string }) => e.status === 'applied')).toHaveLength(kept.length);

      // The undo hint is one `rollback --apply ID` for the whole tune; run exactly what it printed.
      expect(out.applyId).toMatch(/^[0-9a-f]{8}$/);
      expect(out.undoCommand).toMatch(new RegExp(`^autotune rollback --team-id review_team --apply ${out.applyId} --db \\S+autotune\\.db$`));
      const undo = cli(out.undoCommand.split(' ').slice(1), { cwd: project.dir });
      expect(undo.stderr).not.toMatch(/error/i);
      expect(undo.status).toBe(0);
      expect(readFileSync(project.workflow, 'utf8')).toBe(original);
      const afterUndo = JSON.parse(cli(['history', '--config', 'workflow.yaml', '--team-id', 'review_team', '--json'], { cwd: project.dir }).stdout).history;
      expect(afterUndo.filter((e: { status: string }) => e.status === 'applied')).toHaveLength(0);
      expect(afterUndo.filter((e: { status: string }) => e.status === 'rolled_back')).toHaveLength(kept.length);
    } finally {
      project.cleanup();
    }
  }, 180_000);

  it('killed (-9) after writing the file but before confirming its history: the next command settles it, and the undo restores the bytes', () => {
    const project = makeProject();
    try {
      const original = readFileSync(project.workflow, 'utf8');
      const args = ['tune', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--runner', RUNNER, '--budget', '80', '--seed', '4'];
      const killed = cli(args, { cwd: project.dir, env: { AUTOTUNE_TEST_FAULT: 'kill@apply:confirm' } });
      // The fault fired: the process died by SIGKILL with the new file in place and its history entries pending.
      expect(killed.status).toBeNull();
      const written = readFileSync(project.workflow, 'utf8');
      expect(written).not.toBe(original);
      const dbFile = join(project.dir, '.autotune', 'autotune.db');
      const listed = JSON.parse(cli(['history', '--config', 'workflow.yaml', '--team-id', 'review_team', '--json'], { cwd: project.dir }).stdout).history as Array<{ status: string; applyId?: string }>;
      const pending = listed.filter((e) => e.status === 'pending');
      expect(pending.length).toBeGreaterThan(0);
      const applyId = pending[0]!.applyId!;
      expect(pending.every((e) => e.applyId === applyId)).toBe(true);
      const undo = cli(['rollback', '--team-id', 'review_team', '--apply', applyId, '--db', dbFile], { cwd: project.dir });
      expect(undo.status).toBe(0);
      expect(undo.stderr).toMatch(/Settled an interrupted apply/);
      expect(readFileSync(project.workflow, 'utf8')).toBe(original);
    } finally {
      project.cleanup();
    }
  }, 180_000);

  it('SIGTERM mid-race stops the runner, writes nothing and exits 130', async () => {
    const project = makeProject();
    try {
      const original = readFileSync(project.workflow, 'utf8');
      // A runner that announces itself (its pid, in a file) and then hangs until it is killed.
      writeFileSync(
        join(project.dir, 'hang.cjs'),
        "require('node:fs').appendFileSync(require('node:path').join(__dirname, 'runners.log'), `started ${process.pid}\\n`);\nsetInterval(() => undefined, 1000);\n",
      );
      const started = startCli(['tune', '--config', 'workflow.yaml', '--runner', 'node hang.cjs', '--budget', '60', '--seed', '1'], { cwd: project.dir });
      const log = join(project.dir, 'runners.log');
      await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('started'));
      await waitFor(() => started.output().stderr.includes('racing'));
      started.child.kill('SIGTERM');
      const run = await started.exited;
      expect(run.status).toBe(130);
      expect(run.stderr).toContain('Interrupted (SIGTERM)');
      expect(readFileSync(project.workflow, 'utf8')).toBe(original);
      const pids = readFileSync(log, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) expect(alive(pid)).toBe(false);
      const history = cli(['history', '--config', 'workflow.yaml', '--team-id', 'review_team', '--json'], { cwd: project.dir });
      expect(history.stdout).not.toMatch(/"status":\s*"applied"/);
    } finally {
      project.cleanup();
    }
  }, 120_000);
});
