import { PerformanceAnalyzer } from '@autotune/analyzer';
import {
  evaluateExperiment,
  runExperiment,
  type ExperimentMetric,
  type ExperimentResult,
  type TrialSample,
  type Verdict,
} from '@autotune/abtest';
import { configFingerprint, type ExecutionRecord, type TeamStats } from '@autotune/metrics';
import {
  applySuggestion,
  builtinStrategies,
  changedKeys,
  MIN_CONFIDENCE,
  sortSuggestions,
  type OptimizationStrategy,
  type OptimizationSuggestion,
  type TeamConfig,
} from '@autotune/strategies';
import { readFile } from 'node:fs/promises';
import type {
  ApplyOptions,
  ApplyOutcome,
  AutotunerOptions,
  AutotuneSuggestion,
  ContinuousOptions,
  OptimizationResult,
  RegressionCheck,
  RollbackOutcome,
  UserTeamConfig,
  WorkflowInput,
} from './autotuner-types';
import { CoreError } from './errors';
import { holdTeamLock, MemoryStore, type AutotuneStore, type HistoryEntry } from './store';
import { tuneTeam } from './tuner/tune-team';
import type { TuneOptions, TuneOutcome } from './tuner/tune-types';
import {
  isTeamConfig,
  loadWorkflowFile,
  renderWorkflowUpdate,
  restoreWorkflowText,
  saveWorkflowFile,
  teamConfigFromUser,
  teamConfigToUser,
  writeBackup,
  type WorkflowFile,
} from './workflow';

const DEFAULT_RUNS_PER_ARM = 10;
/** Label put on execution records produced by autotune's own experiments. */
export const EXPERIMENT_LABEL = 'autotune_experiment';

type Shape = 'user' | 'team' | 'file';

interface ResolvedInput {
  config: TeamConfig;
  shape: Shape;
  file?: WorkflowFile;
}

function isWorkflowFile(u: unknown): u is WorkflowFile {
  const o = u as Partial<WorkflowFile> | null;
  return !!o && typeof o === 'object' && typeof o.path === 'string' && typeof o.text === 'string' && !!o.config && typeof o.kind === 'string';
}

function resolveInput(input: WorkflowInput): ResolvedInput {
  if (isWorkflowFile(input)) return { config: input.config, shape: 'file', file: input };
  if (isTeamConfig(input)) return { config: cloneConfig(input), shape: 'team' };
  return { config: teamConfigFromUser(input, 'workflow config'), shape: 'user' };
}

/** TeamConfig is plain JSON data; a JSON copy keeps it in this realm (structuredClone does not, under Jest's vm). */
function cloneConfig<T>(config: T): T {
  return JSON.parse(JSON.stringify(config)) as T;
}

function inShape(config: TeamConfig, shape: Shape): UserTeamConfig | TeamConfig {
  return shape === 'team' ? cloneConfig(config) : teamConfigToUser(config);
}

function sameConfig(a: TeamConfig, b: TeamConfig): boolean {
  return configFingerprint(a) === configFingerprint(b);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Longest delay setTimeout honours; a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves after `ms`, or at once when `signal` aborts (without throwing: a stop is not an error). */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  // Intervals of weeks (`watch --interval 30d`) are waited for in chunks that setTimeout can hold.
  for (let left = ms; left > 0 && !signal?.aborted; left -= MAX_TIMER_MS) await pauseOnce(Math.min(left, MAX_TIMER_MS), signal);
}

function pauseOnce(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Suggests, A/B-tests, applies, monitors and rolls back changes to a team's config.
 *
 * Every change is proven by a real experiment through the configured `TrialRunner` before it is kept, history
 * and experiments go to the store (SQLite in the CLI), and a workflow file handed in is rewritten atomically
 * with comments kept, once, after every change has been decided.
 */
export class PerformanceAutotuner {
  readonly analyzer: PerformanceAnalyzer;
  readonly store: AutotuneStore;
  readonly strategies: readonly OptimizationStrategy[];
  private readonly options: AutotunerOptions;
  private readonly abTestThreshold: number;
  private readonly enableAutoRollback: boolean;
  private readonly now: () => Date;
  private experimentCounter = 0;

  constructor(options: AutotunerOptions = {}) {
    this.options = options;
    this.analyzer = options.analyzer ?? new PerformanceAnalyzer();
    this.store = options.store ?? new MemoryStore();
    this.strategies = options.strategies ?? builtinStrategies();
    this.abTestThreshold = options.abTestThreshold ?? 5;
    this.enableAutoRollback = options.enableAutoRollback ?? true;
    this.now = options.now ?? (() => new Date());
    if (!(this.abTestThreshold >= 0)) {
      throw new CoreError('CORE_CONFIG_INVALID', `abTestThreshold must be a percentage >= 0, got ${options.abTestThreshold}`);
    }
  }

  /** The team's statistics, loading the store's records into the analyzer when it has none for the team. */
  private async teamStats(teamId: string): Promise<TeamStats> {
    if (!this.analyzer.listTeams().includes(teamId)) {
      const records = await this.store.listRecords(teamId, {});
      if (records.length > 0) this.analyzer.loadMetrics(records);
    }
    return this.analyzer.getTeamStats(teamId);
  }

  /** The config to start from when the caller gives none: the last applied change, else what the runs show. */
  private async inferConfig(teamId: string, stats: TeamStats): Promise<TeamConfig> {
    const latest = (await this.store.listHistory(teamId)).find((e) => e.status === 'applied');
    if (latest) return cloneConfig(latest.configAfter);
    const config: TeamConfig = {
      formation: stats.latestFormation ?? 'sequential',
      memberCount: stats.latestMemberCount ?? Math.round(stats.meanMemberCount),
    };
    if (stats.toolBudget !== undefined) config.toolBudget = stats.toolBudget;
    if (stats.timeoutSeconds !== undefined) config.timeoutSeconds = stats.timeoutSeconds;
    return config;
  }

  private strategyFor(suggestion: OptimizationSuggestion): OptimizationStrategy | undefined {
    const name = suggestion.strategy ?? suggestion.type;
    return this.strategies.find((s) => s.name === name) ?? this.strategies.find((s) => s.name === suggestion.type);
  }

  private applyOne(config: TeamConfig, suggestion: OptimizationSuggestion): TeamConfig {
    const strategy = this.strategyFor(suggestion);
    return strategy ? strategy.apply(config, suggestion) : applySuggestion(config, suggestion);
  }

  /**
   * Prioritised suggestions for a team: insights from the analyzer, suggestions from every strategy, sorted by
   * priority then expected improvement x confidence, low-confidence and no-op ones dropped, and conflicts (two
   * suggestions changing the same setting) resolved in favour of the higher-ranked one.
   *
   * `currentConfig` may be snake_case as users write it, or a `TeamConfig`; snake_case input gets
   * `currentUserConfig`/`suggestedUserConfig` in the same shape.
   */
  async suggestOptimizations(teamId: string, currentConfig?: UserTeamConfig | TeamConfig | WorkflowFile): Promise<AutotuneSuggestion[]> {
    const stats = await this.teamStats(teamId);
    const insights = this.analyzer.analyzeTeamWorkflow(teamId);
    const resolved: ResolvedInput = currentConfig === undefined ? { config: await this.inferConfig(teamId, stats), shape: 'team' } : resolveInput(currentConfig);
    const current = resolved.config;
    const minConfidence = this.options.minConfidence ?? MIN_CONFIDENCE;

    const candidates: OptimizationSuggestion[] = [];
    for (const strategy of this.strategies) {
      let made: OptimizationSuggestion[];
      try {
        made = strategy.suggest(insights, cloneConfig(current), { ...this.options.strategyContext, teamId, stats });
      } catch (err) {
        throw new CoreError('CORE_STRATEGY_FAILED', `strategy "${strategy.name}" failed while suggesting for team "${teamId}": ${errorMessage(err)}`, { cause: err });
      }
      for (const s of made) candidates.push({ ...s, strategy: s.strategy ?? strategy.name });
    }

    const kept: AutotuneSuggestion[] = [];
    const claimed = new Set<string>();
    for (const s of sortSuggestions(candidates.filter((c) => c.confidence >= minConfidence))) {
      const resultingConfig = this.applyOne(current, s);
      if (sameConfig(resultingConfig, current)) continue;
      const keys = Object.keys(s.suggestedConfig);
      if (keys.some((k) => claimed.has(k))) continue;
      keys.forEach((k) => claimed.add(k));
      const suggestion: AutotuneSuggestion = {
        ...s,
        strategy: s.strategy ?? s.type,
        resultingConfig,
        changes: changedKeys(current, resultingConfig),
      };
      if (resolved.shape === 'user') {
        suggestion.currentUserConfig = teamConfigToUser(current);
        suggestion.suggestedUserConfig = teamConfigToUser(resultingConfig);
      }
      kept.push(suggestion);
    }
    return kept;
  }

  private nextSeed(): number {
    const base = this.options.seed ?? this.now().getTime() % 2147483647;
    return (base + 7919 * this.experimentCounter++) >>> 0;
  }

  /** Runs an A/B experiment through the runner, stores its samples and verdict, and returns both. */
  private async experiment(
    teamId: string,
    baseline: TeamConfig,
    candidate: TeamConfig,
    metric: ExperimentMetric,
    opts: { runsPerArm?: number; signal?: AbortSignal; onProgress?: (p: { completed: number; total: number; sample: TrialSample }) => void; threshold?: number; label: string },
  ): Promise<{ experimentId: string; verdict: Verdict; result: ExperimentResult }> {
    const runner = this.options.runner;
    if (!runner) {
      throw new CoreError('CORE_CONFIG_INVALID', 'A/B testing needs a trial runner: pass `runner` (a CommandRunner, FunctionRunner or the simulator), or turn A/B testing off');
    }
    const seed = this.nextSeed();
    const threshold = opts.threshold ?? this.abTestThreshold;
    const alpha = this.options.alpha ?? 0.05;
    const runsPerArm = opts.runsPerArm ?? this.options.runsPerArm ?? DEFAULT_RUNS_PER_ARM;
    // Interim looks need room: with the minimum of 10 runs per arm there is only the final look.
    const sequential = this.options.earlyStopping === true && runsPerArm >= 2 * DEFAULT_RUNS_PER_ARM;
    const result = await runExperiment<TeamConfig>({
      teamId,
      baseline,
      candidate,
      runner,
      runsPerArm,
      earlyStopping: sequential ? { threshold, alpha, metric } : false,
      concurrency: this.options.concurrency ?? 1,
      timeoutMs: this.options.trialTimeoutMs,
      seed,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    // A sequential design fixes threshold, alpha and metric; evaluateExperiment takes them from it.
    const verdict = evaluateExperiment(result, result.sequential ? { seed } : { threshold, alpha, metric, seed });
    const experimentId = await this.store.saveExperiment({
      teamId,
      createdAt: this.now().toISOString(),
      label: opts.label,
      metric,
      baselineConfig: baseline,
      candidateConfig: candidate,
      result,
      verdict,
    });
    await this.store.writeMany(
      [...result.baseline, ...result.candidate].map((sample) => ({
        ...sample.record,
        labels: { ...sample.record.labels, [EXPERIMENT_LABEL]: experimentId, autotune_arm: sample.arm },
      })),
    );
    return { experimentId, verdict, result };
  }

  /**
   * Considers every optimization in order, each against the config in force when it is reached. With A/B testing
   * on (the default) a change is kept only when its experiment passes; a failed candidate is rolled back (auto-
   * rollback) or rejected. With a `WorkflowFile`, the file is written once, atomically and with a backup, after
   * all are decided, and only if it has not changed on disk meanwhile; a cancelled or failed apply writes nothing.
   */
  async applyOptimizations(
    teamId: string,
    optimizations: readonly OptimizationSuggestion[],
    workflowConfig: WorkflowInput,
    options: ApplyOptions = {},
  ): Promise<ApplyOutcome> {
    const input = resolveInput(workflowConfig);
    const enableAbTesting = options.enableAbTesting ?? true;
    const held = options.dryRun ? undefined : await holdTeamLock(this.store, teamId, 'apply');
    try {
      const results: OptimizationResult[] = [];
      const steps: Array<{ result: OptimizationResult; before: TeamConfig; after: TeamConfig; status: HistoryEntry['status']; reason?: string }> = [];
      let current = input.config;

      for (const [index, optimization] of optimizations.entries()) {
        options.signal?.throwIfAborted();
        const timestamp = this.now().toISOString();
        const candidate = this.applyOne(current, optimization);
        const suggestion: AutotuneSuggestion = {
          ...optimization,
          strategy: optimization.strategy ?? optimization.type,
          resultingConfig: candidate,
          changes: changedKeys(current, candidate),
        };
        const base: OptimizationResult = {
          success: false,
          optimization: suggestion,
          improvementPercentage: null,
          validationStatus: 'skipped',
          rollbackConfig: inShape(current, input.shape),
          timestamp,
        };
        let result: OptimizationResult;
        if (sameConfig(candidate, current)) {
          result = { ...base, error: 'nothing to change: the suggested settings are already in force' };
        } else if (options.dryRun) {
          result = { ...base, validationStatus: 'dry_run', error: undefined };
        } else if (!enableAbTesting) {
          result = { ...base, success: true };
          steps.push({ result, before: current, after: candidate, status: 'applied', reason: 'applied without A/B testing' });
          current = candidate;
        } else {
          const { experimentId, verdict: measured, result: experimentResult } = await this.experiment(teamId, current, candidate, optimization.targetMetric as ExperimentMetric, {
            runsPerArm: options.runsPerArm,
            signal: options.signal,
            onProgress: options.onProgress ? (p) => options.onProgress!({ optimizationIndex: index, ...p }) : undefined,
            label: `apply #${index + 1}: ${optimization.description}`,
          });
          // A cancelled experiment decides nothing: stop before anything is written.
          options.signal?.throwIfAborted();
          const verdict = guardTightenedLimits(measured, experimentResult, current, candidate);
          result = {
            ...base,
            success: verdict.status === 'passed',
            validationStatus: verdict.status,
            beforeMetrics: verdict.before,
            afterMetrics: verdict.after,
            improvementPercentage: verdict.improvementPercentage,
            evidence: { experimentId, verdict },
          };
          if (verdict.status === 'passed') {
            steps.push({ result, before: current, after: candidate, status: 'applied', reason: verdict.reason });
            current = candidate;
          } else if (verdict.status === 'failed' && this.enableAutoRollback) {
            result.rolledBack = { reason: verdict.reason };
            result.error = `rolled back: ${verdict.reason}`;
            steps.push({ result, before: current, after: candidate, status: 'rolled_back', reason: verdict.reason });
          } else {
            result.error = `not applied: ${verdict.reason}`;
            steps.push({ result, before: current, after: candidate, status: 'rejected', reason: verdict.reason });
          }
        }
        results.push(result);
        options.onResult?.(result, index);
      }

      let written: ApplyOutcome['written'];
      const texts = new Map<TeamConfig, string>();
      const kept = steps.filter((s) => s.status === 'applied');
      if (input.file && kept.length > 0) {
        const file = input.file;
        options.signal?.throwIfAborted();
        const onDisk = await readFile(file.path, 'utf8').catch((err: unknown) => {
          throw new CoreError('CORE_IO', `cannot re-read ${file.path} before writing it: ${errorMessage(err)}`, { cause: err });
        });
        if (onDisk !== file.text) {
          throw new CoreError('CORE_IO', `${file.path} changed on disk while autotune was testing; nothing was written. Run apply again on the new file.`);
        }
        const textOf = (config: TeamConfig) => {
          if (!texts.has(config)) texts.set(config, sameConfig(config, file.config) ? file.text : renderWorkflowUpdate(file, config));
          return texts.get(config)!;
        };
        for (const s of kept) {
          textOf(s.before);
          textOf(s.after);
        }
        await held?.confirm();
        const saved = await saveWorkflowFile(file, current, { backup: options.backup ?? true });
        written = { path: saved.path, backupPath: saved.backupPath };
      }

      const entries = steps.map((s) => {
        const entry: Omit<HistoryEntry, 'id'> = {
          teamId,
          timestamp: s.result.timestamp,
          optimization: s.result.optimization,
          validationStatus: s.result.validationStatus,
          status: s.status,
          improvementPercentage: s.result.improvementPercentage,
          configBefore: s.before,
          configAfter: s.after,
          fingerprintBefore: configFingerprint(s.before),
          fingerprintAfter: configFingerprint(s.after),
          experimentId: s.result.evidence?.experimentId,
          evidence: s.result.evidence?.verdict,
          reason: s.reason,
        };
        if (input.file && s.status === 'applied') {
          entry.filePath = input.file.path;
          entry.fileTextBefore = texts.get(s.before);
          entry.fileTextAfter = texts.get(s.after);
        }
        return entry;
      });
      if (entries.length > 0) {
        const ids = await this.store.writeHistory({ append: entries });
        steps.forEach((s, i) => (s.result.historyId = ids[i]));
      }
      return { results, finalConfig: inShape(current, input.shape), written };
    } finally {
      await held?.release();
    }
  }

  /**
   * Searches for a better config within a budget of runs: races the neighbourhood of the config in force (the
   * strategies' suggestions first) through the runner, confirms the race's winner with a fresh A/B test, and
   * climbs from each confirmed change while the budget lasts. A workflow file is written once at the end; history
   * gets one entry per kept change. Aborting `options.signal` writes nothing. See docs/statistics.md.
   */
  async tune(teamId: string, workflowConfig: WorkflowInput, options: TuneOptions = {}): Promise<TuneOutcome> {
    const input = resolveInput(workflowConfig);
    return tuneTeam(
      {
        store: this.store,
        runner: this.options.runner,
        suggest: async (config) => {
          // Strategies suggest from the team's recorded runs; with none, the tuner searches the neighbourhood alone.
          const known = this.analyzer.listTeams().includes(teamId) || (await this.store.listRecords(teamId, { limit: 1 })).length > 0;
          if (!known) return [];
          return (await this.suggestOptimizations(teamId, config)).map((s) => ({ config: s.resultingConfig, label: `${s.strategy}: ${s.description}`, strategy: s.strategy }));
        },
        reviewVerdict: guardTightenedLimits,
        alpha: this.options.alpha ?? 0.05,
        threshold: this.abTestThreshold,
        concurrency: this.options.concurrency ?? 1,
        trialTimeoutMs: this.options.trialTimeoutMs,
        seed: this.options.seed ?? this.now().getTime() % 2147483647,
        now: this.now,
        experimentLabel: EXPERIMENT_LABEL,
      },
      teamId,
      input,
      options,
    );
  }

  /** Runs both configs for real, interleaved, and returns the experiment's verdict. */
  async benchmark(
    before: TeamConfig,
    after: TeamConfig,
    options: { teamId?: string; runsPerArm?: number; metric?: ExperimentMetric; signal?: AbortSignal; onProgress?: (p: { completed: number; total: number; sample: TrialSample }) => void } = {},
  ): Promise<{ experimentId: string; verdict: Verdict; result: ExperimentResult }> {
    return this.experiment(options.teamId ?? 'benchmark', before, after, options.metric ?? 'duration', { ...options, label: 'benchmark' });
  }

  /** History, newest first: index 0 is the latest entry. */
  async getOptimizationHistory(teamId: string): Promise<HistoryEntry[]> {
    return this.store.listHistory(teamId);
  }

  private async appliedChanges(teamId: string): Promise<HistoryEntry[]> {
    return (await this.store.listHistory(teamId)).filter((e) => e.status === 'applied');
  }

  /**
   * A/B-tests the latest applied change against the config before it; rolls it back when it fails and
   * auto-rollback is on.
   */
  async validateLatest(
    teamId: string,
    options: { runsPerArm?: number; signal?: AbortSignal; onProgress?: (p: { completed: number; total: number; sample: TrialSample }) => void } = {},
  ): Promise<{ entry: HistoryEntry; verdict: Verdict; experimentId: string; rollback?: RollbackOutcome }> {
    const [entry] = await this.appliedChanges(teamId);
    if (!entry) throw new CoreError('CORE_ROLLBACK', `team "${teamId}" has no applied change to validate (see \`autotune history --team-id ${teamId}\`)`);
    const metric = ((entry.optimization as OptimizationSuggestion | undefined)?.targetMetric ?? 'duration') as ExperimentMetric;
    const { experimentId, verdict } = await this.experiment(teamId, entry.configBefore, entry.configAfter, metric, { ...options, label: `validate history #${entry.id}` });
    let rollback: RollbackOutcome | undefined;
    if (verdict.status === 'failed' && this.enableAutoRollback) {
      rollback = await this.rollbackOptimization(teamId, 0, `validation failed: ${verdict.reason}`);
    }
    return { entry, verdict, experimentId, rollback };
  }

  /**
   * Undoes the applied change at `rollbackIndex` (0 = the latest) and every later one: restores the config, and
   * the workflow file's exact earlier bytes (after backing up its current bytes), and records it in the history.
   */
  async rollbackOptimization(teamId: string, rollbackIndex = 0, reason = 'manual rollback'): Promise<RollbackOutcome> {
    // A rollback racing an apply on the same team would let the apply overwrite the restored file, and an apply
    // finishing first would shift the indexes: take the lock, then read the history.
    const held = await holdTeamLock(this.store, teamId, 'rollback');
    try {
      return await this.rollbackLocked(teamId, rollbackIndex, reason, () => held.confirm());
    } finally {
      await held.release();
    }
  }

  private async rollbackLocked(teamId: string, rollbackIndex: number, reason: string, confirmLock: () => Promise<void>): Promise<RollbackOutcome> {
    const applied = await this.appliedChanges(teamId);
    const target = applied[rollbackIndex];
    if (!Number.isInteger(rollbackIndex) || rollbackIndex < 0 || !target) {
      throw new CoreError(
        'CORE_ROLLBACK',
        applied.length === 0
          ? `team "${teamId}" has no applied change to roll back`
          : `no applied change at index ${rollbackIndex} for team "${teamId}": there ${applied.length === 1 ? 'is 1' : `are ${applied.length}`} (index 0 is the latest; see \`autotune rollback --list\`)`,
      );
    }
    const undone = applied.slice(0, rollbackIndex + 1);
    let backupPath: string | undefined;
    if (target.filePath && target.fileTextBefore !== undefined) {
      const currentText = await readFile(target.filePath, 'utf8').catch(() => undefined);
      if (currentText !== undefined && currentText !== target.fileTextBefore) {
        backupPath = await writeBackup(target.filePath, currentText, this.now());
      }
      await confirmLock();
      await restoreWorkflowText(target.filePath, target.fileTextBefore);
    }
    const at = this.now().toISOString();
    // Keep why the change was applied: the rollback's reason is added, not substituted.
    const [historyId] = await this.store.writeHistory({
      update: undone.map((e) => ({ id: e.id, patch: { status: 'rolled_back', reason: e.reason ? `${reason} (applied because: ${e.reason})` : reason, rolledBackAt: at } })),
      append: [{
      teamId,
      timestamp: at,
      optimization: { description: `rollback of ${undone.length} change(s) to the config before history #${target.id}`, undone: undone.map((e) => e.id) },
      validationStatus: 'skipped',
      status: 'rollback',
      improvementPercentage: null,
      configBefore: undone[0].configAfter,
      configAfter: target.configBefore,
      fingerprintBefore: undone[0].fingerprintAfter,
      fingerprintAfter: target.fingerprintBefore,
      filePath: target.filePath,
      fileTextBefore: undefined,
      fileTextAfter: target.fileTextBefore,
      reason,
      }],
    });
    return { success: true, undone, restoredConfig: target.configBefore, filePath: target.filePath, backupPath, historyId };
  }

  /**
   * Monitoring after a change is live: compares the team's runs recorded since the latest applied change (by
   * config fingerprint) with the runs of the config before it, and rolls the change back (auto-rollback on) when
   * it performs worse, its success rate drops by more than 10 points, or its P95 rises by more than 50%.
   */
  async checkForRegression(teamId: string): Promise<RegressionCheck> {
    const [entry] = await this.appliedChanges(teamId);
    if (!entry) return { status: 'no_change', runsBefore: 0, runsAfter: 0, rolledBack: false, reason: `team "${teamId}" has no applied change to monitor` };
    const isLive = (r: ExecutionRecord) => !r.labels?.[EXPERIMENT_LABEL];
    const since = Date.parse(entry.timestamp);
    const before = (await this.liveRecords(teamId, entry.configBefore, entry.fingerprintBefore)).filter(isLive);
    const after = (await this.liveRecords(teamId, entry.configAfter, entry.fingerprintAfter, since)).filter(isLive);
    const minRuns = this.options.regressionMinRuns ?? DEFAULT_RUNS_PER_ARM;
    if (before.length < minRuns || after.length < minRuns) {
      return {
        status: 'insufficient_data',
        historyEntry: entry,
        runsBefore: before.length,
        runsAfter: after.length,
        rolledBack: false,
        reason: `need ${minRuns} live runs on each side of history #${entry.id}; have ${before.length} before and ${after.length} since`,
      };
    }
    const toSamples = (records: ExecutionRecord[], arm: TrialSample['arm']): TrialSample[] => records.map((record, trial) => ({ arm, trial, record }));
    const result: ExperimentResult = {
      teamId,
      baseline: toSamples(before, 'baseline'),
      candidate: toSamples(after, 'candidate'),
      runsPerArm: Math.max(before.length, after.length),
      seed: 0,
      startedAt: new Date(Math.min(...before.map((r) => r.startTimeMs))).toISOString(),
      finishedAt: this.now().toISOString(),
      cancelled: false,
    };
    const metric = ((entry.optimization as OptimizationSuggestion | undefined)?.targetMetric ?? 'duration') as ExperimentMetric;
    // Threshold 0: a live change is judged on regression, not on reaching the improvement it was applied for.
    const verdict = evaluateExperiment(result, { threshold: 0, alpha: this.options.alpha ?? 0.05, metric, seed: 1 });
    if (verdict.status !== 'failed') {
      return { status: 'ok', historyEntry: entry, verdict, runsBefore: before.length, runsAfter: after.length, rolledBack: false, reason: verdict.reason };
    }
    let rolledBack = false;
    if (this.enableAutoRollback) {
      await this.rollbackOptimization(teamId, 0, `auto-rollback after monitoring: ${verdict.reason}`);
      rolledBack = true;
    }
    return { status: 'regressed', historyEntry: entry, verdict, runsBefore: before.length, runsAfter: after.length, rolledBack, reason: verdict.reason };
  }

  /**
   * Runs of a config, whichever way their recorder fingerprinted it: autotune's runners hash the `TeamConfig`,
   * while a user's collector usually hashes the snake_case object from the workflow file.
   */
  private async liveRecords(teamId: string, config: TeamConfig, fingerprint: string, sinceMs?: number): Promise<ExecutionRecord[]> {
    const seen = new Set<string>();
    const out: ExecutionRecord[] = [];
    for (const fp of new Set([fingerprint, configFingerprint(teamConfigToUser(config))])) {
      for (const r of await this.store.listRecords(teamId, { fingerprint: fp, sinceMs })) {
        if (seen.has(r.executionId)) continue;
        seen.add(r.executionId);
        out.push(r);
      }
    }
    return out;
  }

  /**
   * The guide's continuous auto-tuning: each cycle checks the live change for regression, then suggests and
   * applies (with A/B tests) what the latest metrics call for. Stops cleanly when `signal` aborts.
   */
  async runContinuous(teamId: string, options: ContinuousOptions): Promise<void> {
    if (!(options.intervalMs > 0)) throw new CoreError('CORE_CONFIG_INVALID', `intervalMs must be > 0, got ${options.intervalMs}`);
    const { signal } = options;
    while (!signal?.aborted) {
      const at = this.now().toISOString();
      try {
        await options.beforeCycle?.();
        const regression = await this.checkForRegression(teamId);
        const file = options.workflowPath ? await loadWorkflowFile(options.workflowPath, teamId) : undefined;
        const suggestions = await this.suggestOptimizations(teamId, file ?? undefined);
        let outcome: ApplyOutcome | undefined;
        if (suggestions.length > 0 && !signal?.aborted) {
          const workflow: WorkflowInput = file ?? (await this.inferConfig(teamId, await this.teamStats(teamId)));
          outcome = await this.applyOptimizations(teamId, suggestions, workflow, { signal });
        }
        options.onCycle?.({ at, suggestions: suggestions.length, outcome, regression });
      } catch (err) {
        if (signal?.aborted) break;
        options.onCycle?.({ at, suggestions: 0, error: errorMessage(err) });
      }
      await pause(options.intervalMs, signal);
    }
  }
}

/** Which of a run's own limits a change lowers: a smaller tool budget (team or member share) or timeout. */
function tightenedLimits(before: TeamConfig, after: TeamConfig): Array<'tool_budget' | 'timeout'> {
  const out: Array<'tool_budget' | 'timeout'> = [];
  const lower = (a?: number, b?: number) => b !== undefined && (a === undefined || b < a);
  const shares = (c: TeamConfig) => new Map((c.members ?? []).map((m) => [m.id, m.toolBudgetMultiplier ?? 1]));
  const beforeShares = shares(before);
  const memberCut = [...shares(after)].some(([id, m]) => beforeShares.has(id) && m < beforeShares.get(id)!);
  if (lower(before.toolBudget, after.toolBudget) || memberCut) out.push('tool_budget');
  if (lower(before.timeoutSeconds, after.timeoutSeconds)) out.push('timeout');
  return out;
}

/**
 * A change that lowers a limit must not make runs hit it: the candidate's runs that end on the tightened limit
 * are the direct trace of a cut too far, long before the success-rate loss it causes is provable at ten runs
 * per arm (tools/bench/tuning-quality.mjs found budget cuts that passed on cost while losing 7 to 13 points of
 * success). A passing verdict is turned into a failure when the candidate hit the tightened limit more often
 * than the baseline did.
 */
function guardTightenedLimits(verdict: Verdict, result: ExperimentResult, before: TeamConfig, after: TeamConfig): Verdict {
  if (verdict.status !== 'passed') return verdict;
  for (const limit of tightenedLimits(before, after)) {
    const hits = (samples: TrialSample[]) => samples.filter((s) => s.record.limitHit === limit).length;
    const was = hits(result.baseline);
    const now = hits(result.candidate);
    if (now > was) {
      const what = limit === 'tool_budget' ? 'tool budget' : 'timeout';
      const reason = `the lowered ${what} was hit in ${now} of ${result.candidate.length} candidate runs against ${was} of ${result.baseline.length} before: it cuts into what runs need`;
      return {
        ...verdict,
        status: 'failed',
        reason,
        reasonCodes: [...verdict.reasonCodes.filter((c) => c !== 'significant_improvement'), 'guardrail_limit_hits'],
        explanation: `${verdict.explanation} However, ${reason}, so the change fails.`,
      };
    }
  }
  return verdict;
}
