import { EXIT_CODES } from '../exit-codes';
import { banner, formatHistory } from '../format';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';
import { historyForJson, rollbackIndexes } from './history-view';

/** `autotune history`'s own flags. */
export interface HistoryFlags extends CommonFlags {
  /** `--limit N`: only the newest N entries. */
  limit?: number;
}

/** `autotune history`: every change tried for a team, newest first, with the `--index` that undoes it. */
export async function historyCommand(flags: HistoryFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const teamId = session.requireTeamId();
    const { store, path } = session.openStore(session.workflowPath, { mustExist: true });
    const entries = await store.listHistory(teamId, flags.limit === undefined ? {} : { limit: flags.limit });
    // Indexes count applied entries from the newest, so the newest N entries carry the same indexes as the whole list.
    const indexes = rollbackIndexes(entries);
    if (!flags.json) {
      session.print(`${banner('Optimization History', session.colors)}\nTeam ID:  ${teamId}\nDatabase: ${path}\n\n${formatHistory(entries, (e) => indexes.get(e.id), session.colors)}`);
      if (flags.limit !== undefined && entries.length === flags.limit) session.print(`The newest ${flags.limit} entries; older ones may exist (raise --limit, or leave it out for all).`);
      if (indexes.size > 0) session.print('[N] = index for `autotune rollback --index N` (0 is the latest applied change).');
    }
    session.emitJson({ teamId, database: path, history: entries.map((e) => ({ ...historyForJson(e), rollbackIndex: indexes.get(e.id) ?? null })) });
    return EXIT_CODES.SUCCESS;
  });
}
