import { PerformanceAnalyzer } from '@autotune/analyzer';
import {
  evaluateExperiment,
  runExperiment,
  summarizeVerdict,
  type ExperimentMetric,
  type ExperimentProgress,
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
import { randomUUID } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import type {
  ApplyOptions,
  ApplyOutcome,
  AutotunerOptions,
  AutotuneSuggestion,
  ContinuousOptions,
  OptimizationResult,
  RegressionCheck,
  RollbackGuard,
  RollbackOptions,
  RollbackOutcome,
  UserTeamConfig,
  WorkflowInput,
} from './autotuner-types';
import { CoreError } from './errors';
import { applyConfirmation, rollbackConfirmation, settlePendingHistory, textHash, undonePatches, writeJournaled } from './file-change';
import { holdTeamLock, MemoryStore, type AutotuneStore, type HistoryEntry, type HistoryStatus } from './store';
import { tightenedLimits } from './limits';
import { tuneTeam } from './tuner/tune-team';
import type { TuneOptions, TuneOutcome } from './tuner/tune-types';
import {
  configInFileShape,
  isTeamConfig,
  loadWorkflowFile,
  renderWorkflowChange,
  renderWorkflowUpdate,
  spellChanges,
  teamConfigFromUser,
  teamConfigToUser,
  workflowFromText,
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

/** A config in the shape the caller passed: a `TeamConfig`, snake_case, or spelled as the workflow file spells it. */
function inShape(config: TeamConfig, input: ResolvedInput): UserTeamConfig | TeamConfig {
  if (input.file) return configInFileShape(input.file, config);
  return input.shape === 'team' ? cloneConfig(config) : teamConfigToUser(config);
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
      const changes = changedKeys(current, resultingConfig);
      const suggestion: AutotuneSuggestion = {
        ...s,
        strategy: s.strategy ?? s.type,
        resultingConfig,
        // For a file, each key also as the file spells it: output names the keys the user sees in it.
        changes: resolved.file ? spellChanges(resolved.file, changes) : changes,
      };
      if (resolved.shape !== 'team') {
        suggestion.currentUserConfig = inShape(current, resolved) as UserTeamConfig;
        suggestion.suggestedUserConfig = inShape(resultingConfig, resolved) as UserTeamConfig;
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
    // `| undefined`: callers forward their own optional settings as they are.
    opts: { runsPerArm?: number | undefined; signal?: AbortSignal | undefined; onProgress?: ((p: ExperimentProgress) => void) | undefined; threshold?: number | undefined; label: string },
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
      ...(this.options.trialTimeoutMs !== undefined && { timeoutMs: this.options.trialTimeoutMs }),
      seed,
      ...(opts.signal !== undefined && { signal: opts.signal }),
      ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
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
   * File and history agree whenever the process dies (see `writeJournaled`); a pending change an earlier,
   * interrupted apply left is settled first.
   */
  async applyOptimizations(
    teamId: string,
    optimizations: readonly OptimizationSuggestion[],
    workflowConfig: WorkflowInput,
    options: ApplyOptions = {},
  ): Promise<ApplyOutcome> {
    const input = resolveInput(workflowConfig);
    if (options.dryRun) {
      const decided = await this.decideAll(teamId, optimizations, input, options);
      return { results: decided.results, finalConfig: inShape(decided.current, input), settled: [] };
    }
    const held = await holdTeamLock(this.store, teamId, 'apply');
    try {
      const settled = await settlePendingHistory(this.store, teamId);
      const decided = await this.decideAll(teamId, optimizations, input, options);
      const recorded = await this.recordApply(teamId, input, decided, options, () => held.confirm());
      return { results: decided.results, finalConfig: inShape(decided.current, input), ...recorded, settled };
    } finally {
      await held.release();
    }
  }

  /** Decides every optimization in order, each against the config the earlier ones left in force. */
  private async decideAll(teamId: string, optimizations: readonly OptimizationSuggestion[], input: ResolvedInput, options: ApplyOptions): Promise<Decisions> {
    const results: OptimizationResult[] = [];
    const steps: Step[] = [];
    let current = input.config;
    for (const [index, optimization] of optimizations.entries()) {
      options.signal?.throwIfAborted();
      const { result, step } = await this.decideOne(teamId, index, optimization, current, input, options);
      if (step) {
        steps.push(step);
        if (step.status === 'applied') current = step.after;
      }
      results.push(result);
      options.onResult?.(result, index);
    }
    return { results, steps, current };
  }

  /** One optimization's outcome, and the history step it leads to (none for a no-op or a dry run). */
  private async decideOne(
    teamId: string,
    index: number,
    optimization: OptimizationSuggestion,
    current: TeamConfig,
    input: ResolvedInput,
    options: ApplyOptions,
  ): Promise<{ result: OptimizationResult; step?: Step }> {
    const candidate = this.applyOne(current, optimization);
    const changes = changedKeys(current, candidate);
    const base: OptimizationResult = {
      success: false,
      optimization: {
        ...optimization,
        strategy: optimization.strategy ?? optimization.type,
        resultingConfig: candidate,
        // Recorded in the history too, so `history` and `rollback` name the keys as the file spells them.
        changes: input.file ? spellChanges(input.file, changes, current) : changes,
      },
      improvementPercentage: null,
      validationStatus: 'skipped',
      rollbackConfig: inShape(current, input),
      timestamp: this.now().toISOString(),
    };
    if (sameConfig(candidate, current)) return { result: { ...base, error: 'nothing to change: the suggested settings are already in force' } };
    if (options.dryRun) return { result: { ...base, validationStatus: 'dry_run' } };
    if (options.enableAbTesting === false) {
      const result = { ...base, success: true };
      return { result, step: { result, before: current, after: candidate, status: 'applied', reason: 'applied without A/B testing' } };
    }
    const { experimentId, verdict: measured, result: experimentResult } = await this.experiment(teamId, current, candidate, optimization.targetMetric, {
      runsPerArm: options.runsPerArm,
      signal: options.signal,
      onProgress: options.onProgress ? (p) => options.onProgress!({ optimizationIndex: index, ...p }) : undefined,
      label: `apply #${index + 1}: ${optimization.description}`,
    });
    // A cancelled experiment decides nothing: stop before anything is written.
    options.signal?.throwIfAborted();
    const verdict = guardTightenedLimits(measured, experimentResult, current, candidate);
    const result: OptimizationResult = {
      ...base,
      success: verdict.status === 'passed',
      validationStatus: verdict.status,
      beforeMetrics: verdict.before,
      afterMetrics: verdict.after,
      improvementPercentage: verdict.improvementPercentage,
      evidence: { experimentId, verdict },
    };
    const step: Step = { result, before: current, after: candidate, status: 'rejected', reason: verdict.reason };
    if (verdict.status === 'passed') step.status = 'applied';
    else if (verdict.status === 'failed' && this.enableAutoRollback) {
      result.rolledBack = { reason: verdict.reason };
      result.error = `rolled back: ${verdict.reason}`;
      step.status = 'rolled_back';
    } else result.error = `not applied: ${verdict.reason}`;
    return { result, step };
  }

  /**
   * Records the decided steps, and writes the workflow file when a change was kept: the kept steps are
   * recorded `pending` with the file's hashes before the file is replaced, and confirmed after.
   */
  private async recordApply(
    teamId: string,
    input: ResolvedInput,
    decided: Decisions,
    options: ApplyOptions,
    confirmLock: () => Promise<void>,
  ): Promise<Pick<ApplyOutcome, 'written' | 'applyId'>> {
    const kept = decided.steps.some((s) => s.status === 'applied');
    const applyId = kept ? randomUUID().slice(0, 8) : undefined;
    const entries = decided.steps.map((s) => historyEntryOf(teamId, s, applyId));
    // The store returns one id per appended entry, and entries holds one entry per step.
    const assignIds = (ids: number[]) => decided.steps.forEach((s, i) => (s.result.historyId = ids[i]!));
    const applied = applyId === undefined ? {} : { applyId };
    if (!input.file || !kept) {
      if (entries.length > 0) assignIds(await this.store.writeHistory({ append: entries }));
      return applied;
    }
    const file = input.file;
    options.signal?.throwIfAborted();
    await assertUnchangedOnDisk(file);
    const textOf = (config: TeamConfig) => (sameConfig(config, file.config) ? file.text : renderWorkflowUpdate(file, config));
    const final = sameConfig(decided.current, file.config) ? { text: file.text, comments: [] } : renderWorkflowChange(file, decided.current);
    const finalText = final.text;
    // What is written must load again as this team's workflow.
    workflowFromText(file.path, finalText, file.teamId, file.format);
    decided.steps.forEach((s, i) => {
      if (s.status !== 'applied') return;
      const before = textOf(s.before);
      const after = textOf(s.after);
      Object.assign(entries[i]!, { status: 'pending', filePath: file.path, fileTextBefore: before, fileTextAfter: after, fileHashBefore: textHash(before), fileHashAfter: textHash(after) });
    });
    const pendingIds = (ids: number[]) => ids.filter((_, i) => entries[i]?.status === 'pending');
    const { ids, backupPath } = await writeJournaled({
      store: this.store,
      kind: 'apply',
      teamId,
      filePath: file.path,
      textBefore: file.text,
      textAfter: finalText,
      backup: options.backup ?? true,
      now: this.now(),
      intent: (backup) => ({ append: entries.map((e) => (e.status === 'pending' && backup ? { ...e, backupPath: backup } : e)) }),
      confirm: (appended) => applyConfirmation(pendingIds(appended)),
      confirmLock,
    });
    assignIds(ids);
    return { written: { path: file.path, ...(backupPath ? { backupPath } : {}), comments: final.comments }, ...applied };
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
        ...(this.options.runner !== undefined && { runner: this.options.runner }),
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
        ...(this.options.trialTimeoutMs !== undefined && { trialTimeoutMs: this.options.trialTimeoutMs }),
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
    options: { teamId?: string; runsPerArm?: number; metric?: ExperimentMetric; signal?: AbortSignal; onProgress?: (p: ExperimentProgress) => void } = {},
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
    options: { runsPerArm?: number; signal?: AbortSignal; onProgress?: (p: ExperimentProgress) => void } = {},
  ): Promise<{ entry: HistoryEntry; verdict: Verdict; experimentId: string; rollback?: RollbackOutcome }> {
    const [entry] = await this.appliedChanges(teamId);
    if (!entry) throw new CoreError('CORE_ROLLBACK', `team "${teamId}" has no applied change to validate (see \`autotune history --team-id ${teamId}\`)`);
    const metric = entry.optimization.targetMetric ?? 'duration';
    const { experimentId, verdict } = await this.experiment(teamId, entry.configBefore, entry.configAfter, metric, { ...options, label: `validate history #${entry.id}` });
    let rollback: RollbackOutcome | undefined;
    if (verdict.status === 'failed' && this.enableAutoRollback) {
      rollback = await this.rollbackOptimization(teamId, 0, `validation failed: ${verdict.reason}`);
    }
    return { entry, verdict, experimentId, ...(rollback !== undefined && { rollback }) };
  }

  /**
   * Undoes the applied change at `rollbackIndex` (0 = the latest), or the whole apply `options.applyId`, and
   * every later one: restores the config, and the workflow file's exact earlier bytes (after backing up its
   * current bytes), and records it in the history, file and history agreeing whenever the process dies. The file
   * is restored only when it is the workflow named in `options` (or `rollbackGuard`), or when its bytes are
   * those autotune wrote and it lies in the project root; otherwise nothing is written and a `CORE_ROLLBACK`
   * error explains why.
   */
  async rollbackOptimization(teamId: string, rollbackIndex = 0, reason = 'manual rollback', options: RollbackOptions = {}): Promise<RollbackOutcome> {
    // A rollback racing an apply on the same team would let the apply overwrite the restored file, and an apply
    // finishing first would shift the indexes: take the lock, then read the history.
    const held = await holdTeamLock(this.store, teamId, 'rollback');
    try {
      const settled = await settlePendingHistory(this.store, teamId);
      const applied = await this.appliedChanges(teamId);
      const applyId = options.applyId === 'latest' ? latestApplyId(applied, teamId) : options.applyId;
      const index = applyId === undefined ? rollbackIndex : indexOfApply(applied, teamId, applyId);
      const outcome = await this.rollbackLocked(teamId, applied, index, reason, { ...this.options.rollbackGuard, ...options }, () => held.confirm());
      return { ...outcome, settled };
    } finally {
      await held.release();
    }
  }

  private async rollbackLocked(
    teamId: string,
    applied: HistoryEntry[],
    rollbackIndex: number,
    reason: string,
    guard: RollbackGuard,
    confirmLock: () => Promise<void>,
  ): Promise<Omit<RollbackOutcome, 'settled'>> {
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
    const newest = undone[0]!; // 0 <= rollbackIndex < applied.length (checked above), so undone is not empty
    const at = this.now().toISOString();
    const entry: Omit<HistoryEntry, 'id'> = {
      teamId,
      timestamp: at,
      optimization: { description: `rollback of ${undone.length} change(s) to the config before history #${target.id}`, changes: [], undone: undone.map((e) => e.id) },
      validationStatus: 'skipped',
      status: 'rollback',
      improvementPercentage: null,
      configBefore: newest.configAfter,
      configAfter: target.configBefore,
      fingerprintBefore: newest.fingerprintAfter,
      fingerprintAfter: target.fingerprintBefore,
      undoes: undone.map((e) => e.id),
      reason,
    };
    const outcome = { success: true, undone, restoredConfig: target.configBefore };
    if (!target.filePath || target.fileTextBefore === undefined) {
      // No file to restore: the history alone changes, in one write.
      const historyId = appendedId(await this.store.writeHistory({ update: undonePatches(undone, reason, at), append: [entry] }));
      return { ...outcome, historyId };
    }
    const filePath = target.filePath;
    const restored = target.fileTextBefore;
    const currentText = await readFile(filePath, 'utf8').catch(() => undefined);
    await checkRestoreTarget(target, undone, currentText, guard);
    const { ids, backupPath } = await writeJournaled({
      store: this.store,
      kind: 'rollback',
      teamId,
      filePath,
      textBefore: currentText ?? '',
      textAfter: restored,
      backup: currentText !== undefined && currentText !== restored,
      now: this.now(),
      intent: (backup) => ({
        append: [
          {
            ...entry,
            status: 'pending',
            filePath,
            fileTextAfter: restored,
            ...(currentText === undefined ? {} : { fileHashBefore: textHash(currentText) }),
            fileHashAfter: textHash(restored),
            ...(backup ? { backupPath: backup } : {}),
          },
        ],
      }),
      confirm: (appended) => rollbackConfirmation({ id: appendedId(appended), reason, timestamp: at }, undone),
      confirmLock,
    });
    return { ...outcome, filePath, ...(backupPath ? { backupPath } : {}), historyId: appendedId(ids) };
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
    const metric = entry.optimization.targetMetric ?? 'duration';
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
      for (const r of await this.store.listRecords(teamId, { fingerprint: fp, ...(sinceMs !== undefined && { sinceMs }) })) {
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
          outcome = await this.applyOptimizations(teamId, suggestions, workflow, signal === undefined ? {} : { signal });
        }
        options.onCycle?.({ at, suggestions: suggestions.length, ...(outcome !== undefined && { outcome }), regression });
      } catch (err) {
        if (signal?.aborted) break;
        options.onCycle?.({ at, suggestions: 0, error: errorMessage(err) });
      }
      await pause(options.intervalMs, signal);
    }
  }
}

/** Which of a run's own limits a change lowers: a smaller tool budget (team or member share) or timeout. */
/**
 * A change that lowers a limit must not make runs hit it: the candidate's runs that end on the tightened limit
 * are the direct trace of a cut too far, long before the success-rate loss it causes is provable at ten runs
 * per arm (tools/bench/tuning-quality.mjs found budget cuts that passed on cost while losing 7 to 13 points of
 * success). A passing verdict is turned into a failure when the candidate hit the tightened limit more often
 * than the baseline did.
 */
/** The id of the one history entry just appended (the store contract returns one id per appended entry). */
function appendedId(ids: readonly number[]): number {
  const [id] = ids;
  if (id === undefined) throw new CoreError('CORE_STORE', 'the store returned no id for the history entry just appended');
  return id;
}

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

/** One decided optimization as the history records it. */
interface Step {
  result: OptimizationResult;
  before: TeamConfig;
  after: TeamConfig;
  status: HistoryStatus;
  reason?: string;
}

interface Decisions {
  results: OptimizationResult[];
  steps: Step[];
  /** The config in force after every kept step. */
  current: TeamConfig;
}

function historyEntryOf(teamId: string, s: Step, applyId: string | undefined): Omit<HistoryEntry, 'id'> {
  return {
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
    ...(applyId !== undefined ? { applyId } : {}),
    ...(s.result.evidence ? { experimentId: s.result.evidence.experimentId, evidence: summarizeVerdict(s.result.evidence.verdict) } : {}),
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
  };
}

/** Refuses to write a file that changed on disk while the experiments ran. */
async function assertUnchangedOnDisk(file: WorkflowFile): Promise<void> {
  const onDisk = await readFile(file.path, 'utf8').catch((err: unknown) => {
    throw new CoreError('CORE_IO', `cannot re-read ${file.path} before writing it: ${errorMessage(err)}; nothing was written`, { cause: err });
  });
  if (onDisk !== file.text) {
    throw new CoreError('CORE_IO', `${file.path} changed on disk while autotune was testing; nothing was written. Run apply again on the new file.`);
  }
}

/** The apply that made the latest applied change (`rollback --apply latest`). */
function latestApplyId(applied: HistoryEntry[], teamId: string): string {
  const latest = applied[0];
  if (latest === undefined) throw new CoreError('CORE_ROLLBACK', `team "${teamId}" has no applied change to roll back`);
  if (latest.applyId === undefined) {
    throw new CoreError('CORE_ROLLBACK', `the latest applied change of team "${teamId}" (history #${latest.id}) carries no apply id (it was written by an older autotune): roll back by --index`);
  }
  return latest.applyId;
}

/** The rollback index of the oldest applied entry of an apply: undoing it undoes the whole apply (and later ones). */
function indexOfApply(applied: HistoryEntry[], teamId: string, applyId: string): number {
  let index = -1;
  applied.forEach((e, i) => {
    if (e.applyId === applyId) index = i;
  });
  if (index < 0) {
    throw new CoreError('CORE_ROLLBACK', `team "${teamId}" has no applied change from apply ${applyId} (already rolled back, or another team's; see \`autotune rollback --list\`)`);
  }
  return index;
}

/** The real path of a file, or of its folder when the file is gone, so that symlinks cannot lead outside a root. */
async function realPathOf(p: string): Promise<string> {
  const abs = path.resolve(p);
  return realpath(abs).catch(async () => path.join(await realpath(path.dirname(abs)).catch(() => path.dirname(abs)), path.basename(abs)));
}

/**
 * Whether a rollback may write `target.filePath` (issue: an edited history row must not make autotune
 * overwrite another file): the file the user named may always be restored; any other only when it lies in the
 * project root and holds exactly the bytes autotune last wrote to it. And the bytes to restore must be the
 * ones recorded with their hash.
 */
async function checkRestoreTarget(target: HistoryEntry, undone: HistoryEntry[], currentText: string | undefined, guard: RollbackGuard): Promise<void> {
  const file = await realPathOf(target.filePath!);
  const problems: string[] = [];
  if (target.fileHashBefore !== undefined && textHash(target.fileTextBefore!) !== target.fileHashBefore) {
    problems.push(`the bytes recorded to restore (history #${target.id}) do not match their recorded hash: the history was changed`);
  }
  const named = guard.workflowPath !== undefined && (await realPathOf(guard.workflowPath)) === file;
  if (guard.workflowPath !== undefined && !named) {
    // The user means another file than the one the change was written to: restoring either would be a guess.
    problems.push(`the change (history #${target.id}) was applied to this file, not to the workflow named, ${path.resolve(guard.workflowPath)}; name this file, or none`);
  } else if (!named) {
    const latest = undone.find((e) => e.filePath === target.filePath) ?? target;
    const expected = latest.fileHashAfter ?? (latest.fileTextAfter !== undefined ? textHash(latest.fileTextAfter) : undefined);
    if (guard.projectRoot !== undefined) {
      const root = await realPathOf(guard.projectRoot);
      if (file !== root && !file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
        problems.push(`it lies outside ${root}, the project folder the database belongs to`);
      }
    }
    if (currentText === undefined) problems.push('it cannot be read');
    else if (expected === undefined || textHash(currentText) !== expected) {
      problems.push(`its bytes are not the ones autotune wrote (history #${latest.id}): it was edited since, or the history does not describe this file`);
    }
  }
  if (problems.length > 0) {
    throw new CoreError('CORE_ROLLBACK', `refusing to restore this file: ${problems.join('; and ')}. Nothing was written.` + (named ? '' : ' If this is the workflow to restore, name it (`--config FILE` in the CLI, `workflowPath` in the API).'), { location: { file }, details: { filePath: file, historyId: target.id, named } });
  }
}
