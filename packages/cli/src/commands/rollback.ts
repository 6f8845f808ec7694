import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { banner, formatChange, formatHistory, wrapHeading } from '../format';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';
import { historyForJson, rollbackIndexes } from './history-view';

/** Flags of `autotune rollback`. */
export interface RollbackFlags extends CommonFlags {
  index?: number;
  /** Undo this apply whole (the id `apply` printed in its undo hint). */
  apply?: string;
  list?: boolean;
}

/**
 * `autotune rollback`: undoes the applied change at `--index` (0 = the latest) and every later one,
 * restoring the workflow file's earlier bytes exactly; `--list` shows the history instead.
 */
export async function rollbackCommand(flags: RollbackFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const teamId = session.requireTeamId();
    const configPath = session.workflowPath;
    const { store, path: dbPath } = session.openStore(configPath, { mustExist: true });
    const entries = await store.listHistory(teamId);
    const indexes = rollbackIndexes(entries);
    const c = session.colors;
    if (flags.list) {
      session.print(`${banner('Optimization History', c)}\nTeam ID:  ${teamId}\nDatabase: ${dbPath}\n\n${formatHistory(entries, (e) => indexes.get(e.id), c)}`);
      session.emitJson({ teamId, database: dbPath, history: entries.map((e) => ({ ...historyForJson(e), rollbackIndex: indexes.get(e.id) ?? null })) });
      return EXIT_CODES.SUCCESS;
    }
    if (flags.apply !== undefined && flags.index !== undefined) {
      throw new CliError('CLI_USAGE', '--apply and --index exclude each other: undo one apply, or the change at an index');
    }
    // The files the rollback would write, as the history reads now (core decides under the lock; this check only
    // refuses early, like apply, a file someone made read-only on purpose).
    const applied = entries.filter((e) => e.status === 'applied');
    const undoing = flags.apply !== undefined ? applied.filter((e) => e.applyId === flags.apply) : applied.slice(0, (flags.index ?? 0) + 1);
    for (const path of new Set([...undoing.flatMap((e) => (e.filePath ? [e.filePath] : [])), ...(configPath ? [configPath] : [])])) session.refuseReadOnlyWorkflow(path);
    // Which change to undo is decided by core under the team's lock, after it settled what an interrupted apply
    // or rollback left pending: reading the history here first could count a change that is about to change.
    const { PerformanceAutotuner, loadWorkflowFile, saveWorkflowFile } = require('@autotune/core') as typeof import('@autotune/core');
    // The workflow named with --config may be restored whatever its bytes; any other file only when it holds the
    // bytes autotune wrote and lies in the project the database belongs to.
    const autotuner = new PerformanceAutotuner({ store, rollbackGuard: { projectRoot: session.projectRootOf(dbPath), ...(configPath ? { workflowPath: configPath } : {}) } });
    const outcome = await autotuner.rollbackOptimization(
      teamId,
      flags.index ?? 0,
      flags.apply === undefined ? 'manual rollback' : `manual rollback of apply ${flags.apply}`,
      flags.apply === undefined ? {} : { applyId: flags.apply },
    );
    for (const settled of outcome.settled) session.note(`Settled an interrupted ${settled.kind} (history ${settled.ids.map((id) => `#${id}`).join(', ')}): ${settled.outcome}; ${settled.reason}.`);
    let restoredPath = outcome.filePath;
    let backupPath = outcome.backupPath;
    // A change applied to a plain config has no file in the history: write the restored config into --config.
    if (!outcome.filePath && configPath) {
      const file = await loadWorkflowFile(configPath, teamId);
      const saved = await saveWorkflowFile(file, outcome.restoredConfig, { backup: true });
      restoredPath = saved.path;
      backupPath = saved.backupPath;
    }
    const lines = [banner('Rollback', c), `Team ID: ${teamId}`, ''];
    for (const e of outcome.undone) {
      const o = e.optimization;
      lines.push(wrapHeading('Undone: ', `${o.description} (applied ${e.timestamp})`, '  '));
      for (const ch of o.changes) lines.push(formatChange(ch, '  ', true));
    }
    if (restoredPath) lines.push('', `Restored ${restoredPath}${backupPath ? ` (its previous content is in ${backupPath})` : ''}.`);
    else lines.push('', 'No workflow file is recorded for this change: pass --config FILE to write the restored config into it.');
    session.print(lines.join('\n'));
    session.emitJson({
      teamId,
      database: dbPath,
      undone: outcome.undone.map(historyForJson),
      restoredConfig: outcome.restoredConfig,
      filePath: restoredPath ?? null,
      backupPath: backupPath ?? null,
      historyId: outcome.historyId,
    });
    return EXIT_CODES.SUCCESS;
  });
}
