import type { PerformanceAnalyzer } from '@autotune/analyzer';
import type { AutotuneStore } from '@autotune/core';
import { readRecords } from '@autotune/metrics';
import { basename } from 'node:path';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { banner, formatCommentNotes, signedPercent, statusWord } from '../format';
import { formatDuration, parseDuration } from '../duration';
import { withSession, type CommonFlags, type Session } from '../session';
import type { Terminal } from '../terminal';

/**
 * Feeds the analyzer what arrived since the last cycle: records appended to the `--metrics` files (read
 * past the ones already loaded, so files are taken to be append-only, as JSON Lines sinks write them) and
 * live runs written to the database (autotune's own experiment trials excluded).
 */
class MetricsRefresher {
  private pending: Promise<void> = Promise.resolve();
  private liveSinceMs?: number;

  constructor(
    private readonly session: Session,
    private readonly analyzer: PerformanceAnalyzer,
    private readonly store: AutotuneStore,
    private readonly teamId: string,
  ) {}

  /** Starts a refresh after the one in flight; `cycleStartMs` bounds the first look at the database. */
  schedule(cycleStartMs: number): void {
    this.pending = this.pending.then(() => this.refresh(cycleStartMs)).catch((err: unknown) => {
      this.session.note(`autotune: could not read new metrics: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Resolves when no refresh is running. */
  settled(): Promise<void> {
    return this.pending;
  }

  private async refresh(cycleStartMs: number): Promise<void> {
    const { EXPERIMENT_LABEL } = require('@autotune/core') as typeof import('@autotune/core');
    let added = 0;
    for (const path of this.session.metricsPaths) {
      const seen = this.session.loadedRecords.get(path) ?? 0;
      let index = 0;
      const fresh = [];
      for await (const record of readRecords(path, { lenient: this.session.flags.lenient === true, formations: this.session.project.config.formations ?? [] })) {
        if (index++ >= seen) fresh.push(record);
      }
      this.session.loadedRecords.set(path, index);
      this.analyzer.loadMetrics(fresh);
      added += fresh.length;
    }
    // Before the first refresh the autotuner may have loaded the database's records itself (when no
    // metrics file named the team); only runs that started since the first cycle began are new.
    const since = this.liveSinceMs ?? cycleStartMs;
    this.liveSinceMs = Date.now();
    const live = (await this.store.listRecords(this.teamId, { sinceMs: since })).filter((r) => !r.labels?.[EXPERIMENT_LABEL] && r.startTimeMs < this.liveSinceMs!);
    this.analyzer.loadMetrics(live);
    added += live.length;
    if (added > 0) this.session.note(`Loaded ${added} new run(s) for the next cycle.`);
  }
}

/** Flags of `autotune watch`. */
export interface WatchFlags extends CommonFlags {
  interval?: string;
}

/**
 * `autotune watch`: the guide's continuous auto-tuning. Each cycle checks the live change for regression
 * (rolling it back when it regressed), then suggests and A/B-tests what the metrics call for. Ctrl-C stops
 * it cleanly between or during cycles; nothing half-done is written.
 */
export async function watchCommand(flags: WatchFlags, terminal: Terminal): Promise<number> {
  const intervalMs = parseDuration(flags.interval ?? '24h', '--interval');
  return withSession(terminal, flags, async (session) => {
    const workflowPath = session.workflowPath;
    const file = workflowPath ? await session.loadWorkflow(workflowPath, session.teamId) : undefined;
    if (file) session.refuseReadOnlyWorkflow(file.path);
    const teamId = file?.teamId ?? session.requireTeamId();
    const analyzer = await session.analyzer();
    const { store, path: dbPath } = session.openStore(workflowPath);
    if (!analyzer.listTeams().includes(teamId) && (await store.listRecords(teamId, { limit: 1 })).length === 0) {
      throw new CliError('CLI_USAGE', `no metrics for team "${teamId}": pass --metrics FILE (or record runs into ${dbPath})`);
    }
    const runner = session.requireRunner(teamId, file?.config, session.statsOf(analyzer, teamId), 'watch (every change is A/B-tested)');
    const autotuner = await session.autotuner({ analyzer, store, runner });
    const c = session.colors;
    session.print(`${banner('Continuous Auto-Tuning', c)}\nTeam ID:  ${teamId}\nWorkflow: ${file?.path ?? '(none: configs are tracked in the database only)'}\nDatabase: ${dbPath}\nInterval: ${formatDuration(intervalMs)}\nPress Ctrl-C to stop.\n`);
    const refresher = new MetricsRefresher(session, analyzer, store, teamId);
    let worst: number = EXIT_CODES.SUCCESS;
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(EXIT_CODES.INTERRUPTED);
      session.note('Stopping after the current step (Ctrl-C again to quit at once)...');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    // A closed terminal (SIGHUP) stops watching cleanly too, instead of killing it mid-write.
    process.on('SIGHUP', onSigint);
    try {
      await autotuner.runContinuous(teamId, {
        intervalMs,
        signal: controller.signal,
        ...(file !== undefined && { workflowPath: file.path }),
        onCycle: (event) => {
          const lines = [c.bold(`[${event.at}] Auto-tuning ${teamId}`)];
          if (event.regression) lines.push(`  Monitoring: ${statusWord(event.regression.status, c)} - ${event.regression.reason}${event.regression.rolledBack ? ' (rolled back)' : ''}`);
          if (event.regression?.rolledBack) worst = EXIT_CODES.FAILED;
          if (event.error) lines.push(c.red(`  Failed: ${event.error}`));
          else if (event.suggestions === 0) lines.push('  No optimizations needed');
          else lines.push(`  Found ${event.suggestions} suggestion(s)`);
          for (const r of event.outcome?.results ?? []) {
            const improvement = r.improvementPercentage === null ? '' : ` (${signedPercent(r.improvementPercentage)})`;
            // A failed candidate was never written (apply tests before it writes): not kept, not rolled back.
            const verb = r.rolledBack ? 'Not kept' : r.success ? 'Applied' : 'Not applied';
            lines.push(`  ${verb}: ${r.optimization.description} - ${statusWord(r.validationStatus, c)}${improvement}`);
            if (r.rolledBack) worst = EXIT_CODES.FAILED;
          }
          if (event.outcome?.written) {
            lines.push(`  Wrote ${event.outcome.written.path}`);
            for (const note of formatCommentNotes(event.outcome.written.comments, basename(event.outcome.written.path))) lines.push(`  ${note}`);
          }
          if (!controller.signal.aborted) lines.push(c.dim(`  Next cycle in ${formatDuration(intervalMs)}`));
          session.print(lines.join('\n'));
          if (flags.json) terminal.stdout.write(`${JSON.stringify({ teamId, ...event })}\n`);
          // The next cycle must see the runs recorded meanwhile; the refresh runs while the loop waits.
          if (!controller.signal.aborted) refresher.schedule(Date.parse(event.at));
        },
      });
    } finally {
      await refresher.settled();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      process.off('SIGHUP', onSigint);
    }
    session.note('Stopped.');
    return worst;
  });
}
