// PostgreSQL for the CLI: `--db postgres://...`, `db:` in the config file or `AUTOTUNE_DB` select a shared
// PostgresStore, and `--queue` (or `trials: queue`) sends trials to `autotune worker` processes. Everything
// here loads @autotune/postgres and pg lazily, so commands on SQLite never pay for them.
import type { TrialContext, TrialRunner } from '@autotune/abtest';
import type { AutotuneStore } from '@autotune/core';
import type { ExecutionRecord } from '@autotune/metrics';
import type { QueueTrialRunner } from '@autotune/postgres';
import type { Pool } from 'pg';
import { CliError } from './errors';

/** Whether a `--db` value is a PostgreSQL URL rather than a SQLite file. */
// Not a type guard (`value is string`): a string that is not a URL would narrow to never in the other branch.
export function isPostgresUrl(value: string | undefined): boolean {
  return value !== undefined && /^postgres(?:ql)?:\/\//i.test(value.trim());
}

/** A connection URL with its password replaced by `***` (user info and `password=` parameter): safe to print. */
export function maskUrl(text: string): string {
  return text.replace(/\b(postgres(?:ql)?:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi, '$1***@').replace(/([?&]password=)[^&#\s]*/gi, '$1***');
}

function load(): typeof import('@autotune/postgres') {
  return require('@autotune/postgres') as typeof import('@autotune/postgres');
}

/** A pool for the URL. Idle connections the server drops are reported on the next query, not as a crash. */
export function openPool(url: string): { pool: Pool; secrets: string[] } {
  const { Pool: PgPool } = require('pg') as typeof import('pg');
  let pool: Pool;
  try {
    pool = new PgPool({ connectionString: url, max: 10, connectionTimeoutMillis: 15_000, keepAlive: true, application_name: 'autotune' });
  } catch (err) {
    throw new CliError('CLI_INPUT', `${maskUrl(url)}: not a usable PostgreSQL connection string (${maskUrl((err as Error).message)})`, { cause: err });
  }
  pool.on('error', () => undefined);
  const password = load().passwordOf(url);
  return { pool, secrets: password ? [password] : [] };
}

/**
 * The PostgresStore over `url`, usable at once: the store's methods are all asynchronous, so each waits for
 * the connection and migration to finish (and fails with their error when they did). `close` releases its
 * locks and ends the pool.
 */
export function openPostgresStore(url: string): { store: AutotuneStore; close: () => Promise<void> } {
  const { pool, secrets } = openPool(url);
  const ready = load().PostgresStore.open(pool, { secrets });
  ready.catch(() => undefined);
  const store = new Proxy({} as AutotuneStore, {
    get(_target, key) {
      if (key === 'then') return undefined;
      return async (...args: unknown[]) => {
        const s = (await ready) as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
        // The proxy stands for an AutotuneStore, whose members are all methods.
        return s[key]!(...args);
      };
    },
  });
  return {
    store,
    close: async () => {
      await ready.then((s) => s.close()).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * A trial runner that sends each trial to the team's queue in the database and waits for a worker's result.
 * The queue opens in `prepare` (once, before the first trial); `cancel` withdraws every trial not finished.
 */
export class LazyQueueRunner implements TrialRunner<unknown> {
  private opened: Promise<QueueTrialRunner> | undefined;
  private pool: Pool | undefined;

  constructor(
    private readonly url: string,
    private readonly teamId: string,
    private readonly trialTimeoutMs: number | undefined,
  ) {}

  private open(): Promise<QueueTrialRunner> {
    if (!this.opened) {
      const { pool, secrets } = openPool(this.url);
      this.pool = pool;
      this.opened = load().QueueTrialRunner.open(pool, this.teamId, { secrets, ...(this.trialTimeoutMs !== undefined ? { trialTimeoutMs: this.trialTimeoutMs } : {}) });
    }
    return this.opened;
  }

  async prepare(): Promise<void> {
    await this.open();
  }

  async run(config: unknown, context: TrialContext): Promise<ExecutionRecord> {
    return (await this.open()).run(config, context);
  }

  /** Cancels this coordinator's unfinished trials (Ctrl-C), stops listening and ends the pool. */
  async close(): Promise<void> {
    if (!this.opened) return;
    const runner = await this.opened.catch(() => undefined);
    if (runner) {
      await runner.cancelQueued().catch(() => undefined);
      await runner.close();
    }
    await this.pool?.end().catch(() => undefined);
  }
}
