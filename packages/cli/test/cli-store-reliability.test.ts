// Issue 14 items 1, 2, 12 and 16, issue 15 item 5, through the BUILT bin: kill -9 at every step between the
// backup and the history, the undo hint run where it is printed, a tampered history row, and `unlock`.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cli, cliOnTerminal, makeProject } from './helpers';

// Every case spawns the CLI several times; CI runs on a busy 2-core machine.
jest.setTimeout(300_000);

const APPLY = ['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'];

interface Row {
  id: number;
  status: string;
  json: string;
}

function history(dbFile: string): Array<{ id: number; status: string; fileTextAfter?: string; fileHashAfter?: string; applyId?: string }> {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT id, status, json FROM history ORDER BY id DESC').all() as Row[]).map((r) => ({ ...JSON.parse(r.json), id: r.id, status: r.status }));
  } finally {
    db.close();
  }
}

/** File and history agree: the file holds the first bytes with no applied change, else the latest change's bytes. */
function agreement(dbFile: string, workflow: string, original: string): 'applied' | 'unchanged' {
  const entries = history(dbFile).filter((e) => e.status !== 'pending');
  const applied = entries.filter((e) => e.status === 'applied');
  const text = readFileSync(workflow, 'utf8');
  if (applied.length === 0) {
    expect(text).toBe(original);
    return 'unchanged';
  }
  expect(text).toBe(applied[0]!.fileTextAfter);
  return 'applied';
}

// Before the file step the file still holds what it held; from the confirm step on it holds the new bytes.
const FILE_REPLACED: Record<string, boolean> = { backup: false, intent: false, file: false, confirm: true, done: true };

describe.each(Object.keys(FILE_REPLACED))('kill -9 of the built CLI before the %s step', (step) => {
  it.each(['apply', 'rollback'])('of %s: file and history agree, and the next command succeeds', (kind) => {
    const project = makeProject();
    try {
      const dbFile = join(project.dir, '.autotune', 'autotune.db');
      const original = readFileSync(project.workflow, 'utf8');
      if (kind === 'rollback') expect(cli(APPLY, { cwd: project.dir }).status).toBe(0);
      const before = readFileSync(project.workflow, 'utf8');
      const killed = cli(kind === 'apply' ? APPLY : ['rollback', '--team-id', 'review_team', '--config', 'workflow.yaml'], {
        cwd: project.dir,
        env: { AUTOTUNE_TEST_FAULT: `kill@${kind}:${step}` },
      });
      // The fault really fired: the process died by SIGKILL instead of finishing.
      expect(killed.status).toBeNull();
      expect(readFileSync(project.workflow, 'utf8') !== before).toBe(FILE_REPLACED[step]);
      const inForce = readFileSync(project.workflow, 'utf8') !== original;

      // The next command settles what the killed one left pending, then does its own work: undo the apply
      // (by its id, as the undo hint does) when its bytes are in the file, else apply again.
      const applyId = history(dbFile).find((e) => e.applyId)?.applyId;
      const next = inForce ? cli(['rollback', '--team-id', 'review_team', '--apply', applyId!, '--db', dbFile], { cwd: project.dir }) : cli(APPLY, { cwd: project.dir });
      expect(next.stderr).not.toMatch(/unexpected/i);
      expect(next.status).toBe(0);
      // Only the steps after the intent was recorded leave something pending.
      if (step === 'file' || step === 'confirm') expect(next.stderr).toMatch(/Settled an interrupted (apply|rollback)/);
      expect(history(dbFile).filter((e) => e.status === 'pending')).toEqual([]);
      expect(agreement(dbFile, project.workflow, original)).toBe(inForce ? 'unchanged' : 'applied');
    } finally {
      project.cleanup();
    }
  });
});

describe('the undo hint apply prints (issue 15 item 5)', () => {
  it('works from the folder apply ran in, and undoes the whole apply in one command', () => {
    const project = makeProject();
    try {
      mkdirSync(join(project.dir, 'team'));
      renameSync(project.workflow, join(project.dir, 'team', 'workflow.yaml'));
      const workflow = join(project.dir, 'team', 'workflow.yaml');
      const original = readFileSync(workflow, 'utf8');
      const applied = cli(['apply', '--config', 'team/workflow.yaml', '--metrics', 'metrics.json', '--auto', '--no-ab-test'], { cwd: project.dir });
      expect(applied.status).toBe(0);
      const dbFile = join(project.dir, 'team', '.autotune', 'autotune.db');
      const kept = history(dbFile).filter((e) => e.status === 'applied');
      expect(kept.length).toBeGreaterThan(1);
      const hint = /^Undo with: (autotune rollback .*)$/m.exec(applied.stdout)?.[1];
      expect(hint).toBe(`autotune rollback --team-id review_team --apply ${kept[0]!.applyId} --db ${dbFile}`);
      // Run exactly what was printed, where it was printed.
      const undo = cli(hint!.split(' ').slice(1), { cwd: project.dir });
      expect(undo.stderr).toBe('');
      expect(undo.status).toBe(0);
      expect(readFileSync(workflow, 'utf8')).toBe(original);
      expect(history(dbFile).filter((e) => e.status === 'applied')).toEqual([]);
      expect(history(dbFile).filter((e) => e.status === 'rolled_back')).toHaveLength(kept.length);
    } finally {
      project.cleanup();
    }
  });
});

describe('rollback writes only what the history describes (issue 14 item 2)', () => {
  it('refuses an edited history row pointing at another file, exits 2, and leaves that file alone', () => {
    const project = makeProject();
    const elsewhere = makeProject();
    try {
      expect(cli(APPLY, { cwd: project.dir }).status).toBe(0);
      const dbFile = join(project.dir, '.autotune', 'autotune.db');
      const victim = join(elsewhere.dir, 'important.yaml');
      writeFileSync(victim, 'do not touch\n');
      const db = new Database(dbFile);
      for (const row of db.prepare("SELECT id, json FROM history WHERE status = 'applied'").all() as Row[]) {
        db.prepare('UPDATE history SET json = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row.json), filePath: victim, fileTextBefore: 'owned\n' }), row.id);
      }
      db.close();
      const run = cli(['rollback', '--team-id', 'review_team', '--db', dbFile], { cwd: elsewhere.dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/refusing to restore this file: .*lies outside .*, the project folder the database belongs to/);
      expect(run.stderr).toMatch(/Nothing was written/);
      expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
      expect(history(dbFile).filter((e) => e.status === 'applied').length).toBeGreaterThan(0);
    } finally {
      project.cleanup();
      elsewhere.cleanup();
    }
  });
});

describe('autotune unlock and lock heartbeats (issue 14 item 16)', () => {
  function lockRow(dbFile: string, row: { pid: number; host: string; heartbeatAgoMs: number }): void {
    const db = new Database(dbFile);
    const now = Date.now();
    db.prepare('INSERT OR REPLACE INTO team_locks (team_id, token, pid, host, purpose, acquired_at_ms, heartbeat_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      'review_team',
      'left-behind',
      row.pid,
      row.host,
      'apply',
      now - row.heartbeatAgoMs - 1000,
      now - row.heartbeatAgoMs,
    );
    db.close();
  }

  it('removes a lock held from another host with --yes, after which a rollback proceeds', () => {
    const project = makeProject();
    try {
      expect(cli(APPLY, { cwd: project.dir }).status).toBe(0);
      const dbFile = join(project.dir, '.autotune', 'autotune.db');
      lockRow(dbFile, { pid: 4242, host: 'build-server-7', heartbeatAgoMs: 1000 });
      const blocked = cli([...APPLY, '--db', dbFile], { cwd: project.dir });
      expect(blocked.status).toBe(1);
      expect(blocked.stderr).toMatch(/another apply is in progress for team "?review_team"? \(pid 4242, host build-server-7, since .*autotune unlock --team-id review_team/);

      const unlocked = cli(['unlock', '--team-id', 'review_team', '--yes'], { cwd: project.dir });
      expect(unlocked.status).toBe(0);
      expect(unlocked.stderr).toMatch(/locked for apply by pid 4242 on host build-server-7 since .*; host build-server-7 cannot be checked from here/);
      expect(unlocked.stdout).toMatch(/Removed the lock of team review_team \(pid 4242, host build-server-7\)/);
      expect(cli(['unlock', '--team-id', 'review_team', '--yes'], { cwd: project.dir }).stdout).toMatch(/is not locked/);
      const rollback = cli(['rollback', '--team-id', 'review_team'], { cwd: project.dir });
      expect(rollback.status).toBe(0);
    } finally {
      project.cleanup();
    }
  });

  it('asks on a terminal and keeps the lock unless told yes; without a terminal it needs --yes', () => {
    const project = makeProject();
    try {
      expect(cli(APPLY, { cwd: project.dir }).status).toBe(0);
      const dbFile = join(project.dir, '.autotune', 'autotune.db');
      lockRow(dbFile, { pid: 4242, host: 'build-server-7', heartbeatAgoMs: 1000 });
      const piped = cli(['unlock', '--team-id', 'review_team'], { cwd: project.dir });
      expect(piped.status).toBe(2);
      expect(piped.stderr).toMatch(/no terminal to ask on: pass --yes/);
      const declined = cliOnTerminal(['unlock', '--team-id', 'review_team'], { cwd: project.dir, input: 'n\n' });
      expect(declined.stdout).toMatch(/Remove this lock\? \(y\/N\)/);
      expect(declined.stdout).toMatch(/The lock is kept/);
      const accepted = cliOnTerminal(['unlock', '--team-id', 'review_team'], { cwd: project.dir, input: 'y\n' });
      expect(accepted.stdout).toMatch(/Removed the lock of team review_team/);
      expect(existsSync(dbFile)).toBe(true);
    } finally {
      project.cleanup();
    }
  });

  it('takes over a lock whose holder stopped beating, though its pid is alive on this host (a reused pid)', () => {
    const project = makeProject();
    try {
      expect(cli(APPLY, { cwd: project.dir }).status).toBe(0);
      const dbFile = join(project.dir, '.autotune', 'autotune.db');
      // pid 1 is always alive; the lock's last beat is three minutes old, past the two-minute stale limit.
      lockRow(dbFile, { pid: 1, host: hostname(), heartbeatAgoMs: 3 * 60_000 });
      const rollback = cli(['rollback', '--team-id', 'review_team'], { cwd: project.dir });
      expect(rollback.stderr).toBe('');
      expect(rollback.status).toBe(0);
    } finally {
      project.cleanup();
    }
  });
});
