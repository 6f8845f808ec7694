import { CoreError } from '../errors';
import type { HistoryEntry, HistoryPatch, ListHistoryOptions } from './store-types';

/** The checked `limit` of a history listing: a positive integer, or undefined for every entry. */
export function historyLimit(options: ListHistoryOptions): number | undefined {
  const { limit } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new CoreError('CORE_USAGE', `listHistory: limit must be a positive integer, got ${String(limit)}`);
  }
  return limit;
}

/** Applies a patch in place: only status, reason and rollback time ever change after an entry is written. */
export function applyPatch(entry: HistoryEntry | Omit<HistoryEntry, 'id'>, patch: HistoryPatch): void {
  for (const key of ['status', 'reason', 'rolledBackAt'] as const) {
    if (patch[key] !== undefined) Object.assign(entry, { [key]: patch[key] });
  }
}
