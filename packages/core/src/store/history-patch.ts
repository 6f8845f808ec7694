import type { HistoryEntry, HistoryPatch } from './store-types';

/** Applies a patch in place: only status, reason and rollback time ever change after an entry is written. */
export function applyPatch(entry: HistoryEntry | Omit<HistoryEntry, 'id'>, patch: HistoryPatch): void {
  for (const key of ['status', 'reason', 'rolledBackAt'] as const) {
    if (patch[key] !== undefined) Object.assign(entry, { [key]: patch[key] });
  }
}
