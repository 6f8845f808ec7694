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
  locateJsonError,
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
export { neighbours, outsideSpace, validateSearchSpace } from './tuner/search-space';
export type { NeighbourCandidate } from './tuner/search-space';
export { successNoWorseProbability, successTestPower } from './tuner/success-check';
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
