import { hostname } from 'node:os';
import { CliError } from '../errors';
import { EXIT_CODES } from '../exit-codes';
import { LineReader } from '../prompt';
import { withSession, type CommonFlags } from '../session';
import type { Terminal } from '../terminal';

/** Flags of `autotune unlock`. */
export interface UnlockFlags extends CommonFlags {
  yes?: boolean;
}

/** Whether a process with this id runs on this machine (one we may not signal runs too). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/**
 * `autotune unlock --team-id T`: removes a team's lock whoever holds it, after saying who does and asking
 * (unless `--yes`). For a lock left by a holder that cannot be checked (another host, a reused pid) and has
 * not gone stale yet. The holder, if it is in fact alive, stops at its next heartbeat before writing anything.
 */
export async function unlockCommand(flags: UnlockFlags, terminal: Terminal): Promise<number> {
  return withSession(terminal, flags, async (session) => {
    const teamId = session.requireTeamId();
    const interactive = (terminal.stdin as { isTTY?: boolean }).isTTY === true;
    if (!flags.yes && !interactive) {
      throw new CliError('CLI_USAGE', 'unlock asks before removing a lock, and there is no terminal to ask on: pass --yes to remove it without asking');
    }
    const { store, path: dbPath } = session.openStore(session.workflowPath, { mustExist: true });
    const lock = await store.readTeamLock(teamId);
    if (!lock) {
      session.print(`Team ${teamId} is not locked in ${dbPath}.`);
      session.emitJson({ teamId, database: dbPath, removed: null });
      return EXIT_CODES.SUCCESS;
    }
    const now = Date.now();
    const here = lock.host === hostname();
    const liveness = here
      ? processAlive(lock.pid)
        ? `process ${lock.pid} is running on this host: make sure it is not autotune still at work`
        : `process ${lock.pid} is gone`
      : `host ${lock.host} cannot be checked from here`;
    const who =
      `Team ${teamId} is locked for ${lock.purpose} by pid ${lock.pid} on host ${lock.host} since ${new Date(lock.acquiredAtMs).toISOString()}; ` +
      `its last heartbeat was ${ago(now - lock.heartbeatAtMs)}; ${liveness}.`;
    if (!flags.yes) {
      const reader = new LineReader(terminal.stdin);
      try {
        const answer = await reader.ask(`${who}\nRemove this lock? (y/N): `, terminal.stderr);
        if (!/^\s*y(es)?\s*$/i.test(answer ?? '')) {
          session.print('The lock is kept.');
          session.emitJson({ teamId, database: dbPath, removed: null });
          return EXIT_CODES.SUCCESS;
        }
      } finally {
        reader.close();
      }
    } else session.note(who);
    const removed = await store.breakTeamLock(teamId);
    session.print(removed ? `Removed the lock of team ${teamId} (pid ${removed.pid}, host ${removed.host}).` : `Team ${teamId} was unlocked meanwhile.`);
    session.emitJson({ teamId, database: dbPath, removed: removed ?? null });
    return EXIT_CODES.SUCCESS;
  });
}
