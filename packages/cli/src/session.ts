// What every command needs once it runs: the project config, output channels, the analyzer with the
// user's metrics, the database, the trial runner, the autotuner. Loaded only by command modules, never at
// start-up, so that `--help` pays for none of it.
import type { PerformanceAnalyzer } from '@autotune/analyzer';
import type { TrialRunner } from '@autotune/abtest';
import type { AutotunerOptions, AutotuneStore, PerformanceAutotuner, WorkflowFile } from '@autotune/core';
import type { TeamStats } from '@autotune/metrics';
import type { OptimizationStrategy, TeamConfig } from '@autotune/strategies';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseDuration } from './duration';
import { defaultTrialTimeout } from './trial-timeout';
import { CliError, signalExitCode, type InterruptSignal } from './errors';
import { expandMetricsPaths } from './metrics-paths';
import { loadProjectConfig, type LoadedProjectConfig, type RunnerSetting } from './project-config';
import { loadStrategyPackage } from './strategy-packages';
import { colorEnabled, makeColors, type Colors, type Terminal } from './terminal';

/** Flags shared by several commands, as commander parses them. */
export interface CommonFlags {
  teamId?: string;
  config?: string;
  metrics?: string[];
  lenient?: boolean;
  /** `analyze --threads`: worker threads for large JSON Lines metrics files. */
  threads?: number | 'auto';
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
  /** `--report FILE`: also write the team's report of this run. */
  report?: string;
  /** Send trials to `autotune worker` processes through the PostgreSQL database. */
  queue?: boolean;
  /** Write the workflow file even when it is read-only. */
  force?: boolean;
}

/** One command's run: its terminal, flags, project settings, and the resources it opened. */
export class Session {
  /** Colours for stdout (off unless stdout is a terminal and NO_COLOR is unset). */
  readonly colors: Colors;
  /** Colours for stderr. */
  readonly errColors: Colors;
  private readonly closers: Array<() => void | Promise<void>> = [];
  /** The database `openStore` opened last: rollbacks stay inside its project root. */
  private openedDatabase?: string;
  /** The trial timeout a command runner gets when the config sets none (see `defaultTrialTimeout`). */
  private defaultTrialTimeoutMs?: number;
  /** Records read from each metrics file so far, so that `watch` can pick up only what was appended. */
  readonly loadedRecords = new Map<string, number>();
  /** OTLP agent and tool spans that no run could hold, over every metrics file read (for "no runs" errors). */
  private unattachedSpans = 0;
  /** The workflow files `loadWorkflow` loaded: messages about one of their configs name its keys and lines. */
  private readonly loadedWorkflows: WorkflowFile[] = [];

  private constructor(
    readonly terminal: Terminal,
    readonly flags: CommonFlags,
    readonly project: LoadedProjectConfig,
  ) {
    this.colors = makeColors(!flags.json && colorEnabled(terminal.stdout, terminal.env));
    this.errColors = makeColors(colorEnabled(terminal.stderr, terminal.env));
  }

  /**
   * Loads the project config found above the working directory (up to the repository root or home folder)
   * and says on stderr which file it is, so settings never come from a file the user did not expect.
   */
  static async open(terminal: Terminal, flags: CommonFlags): Promise<Session> {
    const home = terminal.env.HOME;
    const project = await loadProjectConfig(terminal.cwd, home ? { home } : {});
    if (project.path) terminal.stderr.write(`autotune: using settings from ${project.path}\n`);
    return new Session(terminal, flags, project);
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
    if (!this.flags.json && !this.flags.output) return;
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

  /** Metrics files: `--metrics`, else the config file's `metrics`; folders and patterns expanded. */
  get metricsPaths(): string[] {
    // Folders and glob patterns expand to their files (see metrics-paths.ts).
    if (this.flags.metrics && this.flags.metrics.length > 0) return expandMetricsPaths(this.flags.metrics, this.terminal.cwd, '--metrics');
    return expandMetricsPaths(this.project.config.metrics ?? [], this.project.dir, `${this.project.path}: metrics`);
  }

  /** Loads and checks a workflow file; the team id picks the team when the file holds several. */
  async loadWorkflow(path: string, teamId?: string): Promise<WorkflowFile> {
    const { loadWorkflowFile, teamKeyInFile } = require('@autotune/core') as typeof import('@autotune/core');
    if (!existsSync(path)) throw new CliError('CLI_INPUT', `${path}: workflow file not found`);
    const file = await loadWorkflowFile(path, teamId);
    // The same rule as for metrics records: a formation is built in or declared in the config file.
    const { FORMATIONS } = require('@autotune/metrics') as typeof import('@autotune/metrics');
    const declared = this.project.config.formations ?? [];
    const formation = file.config.formation;
    if (!(FORMATIONS as readonly string[]).includes(formation) && !declared.includes(formation)) {
      const { undeclaredFormationMessage } = require('./legacy-formations') as typeof import('./legacy-formations');
      throw new CliError('CLI_INPUT', undeclaredFormationMessage(path, teamKeyInFile(file, 'formation'), formation, this.project.path, declared, this.terminal.cwd));
    }
    this.loadedWorkflows.push(file);
    return file;
  }

  /**
   * Refuses to go on when the workflow file is read-only (no write bit, or not writable by this user), unless
   * `--force`: autotune replaces the file by renaming a new one over it, which the file's own mode does not
   * stop, so a file someone made read-only on purpose would otherwise be silently replaced.
   */
  refuseReadOnlyWorkflow(path: string): void {
    if (this.flags.force) return;
    let mode: number;
    try {
      mode = statSync(path).mode & 0o7777;
    } catch {
      return; // Missing or unreadable: loading the file reports that.
    }
    let readOnly = (mode & 0o222) === 0;
    if (!readOnly) {
      try {
        accessSync(path, fsConstants.W_OK);
      } catch {
        readOnly = true;
      }
    }
    if (readOnly) {
      throw new CliError('CLI_INPUT', `${path} is read-only (mode ${mode.toString(8).padStart(4, '0')}): autotune will not replace it; make it writable (chmod u+w) or pass --force`);
    }
  }

  /** An analyzer with the project's baselines and thresholds, holding every metrics file's records. */
  async analyzer(paths: string[] = this.metricsPaths, load: { teamId?: string | undefined } = {}): Promise<PerformanceAnalyzer> {
    const { PerformanceAnalyzer } = require('@autotune/analyzer') as typeof import('@autotune/analyzer');
    const { baselines, thresholds, minRuns, alpha } = this.project.config;
    const options: Record<string, unknown> = {};
    if (baselines) options.baselines = baselines;
    if (thresholds) options.thresholds = thresholds;
    if (minRuns !== undefined) options.minRuns = minRuns;
    if (alpha !== undefined) options.alpha = alpha;
    const analyzer = new PerformanceAnalyzer(options);
    for (const path of paths) {
      if (!existsSync(path)) throw new CliError('CLI_INPUT', `${path}: metrics file not found`, { location: { file: path } });
      const report = await analyzer.loadMetricsFromFile(path, {
        lenient: this.flags.lenient === true,
        formations: this.project.config.formations ?? [],
        ...(load.teamId !== undefined && { teamId: load.teamId }),
        ...(this.flags.threads !== undefined && { threads: this.flags.threads }),
        ...this.otlpReadOptions(),
      });
      this.loadedRecords.set(path, report.records);
      this.noteSetAsideSpans(path, report);
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
    if (teams.length === 1) return teams[0]!;
    if (teams.length === 0) {
      const setAside =
        this.unattachedSpans > 0
          ? ` (${this.unattachedSpans} agent and tool span(s) were set aside: no run span held them; see "OTLP spans set aside" in docs/otel-attributes.md)`
          : '';
      throw new CliError('CLI_INPUT', `the metrics hold no runs${setAside}; pass --metrics FILE with recorded runs`);
    }
    throw new CliError('CLI_USAGE', `missing --team-id: the metrics hold ${teams.length} teams (${teams.join(', ')})`);
  }

  /**
   * The database: `--db`, the config file's `db`, `AUTOTUNE_DB`, else `.autotune/autotune.db` beside the
   * workflow file or in the working directory. A `postgres://` URL is returned as it is.
   */
  databasePath(workflowPath?: string): string {
    const { isPostgresUrl } = require('./postgres-db') as typeof import('./postgres-db');
    if (this.flags.db) return isPostgresUrl(this.flags.db) ? this.flags.db : this.resolveCwd(this.flags.db);
    if (this.project.config.db) return isPostgresUrl(this.project.config.db) ? this.project.config.db : this.resolveProject(this.project.config.db);
    const fromEnv = this.terminal.env.AUTOTUNE_DB;
    if (fromEnv) return isPostgresUrl(fromEnv) ? fromEnv : this.resolveCwd(fromEnv);
    return resolve(workflowPath ? dirname(workflowPath) : this.terminal.cwd, '.autotune', 'autotune.db');
  }

  /**
   * Opens the SQLite store. `mustExist` is for commands that only read state (history, rollback,
   * validate): a missing database there means the wrong folder or `--db`, not an empty history.
   */
  openStore(workflowPath: string | undefined, options: { mustExist?: boolean } = {}): { store: AutotuneStore; path: string } {
    const path = this.databasePath(workflowPath);
    const pg = require('./postgres-db') as typeof import('./postgres-db');
    if (pg.isPostgresUrl(path)) {
      // A shared PostgreSQL database; `path` as printed never shows the password.
      const { store, close } = pg.openPostgresStore(path);
      this.closers.push(close);
      this.openedDatabase = pg.maskUrl(path);
      return { store, path: pg.maskUrl(path) };
    }
    this.openedDatabase = path;
    if (options.mustExist && !existsSync(path)) {
      throw new CliError('CLI_INPUT', `no autotune database at ${path}: nothing has been applied from here yet (pass --db FILE, or --config FILE to look beside that workflow file)`);
    }
    // The driver is a native module: load it only for the commands that keep state.
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const { SqliteStore, prepareDatabaseFile } = require('@autotune/core') as typeof import('@autotune/core');
    // The database holds the workflow's full text: created no more readable than the workflow file.
    prepareDatabaseFile(path, workflowPath);
    this.warnIfMoreReadable(path, workflowPath);
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
   * The project folder a database belongs to, which a rollback will not write outside of unless the file is
   * named: the folder holding `.autotune/` for a database inside one, else the folder of the config file,
   * else the database's own folder.
   */
  projectRootOf(databasePath: string): string {
    // A shared (PostgreSQL) database has no folder: the project is the config file's, else the working directory.
    if (databasePath.includes('://')) return this.project.path ? this.project.dir : this.terminal.cwd;
    const folder = dirname(databasePath);
    if (basename(folder) === '.autotune') return dirname(folder);
    return this.project.path ? this.project.dir : folder;
  }

  /**
   * A database made before autotune matched its mode to the workflow's (or by hand) may be readable by people
   * the workflow keeps out; autotune does not change modes it did not set, but says so.
   */
  private warnIfMoreReadable(dbPath: string, workflowPath: string | undefined): void {
    if (!workflowPath) return;
    try {
      const db = statSync(dbPath).mode & 0o077;
      const workflow = statSync(workflowPath).mode & 0o077;
      const extra = db & 0o044 & ~workflow;
      if (extra !== 0) {
        this.note(`autotune: warning: ${dbPath} (mode ${(statSync(dbPath).mode & 0o777).toString(8).padStart(4, '0')}) is readable by ${extra & 0o004 ? 'others' : 'its group'}, but ${workflowPath} is not; it holds the workflow's text: chmod go-r ${dbPath}`);
      }
    } catch {
      // Best effort: a file that cannot be stat'ed is reported by whatever opens it.
    }
  }

  /**
   * The trial runner: `--simulate [SCENARIO]`, `--runner CMD`, or the config file's `runner`; undefined when
   * none is given. `config` and `stats` calibrate a simulator built without a scenario.
   */
  runner(teamId: string, config: TeamConfig | undefined, stats: TeamStats | undefined): TrialRunner<TeamConfig> | undefined {
    if (this.queueMode) return this.queueRunner(teamId);
    return this.localRunner(teamId, config, stats);
  }

  /** The runner that runs trials in this process (`--runner`, `--simulate`, the config's `runner`), never the queue. */
  localRunner(teamId: string, config: TeamConfig | undefined, stats: TeamStats | undefined): TrialRunner<TeamConfig> | undefined {
    const { simulate, runner } = this.flags;
    if (simulate !== undefined && simulate !== false && runner !== undefined) {
      throw new CliError('CLI_USAGE', '--runner and --simulate exclude each other: pick one way to run trials');
    }
    const { CommandRunner } = require('@autotune/core') as typeof import('@autotune/core');
    if (simulate !== undefined && simulate !== false) {
      if (config) this.refuseUnsimulatedFormation(config);
      const simulator = require('@autotune/simulator') as typeof import('@autotune/simulator');
      if (typeof simulate === 'string') {
        const scenario = simulator.loadScenario(simulate);
        return new simulator.SimulatedTeamRunner(scenario.model, { teamId });
      }
      if (!config) throw new CliError('CLI_USAGE', '--simulate without a scenario builds its model from the workflow: pass --config FILE');
      return new simulator.SimulatedTeamRunner(simulator.modelFromConfig(config, { ...(stats !== undefined && { stats }), teamId }), { teamId });
    }
    // Without a configured trialTimeout a hung command would hang the whole command: trials of a command get a
    // default (applied by the A/B test, so a cut-off trial shows as timed out; see autotunerOptions).
    if (this.project.config.trialTimeout === undefined) this.defaultTrialTimeoutMs = defaultTrialTimeout(stats).ms;
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
      ...(setting.env !== undefined && { env: setting.env }),
      teamId,
    });
  }

  /**
   * The simulator models the five built-in formations only: a team in a legacy (or other declared) formation
   * cannot be simulated, which would otherwise fail deep inside the first trial with the simulator's own words.
   */
  refuseUnsimulatedFormation(config: TeamConfig, what = '--simulate'): void {
    const { unsimulatedFormation, describeKey, formationKind, BUILTIN_FORMATIONS } = require('./legacy-formations') as typeof import('./legacy-formations');
    const found = unsimulatedFormation(config);
    if (!found) return;
    const file = this.loadedWorkflows.find((f) => f.config === config);
    let where = `formation ${JSON.stringify(found.formation)}`;
    if (file) {
      const { teamKeyInFile } = require('@autotune/core') as typeof import('@autotune/core');
      where = describeKey(file.path, teamKeyInFile(file, found.key), found.formation);
    }
    const instead =
      what === 'simulate'
        ? 'record runs of the real team instead (autotune receive, or your own runs in a metrics file), or simulate a copy of the workflow file set to one of those formations'
        : 'run the real team instead (--runner CMD, or "runner" in autotune.config.*); apply --no-ab-test applies a change without testing it';
    throw new CliError('CLI_USAGE', `${what} cannot run this team: the simulator has no model of ${where}, ${formationKind(found.formation)} (it simulates ${BUILTIN_FORMATIONS.join(', ')} teams); ${instead}`);
  }

  /** `--queue` or `trials: queue`: trials go to workers through the database instead of running here. */
  get queueMode(): boolean {
    return this.flags.queue === true || this.project.config.trials === 'queue';
  }

  private queueRunner(teamId: string): TrialRunner<TeamConfig> {
    const pg = require('./postgres-db') as typeof import('./postgres-db');
    const url = this.databasePath(this.workflowPath);
    if (!pg.isPostgresUrl(url)) {
      throw new CliError('CLI_USAGE', '--queue (or trials: queue) sends trials through a PostgreSQL database: pass --db postgres://... (or set "db" in autotune.config.*, or AUTOTUNE_DB)');
    }
    if (this.flags.simulate !== undefined && this.flags.simulate !== false) {
      throw new CliError('CLI_USAGE', '--queue and --simulate exclude each other: with --queue, the workers run the trials with their own --runner');
    }
    const runner = new pg.LazyQueueRunner(url, teamId, this.trialTimeoutMs());
    // On any exit (Ctrl-C included) the coordinator withdraws the trials it queued and no worker finished.
    this.closers.push(() => runner.close());
    return runner;
  }

  private trialTimeoutMs(): number | undefined {
    const t = this.project.config.trialTimeout;
    if (t === undefined) return undefined;
    return typeof t === 'number' ? t : parseDuration(t, 'trialTimeout');
  }

  /** The local runner (see {@link localRunner}), or a usage error saying how to give one. */
  requireLocalRunner(teamId: string, config: TeamConfig | undefined, stats: TeamStats | undefined, why: string): TrialRunner<TeamConfig> {
    const runner = this.localRunner(teamId, config, stats);
    if (!runner) {
      throw new CliError('CLI_USAGE', `${why} needs a way to run the team: pass --runner "CMD ARGS" or --simulate SCENARIO (or set "runner" in autotune.config.*)`);
    }
    return runner;
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
    // Which files a rollback (validate's and watch's automatic ones too) may restore: the workflow the user
    // named, or a file autotune wrote inside the database's project.
    const workflowPath = this.workflowPath;
    if (this.openedDatabase !== undefined || workflowPath !== undefined) {
      options.rollbackGuard = {
        ...(workflowPath !== undefined ? { workflowPath } : {}),
        ...(this.openedDatabase !== undefined ? { projectRoot: this.projectRootOf(this.openedDatabase) } : {}),
      };
    }
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
    else if (this.defaultTrialTimeoutMs !== undefined) options.trialTimeoutMs = this.defaultTrialTimeoutMs;
    if (this.queueMode) {
      // Every trial of a look in flight at once, so that all workers have work; the queue keeps their order.
      if (c.concurrency === undefined) options.concurrency = 2 * (options.runsPerArm ?? 10);
      // A worker enforces the trial timeout itself; a dead worker's job is retried once after it expires. The
      // coordinator waits for both attempts (plus the queue's maintenance round) before it counts a failure.
      if (options.trialTimeoutMs !== undefined) options.trialTimeoutMs = 2 * (options.trialTimeoutMs + 5_000) + 20_000;
    }
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

  /** The config file's `otlp` section as read options (checked; a bad field is a config error naming it). */
  otlpReadOptions(): { otlp?: import('@autotune/metrics').OtlpOptions } {
    const { otlpOptionsFromConfig } = require('./otlp-config') as typeof import('./otlp-config');
    const otlp = otlpOptionsFromConfig(this.project.config.otlp, this.project.path ?? 'autotune.config');
    return otlp === undefined ? {} : { otlp };
  }

  /** Says what an OTLP read set aside, so a trace that yields fewer runs than expected is never a silent loss. */
  private noteSetAsideSpans(path: string, report: { unattachedSpans: number; lateSpans: number; rootSpanRuns: number }): void {
    this.unattachedSpans += report.unattachedSpans;
    if (report.unattachedSpans > 0) {
      this.note(
        `${path}: ${report.unattachedSpans} agent and tool span(s) belonged to no run: their trace has no invoke_workflow span, and no root span or gen_ai.workflow.name span reached them (is the trace's root exported? otlp.runSpans is "${this.otlpReadOptions().otlp?.runSpans ?? 'auto'}")`,
      );
    }
    if (report.lateSpans > 0) {
      this.note(`${path}: ${report.lateSpans} span(s) arrived after their run was built and are not counted in it (raise otlp.graceSeconds in autotune.config.*)`);
    }
    if (report.rootSpanRuns > 0 && this.flags.verbose) {
      this.note(`${path}: ${report.rootSpanRuns} run(s) taken from root spans, for want of invoke_workflow spans`);
    }
  }

  /** The team's statistics, or undefined when the analyzer has no runs of it. */
  statsOf(analyzer: PerformanceAnalyzer, teamId: string): TeamStats | undefined {
    return analyzer.listTeams().includes(teamId) ? analyzer.getTeamStats(teamId) : undefined;
  }

  /**
   * Calls `fn` with a signal that aborts on the first Ctrl-C (SIGINT), SIGTERM or SIGHUP: a CI cancellation,
   * `timeout` or a closed terminal stop the work exactly as Ctrl-C does. The running trials' process groups are
   * killed (the runner reacts to the aborted signal), nothing is written, `message` says so on stderr, and the
   * command ends with 128 + the signal's number (130, 143, 129). A second signal exits at once.
   */
  async withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>, message: string): Promise<T> {
    const controller = new AbortController();
    let received: InterruptSignal | undefined;
    const handlers = INTERRUPT_SIGNALS.map((name) => {
      const handler = () => {
        if (controller.signal.aborted) process.exit(signalExitCode(name));
        received = name;
        this.note(`\n${describeInterrupt(name, message)}`);
        controller.abort();
      };
      process.on(name, handler);
      return [name, handler] as const;
    });
    try {
      return await fn(controller.signal);
    } catch (err) {
      if (received) {
        throw new CliError('CLI_INTERRUPTED', `${received === 'SIGINT' ? 'interrupted' : `stopped by ${received}`}: stopped before finishing`, { cause: err, signal: received });
      }
      throw err;
    } finally {
      for (const [name, handler] of handlers) process.off(name, handler);
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

/** The signals that stop a command the way Ctrl-C does. */
const INTERRUPT_SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** `message` as said for `signal`: "Interrupted: ..." for Ctrl-C, "Terminated (SIGTERM): ..." for the others. */
function describeInterrupt(signal: InterruptSignal, message: string): string {
  if (signal === 'SIGINT') return message;
  const what = signal === 'SIGTERM' ? 'Terminated (SIGTERM)' : 'Hangup (SIGHUP)';
  return /^Interrupted\b/.test(message) ? message.replace(/^Interrupted\b/, what) : `${what}: ${message}`;
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
