import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { banner, formatChange, formatVerdict, wrapHeading } from '../format';
import { ProgressBar } from '../progress';
import { writeRunReport } from '../report-file';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';
import { verdictExitCode } from './benchmark';

/**
 * `autotune validate`: A/B-tests the latest applied change against the config before it. A failure rolls
 * the change back (unless `--no-auto-rollback`) and exits 4; inconclusive exits 3.
 */
export async function validateCommand(flags: CommonFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const teamId = session.requireTeamId();
    const { store, path: dbPath } = session.openStore(session.workflowPath, { mustExist: true });
    const entry = (await store.listHistory(teamId)).find((e) => e.status === 'applied');
    if (!entry) {
      throw new CliError('CLI_INPUT', `team "${teamId}" has no applied change to validate in ${dbPath} (see autotune history --team-id ${teamId})`);
    }
    const analyzer = await session.analyzer();
    const runner = session.requireRunner(teamId, entry.configBefore, session.statsOf(analyzer, teamId), 'validate');
    const autotuner = await session.autotuner({ analyzer, store, runner });
    const c = session.colors;
    const { description, changes } = entry.optimization;
    session.print(
      `${banner('Validation', c)}\nTeam ID: ${teamId}\n${wrapHeading('Change:  ', `${description} (history #${entry.id}, applied ${entry.timestamp})`, '         ')}\n` +
        changes.map((ch) => `${formatChange(ch, '  ')}\n`).join(''),
    );
    const progress = new ProgressBar(terminal.stderr, 'Validation');
    let outcome;
    try {
      outcome = await session.withInterrupt(
        (signal) => autotuner.validateLatest(teamId, { ...(flags.runs !== undefined && { runsPerArm: flags.runs }), signal, onProgress: (p) => progress.update(p.completed, p.total, 'trials') }),
        'Interrupted: stopping the validation; nothing was changed.',
      );
    } finally {
      progress.done();
    }
    session.print(formatVerdict(outcome.verdict, c));
    if (outcome.rollback) {
      session.print(c.red(`Rolled back: the change failed validation.${outcome.rollback.filePath ? ` Restored ${outcome.rollback.filePath}.` : ''}`));
    }
    session.emitJson({ teamId, database: dbPath, entry, experimentId: outcome.experimentId, verdict: outcome.verdict, rollback: outcome.rollback ?? null });
    await writeRunReport(session, { teamId, store, dbPath, command: 'autotune validate', focusExperimentIds: outcome.experimentId ? [outcome.experimentId] : [] }, flags.report);
    return outcome.rollback ? EXIT_CODES.FAILED : verdictExitCode(outcome.verdict.status);
  });
}
