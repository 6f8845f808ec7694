import { existsSync } from 'node:fs';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { buildTeamReport, writeReportFile } from '../report-file';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune report`. */
export interface ReportFlags extends CommonFlags {
  out?: string;
  format?: string;
}

/**
 * `autotune report`: one team's runs, experiments, history and insights as a self-contained HTML page, as
 * Markdown for a pull-request comment, or as the JSON document both are rendered from. Without `--out` it
 * prints the Markdown or JSON on stdout (HTML needs `--out`).
 */
export async function reportCommand(flags: ReportFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const teamId = session.requireTeamId();
    if (!flags.out && (flags.format ?? 'html') === 'html') throw new CliError('CLI_USAGE', 'report needs --out FILE for HTML (or --format md|json to print on stdout)');
    const hasMetrics = session.metricsPaths.length > 0;
    // A report only reads: with metrics files and no database, it opens none (opening would create one).
    const dbPath = session.databasePath(session.workflowPath);
    const { isPostgresUrl } = require('../postgres-db') as typeof import('../postgres-db');
    const opened = hasMetrics && !isPostgresUrl(dbPath) && !existsSync(dbPath) ? undefined : session.openStore(session.workflowPath, { mustExist: true });
    const doc = await buildTeamReport(session, { teamId, ...(opened ? { store: opened.store, dbPath: opened.path } : {}), command: 'autotune report' });
    if (doc.summary.figures === null && doc.experiments.length === 0 && doc.timeline.events.length === 0) {
      const where = [opened ? opened.path : '', hasMetrics ? 'the metrics files' : ''].filter(Boolean).join(' or ');
      throw new CliError('CLI_INPUT', `team "${teamId}" has no runs, experiments or history in ${where} (check --team-id, --db and --metrics)`);
    }
    if (flags.out) {
      const format = writeReportFile(session, doc, flags.out, flags.format);
      session.note(`Report (${format}) written to ${session.resolveCwd(flags.out)}`);
    } else {
      const { renderReport } = require('@autotune/report') as typeof import('@autotune/report');
      terminal.stdout.write(renderReport(doc, flags.format === 'json' ? 'json' : 'md'));
    }
    return EXIT_CODES.SUCCESS;
  });
}
