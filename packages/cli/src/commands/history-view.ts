import type { HistoryEntry } from '@autotune/core';

/** A history entry for JSON output: the workflow file's bytes are left out (they can be large). */
export function historyForJson(entry: HistoryEntry): Omit<HistoryEntry, 'fileTextBefore' | 'fileTextAfter'> & { hasFileText: boolean } {
  const { fileTextBefore, fileTextAfter, ...rest } = entry;
  return { ...rest, hasFileText: fileTextBefore !== undefined || fileTextAfter !== undefined };
}

/**
 * The `--index` of each applied entry (0 = latest applied), as `rollback --index` counts them: entries
 * rejected or already rolled back have none.
 */
export function rollbackIndexes(entries: readonly HistoryEntry[]): Map<number, number> {
  const indexes = new Map<number, number>();
  for (const entry of entries) if (entry.status === 'applied') indexes.set(entry.id, indexes.size);
  return indexes;
}
