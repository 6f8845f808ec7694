import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { banner, signedPercent, statusWord } from '../format';
import { formatDuration, parseDuration } from '../duration';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

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
    const teamId = file?.teamId ?? session.requireTeamId();
    const analyzer = await session.analyzer();
    const { store, path: dbPath } = session.openStore(workflowPath);
    if (!analyzer.listTeams().includes(teamId) && store.listRecords(teamId, { limit: 1 }).length === 0) {
      throw new CliError('CLI_USAGE', `no metrics for team "${teamId}": pass --metrics FILE (or record runs into ${dbPath})`);
    }
    const runner = session.requireRunner(teamId, file?.config, session.statsOf(analyzer, teamId), 'watch (every change is A/B-tested)');
    const autotuner = await session.autotuner({ analyzer, store, runner });
    const c = session.colors;
    session.print(`${banner('Continuous Auto-Tuning', c)}\nTeam ID:  ${teamId}\nWorkflow: ${file?.path ?? '(none: configs are tracked in the database only)'}\nDatabase: ${dbPath}\nInterval: ${formatDuration(intervalMs)}\nPress Ctrl-C to stop.\n`);
    let worst: number = EXIT_CODES.SUCCESS;
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(EXIT_CODES.INTERRUPTED);
      session.note('Stopping after the current step (Ctrl-C again to quit at once)...');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      await autotuner.runContinuous(teamId, {
        intervalMs,
        signal: controller.signal,
        workflowPath: file?.path,
        onCycle: (event) => {
          const lines = [c.bold(`[${event.at}] Auto-tuning ${teamId}`)];
          if (event.regression) lines.push(`  Monitoring: ${statusWord(event.regression.status, c)} - ${event.regression.reason}${event.regression.rolledBack ? ' (rolled back)' : ''}`);
          if (event.regression?.rolledBack) worst = EXIT_CODES.FAILED;
          if (event.error) lines.push(c.red(`  Failed: ${event.error}`));
          else if (event.suggestions === 0) lines.push('  No optimizations needed');
          else lines.push(`  Found ${event.suggestions} suggestion(s)`);
          for (const r of event.outcome?.results ?? []) {
            const improvement = r.improvementPercentage === null ? '' : ` (${signedPercent(r.improvementPercentage)})`;
            const verb = r.rolledBack ? 'Rolled back' : r.success ? 'Applied' : 'Not applied';
            lines.push(`  ${verb}: ${r.optimization.description} - ${statusWord(r.validationStatus, c)}${improvement}`);
            if (r.rolledBack) worst = EXIT_CODES.FAILED;
          }
          if (event.outcome?.written) lines.push(`  Wrote ${event.outcome.written.path}`);
          if (!controller.signal.aborted) lines.push(c.dim(`  Next cycle in ${formatDuration(intervalMs)}`));
          session.print(lines.join('\n'));
          if (flags.json) terminal.stdout.write(`${JSON.stringify({ teamId, ...event })}\n`);
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    session.note('Stopped.');
    return worst;
  });
}
