export { createProgram, runCli } from './program';
export type { GlobalOptions } from './program';
export { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes';
export type { ExitCode } from './exit-codes';
export { CliError, signalExitCode } from './errors';
export type { CliErrorCode, InterruptSignal } from './errors';
export { exitCodeOf } from './report-error';
export { parseDuration, formatDuration } from './duration';
export { CONFIG_FILE_NAMES, findProjectConfig, loadProjectConfig, validateProjectConfig, checkScriptConfigTrusted } from './project-config';
export type { ProjectConfig, LoadedProjectConfig, RunnerSetting, ConfigSearchOptions } from './project-config';
export { loadStrategyPackage } from './strategy-packages';
export type { LoadedStrategy } from './strategy-packages';
export {
  banner,
  severityBar,
  formatInsight,
  formatAnalysis,
  formatSuggestion,
  formatSuggestionList,
  formatVerdict,
  formatHistory,
  PRIORITY_ICONS,
} from './format';
export type { SuggestionView, VerdictView, ArmView, HistoryView } from './format';
export { ProgressBar, renderProgressLine } from './progress';
export { colorEnabled, makeColors, processTerminal } from './terminal';
export { escapeControlCharacters, safeTerminal } from './safe-text';
export { COUNT_LIMITS, MAX_DURATION_MS } from './limits';
export { defaultTrialTimeout, FALLBACK_TRIAL_TIMEOUT_MS, TRIAL_TIMEOUT_P99_FACTOR, MIN_TRIAL_TIMEOUT_MS } from './trial-timeout';
export type { Terminal, OutputStream, Colors } from './terminal';
