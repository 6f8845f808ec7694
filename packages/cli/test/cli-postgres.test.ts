// The CLI on a shared PostgreSQL database, through the built bin, with a real PostgreSQL server started by
// the test (tools/test-postgres.mjs) and real processes in different folders, as on different machines:
// the team lock across processes (and a kill -9 of its holder), history read from elsewhere, and trials run
// by three worker processes, one of which is killed mid-trial.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
// The harness is workspace tooling shared by every package's tests (tools/test-postgres.cjs), not a package,
// so it is loaded by path (the boundary rule rightly refuses a relative import of a non-package file).
interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}
const { startTestPostgres } = require(join(__dirname, '..', '..', '..', 'tools', 'test-postgres.cjs')) as { startTestPostgres: () => Promise<TestPostgres> };
import { cli, makeProject, startCli, strategiesSource, waitFor } from './helpers';

let server: TestPostgres;
let admin: Pool;
const projects: Array<ReturnType<typeof makeProject>> = [];

beforeAll(async () => {
  server = await startTestPostgres();
  admin = new Pool({ connectionString: server.url, max: 2 });
  admin.on('error', () => undefined);
}, 120_000);
afterAll(async () => {
  await admin?.end();
  await server?.stop();
  for (const p of projects) p.cleanup();
}, 60_000);

/** A fresh database on the server, its URL (with the password in it) and a pool to inspect it. */
async function freshDatabase(): Promise<{ url: string; pool: Pool; password: string }> {
  const name = `cli_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined);
  return { url: url.toString(), pool, password: decodeURIComponent(url.password) };
}

/** A project in its own folder with one strategy (shrink the team to 4), so an apply has one change to try. */
function project(): ReturnType<typeof makeProject> {
  const p = makeProject();
  projects.push(p);
  writeFileSync(join(p.dir, 'strategies.cjs'), strategiesSource([{ name: 'shrink', type: 'team_sizing', description: 'Shrink the team to 4', change: { memberCount: 4 } }]));
  writeFileSync(join(p.dir, 'autotune.config.json'), JSON.stringify({ builtinStrategies: false, strategies: ['./strategies.cjs'] }));
  // A team that never finishes, but exits once its parent is gone (so a killed apply leaves no orphan behind).
  writeFileSync(join(p.dir, 'hang.cjs'), 'const parent = process.ppid;\nsetInterval(() => { if (process.ppid !== parent) process.exit(1); }, 100);\n');
  // The fake team, a little slower, so that a worker can be killed while it runs a trial.
  writeFileSync(join(p.dir, 'slow-team.cjs'), "setTimeout(() => require('./fake-team.cjs'), 400);\n");
  return p;
}

const APPLY = ['apply', '--team-id', 'review_team', '--config', 'workflow.yaml', '--metrics', 'metrics.json', '--auto', '--runs', '10', '--seed', '3'];

async function advisoryLocks(pool: Pool): Promise<number> {
  // 0x61746c6b: the namespace of autotune's team locks (the first of the two advisory lock keys).
  return Number((await pool.query(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = ${0x61746c6b}::oid`)).rows[0].count);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

describe('autotune on PostgreSQL', () => {
  it('lets one apply per team proceed across processes, frees the lock at once when its holder is killed, and shares history', async () => {
    const { url, pool, password } = await freshDatabase();
    const a = project();
    const b = project();
    // Process A takes the team's lock and then works (its trials never end).
    const holder = startCli([...APPLY, '--runner', 'node hang.cjs', '--db', url], { cwd: a.dir });
    await until(async () => (await advisoryLocks(pool)) === 1);

    // Process B, in another folder, is refused with the lock error naming A.
    const refused = cli([...APPLY, '--runner', 'node fake-team.cjs', '--db', url], { cwd: b.dir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`another apply is in progress for team review_team (pid ${holder.child.pid}`);
    expect(refused.stderr + refused.stdout).not.toContain(password);

    // kill -9: the holder's connection closes and PostgreSQL frees the lock, with no staleness wait.
    holder.child.kill('SIGKILL');
    await holder.exited;
    await until(async () => (await advisoryLocks(pool)) === 0);
    const { rows } = await pool.query("SELECT pid FROM autotune.team_locks WHERE team_id = 'review_team'");
    expect(rows.map((r) => r.pid)).toEqual([holder.child.pid]); // its row is left, but describes no held lock

    const applied = cli([...APPLY, '--runner', 'node fake-team.cjs', '--db', url, '--json'], { cwd: b.dir });
    expect(applied.stderr).not.toContain('in progress');
    expect([0, 4]).toContain(applied.status);
    const report = JSON.parse(applied.stdout);
    expect(report.results).toHaveLength(1);

    // History written by B is read from a third folder, through AUTOTUNE_DB; the password is never shown.
    const c = project();
    const history = cli(['history', '--team-id', 'review_team', '--json'], { cwd: c.dir, env: { AUTOTUNE_DB: url } });
    expect(history.status).toBe(0);
    const listed = JSON.parse(history.stdout);
    expect(listed.history).toHaveLength(1);
    expect(listed.history[0].optimization.description).toBe('Shrink the team to 4');
    expect(listed.database).toContain(':***@127.0.0.1');
    const text = cli(['history', '--team-id', 'review_team', '--db', url], { cwd: c.dir });
    expect(text.stdout).toContain('Shrink the team to 4');
    expect(text.stdout + text.stderr + history.stdout + history.stderr).not.toContain(password);
    await pool.end();
  });

  it('runs a 2 x 20 benchmark on three worker processes, and still ends with exactly 40 samples when one is killed mid-trial', async () => {
    const { url, pool } = await freshDatabase();
    const coordinator = project();
    writeFileSync(join(coordinator.dir, 'after.yaml'), require('node:fs').readFileSync(coordinator.workflow, 'utf8').replace(/member_count: \d+/, 'member_count: 4'));
    // A worker that dies is noticed when its job expires: trial timeout 4 s (+5 s grace), then one retry.
    writeFileSync(join(coordinator.dir, 'autotune.config.json'), JSON.stringify({ trialTimeout: 4000 }));
    const workers = [project(), project(), project()].map((p) =>
      startCli(['worker', '--db', url, '--runner', 'node slow-team.cjs', '--team-id', 'review_team'], { cwd: p.dir }),
    );
    try {
      await Promise.all(workers.map((w) => waitFor(() => w.output().stdout.includes(' ready: '))));
      for (const w of workers) expect(w.output().stdout).not.toContain(new URL(url).password);

      const run = startCli(['benchmark', '--before', 'workflow.yaml', '--after', 'after.yaml', '--team-id', 'review_team', '--runs', '20', '--seed', '11', '--queue', '--db', url, '--json'], {
        cwd: coordinator.dir,
      });
      // Kill the first worker while it runs a trial.
      const victim = workers[0]!;
      await waitFor(() => victim.output().stdout.includes('trial started'));
      victim.child.kill('SIGKILL');
      const done = await run.exited;
      expect(done.stderr).not.toContain('unexpected');
      expect(done.stderr).not.toMatch(/Warning/);
      const report = JSON.parse(done.stdout);
      const samples = await pool.query('SELECT arm, count(*)::int AS n FROM autotune.experiment_samples WHERE experiment_id = $1 GROUP BY arm ORDER BY arm', [report.experimentId]);
      expect(samples.rows).toEqual([
        { arm: 'baseline', n: 20 },
        { arm: 'candidate', n: 20 },
      ]);
      // Every trial has exactly one result, and the killed worker's trial was retried by another worker.
      const results = await pool.query('SELECT count(*)::int AS n, count(DISTINCT trial_id)::int AS d FROM autotune.trial_results');
      expect(results.rows[0]).toEqual({ n: 40, d: 40 });
      const retried = await pool.query("SELECT count(*)::int AS n FROM autotune_queue.job WHERE retry_count > 0 AND state = 'completed'");
      expect(retried.rows[0].n).toBeGreaterThanOrEqual(1);
      const failed = (report.verdict ? JSON.stringify(report.verdict) : '').includes('no result');
      expect(failed).toBe(false);
      // The report lists the benchmark's experiment (no history entry names it) from PostgreSQL too.
      const doc = cli(['report', '--team-id', 'review_team', '--db', url, '--format', 'json'], { cwd: coordinator.dir });
      expect(doc.status).toBe(0);
      expect((JSON.parse(doc.stdout) as { experiments: Array<{ id: string }> }).experiments.map((e) => e.id)).toContain(report.experimentId);
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await pool.end();
    }
  });
  it('withdraws the queued trials when the coordinator is interrupted (Ctrl-C), so no worker runs them later', async () => {
    const { url, pool } = await freshDatabase();
    const coordinator = project();
    writeFileSync(join(coordinator.dir, 'after.yaml'), require('node:fs').readFileSync(coordinator.workflow, 'utf8').replace(/member_count: \d+/, 'member_count: 4'));
    // No worker runs: every trial waits in the queue.
    const run = startCli(['benchmark', '--before', 'workflow.yaml', '--after', 'after.yaml', '--team-id', 'review_team', '--runs', '10', '--queue', '--db', url], { cwd: coordinator.dir });
    const waiting = async () => Number((await pool.query("SELECT count(*) FROM autotune_queue.job WHERE name LIKE 'autotune-trials-%' AND state = 'created'")).rows[0].count);
    await until(async () => (await pool.query("SELECT to_regclass('autotune_queue.job') AS t")).rows[0].t !== null && (await waiting()) === 20);
    run.child.kill('SIGINT');
    const done = await run.exited;
    // One expectation, so that a wrong exit shows what the coordinator said.
    expect({ status: done.status, stderr: done.stderr }).toEqual({ status: 130, stderr: expect.stringContaining('Interrupted') });
    expect(done.stderr).not.toMatch(/AbtestError|Unhandled|at .*\.js:\d+/);
    expect(await waiting()).toBe(0);
    const cancelled = await pool.query("SELECT count(*)::int AS n FROM autotune_queue.job WHERE name LIKE 'autotune-trials-%' AND state = 'cancelled'");
    expect(cancelled.rows[0].n).toBe(20);
    await pool.end();
  });
});
