import { randomUUID } from 'node:crypto';
import type { ExecutionRecord } from '@autotune/metrics';
import { CoreError } from '../errors';
import type {
  AcquireLockOptions,
  AutotuneStore,
  HistoryEntry,
  ExperimentListEntry,
  HistoryWrite,
  ListExperimentsOptions,
  ListHistoryOptions,
  ListRecordsOptions,
  LockOwner,
  StoredExperiment,
  TeamLock,
  TeamLockInfo,
} from './store-types';
import { readHistoryEntry } from './history-entry';
import { applyPatch, listingLimit } from './history-patch';
import { DEFAULT_LOCK_STALE_MS, lockedError, lockInfo, lockIsStale, lostLockError } from './team-lock';
import type { LockRecord } from './team-lock';

/** Limits of a {@link MemoryStore}; memory stays bounded however long a process runs. */
export interface MemoryStoreOptions {
  /** Records kept per team; the oldest are dropped first. Default 10,000. */
  maxRecordsPerTeam?: number;
  /** Experiments kept; the oldest are dropped first. Default 100. */
  maxExperiments?: number;
  /** Clock, epoch ms; tests pin it. */
  now?: () => number;
}

/** Deep copy, so callers can neither change what is stored nor be surprised by later changes to it. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * An {@link AutotuneStore} in process memory: the default when no database is given, and a fake for tests.
 * Nothing survives the process. History is kept whole (rollback needs it); records and experiments are
 * capped.
 */
export class MemoryStore implements AutotuneStore {
  private readonly records = new Map<string, { byId: Set<string>; list: ExecutionRecord[] }>();
  private readonly experiments = new Map<string, StoredExperiment & { id: string }>();
  private readonly history: HistoryEntry[] = [];
  private readonly locks = new Map<string, LockRecord>();
  private readonly held = new Set<LockRecord>();
  private readonly maxRecordsPerTeam: number;
  private readonly maxExperiments: number;
  private readonly now: () => number;
  private nextHistoryId = 1;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxRecordsPerTeam = options.maxRecordsPerTeam ?? 10_000;
    this.maxExperiments = options.maxExperiments ?? 100;
    this.now = options.now ?? Date.now;
    if (!(this.maxRecordsPerTeam >= 1) || !(this.maxExperiments >= 1)) {
      throw new CoreError('CORE_USAGE', 'MemoryStore limits must be at least 1');
    }
  }

  async write(record: ExecutionRecord): Promise<void> {
    this.add(record);
  }

  async writeMany(records: Iterable<ExecutionRecord>): Promise<number> {
    let added = 0;
    for (const r of records) if (this.add(r)) added++;
    return added;
  }

  private add(record: ExecutionRecord): boolean {
    let team = this.records.get(record.teamId);
    if (!team) {
      team = { byId: new Set(), list: [] };
      this.records.set(record.teamId, team);
    }
    if (team.byId.has(record.executionId)) return false;
    team.byId.add(record.executionId);
    // Kept sorted by start time; runs mostly arrive in order, so this is an append.
    let at = team.list.length;
    while (at > 0 && team.list[at - 1]!.startTimeMs > record.startTimeMs) at--; // 0 < at <= list.length
    team.list.splice(at, 0, copy(record));
    if (team.list.length > this.maxRecordsPerTeam) {
      const dropped = team.list.shift() as ExecutionRecord;
      team.byId.delete(dropped.executionId);
    }
    return true;
  }

  async listRecords(teamId: string, options: ListRecordsOptions = {}): Promise<ExecutionRecord[]> {
    const list = this.records.get(teamId)?.list ?? [];
    let out = list.filter(
      (r) =>
        (options.fingerprint === undefined || r.configFingerprint === options.fingerprint) &&
        (options.sinceMs === undefined || r.startTimeMs >= options.sinceMs),
    );
    if (options.limit !== undefined) out = options.limit > 0 ? out.slice(-options.limit) : [];
    return out.map(copy);
  }

  async saveExperiment(experiment: StoredExperiment): Promise<string> {
    const id = experiment.id ?? `exp-${randomUUID()}`;
    this.experiments.delete(id);
    this.experiments.set(id, { ...copy(experiment), id });
    while (this.experiments.size > this.maxExperiments) {
      this.experiments.delete(this.experiments.keys().next().value as string);
    }
    return id;
  }

  async listExperiments(teamId: string, options: ListExperimentsOptions = {}): Promise<ExperimentListEntry[]> {
    const limit = listingLimit('listExperiments', options);
    return [...this.experiments.values()]
      .filter((e) => e.teamId === teamId)
      .map((e) => ({ id: e.id, createdAt: e.createdAt }))
      .sort(newestFirst)
      .slice(0, limit);
  }

  async getExperiment(id: string): Promise<(StoredExperiment & { id: string }) | undefined> {
    const found = this.experiments.get(id);
    return found && copy(found);
  }

  async writeHistory(change: HistoryWrite): Promise<number[]> {
    // Checked before anything changes, so that a bad id leaves the history as it was.
    const targets = (change.update ?? []).map(({ id, patch }) => {
      const entry = this.history.find((e) => e.id === id);
      if (!entry) throw new CoreError('CORE_USAGE', `there is no history entry with id ${id}`);
      return { entry, patch };
    });
    for (const { entry, patch } of targets) applyPatch(entry, patch);
    return (change.append ?? []).map((e) => {
      const id = this.nextHistoryId++;
      this.history.push({ ...copy(e), id });
      return id;
    });
  }

  async listHistory(teamId: string, options: ListHistoryOptions = {}): Promise<HistoryEntry[]> {
    const limit = listingLimit('listHistory', options);
    return this.history
      .filter((e) => e.teamId === teamId)
      .reverse()
      .slice(0, limit)
      .map((e) => readHistoryEntry(copy(e), e.id));
  }

  async getHistoryEntry(id: number): Promise<HistoryEntry | undefined> {
    const found = this.history.find((e) => e.id === id);
    return found && readHistoryEntry(copy(found), found.id);
  }

  async acquireTeamLock(teamId: string, owner: LockOwner, options: AcquireLockOptions = {}): Promise<TeamLock> {
    const now = this.now();
    const current = this.locks.get(teamId);
    if (current && !lockIsStale(current, now, options.staleAfterMs ?? DEFAULT_LOCK_STALE_MS)) throw lockedError(current);
    const lock: LockRecord = { teamId, token: randomUUID(), pid: owner.pid, host: owner.host, purpose: owner.purpose, acquiredAtMs: now, heartbeatAtMs: now };
    this.locks.set(teamId, lock);
    this.held.add(lock);
    return {
      teamId,
      heartbeat: async () => {
        if (this.locks.get(teamId) !== lock) throw lostLockError(teamId);
        lock.heartbeatAtMs = this.now();
      },
      release: async () => {
        this.held.delete(lock);
        if (this.locks.get(teamId) === lock) this.locks.delete(teamId);
      },
    };
  }

  async readTeamLock(teamId: string): Promise<TeamLockInfo | undefined> {
    const lock = this.locks.get(teamId);
    return lock && lockInfo(lock);
  }

  async breakTeamLock(teamId: string): Promise<TeamLockInfo | undefined> {
    const lock = this.locks.get(teamId);
    if (!lock) return undefined;
    this.locks.delete(teamId);
    return lockInfo(lock);
  }

  async close(): Promise<void> {
    for (const lock of [...this.held]) {
      if (this.locks.get(lock.teamId) === lock) this.locks.delete(lock.teamId);
    }
    this.held.clear();
  }
}

/** Newest first by creation time, then by id (descending), as the SQL stores order them. */
function newestFirst(a: ExperimentListEntry, b: ExperimentListEntry): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
