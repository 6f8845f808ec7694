// The public surface of @autotune/core, listed by name.
export { PerformanceAutotuner, EXPERIMENT_LABEL } from './autotuner';
export type {
  AutotunerOptions,
  AutotuneSuggestion,
  UserTeamConfig,
  WorkflowInput,
  ApplyOptions,
  OptimizationResult,
  ApplyOutcome,
  RegressionCheck,
  RollbackGuard,
  RollbackOptions,
  RollbackOutcome,
  ContinuousOptions,
} from './autotuner-types';

export { CoreError, isCoreError } from './errors';
export { settlePendingHistory, textHash } from './file-change';
export type { SettledChange } from './file-change';
export type { CoreErrorCode, CoreErrorOptions } from './errors';
export {
  teamConfigFromUser,
  teamConfigToUser,
  isTeamConfig,
  loadWorkflowFile,
  workflowFromText,
  renderWorkflowUpdate,
  renderWorkflowChange,
  teamKeyInFile,
  spellChanges,
  configInFileShape,
  writeFileAtomic,
  saveWorkflowFile,
  restoreWorkflowText,
  AUTOTUNE_DIR,
  locateJsonError,
  prepareDatabaseFile,
} from './workflow';
export type { TeamDialect, WorkflowFile, SaveWorkflowOptions, SavedWorkflow, CreationModes, TeamKeyPlace, RenderedChange, CommentNote } from './workflow';
export {
  MemoryStore,
  SqliteStore,
  SQLITE_SCHEMA_VERSION,
  DEFAULT_LOCK_STALE_MS,
  DEFAULT_LOCK_HEARTBEAT_MS,
  holdTeamLock,
  openDefaultDatabasePath,
  readHistoryEntry,
  DEFAULT_DATABASE_NAME,
} from './store';
export type {
  AcquireLockOptions,
  AutotuneStore,
  HeldTeamLock,
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
  MemoryStoreOptions,
  SqliteStoreOptions,
  SqliteDatabase,
  SqliteStatement,
  SqliteTransaction,
} from './store';

export { CommandRunner, FunctionRunner, splitCommand, completeRecord } from './runners';
export type { CommandRunnerOptions, FunctionRunnerOptions, TeamFunction, TrialFacts } from './runners';

// The types an application needs around the autotuner, re-exported so that an app in another monorepo can
// depend on @autotune/core alone (their home packages stay the source of truth).
export type { TeamConfig, MemberConfig, OptimizationSuggestion, OptimizationStrategy, OptimizationPriority, StrategyContext, TargetMetric } from '@autotune/strategies';
export type { TrialContext, TrialRunner, ExperimentResult, Verdict, VerdictSummary, ValidationStatus } from '@autotune/abtest';
export type { PerformanceInsight } from '@autotune/analyzer';
export type { ExecutionRecord, TeamStats } from '@autotune/metrics';
export { validateSearchSpace } from './tuner/search-space';
export { TUNE_SETTINGS } from './tuner/tune-types';
export type {
  CandidateSource,
  ConfirmReport,
  RaceReport,
  RaceStanding,
  TuneBounds,
  TuneChange,
  TuneEvent,
  TuneObjective,
  TuneOptions,
  TuneOutcome,
  TuneSearchSpace,
  TuneSetting,
  TuneStep,
} from './tuner/tune-types';
