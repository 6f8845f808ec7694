import { hostname } from 'node:os';
import { CoreError } from '../errors';
import type { LockOwner } from './store-types';

/** Age after which a lock held from another host counts as abandoned. */
export const DEFAULT_LOCK_STALE_MS = 60 * 60 * 1000;

/** A lock as recorded: who holds it, since when, and the token that lets only that holder release it. */
export interface LockRecord extends LockOwner {
  teamId: string;
  token: string;
  acquiredAtMs: number;
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
 * On this host a live holder keeps its lock however long it works, and a dead one loses it at once; a
 * holder on another host cannot be checked, so its lock expires after `staleAfterMs`.
 */
export function lockIsStale(lock: LockRecord, nowMs: number, staleAfterMs: number): boolean {
  if (lock.host === hostname()) return !processAlive(lock.pid);
  return nowMs - lock.acquiredAtMs > staleAfterMs;
}

export function lockedError(lock: LockRecord): CoreError {
  const since = new Date(lock.acquiredAtMs).toISOString();
  return new CoreError(
    'CORE_LOCKED',
    `another ${lock.purpose} is in progress for team ${lock.teamId} (pid ${lock.pid}, host ${lock.host}, since ${since}); ` +
      'wait for it to finish and try again',
    { details: { teamId: lock.teamId, pid: lock.pid, host: lock.host, purpose: lock.purpose, since } },
  );
}
