import type { ExperimentResult, TrialRunner, Verdict } from '@autotune/abtest';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import type { SettledChange } from '../file-change';
import type { CommentNote } from '../workflow';

/** The settings the tuner may change, in the user's vocabulary. */
export type TuneSetting = 'formation' | 'member_count' | 'members' | 'tool_budget' | 'timeout_seconds';

/** Every setting name, for validation and help texts. */
export const TUNE_SETTINGS: readonly TuneSetting[] = ['formation', 'member_count', 'members', 'tool_budget', 'timeout_seconds'];

/** Inclusive bounds of a numeric setting, and optionally the exact values to try. */
export interface TuneBounds {
  min?: number;
  max?: number;
  /** Values to try instead of the default levels around the value in force (still within min and max). */
  levels?: number[];
}

/**
 * Where the tuner may look. Everything is optional: by default every formation, team sizes from 1 up to the
 * members the file lists, and tool budget and timeout levels around the values in force.
 */
export interface TuneSearchSpace {
  /** Formations allowed (default: all five). The formation in force is kept even when not listed. */
  formations?: string[];
  /** Bounds of the number of enabled members. */
  memberCount?: TuneBounds;
  /** Bounds and levels of the team's tool budget. */
  toolBudget?: TuneBounds;
  /** Bounds and levels of the run timeout, seconds. */
  timeoutSeconds?: TuneBounds;
  /** Settings never changed (`members` keeps which members run; `member_count` keeps how many). */
  frozen?: TuneSetting[];
  /** Member ids that must stay enabled. */
  keepMembers?: string[];
}

/**
 * What the tuner minimises: mean duration (default), mean cost, or a weighted mix of the two, each relative to
 * the config in force (`{ duration: 0.7, cost: 0.3 }`). Success rate is always a constraint, never traded.
 */
export type TuneObjective = 'duration' | 'cost' | { duration: number; cost: number };

/** Options of `PerformanceAutotuner.tune`. */
export interface TuneOptions {
  /** Runs the tuner may spend in all (race and confirm tests); never exceeded. Default 150. */
  budget?: number;
  /** Default `'duration'`. */
  objective?: TuneObjective;
  /** Where to search; merged over the autotuner's `searchSpace`. */
  searchSpace?: TuneSearchSpace;
  /**
   * Largest success-rate loss, in points (0..100), the race and the confirm step accept as "no worse": a
   * candidate below the bar ranks by how far below it is. Default 2.
   */
  successMargin?: number;
  /** Decide everything but write nothing (no file, no history). Default false. */
  dryRun?: boolean;
  /** Keep a backup of the workflow file before writing it. Default true. */
  backup?: boolean;
  signal?: AbortSignal;
  /** Progress: race standings after every round, and the confirm tests. */
  onEvent?: (event: TuneEvent) => void;
}

/** Where a candidate came from. */
export type CandidateSource = 'baseline' | 'suggestion' | 'neighbour' | 'combination';

/** One change of a candidate against the config in force. */
export interface TuneChange {
  key: string;
  before: unknown;
  after: unknown;
  /** The key as the tuned workflow file spells it (`team_formation`, `members[researcher].enable`). */
  fileKey?: string;
}

/** One racer of a race, as reported. */
export interface RaceStanding {
  id: string;
  /** A short description: `formation sequential -> pipeline`. */
  label: string;
  source: CandidateSource;
  /** The strategy behind a suggestion. */
  strategy?: string;
  config: TeamConfig;
  changes: TuneChange[];
  /** Runs in the race (history runs of the baseline included). */
  runs: number;
  successes: number;
  successRate: number;
  /** Estimated improvement of the objective over the baseline, percent, from the rounds both ran. */
  improvementPercentage: number;
  /** Rounds shared with the baseline that the estimate rests on. */
  rounds: number;
  /** Whether its success rate is at or above the bar. */
  feasible: boolean;
  status: 'baseline' | 'winner' | 'racing' | 'eliminated';
  /** Round (1-based) after which it was eliminated. */
  eliminatedAfterRound?: number;
  /** Why it was eliminated, in words. */
  dropReason?: string;
}

/** A race: its rounds, runs, and every racer's final standing. */
export interface RaceReport {
  rounds: number;
  /** New runs spent (history not counted). */
  runs: number;
  standings: RaceStanding[];
  /** Id of the racer sent to the confirm test, if any. */
  winner?: string;
  /** Why the race produced no winner, when it did not. */
  noWinnerReason?: string;
}

/** The fresh A/B test of a race's winner against the config in force. */
export interface ConfirmReport {
  runsPerArm: number;
  verdict: Verdict;
  result: ExperimentResult;
  /**
   * The success-rate check on top of the verdict (all baseline runs, the candidate's race and confirm runs, and
   * `extraPairs` more pairs run for this check alone when the verdict passed and the success rate was in doubt).
   */
  successCheck: { baselineRate: number; candidateRate: number; probabilityNoWorse: number; passed: boolean; extraPairs: number };
  /** Power of the confirm's success test to catch a true 10-point success loss at this size. */
  powerTenPointLoss: number;
  kept: boolean;
  reason: string;
}

/** One step of the climb: a race from the config in force, then (with a winner) its confirm test. */
export interface TuneStep {
  from: TeamConfig;
  race: RaceReport;
  confirm?: ConfirmReport;
  /** The winner's config when kept. */
  to?: TeamConfig;
  kept: boolean;
  historyId?: number;
  experimentId?: string;
}

/** What `tune` returns. */
export interface TuneOutcome {
  teamId: string;
  budget: number;
  /** New runs spent, race and confirm together; at most `budget`. */
  runsUsed: number;
  objective: TuneObjective;
  initialConfig: TeamConfig;
  finalConfig: TeamConfig;
  steps: TuneStep[];
  /** Why the tuner stopped. */
  stopReason: string;
  /** Where the workflow file was written, its backup, and trailing comments on changed values (see `CommentNote`). */
  written?: { path: string; backupPath?: string; comments: CommentNote[] };
  /** History entries written, oldest first (one per kept change). */
  historyIds: number[];
  /**
   * The id shared by the history entries of every change this tune kept: `rollback --apply ID`
   * (`rollbackOptimization(teamId, 0, reason, { applyId })`) undoes the whole tune. Absent when nothing was kept.
   */
  applyId?: string;
  /** Interrupted applies, rollbacks or tunes found pending and settled before this one started. */
  settled: SettledChange[];
}

/** Progress events of a tune. */
export type TuneEvent =
  | { type: 'race-start'; step: number; candidates: number; raceBudget: number; runsUsed: number; budget: number }
  | { type: 'round'; step: number; round: number; runsUsed: number; budget: number; standings: RaceStanding[] }
  | { type: 'confirm-start'; step: number; runsPerArm: number; candidate: RaceStanding }
  | { type: 'confirm-progress'; step: number; completed: number; total: number }
  | { type: 'step-done'; step: number; kept: boolean; reason: string };

/** What the tuner's engine needs; `PerformanceAutotuner.tune` builds it. */
export interface TuneEngineInput {
  teamId: string;
  base: TeamConfig;
  /** Recorded runs of the config in force. */
  history: ExecutionRecord[];
  runner: TrialRunner<TeamConfig>;
  /** Suggestions for a config (strategies, built-in and third-party), best first. */
  suggest: (config: TeamConfig) => Array<{ config: TeamConfig; label: string; strategy: string }>;
  /** Called before each step's race, e.g. to compute the suggestions for the config now in force. */
  prepareStep?: (config: TeamConfig) => Promise<void>;
  /** Turns a passing verdict into a failure for reasons the verdict cannot see (limits tightened too far). */
  reviewVerdict?: ((verdict: Verdict, result: ExperimentResult, before: TeamConfig, after: TeamConfig) => Verdict) | undefined;
  budget: number;
  objective: TuneObjective;
  space: TuneSearchSpace;
  successMargin: number;
  alpha: number;
  threshold: number;
  concurrency: number;
  trialTimeoutMs?: number | undefined;
  seed: number;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: TuneEvent) => void) | undefined;
}
