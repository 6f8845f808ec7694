// What every command needs once it runs: the project config, output channels, the analyzer with the
// user's metrics, the database, the trial runner, the autotuner. Loaded only by command modules, never at
// start-up, so that `--help` pays for none of it.
import type { PerformanceAnalyzer } from '@autotune/analyzer';
import type { TrialRunner } from '@autotune/abtest';
import type { AutotunerOptions, AutotuneStore, PerformanceAutotuner, WorkflowFile } from '@autotune/core';
import type { TeamStats } from '@autotune/metrics';
import type { OptimizationStrategy, TeamConfig } from '@autotune/strategies';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration } from './duration';
import { CliError } from './errors';
import { loadProjectConfig, type LoadedProjectConfig, type RunnerSetting } from './project-config';
import { loadStrategyPackage } from './strategy-packages';
import { colorEnabled, makeColors, type Colors, type Terminal } from './terminal';

/** Flags shared by several commands, as commander parses them. */
export interface CommonFlags {
  teamId?: string;
  config?: string;
  metrics?: string[];
  lenient?: boolean;
  json?: boolean;
  verbose?: boolean;
  db?: string;
  runner?: string;
  simulate?: string | boolean;
  runs?: number;
  threshold?: number;
  seed?: number;
  output?: string;
  autoRollback?: boolean;
  earlyStop?: boolean;
}

/** One command's run: its terminal, flags, project settings, and the resources it opened. */
export class Session {
  /** Colours for stdout (off unless stdout is a terminal and NO_COLOR is unset). */
  readonly colors: Colors;
  /** Colours for stderr. */
  readonly errColors: Colors;
  private readonly closers: Array<() => void | Promise<void>> = [];
  /** Records read from each metrics file so far, so that `watch` can pick up only what was appended. */
  readonly loadedRecords = new Map<string, number>();

  private constructor(
    readonly terminal: Terminal,
    readonly flags: CommonFlags,
    readonly project: LoadedProjectConfig,
  ) {
    this.colors = makeColors(!flags.json && colorEnabled(terminal.stdout, terminal.env));
    this.errColors = makeColors(colorEnabled(terminal.stderr, terminal.env));
  }

  /** Loads the project config found above the working directory. */
  static async open(terminal: Terminal, flags: CommonFlags): Promise<Session> {
    return new Session(terminal, flags, await loadProjectConfig(terminal.cwd));
  }

  /** The human report: stdout normally; nothing with `--json`, whose stdout holds JSON only. */
  print(text: string): void {
    if (!this.flags.json) this.terminal.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A message about the run (not its result): stderr, so that stdout stays clean for pipes. */
  note(text: string): void {
    this.terminal.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Where interactive output goes: stdout, or stderr under `--json`. */
  get interactiveStream() {
    return this.flags.json ? this.terminal.stderr : this.terminal.stdout;
  }

  /** The JSON result: on stdout under `--json`, and into `--output FILE` when given. */
  emitJson(value: unknown): void {
    const text = `${JSON.stringify(value, jsonReplacer, 2)}\n`;
    if (this.flags.output) {
      const path = this.resolveCwd(this.flags.output);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      } catch (err) {
        throw new CliError('CLI_INPUT', `--output ${this.flags.output}: cannot write the report (${(err as Error).message})`, { cause: err });
      }
      if (!this.flags.json) this.note(`Report written to ${path}`);
    }
    if (this.flags.json) this.terminal.stdout.write(text);
  }

  /** A path from the command line, against the working directory. */
  resolveCwd(path: string): string {
    return resolve(this.terminal.cwd, path);
  }

  /** A path from the config file, against the config file's folder. */
  resolveProject(path: string): string {
    return resolve(this.project.dir, path);
  }

  /** `--team-id`, else the config file's `teamId`. */
  get teamId(): string | undefined {
    return this.flags.teamId ?? this.project.config.teamId;
  }

  /** `--team-id` (or the config file's), or a usage error naming the flag. */
  requireTeamId(): string {
    const id = this.teamId;
    if (!id) throw new CliError('CLI_USAGE', 'missing --team-id (or set "teamId" in autotune.config.*)');
    return id;
  }

  /** The workflow file: `--config`, else the config file's `workflow`. */
  get workflowPath(): string | undefined {
    if (this.flags.config) return this.resolveCwd(this.flags.config);
    return this.project.config.workflow ? this.resolveProject(this.project.config.workflow) : undefined;
  }

  /** The workflow file's path, or a usage error. */
  requireWorkflowPath(): string {
    const path = this.workflowPath;
    if (!path) throw new CliError('CLI_USAGE', 'missing --config FILE (the workflow file; or set "workflow" in autotune.config.*)');
    return path;
  }

  /** Metrics files: `--metrics`, else the config file's `metrics`. */
  get metricsPaths(): string[] {
    if (this.flags.metrics && this.flags.metrics.length > 0) return this.flags.metrics.map((p) => this.resolveCwd(p));
    return (this.project.config.metrics ?? []).map((p) => this.resolveProject(p));
  }

  /** Loads and checks a workflow file; the team id picks the team when the file holds several. */
  async loadWorkflow(path: string, teamId?: string): Promise<WorkflowFile> {
    const { loadWorkflowFile } = require('@autotune/core') as typeof import('@autotune/core');
    if (!existsSync(path)) throw new CliError('CLI_INPUT', `${path}: workflow file not found`);
    return loadWorkflowFile(path, teamId);
  }

  /** An analyzer with the project's baselines and thresholds, holding every metrics file's records. */
  async analyzer(paths: string[] = this.metricsPaths): Promise<PerformanceAnalyzer> {
    const { PerformanceAnalyzer } = require('@autotune/analyzer') as typeof import('@autotune/analyzer');
    const { baselines, thresholds, minRuns, alpha } = this.project.config;
    const options: Record<string, unknown> = {};
    if (baselines) options.baselines = baselines;
    if (thresholds) options.thresholds = thresholds;
    if (minRuns !== undefined) options.minRuns = minRuns;
    if (alpha !== undefined) options.alpha = alpha;
    const analyzer = new PerformanceAnalyzer(options as ConstructorParameters<typeof PerformanceAnalyzer>[0]);
    for (const path of paths) {
      if (!existsSync(path)) throw new CliError('CLI_INPUT', `${path}: metrics file not found`);
      const report = await analyzer.loadMetricsFromFile(path, { lenient: this.flags.lenient === true });
      this.loadedRecords.set(path, report.records);
      if (report.skipped > 0) {
        const first = report.firstSkips[0];
        this.note(`${path}: skipped ${report.skipped} malformed record(s) (--lenient)${first ? `; first: ${first.reason}` : ''}`);
      }
    }
    return analyzer;
  }

  /**
   * The team to work on: `--team-id`, the config file's, or the only team of the metrics. With several
   * teams and no id, a usage error lists them.
   */
  pickTeam(analyzer: PerformanceAnalyzer): string {
    const id = this.teamId;
    if (id) return id;
    const teams = analyzer.listTeams();
    if (teams.length === 1) return teams[0];
    if (teams.length === 0) throw new CliError('CLI_INPUT', 'the metrics hold no runs; pass --metrics FILE with recorded runs');
    throw new CliError('CLI_USAGE', `missing --team-id: the metrics hold ${teams.length} teams (${teams.join(', ')})`);
  }

  /** The database path: `--db`, the config file's `db`, else `.autotune/autotune.db` beside the workflow file or in the working directory. */
  databasePath(workflowPath?: string): string {
    if (this.flags.db) return this.resolveCwd(this.flags.db);
    if (this.project.config.db) return this.resolveProject(this.project.config.db);
    return resolve(workflowPath ? dirname(workflowPath) : this.terminal.cwd, '.autotune', 'autotune.db');
  }

  /**
   * Opens the SQLite store. `mustExist` is for commands that only read state (history, rollback,
   * validate): a missing database there means the wrong folder or `--db`, not an empty history.
   */
  openStore(workflowPath: string | undefined, options: { mustExist?: boolean } = {}): { store: AutotuneStore; path: string } {
    const path = this.databasePath(workflowPath);
    if (options.mustExist && !existsSync(path)) {
      throw new CliError('CLI_INPUT', `no autotune database at ${path}: nothing has been applied from here yet (pass --db FILE, or --config FILE to look beside that workflow file)`);
    }
    mkdirSync(dirname(path), { recursive: true });
    // The driver is a native module: load it only for the commands that keep state.
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const { SqliteStore } = require('@autotune/core') as typeof import('@autotune/core');
    let db: InstanceType<typeof Database>;
    try {
      db = new Database(path);
    } catch (err) {
      throw new CliError('CLI_INPUT', `${path}: cannot open the database (${(err as Error).message})`, { cause: err });
    }
    const store = SqliteStore.open(db);
    this.closers.push(async () => {
      await store.close();
      if (db.open) db.close();
    });
    return { store, path };
  }

  /**
   * The trial runner: `--simulate [SCENARIO]`, `--runner CMD`, or the config file's `runner`; undefined when
   * none is given. `config` and `stats` calibrate a simulator built without a scenario.
   */
  runner(teamId: string, config: TeamConfig | undefined, stats: TeamStats | undefined): TrialRunner<TeamConfig> | undefined {
    const { simulate, runner } = this.flags;
    if (simulate !== undefined && simulate !== false && runner !== undefined) {
      throw new CliError('CLI_USAGE', '--runner and --simulate exclude each other: pick one way to run trials');
    }
    const { CommandRunner } = require('@autotune/core') as typeof import('@autotune/core');
    if (simulate !== undefined && simulate !== false) {
      const simulator = require('@autotune/simulator') as typeof import('@autotune/simulator');
      if (typeof simulate === 'string') {
        const scenario = simulator.loadScenario(simulate);
        return new simulator.SimulatedTeamRunner(scenario.model, { teamId });
      }
      if (!config) throw new CliError('CLI_USAGE', '--simulate without a scenario builds its model from the workflow: pass --config FILE');
      return new simulator.SimulatedTeamRunner(simulator.modelFromConfig(config, { stats, teamId }), { teamId });
    }
    if (runner !== undefined) {
      if (runner.trim() === '') throw new CliError('CLI_USAGE', '--runner needs a command, e.g. --runner "node run-team.js"');
      return new CommandRunner({ command: runner, cwd: this.terminal.cwd, teamId });
    }
    const setting: RunnerSetting | undefined = this.project.config.runner;
    if (setting === undefined) return undefined;
    if (typeof setting === 'string' || Array.isArray(setting)) return new CommandRunner({ command: setting, cwd: this.project.dir, teamId });
    return new CommandRunner({
      command: setting.command,
      cwd: setting.cwd ? this.resolveProject(setting.cwd) : this.project.dir,
      env: setting.env,
      teamId,
    });
  }

  /** The runner, or a usage error saying how to give one. */
  requireRunner(teamId: string, config: TeamConfig | undefined, stats: TeamStats | undefined, why: string): TrialRunner<TeamConfig> {
    const runner = this.runner(teamId, config, stats);
    if (!runner) {
      throw new CliError('CLI_USAGE', `${why} needs a way to run the team: pass --runner "CMD ARGS" or --simulate [SCENARIO] (or set "runner" in autotune.config.*)`);
    }
    return runner;
  }

  /** The built-in strategies plus the packages named in the config file (unless `builtinStrategies: false`). */
  async strategies(): Promise<OptimizationStrategy[] | undefined> {
    const { strategies: packages = [], builtinStrategies: useBuiltins = true, strategyOptions = {} } = this.project.config;
    if (packages.length === 0 && useBuiltins) return undefined;
    const { builtinStrategies } = require('@autotune/strategies') as typeof import('@autotune/strategies');
    const list: OptimizationStrategy[] = useBuiltins ? builtinStrategies() : [];
    for (const spec of packages) {
      for (const { strategy } of await loadStrategyPackage(spec, this.project.dir, strategyOptions[spec], this.project.path ?? 'autotune.config')) {
        if (list.some((s) => s.name === strategy.name)) {
          throw new CliError('CLI_PLUGIN', `strategy "${strategy.name}" from package "${spec}" has the same name as another strategy; names must be unique`);
        }
        list.push(strategy);
      }
    }
    if (list.length === 0) throw new CliError('CLI_CONFIG', `${this.project.path}: "builtinStrategies": false and no "strategies" packages leaves no strategy to run`);
    return list;
  }

  /** Autotuner options from the config file and flags (flags win). */
  async autotunerOptions(extra: Partial<AutotunerOptions>): Promise<AutotunerOptions> {
    const c = this.project.config;
    const options: AutotunerOptions = { ...extra };
    const strategies = await this.strategies();
    if (strategies) options.strategies = strategies;
    const threshold = this.flags.threshold ?? c.abTestThreshold;
    if (threshold !== undefined) options.abTestThreshold = threshold;
    const runs = this.flags.runs ?? c.runsPerArm;
    if (runs !== undefined) options.runsPerArm = runs;
    const seed = this.flags.seed ?? c.seed;
    if (seed !== undefined) options.seed = seed;
    if (c.alpha !== undefined) options.alpha = c.alpha;
    if (c.minConfidence !== undefined) options.minConfidence = c.minConfidence;
    if (c.concurrency !== undefined) options.concurrency = c.concurrency;
    if (c.trialTimeout !== undefined) options.trialTimeoutMs = typeof c.trialTimeout === 'number' ? c.trialTimeout : parseDuration(c.trialTimeout, 'trialTimeout');
    const earlyStopping = this.flags.earlyStop ?? c.earlyStopping;
    if (earlyStopping !== undefined) options.earlyStopping = earlyStopping;
    const autoRollback = this.flags.autoRollback === false ? false : c.autoRollback;
    if (autoRollback !== undefined) options.enableAutoRollback = autoRollback;
    if (c.taskType !== undefined || c.strategyOptions !== undefined) {
      options.strategyContext = { ...(c.taskType !== undefined ? { taskType: c.taskType } : {}), ...(c.strategyOptions ? { options: c.strategyOptions } : {}) };
    }
    return options;
  }

  /** A `PerformanceAutotuner` from the project settings and flags. */
  async autotuner(extra: Partial<AutotunerOptions>): Promise<PerformanceAutotuner> {
    const { PerformanceAutotuner } = require('@autotune/core') as typeof import('@autotune/core');
    return new PerformanceAutotuner(await this.autotunerOptions(extra));
  }

  /** The team's statistics, or undefined when the analyzer has no runs of it. */
  statsOf(analyzer: PerformanceAnalyzer, teamId: string): TeamStats | undefined {
    return analyzer.listTeams().includes(teamId) ? analyzer.getTeamStats(teamId) : undefined;
  }

  /** Calls `fn` with a signal that aborts on the first Ctrl-C; a second Ctrl-C exits at once. */
  async withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>, message: string): Promise<T> {
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) {
        process.exit(130);
      }
      this.note(`\n${message}`);
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      return await fn(controller.signal);
    } catch (err) {
      if (controller.signal.aborted) throw new CliError('CLI_INTERRUPTED', 'interrupted: stopped before finishing', { cause: err });
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  }

  /** Closes what the session opened (database handles). */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // Closing is best effort: the command's own outcome is what the user needs to see.
      }
    }
  }
}

/** JSON.stringify replacer: typed arrays as arrays (stats hold Float64Array), Maps as objects. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Map) return Object.fromEntries(value);
  return value;
}

/** Runs a command body with a session, closing it whatever happens. */
export async function withSession(terminal: Terminal, flags: CommonFlags, body: (session: Session) => Promise<number>): Promise<number> {
  const session = await Session.open(terminal, flags);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
