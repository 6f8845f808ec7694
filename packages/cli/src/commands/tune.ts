import type { RaceStanding, TuneEvent, TuneOutcome, TuneSearchSpace } from '@autotune/core';
import { basename } from 'node:path';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { banner, formatChange, formatCommentNotes, formatVerdict, indent, signedPercent } from '../format';
import { writeRunReport } from '../report-file';
import { undoCommand } from './apply';
import { withSession, type CommonFlags, type Session } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune tune`. */
export interface TuneFlags extends CommonFlags {
  budget?: number;
  objective?: 'duration' | 'cost';
  dryRun?: boolean;
  backup?: boolean;
  report?: string;
}

/** The last race of a tune as the report draws it (the race that decided where the tune ended). */
export function raceForReport(outcome: TuneOutcome): import('@autotune/report').ReportRaceInput | undefined {
  const step = outcome.steps.at(-1);
  if (step === undefined) return undefined;
  const race = step.race;
  const v = step.confirm?.verdict;
  return {
    objective: typeof outcome.objective === 'string' ? outcome.objective : `weighted: duration ${outcome.objective.duration}, cost ${outcome.objective.cost}`,
    rounds: race.rounds,
    budgetRuns: outcome.budget,
    eliminationRule: 'F-race style: paired t-test against the leader and Fisher test against the success bar, Holm-adjusted (successive halving when the budget runs short); see docs/statistics.md',
    candidates: race.standings.map((s) => ({
      id: s.id,
      description: s.label,
      role: s.status === 'baseline' ? 'incumbent' : s.id === race.winner ? 'winner' : s.status === 'eliminated' ? 'eliminated' : 'survivor',
      runs: s.runs,
      estimate: s.improvementPercentage,
      successRate: s.successRate,
      ...(s.eliminatedAfterRound !== undefined ? { eliminatedInRound: s.eliminatedAfterRound } : {}),
      ...(s.dropReason !== undefined ? { eliminationReason: s.dropReason } : {}),
      config: s.config,
    })),
    ...(step.confirm && v && v.improvementPercentage !== null
      ? { confirm: { ...(step.experimentId ? { experimentId: step.experimentId } : {}), status: v.status, improvementPercentage: v.improvementPercentage, reason: step.confirm.reason } }
      : {}),
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

/** The race's standings as a table: one line per racer, best first, with why each was dropped. */
export function formatStandings(standings: readonly RaceStanding[], options: { reasons?: boolean } = {}): string {
  const lines = [`   ${pad('candidate', 46)} ${pad('runs', 5)} ${pad('success', 8)} ${pad('vs now', 8)} status`];
  for (const s of standings) {
    const status = s.status !== 'eliminated' ? s.status : s.runs === 0 ? 'not raced' : `out after round ${s.eliminatedAfterRound ?? 0}`;
    lines.push(`   ${pad(s.label, 46)} ${pad(String(s.runs), 5)} ${pad(`${(100 * s.successRate).toFixed(0)}%`, 8)} ${pad(s.status === 'baseline' ? '-' : signedPercent(s.improvementPercentage), 8)} ${status}`);
    if (options.reasons && s.dropReason) lines.push(`      ${s.dropReason}`);
  }
  return lines.join('\n');
}

/** The explanation of a tune: per step, the race table, the confirm test and what was written. */
export function formatTuneOutcome(outcome: TuneOutcome, session: Pick<Session, 'colors'>): string {
  const c = session.colors;
  const out: string[] = [];
  outcome.steps.forEach((step, i) => {
    out.push(c.bold(`Step ${i + 1}: race of ${step.race.standings.length - 1} candidates, ${step.race.rounds} rounds, ${step.race.runs} runs`));
    out.push(formatStandings(step.race.standings, { reasons: true }));
    if (!step.confirm) {
      out.push(`   No confirm test: ${step.race.noWinnerReason ?? 'no winner'}.`);
      return;
    }
    const winner = step.race.standings.find((s) => s.id === step.race.winner)!;
    const extra = step.confirm.successCheck.extraPairs;
    out.push(`   Confirm test of "${winner.label}": ${step.confirm.runsPerArm} fresh runs per arm (none from the race)${extra > 0 ? `, then ${extra} more pairs for the success check alone` : ''}`);
    out.push(indent(formatVerdict(step.confirm.verdict, c).trimEnd(), '   '));
    const sc = step.confirm.successCheck;
    out.push(
      `   Success check (all runs of the config in force against the candidate's): ${(100 * sc.candidateRate).toFixed(1)}% against ${(100 * sc.baselineRate).toFixed(1)}%, ` +
        `probability of no more than the margin's loss ${(100 * sc.probabilityNoWorse).toFixed(0)}%; power to catch a true 10-point loss at this size ${(100 * step.confirm.powerTenPointLoss).toFixed(0)}%.`,
    );
    out.push(`   ${step.kept ? 'Kept' : 'Not kept'}: ${step.confirm.reason}`);
    if (step.kept) for (const ch of winner.changes) out.push(formatChange(ch, '   '));
  });
  return out.join('\n') + '\n';
}

/**
 * `autotune tune`: races the neighbourhood of the workflow's config (the strategies' suggestions first) through
 * the runner, confirms the winner with a fresh A/B test, climbs while the budget lasts, and writes the kept
 * changes into the workflow file once at the end. Ctrl-C or SIGTERM stops it and writes nothing.
 */
export async function tuneCommand(flags: TuneFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const budget = flags.budget ?? 150;
    const workflowPath = session.requireWorkflowPath();
    const file = await session.loadWorkflow(workflowPath, session.teamId);
    const teamId = file.teamId;
    // Refuse before the race, not after spending the budget on it.
    if (!flags.dryRun) session.refuseReadOnlyWorkflow(file.path);
    const analyzer = await session.analyzer();
    const { store, path: dbPath } = session.openStore(file.path);
    const runner = session.requireRunner(teamId, file.config, session.statsOf(analyzer, teamId), 'tune');
    const autotuner = await session.autotuner({ analyzer, store, runner });
    const core = require('@autotune/core') as typeof import('@autotune/core');
    let searchSpace: TuneSearchSpace | undefined;
    try {
      searchSpace = core.validateSearchSpace(session.project.config.searchSpace);
    } catch (err) {
      throw new CliError('CLI_USAGE', `${session.project.path ?? 'autotune.config'}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const c = session.colors;
    const out = session.interactiveStream;
    out.write(
      `${banner('Tune', c)}\nTeam ID:   ${teamId}\nWorkflow:  ${file.path}\nDatabase:  ${dbPath}\nBudget:    ${budget} runs\nObjective: ${flags.objective ?? 'duration'} (success rate is a constraint)\n\n`,
    );
    const live = terminal.stderr;
    const onEvent = (e: TuneEvent) => {
      if (e.type === 'race-start') live.write(`Step ${e.step + 1}: racing ${e.candidates} candidates (race budget ${e.raceBudget} runs)\n`);
      else if (e.type === 'round') {
        const top = e.standings.filter((s) => s.status !== 'eliminated').slice(0, 4);
        live.write(`  round ${e.round}: ${e.runsUsed} runs; leading: ${top.map((s) => `${s.label.slice(0, 40)} ${s.status === 'baseline' ? '(now)' : signedPercent(s.improvementPercentage)}`).join(' | ')}\n`);
      } else if (e.type === 'confirm-start') live.write(`  confirm test: "${e.candidate.label}", ${e.runsPerArm} fresh runs per arm\n`);
      else if (e.type === 'step-done') live.write(`  step ${e.step + 1}: ${e.kept ? 'kept' : 'not kept'}: ${e.reason}\n`);
    };

    // Ctrl-C and SIGTERM both stop the tune: the runner's trials are aborted and nothing is written.
    const controller = new AbortController();
    const stop = (signal: string) => () => {
      if (controller.signal.aborted) process.exit(130);
      session.note(`\nInterrupted (${signal}): stopping the tune; ${file.path} is left as it was.`);
      controller.abort(new Error(signal));
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    let outcome: TuneOutcome;
    try {
      outcome = await autotuner.tune(teamId, file, {
        budget,
        objective: flags.objective ?? 'duration',
        searchSpace,
        dryRun: flags.dryRun === true,
        backup: flags.backup !== false,
        signal: controller.signal,
        onEvent,
      });
    } catch (err) {
      if (controller.signal.aborted) throw new CliError('CLI_INTERRUPTED', 'interrupted: the tune stopped before finishing; nothing was written', { cause: err });
      throw err;
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }

    out.write(`\n${formatTuneOutcome(outcome, session)}\n`);
    const kept = outcome.steps.filter((s) => s.kept).length;
    const summary = [`Used ${outcome.runsUsed} of ${budget} runs; kept ${kept} change(s). Stopped because ${outcome.stopReason}.`];
    if (outcome.written) {
      summary.push(`Wrote ${outcome.written.path}${outcome.written.backupPath ? ` (backup: ${outcome.written.backupPath})` : ''}.`);
      summary.push(...formatCommentNotes(outcome.written.comments, basename(outcome.written.path)));
    }
    else summary.push(`${file.path} is unchanged.`);
    for (const settled of outcome.settled) session.note(`Settled an interrupted ${settled.kind} (history ${settled.ids.map((id) => `#${id}`).join(', ')}): ${settled.outcome}; ${settled.reason}.`);
    // One id for the whole tune, as apply has: the command undoes every change it kept, from any folder.
    const undo = outcome.applyId && !flags.dryRun ? undoCommand(teamId, outcome.applyId, dbPath) : undefined;
    if (undo) summary.push(`Undo the whole tune with: ${undo}`);
    out.write(`${summary.join('\n')}\n`);
    const race = raceForReport(outcome);
    await writeRunReport(
      session,
      { teamId, store, dbPath, command: 'autotune tune', focusExperimentIds: outcome.steps.flatMap((st) => (st.experimentId ? [st.experimentId] : [])), ...(race ? { race } : {}) },
      flags.report,
    );
    session.emitJson({
      teamId,
      workflow: file.path,
      database: dbPath,
      budget,
      runsUsed: outcome.runsUsed,
      objective: outcome.objective,
      stopReason: outcome.stopReason,
      initialConfig: outcome.initialConfig,
      finalConfig: outcome.finalConfig,
      steps: outcome.steps.map((s) => ({
        race: s.race,
        confirm: s.confirm ? { runsPerArm: s.confirm.runsPerArm, verdict: s.confirm.verdict, successCheck: s.confirm.successCheck, powerTenPointLoss: s.confirm.powerTenPointLoss, kept: s.confirm.kept, reason: s.confirm.reason } : null,
        kept: s.kept,
        historyId: s.historyId ?? null,
        experimentId: s.experimentId ?? null,
      })),
      historyIds: outcome.historyIds,
      applyId: outcome.applyId ?? null,
      undoCommand: undo ?? null,
      written: outcome.written ?? null,
    });
    return EXIT_CODES.SUCCESS;
  });
}
