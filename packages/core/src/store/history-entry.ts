import { inspect } from 'node:util';
import type { ValidationStatus, VerdictSummary } from '@autotune/abtest';
import { isOutcomeMetric } from '@autotune/metrics';
import { changedKeys, type TeamConfig } from '@autotune/strategies';
import { CoreError } from '../errors';
import type { HistoryConfigChange, HistoryEntry, HistoryOptimization, HistoryStatus } from './store-types';

const HISTORY_STATUSES: readonly HistoryStatus[] = ['pending', 'applied', 'rejected', 'rolled_back', 'rollback', 'abandoned'];
const VALIDATION_STATUSES: readonly ValidationStatus[] = ['passed', 'failed', 'inconclusive', 'skipped', 'dry_run'];
const VERDICT_STATUSES: readonly VerdictSummary['status'][] = ['passed', 'failed', 'inconclusive'];
const DECIDED_BY: readonly VerdictSummary['decidedBy'][] = ['welch', 'fisher'];

type Json = Record<string, unknown>;

function isObject(u: unknown): u is Json {
  return u !== null && typeof u === 'object' && !Array.isArray(u);
}

function show(u: unknown): string {
  if (u === undefined) return 'nothing';
  if (typeof u === 'number') return String(u);
  return JSON.stringify(u) ?? inspect(u);
}

/** Reads one entry's fields, failing with the entry's id and the field's path. */
class EntryReader {
  constructor(private readonly id: number) {}

  fail(field: string, expected: string, got: unknown): never {
    throw new CoreError('CORE_STORE', `history entry ${this.id} cannot be read: expected ${expected}, got ${show(got)}`, { location: { field }, details: { historyId: this.id } });
  }

  object(o: Json, key: string, field = key): Json {
    const v = o[key];
    return isObject(v) ? v : this.fail(field, 'an object', v);
  }

  string(o: Json, key: string, field = key): string {
    const v = o[key];
    return typeof v === 'string' ? v : this.fail(field, 'a string', v);
  }

  number(o: Json, key: string, field = key): number {
    // Stores keep NaN and the infinities (a verdict may hold them), so any number is a number here.
    const v = o[key];
    return typeof v === 'number' ? v : this.fail(field, 'a number', v);
  }

  numberOrNull(o: Json, key: string, field = key): number | null {
    const v = o[key];
    return v === null || typeof v === 'number' ? v : this.fail(field, 'a number or null', v);
  }

  oneOf<T extends string>(o: Json, key: string, allowed: readonly T[], field = key): T {
    const v = o[key];
    return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(field, `one of ${allowed.join(', ')}`, v);
  }
}

function readChanges(r: EntryReader, raw: unknown, entry: Json): HistoryConfigChange[] {
  if (raw === undefined) {
    // Written before entries listed their changes: the configs on either side say what changed.
    return isObject(entry.configBefore) && isObject(entry.configAfter)
      ? changedKeys(entry.configBefore as unknown as TeamConfig, entry.configAfter as unknown as TeamConfig)
      : [];
  }
  if (!Array.isArray(raw)) return r.fail('optimization.changes', 'a list of changes', raw);
  return raw.map((c: unknown, i) => {
    const field = `optimization.changes[${i}]`;
    if (!isObject(c)) return r.fail(field, 'an object with key, before and after', c);
    const change: HistoryConfigChange = { key: r.string(c, 'key', `${field}.key`), before: c.before, after: c.after };
    if (c.fileKey !== undefined) change.fileKey = r.string(c, 'fileKey', `${field}.fileKey`);
    return change;
  });
}

function readOptimization(r: EntryReader, entry: Json): HistoryOptimization {
  const o = r.object(entry, 'optimization');
  const description = r.string(o, 'description', 'optimization.description');
  if (o.targetMetric !== undefined && !isOutcomeMetric(o.targetMetric)) r.fail('optimization.targetMetric', 'duration, cost or success_rate', o.targetMetric);
  if (o.type !== undefined) r.string(o, 'type', 'optimization.type');
  if (o.strategy !== undefined) r.string(o, 'strategy', 'optimization.strategy');
  if (o.undone !== undefined && !(Array.isArray(o.undone) && o.undone.every((n) => Number.isInteger(n)))) {
    r.fail('optimization.undone', 'a list of history ids', o.undone);
  }
  // A rollback undoes whole entries; its own entry lists no changes (they are the undone entries').
  const changes = o.undone !== undefined && o.changes === undefined ? [] : readChanges(r, o.changes, entry);
  // The other fields are the suggestion as its strategy made it, kept as written.
  return { ...(o as Partial<HistoryOptimization>), description, changes };
}

function readEvidence(r: EntryReader, raw: unknown): VerdictSummary {
  if (!isObject(raw)) return r.fail('evidence', 'a verdict', raw);
  const reasonCodes = raw.reasonCodes;
  if (!Array.isArray(reasonCodes) || !reasonCodes.every((c) => typeof c === 'string')) r.fail('evidence.reasonCodes', 'a list of reason codes', reasonCodes);
  const metric = raw.metric;
  if (!isOutcomeMetric(metric)) return r.fail('evidence.metric', 'duration, cost or success_rate', metric);
  // Only the summary's fields: entries written before summaries held the whole verdict, whose other parts
  // (arms, tests, guardrails) changed shape between versions and live on in the stored experiment.
  return {
    status: r.oneOf(raw, 'status', VERDICT_STATUSES, 'evidence.status'),
    metric,
    improvementPercentage: r.numberOrNull(raw, 'improvementPercentage', 'evidence.improvementPercentage'),
    threshold: r.number(raw, 'threshold', 'evidence.threshold'),
    alpha: r.number(raw, 'alpha', 'evidence.alpha'),
    decidedBy: r.oneOf(raw, 'decidedBy', DECIDED_BY, 'evidence.decidedBy'),
    regressionPValue: r.number(raw, 'regressionPValue', 'evidence.regressionPValue'),
    reason: r.string(raw, 'reason', 'evidence.reason'),
    reasonCodes: [...(reasonCodes as VerdictSummary['reasonCodes'])],
    explanation: r.string(raw, 'explanation', 'evidence.explanation'),
  };
}

/**
 * A history entry as a store reads it back (decoded JSON, or a copy of what was written), checked and typed:
 * the fields every reader relies on, `optimization` and `evidence` included. Entries written by older versions
 * load: an `evidence` that holds a whole verdict is cut to its {@link VerdictSummary}, and an `optimization`
 * without `changes` gets the keys that differ between the configs. Store implementations (like
 * `@autotune/postgres`) call it on every entry they return.
 *
 * @throws CoreError `CORE_STORE` naming the entry's id and the field that is missing or malformed.
 */
export function readHistoryEntry(value: unknown, id: number): HistoryEntry {
  const r = new EntryReader(id);
  if (!isObject(value)) return r.fail('', 'an object', value);
  r.string(value, 'teamId');
  r.string(value, 'timestamp');
  r.oneOf(value, 'status', HISTORY_STATUSES);
  r.oneOf(value, 'validationStatus', VALIDATION_STATUSES);
  r.numberOrNull(value, 'improvementPercentage');
  r.object(value, 'configBefore');
  r.object(value, 'configAfter');
  const optimization = readOptimization(r, value);
  const entry = { ...(value as unknown as HistoryEntry), id, optimization };
  if (value.evidence === undefined) delete entry.evidence;
  else entry.evidence = readEvidence(r, value.evidence);
  return entry;
}
