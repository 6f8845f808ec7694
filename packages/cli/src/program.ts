// The command tree. It loads nothing heavy: each action `require`s its command module only when it runs,
// so `autotune --help` starts without the statistics, the strategies or the database driver.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes';
import { COUNT_LIMITS } from './limits';
import { reportError } from './report-error';
import { safeTerminal } from './safe-text';
import { processTerminal, type Terminal } from './terminal';

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A whole number in [min, max], or a usage error naming the flag and the range. */
function boundedInt(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} expects a whole number of at least ${min}, got "${value}"`);
    }
    if (n > max) throw new InvalidArgumentError(`${flag} must be at most ${max.toLocaleString('en-US')}, got "${value}"`);
    return n;
  };
}

function percent(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`--threshold expects a percentage of at least 0 (e.g. 5), got "${value}"`);
  return n;
}

const METRICS = ['duration', 'cost', 'success_rate'] as const;

/** Options every command accepts, whatever it does. */
export interface GlobalOptions {
  verbose?: boolean;
}

/**
 * The `autotune` program. `onExit` receives the exit code a command action decided; errors thrown by an
 * action propagate to the caller (see {@link runCli}).
 */
export function createProgram(terminal: Terminal = processTerminal(), onExit: (code: number) => void = () => undefined): Command {
  const program = new Command('autotune')
    .description('Measure, tune and safely roll out agent team workflow changes')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces with errors')
    .exitOverride()
    // Usage errors read like every other error: "autotune: ..." on one line.
    .configureOutput({
      writeOut: (s) => terminal.stdout.write(s),
      writeErr: (s) => terminal.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'autotune: ')),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nSettings come from the nearest autotune.config.{json,yaml,js,cjs,mjs} above the working directory;\nflags win over it. See docs/cli.md.\n\n${EXIT_CODES_HELP}\n`,
    );

  // Each action resolves its module lazily; `load` keeps the require paths literal for bundlers and tsc.
  const run =
    <F>(load: () => (flags: F, terminal: Terminal) => Promise<number>) =>
    async (options: Record<string, unknown>, command: Command) => {
      // Commander has checked required options and parsed values; the command's flag type describes them.
      onExit(await load()({ ...command.optsWithGlobals(), ...options } as F, terminal));
    };

  const teamId = () => new Option('-t, --team-id <id>', 'team to work on (default: the config file\'s teamId, or the only team)');
  const json = () => new Option('--json', 'print machine-readable JSON only on stdout; messages go to stderr');
  const db = () =>
    new Option(
      '--db <file-or-url>',
      'SQLite database file, or a postgres://user@host/db URL shared by many machines (default: AUTOTUNE_DB, else .autotune/autotune.db beside the workflow file, else in the working directory)',
    );
  const queue = () => new Option('--queue', 'send the trials to `autotune worker` processes through the PostgreSQL --db instead of running them here');
  const metrics = () => new Option('-m, --metrics <files...>', 'metrics files (JSON, JSON Lines, OTLP, original snake_case); several merge');
  const lenient = () => new Option('--lenient', 'skip malformed metrics records instead of stopping at the first');
  const runner = () => new Option('--runner <command>', 'command that runs the team once per trial, e.g. "node run-team.js" (config path in $AUTOTUNE_CONFIG)');
  const simulate = () => new Option('--simulate [scenario]', 'run trials in the built-in simulator: a scenario name or file, or a model built from the workflow (and --metrics)');
  const runs = () => new Option('--runs <n>', 'runs per arm of each A/B test (default 10)').argParser(boundedInt('--runs', 1, COUNT_LIMITS.runsPerArm));
  const threshold = () => new Option('--threshold <pct>', 'minimum improvement, percent, for a change to pass (default 5)').argParser(percent);
  const earlyStop = () => new Option('--early-stop', 'stop each A/B test at an interim look (every 10 runs per arm) once the answer is clear; use with --runs 20 or more');
  const seed = () => new Option('--seed <n>', 'seed of the A/B randomisation, for reproducible runs').argParser(boundedInt('--seed', 0, COUNT_LIMITS.seed));
  const force = () => new Option('--force', 'write the workflow file even when it is read-only');
  const output = () => new Option('-o, --output <file>', 'also write the JSON report to this file');

  program
    .command('analyze')
    .description('find the bottlenecks in a team\'s recorded runs')
    .addOption(teamId())
    .addOption(metrics())
    .addOption(lenient())
    .addOption(output())
    .addOption(json())
    .action(run(() => (require('./commands/analyze') as typeof import('./commands/analyze')).analyzeCommand));

  program
    .command('suggest')
    .description('prioritised config changes for a team, with expected improvement, confidence and risk')
    .addOption(teamId())
    .requiredOption('-c, --config <file>', 'the workflow file (YAML or JSON)')
    .addOption(metrics())
    .addOption(lenient())
    .addOption(new Option('--db <file>', 'also use the runs recorded in this SQLite database (without it, suggest opens no database)'))
    .addOption(output())
    .addOption(json())
    .action(run(() => (require('./commands/suggest') as typeof import('./commands/suggest')).suggestCommand));

  program
    .command('apply')
    .description('A/B-test suggestions and write the ones that pass into the workflow file (with a backup)')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file to change (YAML or JSON)')
    .addOption(metrics())
    .addOption(lenient())
    .option('-i, --interactive', 'ask before each suggestion: y(es), n(o), v(iew in full), q(uit)')
    .option('-a, --auto', 'consider every suggestion; keep those that pass their A/B test')
    .option('--ab-test', 'validate each change with an A/B test before keeping it (the default)')
    .option('--no-ab-test', 'apply without A/B testing (validation status "skipped")')
    .option('--dry-run', 'show what would change; run nothing, write nothing')
    .addOption(runner())
    .addOption(simulate())
    .addOption(runs())
    .addOption(earlyStop())
    .addOption(threshold())
    .addOption(seed())
    .addOption(db())
    .addOption(queue())
    .option('--no-backup', 'do not keep a backup of the workflow file')
    .addOption(force())
    .addOption(json())
    .action(run(() => (require('./commands/apply') as typeof import('./commands/apply')).applyCommand));

  program
    .command('tune')
    .description('search for a better config: race candidate configs, confirm the winner with a fresh A/B test, climb within a budget of runs')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file to tune (YAML or JSON)')
    .addOption(metrics())
    .addOption(lenient())
    .addOption(new Option('--budget <runs>', 'runs the tune may spend in all, race and confirm tests (default 150)').argParser(boundedInt('--budget', 1, COUNT_LIMITS.runsPerArm)))
    .addOption(new Option('--objective <metric>', 'what to minimise; success rate is always a constraint').choices(['duration', 'cost']).default('duration'))
    .addOption(runner())
    .addOption(simulate())
    .addOption(threshold())
    .addOption(seed())
    .addOption(db())
    .option('--dry-run', 'run the race and the confirm tests, but write nothing (no file, no history)')
    .option('--no-backup', 'do not keep a backup of the workflow file')
    .addOption(json())
    .action(run(() => (require('./commands/tune') as typeof import('./commands/tune')).tuneCommand));

  program
    .command('benchmark')
    .description('run two workflow configs for real, interleaved, and compare them statistically')
    .requiredOption('--before <file>', 'workflow file of the baseline')
    .requiredOption('--after <file>', 'workflow file of the candidate')
    .addOption(teamId())
    .addOption(metrics())
    .addOption(lenient())
    .addOption(runner())
    .addOption(simulate())
    .addOption(runs())
    .addOption(earlyStop())
    .addOption(threshold())
    .addOption(new Option('--metric <metric>', 'what to compare').choices(METRICS).default('duration'))
    .addOption(seed())
    .addOption(db())
    .addOption(queue())
    .addOption(json())
    .action(run(() => (require('./commands/benchmark') as typeof import('./commands/benchmark')).benchmarkCommand));

  program
    .command('validate')
    .description('A/B-test the latest applied change against the config before it (rolls it back if it fails)')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (locates the default database)')
    .addOption(metrics())
    .addOption(lenient())
    .addOption(runner())
    .addOption(simulate())
    .addOption(runs())
    .addOption(earlyStop())
    .addOption(threshold())
    .addOption(seed())
    .option('--no-auto-rollback', 'report a failure without rolling the change back')
    .addOption(db())
    .addOption(queue())
    .addOption(json())
    .action(run(() => (require('./commands/validate') as typeof import('./commands/validate')).validateCommand));

  program
    .command('rollback')
    .description('undo an applied change (and every later one), restoring the workflow file byte for byte')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (default: the file recorded in the history)')
    .addOption(new Option('--index <n>', 'which applied change: 0 is the latest').argParser(boundedInt('--index', 0, COUNT_LIMITS.historyIndex)))
    .option('--apply <id>', 'undo one whole apply: the id its undo hint printed (every change it kept, and any later one)')
    .option('--list', 'list the history with the index of each applied change; change nothing')
    .addOption(db())
    .addOption(json())
    .action(run(() => (require('./commands/rollback') as typeof import('./commands/rollback')).rollbackCommand));

  program
    .command('unlock')
    .description("remove a team's lock left by an apply or rollback that died (asks first)")
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (locates the default database)')
    .option('-y, --yes', 'remove the lock without asking (needed when stdin is not a terminal)')
    .addOption(db())
    .addOption(json())
    .action(run(() => (require('./commands/unlock') as typeof import('./commands/unlock')).unlockCommand));

  program
    .command('worker')
    .description('run trials that coordinators (--queue) put on the PostgreSQL queue, with this machine\'s runner')
    .addOption(db())
    .addOption(runner())
    .addOption(simulate())
    .addOption(new Option('--concurrency <n>', 'trials run at once (default 1)').argParser(boundedInt('--concurrency', 1, 256)))
    .addOption(new Option('-t, --team-id <id>', 'only this team\'s trials (default: every team\'s)'))
    .action(run(() => (require('./commands/worker') as typeof import('./commands/worker')).workerCommand));

  program
    .command('history')
    .description('every change tried for a team, newest first, with its verdict and status')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (locates the default database)')
    .addOption(db())
    .addOption(json())
    .action(run(() => (require('./commands/history') as typeof import('./commands/history')).historyCommand));

  program
    .command('watch')
    .description('continuous auto-tuning: every interval, check the live change for regression, then tune again')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file to tune (re-read each cycle)')
    .addOption(force())
    .addOption(metrics())
    .addOption(lenient())
    .option('--interval <duration>', 'time between cycles: 30s, 15m, 24h, 1h30m ...', '24h')
    .addOption(runner())
    .addOption(simulate())
    .addOption(runs())
    .addOption(earlyStop())
    .addOption(threshold())
    .addOption(seed())
    .addOption(db())
    .addOption(json())
    .action(run(() => (require('./commands/watch') as typeof import('./commands/watch')).watchCommand));

  program
    .command('simulate')
    .description('write a metrics file of simulated runs (a scenario, or a model built from the workflow file), to try autotune without an LLM bill')
    .option('--scenario <name>', 'a built-in scenario name or a scenario file (see --list)')
    .option('--list', 'list the built-in scenarios')
    .addOption(teamId())
    .option('-c, --config <file>', 'simulate this workflow file\'s team config (default: the scenario\'s own)')
    .addOption(new Option('--runs <n>', 'how many runs (default 40)').argParser(boundedInt('--runs', 1, COUNT_LIMITS.simulatedRuns)))
    .addOption(seed())
    .addOption(new Option('--format <format>', 'jsonl (autotune records) or original (the Python tool\'s snake_case JSON array)').choices(['jsonl', 'original']).default('jsonl'))
    .option('--out <file>', 'the metrics file to write')
    .addOption(json())
    .action(run(() => (require('./commands/simulate') as typeof import('./commands/simulate')).simulateCommand));

  return program;
}

/**
 * Runs the `autotune` command line and resolves with the process exit code; never throws. Errors print
 * as one line on stderr (with the stack under `--verbose`). Control characters in anything printed are
 * escaped (see `escapeControlCharacters`).
 */
export async function runCli(argv: readonly string[], rawTerminal: Terminal = processTerminal()): Promise<number> {
  // Every byte printed goes through one escaper: input data must not drive the user's terminal.
  const terminal = safeTerminal(rawTerminal);
  let code: number = EXIT_CODES.SUCCESS;
  const program = createProgram(terminal, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CODES.SUCCESS : EXIT_CODES.USAGE;
    return reportError(err, terminal.stderr, argv.includes('--verbose'));
  }
}
