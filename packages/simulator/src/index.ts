// The public surface of @autotune/simulator, listed by name.
export { SimulatorError } from './errors';
export type { SimulatorErrorCode } from './errors';
export { createRng, deriveSeed, hashString } from './random';
export type { Rng } from './random';
export { DEFAULT_MODEL_PARAMETERS, parseTeamModel, resolveTeamModel, validateTeamModel } from './team-model';
export type {
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
} from './team-model';
export { SIMULATION_EPOCH_MS, simulateRun } from './simulate-run';
export type { SimulateRunOptions } from './simulate-run';
export { DEFAULT_RUN_SPACING_MS, generateRuns } from './generate-runs';
export type { GenerateRunsOptions } from './generate-runs';
export { SimulatedTeamRunner } from './simulated-team-runner';
export type { SimulatedTeamRunnerOptions } from './simulated-team-runner';
export { listScenarios, loadScenario, parseScenario, scenarioConfigWith, scenarioDirectory } from './scenario';
export type { Scenario, ScenarioExpectation } from './scenario';
export { generateScenario } from './generated-scenario';
export type { GenerateScenarioOptions } from './generated-scenario';
export { modelFromConfig } from './model-from-config';
export type { ModelFromConfigOptions } from './model-from-config';
export { enumerateConfigs, expectedPerformance, findBestConfig, improvementPercent } from './config-space';
export type { BestConfigOptions, ConfigSpace, ExpectedPerformance, ExpectedPerformanceOptions, RankedConfig } from './config-space';
