// Core's infrastructure (errors, workflow files, stores, trial runners), listed by name for src/index.ts.
export { CoreError, isCoreError } from './errors';
export type { CoreErrorCode, CoreErrorOptions } from './errors';

export {
  teamConfigFromUser,
  teamConfigToUser,
  isTeamConfig,
  loadWorkflowFile,
  workflowFromText,
  detectFormat,
  renderWorkflowUpdate,
  writeFileAtomic,
  saveWorkflowFile,
  restoreWorkflowText,
  writeBackup,
  AUTOTUNE_DIR,
} from './workflow';
export type { TeamDialect, WorkflowFile, SaveWorkflowOptions, SavedWorkflow } from './workflow';

export { MemoryStore, SqliteStore, SQLITE_SCHEMA_VERSION, DEFAULT_LOCK_STALE_MS, openDefaultDatabasePath, DEFAULT_DATABASE_NAME } from './store';
export type {
  AutotuneStore,
  HistoryEntry,
  HistoryPatch,
  HistoryStatus,
  ListRecordsOptions,
  LockOwner,
  ReleaseLock,
  StoredExperiment,
  MemoryStoreOptions,
  SqliteStoreOptions,
  SqliteDatabase,
  SqliteStatement,
  SqliteTransaction,
} from './store';

export { CommandRunner, FunctionRunner, splitCommand, completeRecord } from './runners';
export type { CommandRunnerOptions, FunctionRunnerOptions, TeamFunction, TrialFacts } from './runners';
