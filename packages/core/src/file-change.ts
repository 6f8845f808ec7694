import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CoreError, isCoreError } from './errors';
import { testFault } from './internal/test-faults';
import type { AutotuneStore, HistoryEntry, HistoryWrite } from './store';
import { writeBackup, writeFileAtomic } from './workflow';

/** SHA-256 of a text's UTF-8 bytes, hex: what history records of a workflow file's contents. */
export function textHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The file's bytes now, or undefined when it cannot be read (gone, unreadable). */
async function readBytes(filePath: string): Promise<Buffer | undefined> {
  return readFile(filePath).catch(() => undefined);
}

/** What a journaled write needs. */
export interface JournaledWrite {
  store: AutotuneStore;
  kind: 'apply' | 'rollback';
  teamId: string;
  filePath: string;
  /** The file's bytes now (the caller checked them) and the bytes to write. */
  textBefore: string;
  textAfter: string;
  /** Keep a copy of `textBefore` in `.autotune/backups/` first. */
  backup: boolean;
  now: Date;
  /** The history write recording the intent: its entries have status `pending`. */
  intent: (backupPath: string | undefined) => HistoryWrite;
  /** The history write that makes the pending entries final, given the ids `intent` appended. */
  confirm: (ids: number[]) => HistoryWrite;
  /** Throws when the team's lock is no longer this process's: called right before anything is recorded. */
  confirmLock: () => Promise<void>;
}

/** The error of a journaled write that failed, saying whether the file changed. */
function failure(w: JournaledWrite, e: unknown, fileChanged: boolean, backupPath: string | undefined): CoreError {
  const cause = e instanceof Error ? e.message : String(e);
  const state = fileChanged
    ? `${w.filePath} WAS changed${backupPath ? ` (its earlier bytes are in ${backupPath})` : ''}, but the history could not be confirmed; ` +
      `the next autotune command for team ${w.teamId} records it from the file's bytes`
    : `${w.filePath} is unchanged`;
  return new CoreError(isCoreError(e) ? e.code : 'CORE_IO', `${w.kind} failed: ${cause}; ${state}`, {
    cause: e,
    details: { fileChanged, filePath: w.filePath, ...(backupPath ? { backupPath } : {}) },
  });
}

/**
 * Replaces a workflow file so that the file and its history agree whenever the process dies:
 *
 * 1. the backup of the current bytes is written;
 * 2. the intent is recorded in one transaction: `pending` entries with the hashes before and after and the backup;
 * 3. the file is replaced atomically (temporary file, fsync, rename);
 * 4. the pending entries are made final in one transaction.
 *
 * A crash before 3 leaves the file unchanged and a pending entry that {@link settlePendingHistory} marks
 * `abandoned`; a crash after 3 leaves the new file and a pending entry that it marks final. A failure (a full
 * disk) throws a `CoreError` whose message and `details.fileChanged` say whether the file changed.
 */
export async function writeJournaled(w: JournaledWrite): Promise<{ ids: number[]; backupPath: string | undefined }> {
  let backupPath: string | undefined;
  let ids: number[];
  try {
    testFault(`${w.kind}:backup`);
    if (w.backup) backupPath = await writeBackup(w.filePath, w.textBefore, w.now);
    testFault(`${w.kind}:intent`);
    await w.confirmLock();
    ids = await w.store.writeHistory(w.intent(backupPath));
  } catch (e) {
    throw failure(w, e, false, backupPath);
  }
  try {
    testFault(`${w.kind}:file`);
    await writeFileAtomic(w.filePath, w.textAfter);
  } catch (e) {
    // The file is as it was (the rename is all or nothing); say so in the history too, if the store lets us.
    await w.store
      .writeHistory({ update: ids.map((id) => ({ id, patch: { status: 'abandoned', reason: `the file could not be written: ${e instanceof Error ? e.message : String(e)}` } })) })
      .catch(() => undefined);
    throw failure(w, e, false, backupPath);
  }
  try {
    testFault(`${w.kind}:confirm`);
    await w.store.writeHistory(w.confirm(ids));
  } catch (e) {
    throw failure(w, e, true, backupPath);
  }
  testFault(`${w.kind}:done`);
  return { ids, backupPath };
}

/** The history write that confirms an apply's pending entries. */
export function applyConfirmation(ids: readonly number[]): HistoryWrite {
  return { update: ids.map((id) => ({ id, patch: { status: 'applied' } })) };
}

/** Marks what a rollback undid `rolled_back`, keeping why each change was applied: the rollback's reason is added, not substituted. */
export function undonePatches(undone: readonly HistoryEntry[], reason: string, at: string): NonNullable<HistoryWrite['update']> {
  return undone.map((e) => ({ id: e.id, patch: { status: 'rolled_back' as const, reason: e.reason ? `${reason} (applied because: ${e.reason})` : reason, rolledBackAt: at } }));
}

/** The history write that confirms a pending rollback entry and marks what it undid. */
export function rollbackConfirmation(rollback: { id: number; reason?: string; timestamp: string }, undone: readonly HistoryEntry[]): HistoryWrite {
  return { update: [...undonePatches(undone, rollback.reason ?? 'rollback', rollback.timestamp), { id: rollback.id, patch: { status: 'rollback' } }] };
}

/** What {@link settlePendingHistory} did with one interrupted apply or rollback. */
export interface SettledChange {
  kind: 'apply' | 'rollback';
  /** The pending entries, now final. */
  ids: number[];
  /** `confirmed`: the file holds the new bytes, so the change happened; `abandoned`: it did not. */
  outcome: 'confirmed' | 'abandoned';
  filePath?: string;
  reason: string;
}

/**
 * Settles what an interrupted apply or rollback left `pending`, from the file's actual bytes: a file holding
 * the bytes the change wrote confirms it; any other file (the old bytes, or bytes someone wrote since) means
 * it is not in force, and it becomes `abandoned`, with the backup named in the reason. Call it only while
 * holding the team's lock: another process's change in flight is pending too.
 */
export async function settlePendingHistory(store: AutotuneStore, teamId: string): Promise<SettledChange[]> {
  const history = await store.listHistory(teamId);
  const pending = history.filter((e) => e.status === 'pending');
  if (pending.length === 0) return [];
  // One apply's entries share an apply id; oldest first, so that [0] holds the bytes before and the last the bytes after.
  const groups = new Map<string, HistoryEntry[]>();
  for (const e of [...pending].reverse()) {
    const key = e.undoes ? `rollback#${e.id}` : (e.applyId ?? `entry#${e.id}`);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const settled: SettledChange[] = [];
  for (const entries of groups.values()) {
    // Every group was created for an entry, so it holds at least one.
    const first = entries[0]!;
    const last = entries.at(-1)!;
    const where = first.filePath === undefined ? {} : { filePath: first.filePath };
    const kind = first.undoes ? 'rollback' : 'apply';
    const bytes = first.filePath ? await readBytes(first.filePath) : undefined;
    const hash = bytes && textHash(bytes);
    const ids = entries.map((e) => e.id);
    if (hash !== undefined && hash === last.fileHashAfter) {
      const undone = history.filter((e) => first.undoes?.includes(e.id));
      await store.writeHistory(kind === 'rollback' ? rollbackConfirmation(first, undone) : applyConfirmation(ids));
      settled.push({ kind, ids, outcome: 'confirmed', ...where, reason: `${first.filePath} holds the bytes the interrupted ${kind} wrote` });
      continue;
    }
    const state =
      hash === undefined
        ? `${first.filePath ?? 'the workflow file'} cannot be read`
        : hash === first.fileHashBefore
          ? `${first.filePath} still holds the bytes from before it`
          : `${first.filePath} holds neither the bytes from before it nor those it meant to write`;
    const reason = `${kind} interrupted before it finished: ${state}; not in force${first.backupPath ? ` (the earlier bytes are in ${first.backupPath})` : ''}`;
    await store.writeHistory({ update: ids.map((id) => ({ id, patch: { status: 'abandoned', reason } })) });
    settled.push({ kind, ids, outcome: 'abandoned', ...where, reason });
  }
  return settled;
}
