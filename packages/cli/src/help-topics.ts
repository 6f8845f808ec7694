// References that ship inside the CLI, so that `autotune help runner` and `autotune help config` answer on a
// machine that has only the installed package (the docs folder is not in it). docs/cli.md has the longer
// version of both; the CLI's tests check that every config field the loader accepts is listed here.

/** The topics of `autotune help <topic>`, each a plain-text reference of at most 100 columns. */
export const HELP_TOPICS = {
  runner: `How trials run: the runner contract

An A/B test runs the team for real, so the commands that test (apply with A/B testing, benchmark, validate,
watch) need one of:

  --runner "CMD ARGS"   a command run once per trial (or "runner" in autotune.config.*)
  --simulate [SCENARIO] the built-in simulator: a shipped scenario, a scenario file, or (no value) a model
                        built from the workflow file and calibrated to --metrics

A runner command runs without a shell (the string is split into argv, quotes respected; |, > and $VAR are
plain text), in the working directory (or the config file's folder for "runner" there). For each trial:

1. autotune writes the trial's team config to a temporary JSON file, in the snake_case shape of your
   workflow file: formation, member_count, tool_budget, timeout_seconds, members, and any keys
   of your own as they are;
2. it runs the command with these environment variables:
     AUTOTUNE_CONFIG    path of that JSON file
     AUTOTUNE_TEAM_ID   the team id
     AUTOTUNE_TRIAL     0-based trial number
     AUTOTUNE_ARM       baseline or candidate
     AUTOTUNE_SEED      a seed, for commands that draw random numbers
3. if the last non-empty line of the command's stdout is a JSON execution record (autotune's camelCase
   or the original snake_case shape, whole or partial), that record is the trial's result; a record
   with a wrong field fails the trial, naming the field. Otherwise the process is timed and exit code 0
   counts as success;
4. what the record lacks is filled in: team id, execution id, start time and duration, success from the
   exit code, and the config's formation, member count, tool budget and timeout;
5. the temporary files are always removed. On a timeout or Ctrl-C the whole process group is killed.

A command that does not exist fails before the first trial.

A team script needs only this (run-team.js):

  const config = JSON.parse(require('node:fs').readFileSync(process.env.AUTOTUNE_CONFIG, 'utf8'));
  // ... run the team with config.formation, config.member_count, config.members ...
  console.log(JSON.stringify({ success: true, toolCalls: 12, costUsd: 0.31 })); // optional record

  autotune apply --config workflow.yaml --metrics metrics.jsonl --auto --runner "node run-team.js"

In code (@autotune/core), CommandRunner is this contract; FunctionRunner instead calls a function in the
same process with the camelCase TeamConfig (formation, memberCount, toolBudget, timeoutSeconds, members).
`,
  config: `The config file: autotune.config.{json,yaml,yml,js,cjs,mjs}

The nearest one, looking in the working directory and then each parent folder, holds the project's
settings. Two in one folder is an error. Flags win over it; relative paths in it are relative to its
folder. A JavaScript file exports the settings object (module.exports = {...} or export default {...}) or
a function (maybe async) returning it. Unknown fields are refused, with the known ones listed.

Fields (all optional):
  teamId             string        default --team-id
  workflow           string        default --config (the workflow file)
  metrics            string[]      default --metrics (a string is one file)
  db                 string        default --db (SQLite history, experiments and records)
  runner             string, string[] or { command, cwd?, env? }
                                   default --runner (see: autotune help runner)
  baselines          object        the analyzer's healthy team: durationSeconds (30), p95Seconds (60),
                                   successRate (0.95), toolCalls (15), perMemberSeconds (30),
                                   formationSeconds ({ parallel: 40, ... })
  thresholds         object        the analyzer's detection thresholds (docs/analyzer.md)
  minRuns            number        fewest runs behind an insight (5)
  abTestThreshold    number        default --threshold: minimum improvement to pass, percent (5)
  runsPerArm         number        default --runs: runs per arm of each A/B test (10)
  alpha              number        significance level of A/B tests (0.05)
  autoRollback       boolean       revert changes that regress (true)
  earlyStopping      boolean       stop A/B tests once the answer is clear (false; runsPerArm >= 20)
  minConfidence      number        drop suggestions below this confidence (0.6)
  seed               number        seed of the A/B randomisation, for reproducible runs
  concurrency        number        trials run at once (1)
  trialTimeout       "10m" or ms   per-trial timeout (none beyond the runner's own)
  taskType           string        quick_exploration, standard_development, complex_features or
                                   large_refactoring (the tool-budget strategy's range)
  strategies         string[]      strategy packages (names, or paths relative to this file), added to
                                   the six built-in strategies
  builtinStrategies  boolean       false: only the strategies of "strategies" (true)
  strategyOptions    object        options by strategy name (handed to strategies), or by package name
                                   (handed to that package's factory)
  formations         string[]      formations beyond the built-in five that metrics records and
                                   workflow files may name (the original's legacy reflection,
                                   adaptive, hybrid); others are an error
  trials             "local"|"queue"  where A/B and tune trials run: here (local, default) or on
                                   autotune worker processes through the PostgreSQL db (queue)
  searchSpace        object        what autotune tune may change: formations, memberCount, toolBudget,
                                   timeoutSeconds ({ min, max } or { levels }), frozen, keepMembers
  otlp               object        how OpenTelemetry traces become runs: runSpans (auto |
                                   invoke_workflow), graceSeconds (30), maxOpenTraces (10000), teams
                                   ({ <id>: { formation, memberCount, toolBudget, timeoutSeconds } })

Example (autotune.config.yaml):

  teamId: code_review_team
  workflow: workflows/review.yaml
  metrics: [metrics/review.jsonl]
  runner: node scripts/run-team.js
  runsPerArm: 20
  strategies: ["@acme/cost-cap-strategy"]
  strategyOptions:
    "@acme/cost-cap-strategy": { maxCostPerRunUsd: 0.5 }

A strategy package may export a strategy, an array of them or a factory as its default export or as
"strategies"/"strategy", or named exports ending in "Strategy" (export function costCapStrategy(options)).
`,
} as const;

/** A topic of `autotune help <topic>`. */
export type HelpTopic = keyof typeof HELP_TOPICS;

/** True when `name` is a help topic (not a command). */
export function isHelpTopic(name: string): name is HelpTopic {
  return Object.prototype.hasOwnProperty.call(HELP_TOPICS, name);
}
