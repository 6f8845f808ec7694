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
  RollbackOutcome,
  ContinuousOptions,
} from './autotuner-types';

export { CoreError, isCoreError } from './infra-exports';
export type { CoreErrorCode, CoreErrorOptions } from './infra-exports';
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
} from './infra-exports';
export type { TeamDialect, WorkflowFile, SaveWorkflowOptions, SavedWorkflow } from './infra-exports';
export { MemoryStore, SqliteStore, SQLITE_SCHEMA_VERSION, DEFAULT_LOCK_STALE_MS, openDefaultDatabasePath, DEFAULT_DATABASE_NAME } from './infra-exports';
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
} from './infra-exports';

export { CommandRunner, FunctionRunner, splitCommand, completeRecord } from './infra-exports';
export type { CommandRunnerOptions, FunctionRunnerOptions, TeamFunction, TrialFacts } from './infra-exports';

export {
  SimulatorError,
  createRng,
  deriveSeed,
  hashString,
  DEFAULT_MODEL_PARAMETERS,
  parseTeamModel,
  resolveTeamModel,
  validateTeamModel,
  SIMULATION_EPOCH_MS,
  simulateRun,
  DEFAULT_RUN_SPACING_MS,
  generateRuns,
  SimulatedTeamRunner,
  listScenarios,
  loadScenario,
  parseScenario,
  scenarioConfigWith,
  scenarioDirectory,
  generateScenario,
  modelFromConfig,
  enumerateConfigs,
  expectedPerformance,
  findBestConfig,
  improvementPercent,
} from './simulator';
export type {
  SimulatorErrorCode,
  SimulatorErrorLocation,
  Rng,
  ConsensusModel,
  CoordinationModel,
  CoordinatorModel,
  DependencyModel,
  FieldLocator,
  MemberDefaults,
  MemberModel,
  MergeModel,
  PipelineModel,
  ResolvedTeamModel,
  TeamModel,
  TokenModel,
  ToolModel,
  SimulateRunOptions,
  GenerateRunsOptions,
  SimulatedTeamRunnerOptions,
  Scenario,
  ScenarioExpectation,
  GenerateScenarioOptions,
  ModelFromConfigOptions,
  BestConfigOptions,
  ConfigSpace,
  ExpectedPerformance,
  ExpectedPerformanceOptions,
  RankedConfig,
} from './simulator';
