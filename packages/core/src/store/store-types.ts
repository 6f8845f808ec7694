import type { ExperimentMetric, ExperimentResult, ValidationStatus, Verdict, VerdictSummary } from '@autotune/abtest';
import type { ExecutionRecord, MetricsSink } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import type { AutotuneSuggestion } from '../autotuner-types';

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

/**
 * What happened to a change. `rollback` is the entry recording a rollback itself.
 *
 * `pending` is an intent: written, in one transaction with the rest of the apply's (or rollback's) entries,
 * before the workflow file is renamed into place, and turned into `applied` (or `rollback`) once the file is
 * there. A pending entry that a crash left behind is settled by the next command from the file's actual bytes:
 * `applied` when the file holds the new bytes, `abandoned` when it still holds the old ones.
 */
export type HistoryStatus = 'pending' | 'applied' | 'rejected' | 'rolled_back' | 'rollback' | 'abandoned';

/** One changed setting, in the user's vocabulary (`member_count`, `members[2].enabled`, ...). */
export interface HistoryConfigChange {
  key: string;
  before: unknown;
  after: unknown;
  /** The key as the workflow file spells it (`team_formation`), when the change was written to a file. */
  fileKey?: string;
}

/**
 * What a history entry changed. An `apply` records the strategy's whole suggestion (an `AutotuneSuggestion`:
 * `OptimizationSuggestion` of @autotune/strategies, with the strategy's name, the resulting config and the
 * changed keys); a `tune` step its description, target metric, changes and race; a rollback its description
 * and the entries it undid. So `description` and `changes` are always there (stores check them on read, and
 * give entries of older versions that lack `changes` the keys that differ between `configBefore` and
 * `configAfter`); the other fields depend on what wrote the entry.
 */
export interface HistoryOptimization extends Partial<Omit<AutotuneSuggestion, 'description' | 'changes'>> {
  description: string;
  changes: HistoryConfigChange[];
  /** A `tune` step: the race its winner came out of. */
  race?: { rounds: number; runs: number; candidates: number };
  /** A rollback's own entry: the ids of the entries it undid. */
  undone?: number[];
}

/** One entry of a team's optimization history. */
export interface HistoryEntry {
  id: number;
  teamId: string;
  /** ISO 8601. */
  timestamp: string;
  /** What was changed, and why. */
  optimization: HistoryOptimization;
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
  /** SHA-256 (hex) of the whole workflow file before and after this apply or rollback: what reconciliation and rollback compare the file with. */
  fileHashBefore?: string;
  fileHashAfter?: string;
  /** The copy of the file's earlier bytes written before it was replaced. */
  backupPath?: string;
  /** Shared by every entry one `apply` wrote, so that one rollback can undo that apply whole. */
  applyId?: string;
  /** For a `rollback` entry: the ids of the entries it undoes. */
  undoes?: number[];
  /** The stored experiment behind the decision (`getExperiment`), with the whole verdict. */
  experimentId?: string;
  /** The verdict the decision was made on, as a summary. */
  evidence?: VerdictSummary;
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

/**
 * One atomic change to the history: every update, then every append, in one transaction. Either all of it is
 * stored or none of it (an unknown id in `update` fails the whole write). This is how an apply records its
 * intent and later confirms it, and how a rollback marks what it undid together with its own entry.
 */
/** One of a team's experiments in {@link AutotuneStore.listExperiments}. */
export interface ExperimentListEntry {
  id: string;
  /** ISO 8601, as saved. */
  createdAt: string;
}

/** Options of {@link AutotuneStore.listExperiments}. */
export interface ListExperimentsOptions {
  /** At most this many experiments, the newest (a positive integer); every one when absent. */
  limit?: number;
}

/** Options of {@link AutotuneStore.listHistory}. */
export interface ListHistoryOptions {
  /** At most this many entries, the newest (a positive integer); every entry when absent. */
  limit?: number;
}

export interface HistoryWrite {
  update?: ReadonlyArray<{ id: number; patch: HistoryPatch }>;
  append?: ReadonlyArray<Omit<HistoryEntry, 'id'>>;
}

/** Who holds a team's lock. */
export interface LockOwner {
  pid: number;
  host: string;
  /** What the holder is doing (`apply`, `rollback`): the message tells the other process. */
  purpose: string;
}

/** A team's lock as the store holds it. */
export interface TeamLockInfo extends LockOwner {
  teamId: string;
  /** Epoch ms. */
  acquiredAtMs: number;
  /** Epoch ms of the holder's latest heartbeat (`acquiredAtMs` until the first). */
  heartbeatAtMs: number;
}

/** Options of {@link AutotuneStore.acquireTeamLock}. */
export interface AcquireLockOptions {
  /**
   * A lock whose latest heartbeat is older than this is stale and is taken over, whatever its pid or host
   * (a pid may have been reused, another host cannot be asked). Default {@link DEFAULT_LOCK_STALE_MS}.
   */
  staleAfterMs?: number;
}

/** A held team lock. Hold it with a heartbeat (see `holdTeamLock`) so that others can tell a live holder from a dead one. */
export interface TeamLock {
  readonly teamId: string;
  /**
   * Tells the store the holder is alive.
   *
   * @throws CoreError `CORE_LOCKED` when the lock is no longer this holder's (taken over as stale, or broken
   * by `autotune unlock`): the holder must stop before it writes anything.
   */
  heartbeat(): Promise<void>;
  /** Releases the lock. Calling it again, or after the lock was taken over, does nothing. */
  release(): Promise<void>;
}

/**
 * Where autotune keeps what it learns: execution records (it is a metrics sink), experiments, and the
 * optimization history, plus a per-team lock so two applies cannot run at once.
 *
 * Every operation is asynchronous, one method per operation, and every method that must be atomic is a single
 * call (`writeMany`, `saveExperiment`, `writeHistory`, `acquireTeamLock`), so a store over a network database
 * can implement each as one transaction. `describeStoreContract` from `@autotune/core/testing` checks an
 * implementation.
 */
export interface AutotuneStore extends MetricsSink {
  /** Stores one execution record; a record whose team and execution id are already stored is ignored. */
  write(record: ExecutionRecord): Promise<void>;
  /** Stores many records at once, all or none; returns how many were new. */
  writeMany(records: Iterable<ExecutionRecord>): Promise<number>;
  /** A team's records, oldest first. With `limit`, the most recent `limit` of them, still oldest first. */
  listRecords(teamId: string, options?: ListRecordsOptions): Promise<ExecutionRecord[]>;
  /** Saves an experiment (with every sample) atomically and returns its id. */
  saveExperiment(experiment: StoredExperiment): Promise<string>;
  getExperiment(id: string): Promise<(StoredExperiment & { id: string }) | undefined>;
  /**
   * A team's experiments, newest first (by `createdAt`, then id): ids and times only, so that a caller reads
   * only the ones it needs with `getExperiment`. `limit` keeps only the newest.
   */
  listExperiments(teamId: string, options?: ListExperimentsOptions): Promise<ExperimentListEntry[]>;
  /**
   * Applies `change` in one transaction and returns the ids of the appended entries, in order; ids increase.
   *
   * @throws CoreError `CORE_USAGE` when an update names an entry that does not exist (nothing is written).
   */
  writeHistory(change: HistoryWrite): Promise<number[]>;
  /** A team's history, newest first: index 0 is the latest entry; `limit` keeps only the newest entries. */
  listHistory(teamId: string, options?: ListHistoryOptions): Promise<HistoryEntry[]>;
  getHistoryEntry(id: number): Promise<HistoryEntry | undefined>;
  /**
   * Takes the team's lock. A held lock is stale, and is taken over, when its latest heartbeat is older than
   * `staleAfterMs`, or at once when its holder ran on this host and its process is gone.
   *
   * @throws CoreError `CORE_LOCKED`: "another apply is in progress for team X (pid, host, since)".
   */
  acquireTeamLock(teamId: string, owner: LockOwner, options?: AcquireLockOptions): Promise<TeamLock>;
  /** Who holds the team's lock, stale or not; undefined when nobody does. */
  readTeamLock(teamId: string): Promise<TeamLockInfo | undefined>;
  /** Removes the team's lock whoever holds it (`autotune unlock`) and returns what it removed. */
  breakTeamLock(teamId: string): Promise<TeamLockInfo | undefined>;
  /** Releases this store's locks and, where the store owns it, its database. */
  close(): Promise<void>;
}
