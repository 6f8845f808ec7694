import type { ExperimentMetric, ExperimentResult, ValidationStatus, Verdict } from '@autotune/abtest';
import type { ExecutionRecord, MetricsSink } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';

/** Filters of {@link AutotuneStore.listRecords}. */
export interface ListRecordsOptions {
  /** Only runs of the config with this fingerprint. */
  fingerprint?: string;
  /** Only runs that started at or after this time (epoch ms). */
  sinceMs?: number;
  /** At most this many: the most recent ones. */
  limit?: number;
}

/** An A/B experiment as stored: both arms' configs, every trial's sample (with its record), the verdict. */
export interface StoredExperiment {
  /** Set by the store when saved. */
  id?: string;
  teamId: string;
  /** ISO 8601. */
  createdAt: string;
  /** What the experiment was for (`apply`, `benchmark`, `validate history #3`, ...). */
  label?: string;
  metric?: ExperimentMetric;
  baselineConfig: TeamConfig;
  candidateConfig: TeamConfig;
  /** The experiment's result, with every trial's sample and execution record. */
  result: ExperimentResult;
  verdict: Verdict;
}

/** What happened to a change. `rollback` is the entry recording a rollback itself. */
export type HistoryStatus = 'applied' | 'rejected' | 'rolled_back' | 'rollback';

/** One entry of a team's optimization history. */
export interface HistoryEntry {
  id: number;
  teamId: string;
  /** ISO 8601. */
  timestamp: string;
  /** The suggestion, as JSON. */
  optimization: unknown;
  validationStatus: ValidationStatus;
  status: HistoryStatus;
  improvementPercentage: number | null;
  configBefore: TeamConfig;
  configAfter: TeamConfig;
  fingerprintBefore: string;
  fingerprintAfter: string;
  /** The workflow file the change was written to, and its exact text before and after. */
  filePath?: string;
  fileTextBefore?: string;
  fileTextAfter?: string;
  experimentId?: string;
  evidence?: unknown;
  reason?: string;
  /** ISO 8601. */
  rolledBackAt?: string;
}

/** The fields of a history entry that may change after it is written. */
export interface HistoryPatch {
  status?: HistoryStatus;
  reason?: string;
  rolledBackAt?: string;
}

/** Who holds a team's lock. */
export interface LockOwner {
  pid: number;
  host: string;
  /** What the holder is doing (`apply`, `rollback`): the message tells the other process. */
  purpose: string;
}

/** Releases a lock. Calling it again, or after the lock was taken over as stale, does nothing. */
export type ReleaseLock = () => void;

/**
 * Where autotune keeps what it learns: execution records (it is a metrics sink), experiments, and the
 * optimization history, plus a per-team lock so two applies cannot run at once. All calls are synchronous:
 * both built-in stores answer from memory or from an embedded database.
 */
export interface AutotuneStore extends MetricsSink {
  /** Stores one execution record; a record whose team and execution id are already stored is ignored. */
  write(record: ExecutionRecord): void;
  /** Stores many records at once (in one transaction where that matters); returns how many were new. */
  writeMany(records: Iterable<ExecutionRecord>): number;
  /** A team's records, oldest first. With `limit`, the most recent `limit` of them, still oldest first. */
  listRecords(teamId: string, options?: ListRecordsOptions): ExecutionRecord[];
  /** Saves an experiment and returns its id. */
  saveExperiment(experiment: StoredExperiment): string;
  getExperiment(id: string): (StoredExperiment & { id: string }) | undefined;
  /** Appends a history entry and returns its id; ids increase. */
  appendHistory(entry: Omit<HistoryEntry, 'id'>): number;
  /** @throws CoreError `CORE_USAGE` when there is no entry with that id. */
  updateHistory(id: number, patch: HistoryPatch): void;
  /** A team's history, newest first: index 0 is the latest entry. */
  listHistory(teamId: string): HistoryEntry[];
  getHistoryEntry(id: number): HistoryEntry | undefined;
  /**
   * Takes the team's lock. A lock is stale, and is taken over, when its holder ran on this host and its
   * process is gone, or ran on another host and is older than `staleAfterMs` (default one hour).
   *
   * @throws CoreError `CORE_LOCKED`: "another apply is in progress for team X (pid, host, since)".
   */
  acquireTeamLock(teamId: string, owner: LockOwner, staleAfterMs?: number): ReleaseLock;
  /** Releases this store's locks and, where the store owns it, its database. */
  close(): void;
}
