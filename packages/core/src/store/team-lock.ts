import { hostname } from 'node:os';
import { CoreError } from '../errors';
import type { AutotuneStore, TeamLock, TeamLockInfo } from './store-types';

/**
 * Age of the latest heartbeat after which a lock counts as abandoned, whatever its pid or host. A live holder
 * beats every {@link DEFAULT_LOCK_HEARTBEAT_MS}, so only a holder that stopped beating for this long (dead,
 * frozen, or on a host that lost the database) loses its lock.
 */
export const DEFAULT_LOCK_STALE_MS = 2 * 60 * 1000;

/** How often a holder refreshes its lock: several beats fit into one stale period, so one late beat is harmless. */
export const DEFAULT_LOCK_HEARTBEAT_MS = 15 * 1000;

/** A lock as recorded: who holds it, since when, and the token that lets only that holder release it. */
export interface LockRecord extends TeamLockInfo {
  token: string;
}

/** Whether a process with this id is running on this machine (a process we may not signal is running). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock is stale when its holder stopped beating for longer than `staleAfterMs` (this catches a reused pid
 * and a holder on another host), or at once when the holder ran on this host and its process is gone.
 */
export function lockIsStale(lock: TeamLockInfo, nowMs: number, staleAfterMs: number): boolean {
  if (nowMs - lock.heartbeatAtMs > staleAfterMs) return true;
  return lock.host === hostname() && !processAlive(lock.pid);
}

/** The public view of a recorded lock (without its token). */
export function lockInfo(lock: LockRecord): TeamLockInfo {
  const { teamId, pid, host, purpose, acquiredAtMs, heartbeatAtMs } = lock;
  return { teamId, pid, host, purpose, acquiredAtMs, heartbeatAtMs };
}

export function lockedError(lock: TeamLockInfo): CoreError {
  const since = new Date(lock.acquiredAtMs).toISOString();
  return new CoreError(
    'CORE_LOCKED',
    `another ${lock.purpose} is in progress for team ${lock.teamId} (pid ${lock.pid}, host ${lock.host}, since ${since}); ` +
      `wait for it to finish and try again (if it is gone, \`autotune unlock --team-id ${lock.teamId}\` removes its lock)`,
    { details: { teamId: lock.teamId, pid: lock.pid, host: lock.host, purpose: lock.purpose, since, heartbeatAt: new Date(lock.heartbeatAtMs).toISOString() } },
  );
}

export function lostLockError(teamId: string): CoreError {
  return new CoreError(
    'CORE_LOCKED',
    `the lock of team ${teamId} is no longer held by this process (it was taken over as stale or removed with \`autotune unlock\`); stopped before writing`,
    { details: { teamId } },
  );
}

/** A lock held with a heartbeat; `release` stops the beat and releases. */
export interface HeldTeamLock {
  lock: TeamLock;
  /**
   * Beats now and throws when the lock was lost, or when a background beat found it lost: call it right
   * before a write that must happen under the lock.
   */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes a team's lock and keeps it alive with a heartbeat every `heartbeatMs` until released. The timer does
 * not keep the process alive; a failed background beat is remembered and reported by `confirm`.
 */
export async function holdTeamLock(
  store: AutotuneStore,
  teamId: string,
  purpose: string,
  options: { heartbeatMs?: number; staleAfterMs?: number } = {},
): Promise<HeldTeamLock> {
  const lock = await store.acquireTeamLock(teamId, { pid: process.pid, host: hostname(), purpose }, options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs });
  let failed = false;
  let failure: unknown;
  let beating: Promise<void> | undefined;
  const timer = setInterval(() => {
    // One beat at a time: a slow database must not pile up writes.
    beating ??= lock
      .heartbeat()
      .catch((e: unknown) => {
        if (!failed) failure = e;
        failed = true;
      })
      .finally(() => {
        beating = undefined;
      });
  }, options.heartbeatMs ?? DEFAULT_LOCK_HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    lock,
    async confirm() {
      if (failed) throw failure;
      await lock.heartbeat();
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await beating;
      await lock.release();
    },
  };
}
