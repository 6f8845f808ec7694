// The public surface of @autotune/cli, listed by name: what a program needs to run the command in-process
// (runCli with its own terminal), its exit codes and errors, and the project config file's API. The
// formatting, progress, colour, escaping, limits and timeout helpers are the command's own and not API.
export { createProgram, runCli } from './program';
export type { GlobalOptions } from './program';
export { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes';
export type { ExitCode } from './exit-codes';
export { CliError, signalExitCode } from './errors';
export type { CliErrorCode, InterruptSignal } from './errors';
export { exitCodeOf } from './report-error';
export { CONFIG_FILE_NAMES, findProjectConfig, loadProjectConfig, validateProjectConfig, checkScriptConfigTrusted } from './project-config';
export type { ProjectConfig, LoadedProjectConfig, RunnerSetting, ConfigSearchOptions } from './project-config';
export { processTerminal } from './terminal';
export type { Terminal, OutputStream } from './terminal';
