import { EXIT_CODES } from '../exit-codes';
import { banner, formatHistory } from '../format';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';
import { historyForJson, rollbackIndexes } from './history-view';

/** `autotune history`: every change tried for a team, newest first, with the `--index` that undoes it. */
export async function historyCommand(flags: CommonFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const teamId = session.requireTeamId();
    const { store, path } = session.openStore(session.workflowPath, { mustExist: true });
    const entries = await store.listHistory(teamId);
    const indexes = rollbackIndexes(entries);
    session.print(`${banner('Optimization History', session.colors)}\nTeam ID:  ${teamId}\nDatabase: ${path}\n\n${formatHistory(entries, (e) => indexes.get(e.id), session.colors)}`);
    if (indexes.size > 0) session.print('[N] = index for `autotune rollback --index N` (0 is the latest applied change).');
    session.emitJson({ teamId, database: path, history: entries.map((e) => ({ ...historyForJson(e), rollbackIndex: indexes.get(e.id) ?? null })) });
    return EXIT_CODES.SUCCESS;
  });
}
