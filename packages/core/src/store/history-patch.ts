import { CoreError } from '../errors';
import type { HistoryEntry, HistoryPatch, ListExperimentsOptions, ListHistoryOptions } from './store-types';

/** The checked `limit` of a listing (`what` names the call): a positive integer, or undefined for all. */
export function listingLimit(what: 'listHistory' | 'listExperiments', options: ListHistoryOptions | ListExperimentsOptions): number | undefined {
  const { limit } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new CoreError('CORE_USAGE', `${what}: limit must be a positive integer, got ${String(limit)}`);
  }
  return limit;
}

/** Applies a patch in place: only status, reason and rollback time ever change after an entry is written. */
export function applyPatch(entry: HistoryEntry | Omit<HistoryEntry, 'id'>, patch: HistoryPatch): void {
  for (const key of ['status', 'reason', 'rolledBackAt'] as const) {
    if (patch[key] !== undefined) Object.assign(entry, { [key]: patch[key] });
  }
}
