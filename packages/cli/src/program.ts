// The command tree. It loads nothing heavy: each action `require`s its command module only when it runs,
// so `autotune --help` starts without the statistics, the strategies or the database driver.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTCOME_METRICS } from '@autotune/metrics';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes';
import { MIN_RUNS_PER_ARM_FLAG, runsPerArm, sameOutputFlag } from './flag-checks';
import { addHelp } from './help-command';
import { errorAsJson } from './json-error';
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

function nonNegativeNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a number of at least 0, got "${value}"`);
    return n;
  };
}

/** `--threads`: "auto" or a whole number from 1 to 256. */
function threadCount(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : boundedInt('--threads', 1, 256)(value);
}

function percent(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`--threshold expects a percentage of at least 0 (e.g. 5), got "${value}"`);
  return n;
}

/** Options every command accepts, whatever it does. */
export interface GlobalOptions {
  verbose?: boolean;
}

/**
 * The `autotune` program. `onExit` receives the exit code a command action decided; errors thrown by an
 * action propagate to the caller (see {@link runCli}).
 */
/** Commands whose main product is a file they write: they read `--out` (`--output` is its other spelling). */
const OUT_COMMANDS = new Set(['simulate', 'receive', 'report']);

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
      `\nSettings come from the nearest autotune.config.{json,yaml,js,cjs,mjs} above the working directory;\nflags win over it. See "autotune help config"; how trials run: "autotune help runner".\n\n${EXIT_CODES_HELP}\n`,
    );

  // Each action resolves its module lazily; `load` keeps the require paths literal for bundlers and tsc.
  const run =
    <F>(load: () => (flags: F, terminal: Terminal) => Promise<number>) =>
    async (options: Record<string, unknown>, command: Command) => {
      // Commander has checked required options and parsed values; the command's flag type describes them.
      onExit(await load()(sameOutputFlag({ ...command.optsWithGlobals(), ...options }, OUT_COMMANDS.has(command.name()) ? 'out' : 'output') as F, terminal));
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
  const runner = () => new Option('--runner <command>', 'command that runs the team once per trial, e.g. "node run-team.js" (what it receives and prints: autotune help runner)');
  const simulate = () => new Option('--simulate [scenario]', 'run trials in the built-in simulator: a scenario name or file, or a model built from the workflow (and --metrics)');
  const runs = () => new Option('--runs <n>', `runs per arm of each A/B test, at least ${MIN_RUNS_PER_ARM_FLAG} (default 10)`).argParser(runsPerArm);
  const threshold = () => new Option('--threshold <pct>', 'minimum improvement, percent, for a change to pass (default 5)').argParser(percent);
  const earlyStop = () => new Option('--early-stop', 'stop each A/B test at an interim look (every 10 runs per arm) once the answer is clear; use with --runs 20 or more');
  const seed = () => new Option('--seed <n>', 'seed of the A/B randomisation, for reproducible runs').argParser(boundedInt('--seed', 0, COUNT_LIMITS.seed));
  const force = () => new Option('--force', 'write the workflow file even when it is read-only');
  const output = () => new Option('-o, --output <file>', 'also write the JSON report to this file (--out works too)');
  // The other spelling of the same flag, so that --out and --output work alike on every command that writes a file.
  const outAlias = (flag: '--out' | '--output') => new Option(`${flag} <file>`).hideHelp();
  const report = () => new Option('--report <file>', "also write the team's report of this run: .html (self-contained page), .md (pull-request Markdown) or .json");

  program
    .command('analyze')
    .description('find the bottlenecks in a team\'s recorded runs')
    .addOption(teamId())
    .addOption(metrics())
    .addOption(lenient())
    .addOption(
      new Option('--threads <n>', 'threads for large JSON Lines (records or OTLP) and JSON array metrics files, this one and n - 1 workers: a number or "auto" (default: one per core from 64 MiB)').argParser(threadCount),
    )
    .addOption(output())
    .addOption(outAlias('--out'))
    .addOption(json())
    .action(run(() => (require('./commands/analyze') as typeof import('./commands/analyze')).analyzeCommand));

  program
    .command('suggest')
    .description('prioritised config changes for a team, with expected improvement, confidence and risk')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (YAML or JSON; default: "workflow" of the config file)')
    .addOption(metrics())
    .addOption(lenient())
    .addOption(new Option('--db <file>', 'also use the runs recorded in this SQLite database (without it, suggest opens no database)'))
    .addOption(output())
    .addOption(outAlias('--out'))
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
    .addOption(report())
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
    .addOption(force())
    .addOption(queue())
    .addOption(report())
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
    .addOption(new Option('--metric <metric>', 'what to compare').choices(OUTCOME_METRICS).default('duration'))
    .addOption(seed())
    .addOption(db())
    .addOption(queue())
    .addOption(report())
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
    .addOption(report())
    .addOption(json())
    .action(run(() => (require('./commands/validate') as typeof import('./commands/validate')).validateCommand));

  program
    .command('rollback')
    .description('undo an applied change (and every later one), restoring the workflow file byte for byte')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (default: the file recorded in the history)')
    .addOption(new Option('--index <n>', 'which applied change: 0 is the latest').argParser(boundedInt('--index', 0, COUNT_LIMITS.historyIndex)))
    .option('--apply <id>', 'undo one whole apply: the id its undo hint printed, or latest for the latest apply (every change it kept, and any later one)')
    .option('--list', 'list the history with the index of each applied change; change nothing')
    .addOption(force())
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
    .addOption(new Option('--concurrency <n>', 'trials run at once (default 1)').argParser(boundedInt('--concurrency', 1, COUNT_LIMITS.concurrency)))
    .addOption(new Option('-t, --team-id <id>', 'only this team\'s trials (default: every team\'s)'))
    .action(run(() => (require('./commands/worker') as typeof import('./commands/worker')).workerCommand));

  program
    .command('history')
    .description('every change tried for a team, newest first, with its verdict and status')
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (locates the default database)')
    .addOption(db())
    .addOption(new Option('-n, --limit <n>', 'only the newest N entries (default: all)').argParser(boundedInt('--limit', 1, COUNT_LIMITS.historyIndex)))
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
    .command('report')
    .description("a team's runs, experiments, history and insights as one self-contained HTML page, or Markdown for a pull request")
    .addOption(teamId())
    .option('-c, --config <file>', 'the workflow file (locates the default database)')
    .addOption(db())
    .addOption(metrics())
    .addOption(lenient())
    .option('--out <file>', 'the file to write (without it, --format md or json prints on stdout)')
    .addOption(outAlias('--output'))
    .addOption(new Option('--format <format>', 'html, md (GitHub-flavoured Markdown) or json (the document both are rendered from); default from --out\'s extension, else html').choices(['html', 'md', 'json']))
    .action(run(() => (require('./commands/report') as typeof import('./commands/report')).reportCommand));

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
    .option('-o, --out <file>', 'the metrics file to write (--output works too)')
    .addOption(outAlias('--output'))
    .addOption(json())
    .action(run(() => (require('./commands/simulate') as typeof import('./commands/simulate')).simulateCommand));

  program
    .command('receive')
    .description('receive OpenTelemetry traces over OTLP/HTTP JSON (from a Collector or an SDK exporter) and record each team run')
    .addOption(new Option('--port <n>', 'port to listen on (default 4318; 0 picks a free one)').argParser(boundedInt('--port', 0, 65535)))
    .option('--host <address>', 'address to bind (default 127.0.0.1, loopback only; 0.0.0.0 accepts other machines)')
    .option('--out <file>', 'append each run to this JSON Lines metrics file')
    .addOption(outAlias('--output'))
    .addOption(new Option('--db <file>', 'also store each run in this SQLite database'))
    .addOption(new Option('--grace-seconds <s>', 'seconds a run stays open after its span ends, for spans exported later (default 30)').argParser(nonNegativeNumber('--grace-seconds')))
    .addOption(new Option('--run-spans <rule>', 'which span is a run: auto (invoke_workflow, else the trace root) or invoke_workflow').choices(['auto', 'invoke_workflow']))
    .addOption(new Option('--max-body-mb <mb>', 'largest request body accepted, in MiB (default 16)').argParser(nonNegativeNumber('--max-body-mb')))
    .addOption(json())
    .addHelpText('after', '\nExamples:\n  autotune receive --out runs.jsonl\n  OTEL_EXPORTER_OTLP_PROTOCOL=http/json OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node agents.js\n  autotune receive --port 4318 --db .autotune/autotune.db --grace-seconds 60\n')
    .action(run(() => (require('./commands/receive') as typeof import('./commands/receive')).receiveCommand));

  addHelp(program, terminal);
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
    const json = argv.includes('--json');
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT_CODES.SUCCESS;
      if (json) terminal.stdout.write(`${JSON.stringify(errorAsJson(err))}\n`);
      return EXIT_CODES.USAGE;
    }
    const code = reportError(err, terminal.stderr, argv.includes('--verbose'));
    if (json) terminal.stdout.write(`${JSON.stringify(errorAsJson(err))}\n`);
    return code;
  }
}
