import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { TrialContext, TrialRunner } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import type { Pool, PoolClient } from 'pg';
import PgBoss from 'pg-boss';
import { PostgresError } from './errors';
import { decode, encode } from './internal/json';
import { maskSecrets } from './mask';
import { ident, migrate } from './migrations';

/** Prefix of the pg-boss queues autotune's trials go through: one queue per team. */
export const TRIAL_QUEUE_PREFIX = 'autotune-trials-';
/** NOTIFY channel on which a worker announces a finished trial (payload: the trial id). */
const DONE_CHANNEL = 'autotune_trial_done';
/** NOTIFY channel on which a coordinator announces new jobs (payload: the queue name), so idle workers wake. */
const QUEUED_CHANNEL = 'autotune_trial_queued';
/** A trial's job expires (its worker counts as lost) after its timeout plus this grace. */
const EXPIRY_GRACE_MS = 5_000;
/** Without a trial timeout, a job expires after pg-boss's usual 15 minutes. */
const DEFAULT_EXPIRY_MS = 15 * 60_000;

/** Settings shared by coordinators and workers; both sides must agree on them. */
export interface TrialQueueOptions {
  /** Schema of autotune's tables (the trial results live there). Default `autotune`. */
  schema?: string;
  /** Schema pg-boss keeps its jobs in. Default `autotune_queue`. */
  queueSchema?: string;
  /** How often pg-boss looks for jobs whose worker died (expired jobs), seconds. Default 10. */
  maintenanceIntervalSeconds?: number;
  /** How often an idle worker polls, and a coordinator re-checks its waiting trials, ms. Default 2000. */
  pollIntervalMs?: number;
  /** Secrets to mask in error messages (the database password). */
  secrets?: readonly string[];
}

/** What a trial job carries: everything a worker needs to run it, nothing it must look up. */
export interface TrialJobData {
  runId: string;
  trialId: string;
  teamId: string;
  arm: 'baseline' | 'candidate';
  trial: number;
  seed: number;
  /** The config to run, encoded (non-finite numbers kept). */
  config: string;
  timeoutMs?: number;
}

/** The pg-boss queue of a team's trials. Team ids may hold any character; queue names may not. */
export function trialQueueName(teamId: string): string {
  return `${TRIAL_QUEUE_PREFIX}${createHash('sha256').update(teamId).digest('hex').slice(0, 24)}`;
}

/** Key of the advisory lock that serialises pg-boss's schema set-up across processes (any value, fixed forever). */
const BOSS_SETUP_LOCK_KEY = 0x61746271; // 'atbq'

/** A pg-boss instance over the caller's pool (pg-boss opens no connection of its own then). */
async function startBoss(pool: Pool, options: TrialQueueOptions, supervise: boolean): Promise<PgBoss> {
  // pg-boss creates its schema without a lock of its own; two workers starting together would both try.
  const guard = await pool.connect();
  try {
    await guard.query('SELECT pg_advisory_lock($1)', [BOSS_SETUP_LOCK_KEY]);
    return await newBoss(pool, options, supervise);
  } finally {
    await guard.query('SELECT pg_advisory_unlock($1)', [BOSS_SETUP_LOCK_KEY]).catch(() => undefined);
    guard.release();
  }
}

async function newBoss(pool: Pool, options: TrialQueueOptions, supervise: boolean): Promise<PgBoss> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values) },
    schema: options.queueSchema ?? 'autotune_queue',
    supervise,
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 10,
  });
  // pg-boss reports maintenance failures as events; a missed maintenance round is retried on the next one.
  boss.on('error', () => undefined);
  await boss.start();
  return boss;
}

/**
 * What opening a queue runner or a worker shares: autotune's schema migrated, pg-boss started (its schema made
 * under an advisory lock), the team's queue made when one is named, and a connection of its own for LISTEN
 * handed to `setup`. On any failure what was taken is given back, and the error says `what` failed.
 */
async function openQueueConnection<T>(
  pool: Pool,
  options: TrialQueueOptions,
  how: { supervise: boolean; queue: string | undefined; what: string },
  setup: (boss: PgBoss, listener: PoolClient) => Promise<T>,
): Promise<T> {
  let boss: PgBoss | undefined;
  let listener: PoolClient | undefined;
  try {
    const client = await pool.connect();
    try {
      await migrate(client, options.schema ?? 'autotune');
    } finally {
      client.release();
    }
    boss = await startBoss(pool, options, how.supervise);
    if (how.queue !== undefined) await ensureQueue(boss, how.queue);
    listener = await pool.connect();
    return await setup(boss, listener);
  } catch (e) {
    listener?.release(true);
    await boss?.stop({ graceful: false, wait: false, close: false }).catch(() => undefined);
    throw queueError(how.what, e, options.secrets);
  }
}

function queueError(what: string, e: unknown, secrets: readonly string[] | undefined): PostgresError {
  return new PostgresError('POSTGRES_QUEUE', `${what}: ${maskSecrets((e as Error)?.message ?? String(e), secrets)}`, { cause: e });
}

/** Options of {@link QueueTrialRunner.open}. */
export interface QueueTrialRunnerOptions extends TrialQueueOptions {
  /**
   * How long a worker may run one trial. The job's expiry is this plus a few seconds: a worker silent for that
   * long counts as dead, and its job is retried once on another worker. Default: 15 minutes of expiry.
   */
  trialTimeoutMs?: number;
}

interface Waiting {
  trialId: string;
  jobId: string;
  resolve: (record: ExecutionRecord) => void;
  reject: (e: unknown) => void;
}

/**
 * A `TrialRunner` for the coordinator: each trial becomes a job on the team's queue, and `run` resolves with
 * the execution record a worker stored for it. The experiment keeps its interleaved order (jobs are fetched in
 * the order they were sent), its timeouts and its early stopping; pass a concurrency as large as the number of
 * workers' slots so they all have work.
 *
 * A worker that dies mid-trial stops renewing nothing: its job simply expires after the trial timeout, pg-boss
 * retries it once on another worker, and a second loss fails it (the trial becomes a failed sample). A trial
 * is never counted twice: the first stored result per trial id wins. `cancelQueued()` (the CLI calls it on
 * Ctrl-C) cancels this coordinator's jobs that no worker has finished.
 */
export class QueueTrialRunner implements TrialRunner<unknown> {
  /** This coordinator's id; every job it sends carries it. */
  readonly runId = randomUUID();
  private readonly waiting = new Map<string, Waiting>();
  /** Sends and cancellations still talking to the database: `close` waits for them, so none is cut off. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly s: string;
  private readonly queue: string;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly boss: PgBoss,
    private readonly listener: PoolClient,
    readonly teamId: string,
    private readonly options: QueueTrialRunnerOptions,
  ) {
    this.s = ident(options.schema ?? 'autotune');
    this.queue = trialQueueName(teamId);
  }

  /**
   * Prepares the queue of `teamId` on the database (creating autotune's and pg-boss's schemas if needed) and
   * starts listening for finished trials.
   *
   * @throws PostgresError `POSTGRES_QUEUE` when the database cannot be reached or prepared.
   */
  static async open(pool: Pool, teamId: string, options: QueueTrialRunnerOptions = {}): Promise<QueueTrialRunner> {
    const queue = trialQueueName(teamId);
    return openQueueConnection(pool, options, { supervise: false, queue, what: `preparing the trial queue of team ${teamId}` }, async (boss, listener) => {
      const runner = new QueueTrialRunner(pool, boss, listener, teamId, options);
      listener.on('error', () => undefined);
      listener.on('notification', (n) => {
        if (n.channel === DONE_CHANNEL && n.payload) void runner.check([n.payload]);
      });
      await listener.query(`LISTEN ${DONE_CHANNEL}`);
      // NOTIFY is not durable (a reconnect can miss one): re-check the waiting trials now and then as well.
      runner.timer = setInterval(() => void runner.check([...runner.waiting.keys()]), options.pollIntervalMs ?? 2000);
      runner.timer.unref();
      return runner;
    });
  }

  /** Sends the trial to the queue and resolves with the record a worker stored for it. */
  async run(config: unknown, context: TrialContext): Promise<ExecutionRecord> {
    if (this.closed) throw new PostgresError('POSTGRES_USAGE', 'the queue runner is closed');
    const trialId = `${this.runId}/${context.arm}/${context.trial}`;
    const timeoutMs = this.options.trialTimeoutMs;
    const data: TrialJobData = { runId: this.runId, trialId, teamId: context.teamId, arm: context.arm, trial: context.trial, seed: context.seed, config: encode(config) };
    if (timeoutMs !== undefined) data.timeoutMs = timeoutMs;
    const expireInSeconds = Math.ceil(((timeoutMs ?? DEFAULT_EXPIRY_MS - EXPIRY_GRACE_MS) + EXPIRY_GRACE_MS) / 1000);
    const jobId = randomUUID();
    const done = new Promise<ExecutionRecord>((resolve, reject) => this.waiting.set(trialId, { trialId, jobId, resolve, reject }));
    // Cancelled (or closed) while the job is still being sent: `done` rejects before anyone awaits it.
    void done.catch(() => undefined);
    const sending = this.track(
      (async () => {
        await this.boss.send(this.queue, data as unknown as object, { id: jobId, retryLimit: 1, retryDelay: 0, expireInSeconds });
        await this.pool.query('SELECT pg_notify($1, $2)', [QUEUED_CHANNEL, this.queue]);
      })(),
    );
    const onAbort = () => {
      const w = this.waiting.get(trialId);
      if (!w) return;
      this.waiting.delete(trialId);
      // A job still being sent is cancelled once it exists; cancelling it before would leave it queued.
      void this.track(sending.then(() => this.boss.cancel(this.queue, jobId), () => undefined));
      w.reject(context.signal.reason ?? new Error('trial cancelled'));
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await sending;
    } catch (e) {
      this.waiting.delete(trialId);
      context.signal.removeEventListener('abort', onAbort);
      throw queueError(`sending trial ${context.trial} (${context.arm}) of team ${context.teamId} to the queue`, e, this.options.secrets);
    }
    if (context.signal.aborted) onAbort();
    try {
      return await done;
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Keeps `work` in {@link inFlight} until it settles; the returned promise is `work` itself. */
  private track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return work;
  }

  /** Settles the waiting trials among `trialIds` whose result is stored or whose job failed for good. */
  private async check(trialIds: string[]): Promise<void> {
    const ids = trialIds.filter((id) => this.waiting.has(id));
    if (ids.length === 0 || this.closed) return;
    try {
      const { rows } = await this.pool.query<{ trial_id: string; ok: boolean; record: string | null; error: string | null; worker: string }>(
        `SELECT trial_id, ok, record, error, worker FROM ${this.s}.trial_results WHERE trial_id = ANY($1)`,
        [ids],
      );
      for (const row of rows) {
        const w = this.waiting.get(row.trial_id);
        if (!w) continue;
        this.waiting.delete(row.trial_id);
        if (row.ok && row.record !== null) w.resolve(decode<ExecutionRecord>(row.record));
        else w.reject(new Error(`worker ${row.worker}: ${row.error ?? 'the trial failed'}`));
      }
      const left = ids.filter((id) => this.waiting.has(id));
      if (left.length === 0) return;
      const jobIds = left.map((id) => (this.waiting.get(id) as Waiting).jobId);
      const { rows: failed } = await this.pool.query<{ id: string; output: unknown }>(
        `SELECT id::text AS id, output FROM ${ident(this.options.queueSchema ?? 'autotune_queue')}.job WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'failed'`,
        [this.queue, jobIds],
      );
      for (const job of failed) {
        const w = [...this.waiting.values()].find((x) => x.jobId === job.id);
        if (!w) continue;
        this.waiting.delete(w.trialId);
        w.reject(new Error(`no result: the worker running this trial was lost twice (the job expired after its retry)`));
      }
    } catch {
      // A failed check is retried on the next tick; the experiment's own timeout bounds the wait.
    }
  }

  /**
   * Cancels this coordinator's jobs that have not finished (queued ones are never started; running ones are
   * not retried), and rejects their waiting trials. Returns how many jobs were cancelled.
   */
  async cancelQueued(): Promise<number> {
    // A job still being sent would be inserted after the update below, and stay queued.
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    const { rowCount } = await this.pool.query(
      `UPDATE ${ident(this.options.queueSchema ?? 'autotune_queue')}.job SET state = 'cancelled', completed_on = now()
       WHERE name = $1 AND state < 'completed' AND data->>'runId' = $2`,
      [this.queue, this.runId],
    );
    for (const w of this.waiting.values()) w.reject(new Error('cancelled'));
    this.waiting.clear();
    return rowCount ?? 0;
  }

  /** Stops listening and leaves the queue; waiting trials are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiting.values()) w.reject(new Error('the queue runner was closed'));
    this.waiting.clear();
    // Sends and cancellations under way finish first (a cancel may be waiting for its send).
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    try {
      await this.listener.query(`UNLISTEN ${DONE_CHANNEL}`);
      this.listener.release();
    } catch (e) {
      this.listener.release(e instanceof Error ? e : true);
    }
    await this.boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
  }
}

async function ensureQueue(boss: PgBoss, name: string): Promise<void> {
  // createQueue is idempotent in pg-boss 10 (INSERT ... ON CONFLICT DO NOTHING in its plan).
  await boss.createQueue(name, { name, policy: 'standard' });
}

/** What a worker reports as it goes (the CLI prints these lines). */
export type WorkerEvent =
  | { type: 'started'; trialId: string; teamId: string; arm: string; trial: number; jobId: string; retry: number }
  | { type: 'finished'; trialId: string; teamId: string; ok: boolean; durationMs: number; duplicate: boolean }
  | { type: 'error'; message: string };

/** Options of {@link TrialWorker.start}. */
export interface TrialWorkerOptions extends TrialQueueOptions {
  /** Builds the runner for a trial of this team (the worker's own command, simulator, ...). */
  runnerFor: (teamId: string) => TrialRunner<unknown>;
  /** Trials run at once. Default 1. */
  concurrency?: number;
  /** Only this team's trials; without it, every team's queue (new queues are picked up as they appear). */
  teamId?: string;
  /** This worker's name in results and messages. Default `host:pid`. */
  name?: string;
  onEvent?: (event: WorkerEvent) => void;
}

/**
 * A worker: pulls trial jobs from the queue (one team's, or all), runs each with its own runner, stores the
 * result under the trial id (the first result per trial wins, so a retried job is never counted twice) and
 * tells the waiting coordinator. Idle slots wake on the coordinator's NOTIFY, and poll as a fallback.
 */
export class TrialWorker {
  private readonly s: string;
  private readonly jobs: string;
  private readonly name: string;
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly loops: Promise<void>[] = [];
  private queues: string[] = [];
  private nextQueue = 0;
  private queuesCheckedAt = 0;
  private readonly running = new Map<string, AbortController>();

  private constructor(
    private readonly pool: Pool,
    private readonly boss: PgBoss,
    private readonly listener: PoolClient,
    private readonly options: TrialWorkerOptions,
  ) {
    this.s = ident(options.schema ?? 'autotune');
    this.jobs = ident(options.queueSchema ?? 'autotune_queue');
    this.name = options.name ?? `${hostname()}:${process.pid}`;
  }

  /**
   * Starts `concurrency` slots pulling jobs. The worker also runs pg-boss's maintenance, which is what turns an
   * expired job (its worker died) into a retry.
   *
   * @throws PostgresError `POSTGRES_QUEUE` when the database cannot be reached or prepared.
   */
  static async start(pool: Pool, options: TrialWorkerOptions): Promise<TrialWorker> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new PostgresError('POSTGRES_INVALID_INPUT', `concurrency must be a whole number of at least 1, got ${String(options.concurrency)}`);
    }
    const queue = options.teamId === undefined ? undefined : trialQueueName(options.teamId);
    return openQueueConnection(pool, options, { supervise: true, queue, what: 'starting the worker' }, async (boss, listener) => {
      const worker = new TrialWorker(pool, boss, listener, options);
      listener.on('error', (e) => options.onEvent?.({ type: 'error', message: maskSecrets(e.message, options.secrets) }));
      listener.on('notification', () => worker.wake?.());
      await listener.query(`LISTEN ${QUEUED_CHANNEL}`);
      await worker.refreshQueues(true);
      for (let i = 0; i < concurrency; i++) worker.loops.push(worker.loop());
      return worker;
    });
  }

  private async refreshQueues(force = false): Promise<void> {
    if (this.options.teamId !== undefined) {
      this.queues = [trialQueueName(this.options.teamId)];
      return;
    }
    const now = Date.now();
    if (!force && now - this.queuesCheckedAt < (this.options.pollIntervalMs ?? 2000)) return;
    this.queuesCheckedAt = now;
    const { rows } = await this.pool.query<{ name: string }>(`SELECT name FROM ${this.jobs}.queue WHERE name LIKE $1 ORDER BY name`, [`${TRIAL_QUEUE_PREFIX}%`]);
    this.queues = rows.map((r) => r.name);
  }

  /** One slot: fetch a job from the queues in turn, run it, repeat; sleep until woken or the poll interval. */
  private async loop(): Promise<void> {
    while (!this.stopping) {
      let job: PgBoss.JobWithMetadata<TrialJobData> | undefined;
      try {
        await this.refreshQueues();
        for (let i = 0; i < this.queues.length && !job; i++) {
          const queue = this.queues[(this.nextQueue + i) % this.queues.length];
          [job] = await this.boss.fetch<TrialJobData>(queue, { batchSize: 1, includeMetadata: true });
        }
        this.nextQueue++;
      } catch (e) {
        this.options.onEvent?.({ type: 'error', message: maskSecrets((e as Error).message, this.options.secrets) });
      }
      if (this.stopping) {
        // Fetched while stopping: hand it back at once rather than wait for its expiry.
        if (job) await this.boss.retry(job.name, job.id).catch(() => undefined);
        return;
      }
      if (job) {
        await this.process(job);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.pollIntervalMs ?? 2000);
        const previous = this.wake;
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = () => {
          previous?.();
          done();
        };
      });
    }
  }

  private async process(job: PgBoss.JobWithMetadata<TrialJobData>): Promise<void> {
    const d = job.data;
    const started = Date.now();
    this.options.onEvent?.({ type: 'started', trialId: d.trialId, teamId: d.teamId, arm: d.arm, trial: d.trial, jobId: job.id, retry: job.retryCount });
    const controller = new AbortController();
    this.running.set(job.id, controller);
    let record: ExecutionRecord | undefined;
    let error: string | undefined;
    const timer = d.timeoutMs !== undefined ? setTimeout(() => controller.abort(new Error(`timed out after ${d.timeoutMs} ms`)), d.timeoutMs) : undefined;
    try {
      const runner = this.options.runnerFor(d.teamId);
      record = await runner.run(decode(d.config), { teamId: d.teamId, arm: d.arm, trial: d.trial, seed: d.seed, signal: controller.signal });
    } catch (e) {
      error = controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason.message : (e as Error)?.message ?? String(e);
    } finally {
      if (timer) clearTimeout(timer);
      this.running.delete(job.id);
    }
    try {
      // One statement: store the result unless the trial already has one, and tell the coordinator.
      const { rows } = await this.pool.query<{ trial_id: string }>(
        `WITH ins AS (
           INSERT INTO ${this.s}.trial_results (trial_id, run_id, team_id, job_id, worker, ok, record, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (trial_id) DO NOTHING RETURNING trial_id)
         SELECT trial_id, pg_notify('${DONE_CHANNEL}', trial_id) FROM ins`,
        [d.trialId, d.runId, d.teamId, job.id, this.name, record !== undefined, record === undefined ? null : encode(record), error ?? null],
      );
      await this.boss.complete(job.name, job.id);
      this.options.onEvent?.({ type: 'finished', trialId: d.trialId, teamId: d.teamId, ok: record !== undefined, durationMs: Date.now() - started, duplicate: rows.length === 0 });
    } catch (e) {
      this.options.onEvent?.({ type: 'error', message: `storing the result of trial ${d.trialId}: ${maskSecrets((e as Error).message, this.options.secrets)}` });
    }
  }

  /**
   * Stops taking jobs and waits for the running trials to finish (or, with `abort`, aborts them; their jobs
   * are then retried elsewhere after expiry).
   */
  async stop(options: { abort?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    if (options.abort) for (const c of this.running.values()) c.abort(new Error('the worker is stopping'));
    await Promise.all(this.loops);
    try {
      await this.listener.query(`UNLISTEN ${QUEUED_CHANNEL}`);
      this.listener.release();
    } catch (e) {
      this.listener.release(e instanceof Error ? e : true);
    }
    await this.boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
  }
}
