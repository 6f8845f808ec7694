import type { PerformanceAnalyzer, PerformanceInsight } from '@autotune/analyzer';
import type { ArmMetrics, ExperimentProgress, TrialRunner, ValidationStatus, Verdict } from '@autotune/abtest';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TeamConfig } from '@autotune/strategies';
import type { AutotuneStore, HistoryEntry } from './store';
import type { SettledChange } from './file-change';
import type { CommentNote, WorkflowFile } from './workflow';

/** A team config as users write it: the guide's snake_case keys (`member_count`, `tool_budget`, ...). */
export type UserTeamConfig = Record<string, unknown>;

/** Options of `new PerformanceAutotuner(...)`. Everything has a default. */
export interface AutotunerOptions {
  /** Default: the six built-in strategies. */
  strategies?: OptimizationStrategy[];
  /** Default: a new analyzer with default baselines; records come from it and from the store. */
  analyzer?: PerformanceAnalyzer;
  /** Minimum improvement, percent, for a change to pass its A/B test. Default 5. */
  abTestThreshold?: number;
  /** Revert changes whose measured performance regresses. Default true. */
  enableAutoRollback?: boolean;
  /** Where history, experiments and execution records live. Default: an in-memory store. */
  store?: AutotuneStore;
  /** Runs trials for A/B tests and validation. Required for A/B testing. */
  runner?: TrialRunner<TeamConfig>;
  /** Runs per arm of each A/B test (the maximum, with early stopping). Default 10 (the minimum). */
  runsPerArm?: number;
  /**
   * Stop an A/B test at an interim look (every 10 runs per arm) once the answer is clear, with group-sequential
   * bounds that keep the false-pass rate at alpha (docs/statistics.md). Only useful with `runsPerArm` of 20 or
   * more. Default false.
   */
  earlyStopping?: boolean;
  /** Significance level. Default 0.05. */
  alpha?: number;
  /** Suggestions below this confidence are dropped. Default 0.6. */
  minConfidence?: number;
  /** Parallel trials. Default 1. */
  concurrency?: number;
  /** Per-trial timeout, ms. Default: none beyond the runner's own. */
  trialTimeoutMs?: number;
  /** Seed of the experiments' randomisation. Default: derived from the time. */
  seed?: number;
  /** Extra context handed to every strategy (task type, per-strategy options). */
  strategyContext?: Omit<StrategyContext, 'teamId' | 'stats'>;
  /** Monitoring after a change is live: runs needed on each side before a regression can be called. Default 10. */
  regressionMinRuns?: number;
  /**
   * Which files a rollback (manual, after a failed validation, after monitoring) may restore. Without a
   * `workflowPath` naming it, a file is restored only when its bytes are those autotune wrote and it lies in
   * `projectRoot`: the database cannot make autotune overwrite an unrelated file.
   */
  rollbackGuard?: RollbackGuard;
  /** Clock, for tests. */
  now?: () => Date;
}

/** See {@link AutotunerOptions.rollbackGuard}. */
export interface RollbackGuard {
  /** The workflow file the user named: it may be restored whatever its bytes. */
  workflowPath?: string;
  /** The project folder the database belongs to (the folder holding `.autotune/`): nothing outside it is restored unless named. */
  projectRoot?: string;
}

/** Options of `rollbackOptimization`. */
export interface RollbackOptions extends RollbackGuard {
  /** Undo this apply whole (the `applyId` its outcome and history entries carry) instead of an index. */
  applyId?: string;
}

/** A suggestion as the autotuner returns it: the strategy's suggestion plus the config it leads to. */
export interface AutotuneSuggestion extends OptimizationSuggestion {
  /** Name of the strategy that made it; `apply` goes through that strategy. */
  strategy: string;
  /** The whole config after the change, as a `TeamConfig`. */
  resultingConfig: TeamConfig;
  /** When the caller passed a snake_case config: the current and suggested configs in that shape. */
  currentUserConfig?: UserTeamConfig;
  suggestedUserConfig?: UserTeamConfig;
  /**
   * Changed keys in the user's vocabulary (`member_count`, `members[2].enabled`, ...); for a workflow file, each
   * also has `fileKey`, the key as that file spells it (`team_formation`, `members[researcher].enable`).
   */
  changes: Array<{ key: string; before: unknown; after: unknown; fileKey?: string }>;
}

/** What `applyOptimizations` may be handed as the config: a user's object, a `TeamConfig`, or a loaded file. */
export type WorkflowInput = UserTeamConfig | TeamConfig | WorkflowFile;

export interface ApplyOptions {
  /** Validate each change with a real A/B test before keeping it. Default true. */
  enableAbTesting?: boolean;
  /** Decide nothing, run nothing, write nothing: report what would change (`dry_run`). */
  dryRun?: boolean;
  runsPerArm?: number;
  signal?: AbortSignal;
  /** Progress of trials, per optimization. */
  onProgress?: (event: ExperimentProgress & { optimizationIndex: number }) => void;
  /** Called when an optimization's outcome is known, before the next one starts. */
  onResult?: (result: OptimizationResult, index: number) => void;
  /** Keep a backup of the workflow file before writing it. Default true. */
  backup?: boolean;
}

/** The outcome of one optimization. */
export interface OptimizationResult {
  /** True when the change is now in force (passed, or skipped with A/B testing off). */
  success: boolean;
  optimization: AutotuneSuggestion;
  beforeMetrics?: ArmMetrics;
  afterMetrics?: ArmMetrics;
  /** Measured improvement of the suggestion's target metric, percent; null when nothing was measured. */
  improvementPercentage: number | null;
  validationStatus: ValidationStatus;
  /** The config in force before this change, in the caller's shape. */
  rollbackConfig: UserTeamConfig | TeamConfig;
  timestamp: string;
  error?: string;
  /** Auto-rollback: why the candidate was reverted. */
  rolledBack?: { reason: string };
  /** The experiment behind the verdict. */
  evidence?: { experimentId: string; verdict: Verdict };
  historyId?: number;
}

/** What `applyOptimizations` returns: one result per optimization, in order, and the config in force after. */
export interface ApplyOutcome {
  results: OptimizationResult[];
  finalConfig: UserTeamConfig | TeamConfig;
  /**
   * When a workflow file was given and changed: where it was written, its backup, and the trailing comments on the
   * changed values (updated where they repeated the old number, else kept and possibly stale).
   */
  written?: { path: string; backupPath?: string; comments: CommentNote[] };
  /** Shared by the history entries this apply wrote, when it kept a change: `rollbackOptimization(team, 0, reason, { applyId })` undoes it whole. */
  applyId?: string;
  /** Interrupted applies or rollbacks found pending and settled before this one started. */
  settled: SettledChange[];
}

/** The outcome of `checkForRegression`. */
export interface RegressionCheck {
  status: 'no_change' | 'insufficient_data' | 'ok' | 'regressed';
  historyEntry?: HistoryEntry;
  verdict?: Verdict;
  runsBefore: number;
  runsAfter: number;
  /** True when the change was rolled back because of this check. */
  rolledBack: boolean;
  reason: string;
}

/** The outcome of a rollback. */
export interface RollbackOutcome {
  success: boolean;
  /** The history entry that was undone (and every later applied one). */
  undone: HistoryEntry[];
  restoredConfig: TeamConfig;
  /** When a file was restored: its path. */
  filePath?: string;
  /** Backup of the file's bytes as they were just before the rollback. */
  backupPath?: string;
  historyId: number;
  /** Interrupted applies or rollbacks found pending and settled before this one started. */
  settled: SettledChange[];
}

export interface ContinuousOptions {
  intervalMs: number;
  signal?: AbortSignal;
  /** Path of the workflow file to tune; re-read each cycle. */
  workflowPath?: string;
  /** Called at the start of each cycle, e.g. to load the runs recorded since the last one into the analyzer. */
  beforeCycle?: () => void | Promise<void>;
  onCycle?: (event: { at: string; suggestions: number; outcome?: ApplyOutcome; regression?: RegressionCheck; error?: string }) => void;
}

export type { PerformanceInsight };
