import type { AutotuneSuggestion, OptimizationResult } from '@autotune/core';
import { basename } from 'node:path';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { banner, formatChange, formatCommentNotes, indent, wrapHeading, formatSuggestion, formatSuggestionList, formatValue, formatVerdict, signedPercent, statusWord } from '../format';
import { ProgressBar } from '../progress';
import { LineReader, parseApplyAnswer } from '../prompt';
import { writeRunReport } from '../report-file';
import { withSession, type CommonFlags, type Session } from '../session';
import type { OutputStream, Terminal } from '../terminal';

/** Flags of `autotune apply`. */
export interface ApplyFlags extends CommonFlags {
  interactive?: boolean;
  auto?: boolean;
  abTest?: boolean;
  dryRun?: boolean;
  backup?: boolean;
}

/** Everything about a suggestion, for the `v` answer. */
function formatSuggestionInFull(s: AutotuneSuggestion): string {
  const lines = [`   Strategy:      ${s.strategy}`, `   Target metric: ${s.targetMetric}`];
  lines.push('   Resulting config:');
  for (const [key, value] of Object.entries(s.suggestedUserConfig ?? s.resultingConfig)) lines.push(`     ${key}: ${formatValue(value)}`);
  if (s.metadata && Object.keys(s.metadata).length > 0) {
    lines.push('   Details:');
    for (const [key, value] of Object.entries(s.metadata)) lines.push(`     ${key}: ${formatValue(value)}`);
  }
  return lines.join('\n');
}

/**
 * Asks about each suggestion in turn. End of input counts as `q`, so a script piping fewer answers than
 * there are suggestions stops cleanly instead of hanging.
 */
async function choose(session: Session, suggestions: AutotuneSuggestion[], out: OutputStream): Promise<AutotuneSuggestion[]> {
  const reader = new LineReader(session.terminal.stdin);
  const chosen: AutotuneSuggestion[] = [];
  try {
    for (const [i, suggestion] of suggestions.entries()) {
      for (;;) {
        const line = await reader.ask(`Apply suggestion #${i + 1}? (y/n/v/q): `, out);
        const answer = line === undefined ? 'quit' : parseApplyAnswer(line);
        if (answer === 'yes') {
          chosen.push(suggestion);
          break;
        }
        if (answer === 'no') break;
        if (answer === 'quit') return chosen;
        if (answer === 'view') out.write(`${formatSuggestion(suggestion, i + 1, session.colors)}\n${formatSuggestionInFull(suggestion)}\n`);
        else out.write('Please answer y (apply), n (skip), v (view in full) or q (quit).\n');
      }
    }
    return chosen;
  } finally {
    reader.close();
  }
}

function describeResult(r: OptimizationResult, index: number, total: number, session: Session): string {
  const c = session.colors;
  const lines = [c.bold(wrapHeading(`[${index + 1}/${total}] `, r.optimization.description))];
  for (const change of r.optimization.changes) lines.push(formatChange(change, '   '));
  // apply tests each candidate before writing it: one that failed was never in the file, so it is not kept,
  // not "rolled back" (core's `rolledBack` here means the candidate was discarded).
  const outcome = r.rolledBack ? 'not kept (failed its A/B test)' : r.success ? 'applied' : r.validationStatus === 'dry_run' ? 'would be tested' : 'not applied';
  const improvement = r.improvementPercentage === null ? '' : `   Improvement: ${signedPercent(r.improvementPercentage)}`;
  lines.push(`   Validation: ${statusWord(r.validationStatus, c)}${improvement}   -> ${outcome}`);
  if (r.evidence) lines.push(indent(formatVerdict(r.evidence.verdict, c, { explain: session.flags.verbose === true }).trimEnd(), '   '));
  else if (r.error) lines.push(`   ${r.error}`);
  return lines.join('\n') + '\n';
}

/** The exit code of an apply: 4 when a change failed or was rolled back, 3 when one was inconclusive, else 0. */
export function applyExitCode(results: readonly Pick<OptimizationResult, 'validationStatus' | 'rolledBack'>[]): number {
  if (results.some((r) => r.rolledBack || r.validationStatus === 'failed')) return EXIT_CODES.FAILED;
  if (results.some((r) => r.validationStatus === 'inconclusive')) return EXIT_CODES.INCONCLUSIVE;
  return EXIT_CODES.SUCCESS;
}

/**
 * `autotune apply`: suggestions for the workflow file, chosen interactively or all (`--auto`), each
 * A/B-tested against the config in force when it is reached; the ones that pass are written into the file
 * (comments kept, with a backup) and recorded in the history.
 */
export async function applyCommand(flags: ApplyFlags, terminal: Terminal): Promise<number> {
  if (flags.interactive && flags.auto) throw new CliError('CLI_USAGE', '--interactive and --auto exclude each other: pick one');
  if (!flags.interactive && !flags.auto) throw new CliError('CLI_USAGE', 'apply needs --interactive (ask for each suggestion) or --auto (every suggestion that passes its A/B test)');
  return withSession(terminal, flags, async (session) => {
    const abTest = flags.abTest !== false;
    const workflowPath = session.requireWorkflowPath();
    const file = await session.loadWorkflow(workflowPath, session.teamId);
    if (!flags.dryRun) session.refuseReadOnlyWorkflow(file.path);
    const teamId = file.teamId;
    const analyzer = await session.analyzer();
    const { store, path: dbPath } = session.openStore(file.path);
    if (!analyzer.listTeams().includes(teamId) && (await store.listRecords(teamId, { limit: 1 })).length === 0) {
      throw new CliError('CLI_USAGE', `no metrics for team "${teamId}": pass --metrics FILE (or record runs into ${dbPath})`);
    }
    const needsRunner = abTest && !flags.dryRun;
    const runner = needsRunner ? session.requireRunner(teamId, file.config, session.statsOf(analyzer, teamId), 'A/B testing (on by default; --no-ab-test turns it off)') : undefined;
    const autotuner = await session.autotuner({ analyzer, store, ...(runner ? { runner } : {}) });

    const c = session.colors;
    const out = session.interactiveStream;
    const suggestions = await autotuner.suggestOptimizations(teamId, file);
    const { configInFileShape } = require('@autotune/core') as typeof import('@autotune/core');
    const header = `${banner('Apply Optimizations', c)}\nTeam ID:  ${teamId}\nWorkflow: ${file.path}\nDatabase: ${dbPath}\nA/B test: ${abTest ? 'on' : 'off'}${flags.dryRun ? ' (dry run: nothing runs, nothing is written)' : ''}\n\n`;
    out.write(header + formatSuggestionList(suggestions, c) + (suggestions.length ? '\n' : ''));
    if (suggestions.length === 0) {
      session.emitJson({ teamId, workflow: file.path, database: dbPath, suggestions: [], results: [], finalConfig: configInFileShape(file, file.config), written: null });
      await writeRunReport(session, { teamId, store, dbPath, command: 'autotune apply' }, flags.report);
      return EXIT_CODES.SUCCESS;
    }

    const chosen = flags.interactive ? await choose(session, suggestions, out) : suggestions;
    if (chosen.length === 0) {
      out.write('Nothing chosen; the workflow file is unchanged.\n');
      session.emitJson({ teamId, workflow: file.path, database: dbPath, suggestions, results: [], finalConfig: configInFileShape(file, file.config), written: null });
      await writeRunReport(session, { teamId, store, dbPath, command: 'autotune apply' }, flags.report);
      return EXIT_CODES.SUCCESS;
    }

    const progress = new ProgressBar(terminal.stderr, 'A/B test');
    let outcome;
    try {
      outcome = await session.withInterrupt(
        (signal) =>
          autotuner.applyOptimizations(teamId, chosen, file, {
            enableAbTesting: abTest,
            dryRun: flags.dryRun === true,
            backup: flags.backup !== false,
            signal,
            onProgress: (p) => progress.update(p.completed, p.total, `trials (suggestion ${p.optimizationIndex + 1}/${chosen.length})`),
            onResult: (result, index) => {
              progress.done();
              out.write(describeResult(result, index, chosen.length, session));
            },
          }),
        `Interrupted: stopping the A/B test; ${file.path} is left as it was.`,
      );
    } finally {
      progress.done();
    }

    for (const settled of outcome.settled) session.note(`Settled an interrupted ${settled.kind} (history ${settled.ids.map((id) => `#${id}`).join(', ')}): ${settled.outcome}; ${settled.reason}.`);
    const applied = outcome.results.filter((r) => r.success).length;
    const rolledBack = outcome.results.filter((r) => r.rolledBack).length;
    const summary = flags.dryRun
      ? [`Dry run: ${chosen.length} change(s) would be ${abTest ? 'A/B-tested' : 'applied'}; nothing was run or written.`]
      : [`Applied ${applied} of ${chosen.length} change(s)${rolledBack ? `; ${rolledBack} failed its A/B test and was not kept` : ''}.`];
    if (outcome.written) {
      summary.push(`Wrote ${outcome.written.path}${outcome.written.backupPath ? ` (backup: ${outcome.written.backupPath})` : ''}.`);
      summary.push(...formatCommentNotes(outcome.written.comments, basename(outcome.written.path)));
    }
    else if (!flags.dryRun) summary.push(`${file.path} is unchanged.`);
    // Runnable from where apply ran: it names the database, and undoes this whole apply (every change it kept).
    if (applied > 0 && outcome.applyId) summary.push(`Undo with: ${undoCommand(teamId, outcome.applyId, dbPath)}`);
    out.write(`\n${summary.join('\n')}\n`);
    session.emitJson({
      teamId,
      workflow: file.path,
      database: dbPath,
      suggestions,
      results: outcome.results,
      finalConfig: outcome.finalConfig,
      written: outcome.written ?? null,
      applyId: outcome.applyId ?? null,
      undo: applied > 0 && outcome.applyId ? undoCommand(teamId, outcome.applyId, dbPath) : null,
    });
    await writeRunReport(session, { teamId, store, dbPath, command: 'autotune apply', focusExperimentIds: outcome.results.flatMap((r) => (r.evidence ? [r.evidence.experimentId] : [])) }, flags.report);
    return applyExitCode(outcome.results);
  });
}

/** Quotes a command-line word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that undoes one apply, naming the database so that it works from any folder. */
export function undoCommand(teamId: string, applyId: string, dbPath: string): string {
  return ['autotune', 'rollback', '--team-id', teamId, '--apply', applyId, '--db', dbPath].map(shellWord).join(' ');
}
