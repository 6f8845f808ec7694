import type { TrialRunner } from '@autotune/abtest';
import type { WorkerEvent } from '@autotune/postgres';
import { hostname } from 'node:os';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune worker`. */
export interface WorkerFlags extends CommonFlags {
  concurrency?: number;
}

/**
 * `autotune worker`: pulls trial jobs that coordinators (`apply`, `benchmark`, `validate` with `--queue`)
 * put on the PostgreSQL queue, runs each with this machine's runner, and stores the result. Runs until
 * SIGINT or SIGTERM; the first lets running trials finish, a second aborts them (their jobs are retried
 * elsewhere after they expire).
 */
export async function workerCommand(flags: WorkerFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const pg = require('../postgres-db') as typeof import('../postgres-db');
    const url = session.databasePath(session.workflowPath);
    if (!pg.isPostgresUrl(url)) {
      throw new CliError('CLI_USAGE', 'autotune worker takes its trials from a PostgreSQL database: pass --db postgres://... (or set "db" in autotune.config.*, or AUTOTUNE_DB)');
    }
    const teamId = session.teamId;
    // Fail now, not at the first trial, when there is no way to run the team.
    session.requireLocalRunner(teamId ?? 'any', undefined, undefined, 'autotune worker');
    const runners = new Map<string, TrialRunner<unknown>>();
    const runnerFor = (team: string): TrialRunner<unknown> => {
      let r = runners.get(team);
      if (!r) {
        r = session.requireLocalRunner(team, undefined, undefined, 'autotune worker');
        runners.set(team, r);
      }
      return r;
    };
    const name = `${hostname()}:${process.pid}`;
    const concurrency = flags.concurrency ?? 1;
    const { pool, secrets } = pg.openPool(url);
    const { TrialWorker } = require('@autotune/postgres') as typeof import('@autotune/postgres');
    const onEvent = (e: WorkerEvent) => {
      if (e.type === 'started') {
        session.print(`trial started: team ${e.teamId}, ${e.arm} #${e.trial} (job ${e.jobId}${e.retry > 0 ? `, retry ${e.retry}` : ''})`);
      } else if (e.type === 'finished') {
        const how = e.duplicate ? 'already counted (a retried job), result dropped' : e.ok ? 'ok' : 'failed';
        session.print(`trial finished: team ${e.teamId}, ${e.trialId.split('/').slice(1).join(' #')}: ${how} in ${(e.durationMs / 1000).toFixed(1)} s`);
      } else {
        session.note(`worker: ${pg.maskUrl(e.message)}`);
      }
    };
    let worker;
    try {
      worker = await TrialWorker.start(pool, { runnerFor, concurrency, name, secrets, onEvent, ...(teamId !== undefined ? { teamId } : {}) });
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    session.print(`worker ${name} ready: ${pg.maskUrl(url)}, ${teamId !== undefined ? `team ${teamId}` : 'every team'}, ${concurrency} at a time`);
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = () => {
        signals++;
        if (signals === 1) {
          session.note('Stopping: letting the running trials finish (Ctrl-C again to abort them).');
          void worker.stop().then(resolve, resolve);
        } else {
          void worker.stop({ abort: true }).then(resolve, resolve);
          process.exit(EXIT_CODES.INTERRUPTED);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    await pool.end().catch(() => undefined);
    session.print(`worker ${name} stopped`);
    return EXIT_CODES.SUCCESS;
  });
}
