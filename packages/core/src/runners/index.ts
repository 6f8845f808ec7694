// Trial runners: how an experiment runs a team once under a config.
export { CommandRunner } from './command-runner';
export type { CommandRunnerOptions } from './command-runner';
export { FunctionRunner } from './function-runner';
export type { FunctionRunnerOptions, TeamFunction } from './function-runner';
export { splitCommand } from './split-command';
export { completeRecord } from './complete-record';
export type { TrialFacts } from './complete-record';
