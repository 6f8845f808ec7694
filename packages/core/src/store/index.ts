// Stores: where autotune keeps execution records, experiments, history and team locks.
export type {
  AcquireLockOptions,
  AutotuneStore,
  HistoryConfigChange,
  HistoryEntry,
  HistoryOptimization,
  HistoryPatch,
  HistoryStatus,
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
export { readHistoryEntry } from './history-entry';
export { MemoryStore } from './memory-store';
export type { MemoryStoreOptions } from './memory-store';
export { SqliteStore } from './sqlite-store';
export type { SqliteStoreOptions } from './sqlite-store';
export type { SqliteDatabase, SqliteStatement, SqliteTransaction } from './sqlite-database';
export { SQLITE_SCHEMA_VERSION } from './sqlite-migrations';
export { DEFAULT_LOCK_STALE_MS, DEFAULT_LOCK_HEARTBEAT_MS, holdTeamLock } from './team-lock';
export type { HeldTeamLock } from './team-lock';
export { openDefaultDatabasePath, DEFAULT_DATABASE_NAME } from './default-path';
