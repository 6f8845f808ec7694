import { runExperiment } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import { QueueTrialRunner, TrialWorker, trialQueueName, type WorkerEvent } from '@autotune/postgres';
import { startServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
}, 60_000);

const fast = { maintenanceIntervalSeconds: 1, pollIntervalMs: 500 };

function recordFor(teamId: string, config: { speed: number }, trial: number, arm: string): ExecutionRecord {
  const start = Date.now();
  return {
    teamId,
    executionId: `${arm}-${trial}-${start}`,
    startTimeMs: start,
    endTimeMs: start + config.speed * 1000,
    durationSeconds: config.speed,
    success: true,
    formation: 'parallel',
    memberCount: 1,
    toolCalls: 1,
    members: [],
  };
}

describe('the trial queue', () => {
  it('runs an interleaved experiment on two workers: every trial once, in the planned order, each result stored once', async () => {
    const url = await server.freshDatabase();
    const pool = server.pool(url);
    const events: WorkerEvent[] = [];
    const ran: string[] = [];
    const workers = await Promise.all(
      ['w1', 'w2'].map((name) =>
        TrialWorker.start(pool, {
          ...fast,
          name,
          concurrency: 2,
          onEvent: (e) => events.push(e),
          runnerFor: (teamId) => ({
            run: (config, ctx) => {
              ran.push(`${ctx.arm}/${ctx.trial}`);
              return Promise.resolve(recordFor(teamId, config as { speed: number }, ctx.trial, ctx.arm));
            },
          }),
        }),
      ),
    );
    const runner = await QueueTrialRunner.open(pool, 'team:a/b', { ...fast, trialTimeoutMs: 30_000 });
    try {
    const result = await runExperiment({ teamId: 'team:a/b', baseline: { speed: 100 }, candidate: { speed: 50 }, runner, runsPerArm: 10, concurrency: 4, seed: 7 });
    expect(result.baseline).toHaveLength(10);
    expect(result.candidate).toHaveLength(10);
    expect([...result.baseline, ...result.candidate].filter((s) => !s.record.success).map((s) => s.error)).toEqual([]);
    expect(result.candidate.every((s) => s.record.durationSeconds === 50)).toBe(true);
    const stored = await pool.query('SELECT trial_id, worker FROM autotune.trial_results WHERE run_id = $1', [runner.runId]);
    expect(stored.rowCount).toBe(20);
    expect(new Set(stored.rows.map((r) => r.worker))).toEqual(new Set(['w1', 'w2']));
    // The jobs carry the experiment's interleaved schedule: blocks of one baseline and one candidate trial.
    const jobs = await pool.query(`SELECT data->>'arm' AS arm FROM autotune_queue.job WHERE name = $1 ORDER BY (data->>'trial')::int`, [trialQueueName('team:a/b')]);
    expect(jobs.rowCount).toBe(20);
    for (let i = 0; i < 20; i += 2) expect(new Set([jobs.rows[i].arm, jobs.rows[i + 1].arm])).toEqual(new Set(['baseline', 'candidate']));
    expect(ran).toHaveLength(20);
    } finally {
      await runner.close();
      await Promise.all(workers.map((w) => w.stop()));
    }
    // A worker tells of a finished trial after it has stored the result (which may already have ended the
    // experiment) and completed the job; stop() waits for every trial a worker took, so all are told by now.
    expect(events.filter((e) => e.type === 'finished')).toHaveLength(20);
  });

  it('turns a trial the worker could not run into a failed sample, not a crash', async () => {
    const pool = server.pool(await server.freshDatabase());
    const worker = await TrialWorker.start(pool, {
      ...fast,
      teamId: 't',
      runnerFor: () => ({
        run: (_config, ctx) => (ctx.trial % 2 === 0 ? Promise.reject(new Error('the team crashed')) : Promise.resolve(recordFor('t', { speed: 10 }, ctx.trial, ctx.arm))),
      }),
    });
    const runner = await QueueTrialRunner.open(pool, 't', fast);
    try {
      const result = await runExperiment({ teamId: 't', baseline: { speed: 1 }, candidate: { speed: 1 }, runner, runsPerArm: 10, concurrency: 2, seed: 3 });
      const failed = [...result.baseline, ...result.candidate].filter((s) => !s.record.success);
      expect(failed.length).toBe(10);
      expect(failed[0]?.error).toContain('the team crashed');
    } finally {
      await runner.close();
      await worker.stop();
    }
  });

  it('cancels a trial aborted while its job is still being sent, once the job exists (none stays queued)', async () => {
    const pool = server.pool(await server.freshDatabase());
    const runner = await QueueTrialRunner.open(pool, 't', fast);
    const controller = new AbortController();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const reason = new Error('stopped by the test');
      const trial = runner.run({ speed: 1 }, { teamId: 't', arm: 'baseline', trial: 0, seed: 1, signal: controller.signal });
      // The send is a database round trip: it is still under way when the abort comes.
      controller.abort(reason);
      await expect(trial).rejects.toBe(reason);
      await runner.close();
      await new Promise((r) => setImmediate(r));
      const states = await pool.query(`SELECT state FROM autotune_queue.job WHERE name = $1`, [trialQueueName('t')]);
      expect(states.rows).toEqual([{ state: 'cancelled' }]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('cancels the queued trials of a coordinator that stops: no worker ever starts them', async () => {
    const pool = server.pool(await server.freshDatabase());
    const runner = await QueueTrialRunner.open(pool, 't', fast);
    const controller = new AbortController();
    const experiment = runExperiment({ teamId: 't', baseline: {}, candidate: {}, runner, runsPerArm: 10, concurrency: 20, seed: 1, signal: controller.signal });
    // Wait until all 20 jobs are queued (no worker runs), then stop as Ctrl-C would.
    const queued = async () => Number((await pool.query(`SELECT count(*) FROM autotune_queue.job WHERE name = $1 AND state = 'created'`, [trialQueueName('t')])).rows[0].count);
    while ((await queued()) < 20) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(experiment).rejects.toMatchObject({ code: 'ABTEST_CANCELLED' });
    await runner.cancelQueued();
    expect(await queued()).toBe(0);
    const started: WorkerEvent[] = [];
    const worker = await TrialWorker.start(pool, { ...fast, teamId: 't', onEvent: (e) => started.push(e), runnerFor: () => ({ run: () => Promise.resolve(recordFor('t', { speed: 1 }, 0, 'x')) }) });
    await worker.stop();
    expect(started.filter((e) => e.type === 'started')).toEqual([]);
    await runner.close();
  });
});
