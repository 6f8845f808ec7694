// The report's data model. The HTML page and the Markdown are both rendered from this one document, and
// `autotune report --format json` writes it as is, so that every number a reader sees can be traced to it.
import type { HistoryStatus } from '@autotune/core';

/** Version of {@link ReportDocument}'s shape; bumped when a field changes meaning or is removed. */
export const REPORT_SCHEMA_VERSION = 1;

/** A distribution of durations, binned on edges shared by every series of the same chart. */
export interface Histogram {
  /** Bin edges in seconds, ascending; bin i is [edges[i], edges[i+1]) (the last bin includes its upper edge). */
  edgesSeconds: number[];
  /** Successful runs per bin. */
  succeeded: number[];
  /** Failed runs per bin. */
  failed: number[];
}

/** Summary figures of a set of runs. Durations in seconds (type 7 quantiles); rates in [0, 1]. */
export interface RunFigures {
  runs: number;
  successes: number;
  successRate: number;
  meanSeconds: number;
  medianSeconds: number;
  p95Seconds: number;
  /** Mean cost per run over the runs that reported a cost; null when none did. */
  meanCostUsd: number | null;
  /** Total cost of the runs that reported one; null when none did. */
  totalCostUsd: number | null;
  /** Runs that ended on a limit (timeout, tool budget, max turns). */
  limitHits: number;
}

/** One setting that differs between two configs, in the user's flat key form (`formation`, `members[1].enabled`). */
export interface ConfigChange {
  key: string;
  /** Rendered as in a workflow file (JSON for objects); undefined when the key is absent on that side. */
  before?: string;
  after?: string;
}

/** The runs of one config (by fingerprint) and when it was in force. */
export interface ConfigSection {
  /** Short label used in charts and tables: `A`, `B`, ... in order of first run. */
  label: string;
  /** The config's fingerprint, or `unrecorded` for runs without one. */
  fingerprint: string;
  /** The config as the workflow file writes it, when known (from the history or an experiment). */
  settings?: Record<string, string>;
  /** ISO 8601 of the first and the last run. */
  firstRunAt: string;
  lastRunAt: string;
  /** True for the config of the most recent run. */
  current: boolean;
  figures: RunFigures;
  histogram: Histogram;
}

/** The p-values of the three tests of an experiment, one-sided in the improving direction; null when not run. */
export interface ExperimentPValues {
  welch: number | null;
  mannWhitney: number | null;
  fisher: number | null;
}

/** A guardrail as the verdict judged it. */
export interface ReportGuardrail {
  name: 'success_rate_drop' | 'p95_increase' | 'limit_hit_increase';
  /** What it measures, in words. */
  label: string;
  /** Measured value: percentage points for success and limit hits, percent for P95; negative is better. */
  value: number;
  limit: number;
  unit: 'points' | 'percent';
  breached: boolean;
}

/** One arm of an experiment. */
export interface ExperimentArm {
  figures: RunFigures;
  /** Every duration, ascending, in seconds: the chart draws their empirical CDF. */
  durationsSeconds: number[];
  /** Every reported cost, ascending, in USD, when the experiment's samples were at hand; else null. */
  costsUsd: number[] | null;
}

/** An experiment with its verdict, as a reader needs it. */
export interface ExperimentSection {
  id: string;
  /** ISO 8601. */
  createdAt: string;
  /** What it was for (`apply`, `benchmark`, `validate history #3`, ...). */
  label: string;
  /** True when the run that wrote this report produced this experiment. */
  fromThisRun: boolean;
  /** The change in a few words (`formation: consensus → parallel`, `+2 more`), for titles and tables. */
  changeSummary: string;
  metric: 'duration' | 'cost' | 'success_rate';
  changes: ConfigChange[];
  baseline: ExperimentArm;
  candidate: ExperimentArm;
  verdict: {
    status: 'passed' | 'failed' | 'inconclusive';
    /**
     * Positive when the candidate is better: percent for duration and cost, points for success rate. Null
     * when it cannot be measured (e.g. a team that records no cost): printed as n/a, never as a made-up 0.
     */
    improvementPercentage: number | null;
    /** The bootstrap interval of the improvement; null when the improvement cannot be measured. */
    interval: { low: number; high: number; confidenceLevel: number } | null;
    threshold: number;
    alpha: number;
    pValues: ExperimentPValues;
    decidedBy: 'welch' | 'fisher';
    guardrails: ReportGuardrail[];
    /** One sentence, as the CLI prints it. */
    reason: string;
    /** The paragraph the CLI prints under `--verbose`. */
    explanation: string;
    recommendedRunsPerArm: number | null;
    /** Early stopping: the look it stopped at, of how many. */
    sequential: { look: number; looks: number; stoppedEarly: boolean } | null;
  };
}

/** One candidate of a tune's race. */
export interface RaceCandidate {
  id: string;
  description: string;
  changes: ConfigChange[];
  /** `incumbent`: the config in force; `winner`: the race's pick; `eliminated`; `survivor`: still in at the end but not picked. */
  role: 'incumbent' | 'winner' | 'eliminated' | 'survivor';
  /** Runs the race gave it. */
  runs: number;
  /** Estimate of the objective (lower is better), in `RaceSection.unit`, with its interval when known. */
  estimate: number;
  interval: { low: number; high: number } | null;
  successRate: number;
  /** 1-based round it was dropped after; null when it was not dropped. */
  eliminatedInRound: number | null;
  eliminationReason: string | null;
}

/** The confirmatory A/B test of a race's winner. */
export interface RaceConfirm {
  /** The experiment, when it is in the report's experiments. */
  experimentId: string | null;
  status: 'passed' | 'failed' | 'inconclusive';
  improvementPercentage: number;
  reason: string;
}

/** A tune's race: candidates, runs each got, estimates, when each was dropped, the confirm test. */
export interface RaceSection {
  /** What was minimised (`duration`, `cost`, a weighted mix). */
  objective: string;
  /** Unit of the estimates: `s`, `usd` or `score`. */
  unit: 's' | 'usd' | 'score';
  rounds: number;
  runsUsed: number;
  budgetRuns: number | null;
  /** The rule candidates were dropped by, in words. */
  eliminationRule: string;
  candidates: RaceCandidate[];
  confirm: RaceConfirm | null;
}

/** A change in the history, placed on the timeline. */
export interface TimelineEvent {
  historyId: number;
  /** ISO 8601. */
  at: string;
  /** As the history has it (`pending` and `abandoned` are an apply a crash interrupted; see core's `HistoryStatus`). */
  status: HistoryStatus;
  validationStatus: string;
  description: string;
  changes: ConfigChange[];
  improvementPercentage: number | null;
  experimentId: string | null;
  reason: string | null;
  /** ISO 8601, when it was rolled back. */
  rolledBackAt: string | null;
}

/** Consecutive runs of the timeline, in time order. */
export interface TimelineBucket {
  /** ISO 8601 start time of the bucket's first and last run. */
  start: string;
  end: string;
  figures: RunFigures;
}

/**
 * The history over time: events, and the runs' figures per bucket of consecutive runs. Buckets hold equal
 * numbers of runs rather than equal spans of time: runs come in bursts (an A/B test runs dozens in minutes,
 * then nothing for days), and equal spans would squeeze a burst into one point.
 */
export interface TimelineSection {
  /** Runs per bucket (the last bucket may hold fewer). */
  runsPerBucket: number;
  buckets: TimelineBucket[];
  events: TimelineEvent[];
}

/** An insight of the analyzer with its evidence in words. */
export interface ReportInsight {
  bottleneck: string;
  /** 0..1, higher is worse. */
  severity: number;
  recommendation: string;
  affectedComponents: string[];
  currentValue: number;
  baselineValue: number;
  /** The evidence as the CLI prints it ("12 runs; 95% CI ...; Welch t-test p = 0.003"). */
  evidence: string;
  runs: number;
}

/** The whole report. */
export interface ReportDocument {
  kind: 'autotune-report';
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** ISO 8601. */
  generatedAt: string;
  teamId: string;
  title: string;
  /** Where the data came from, for the reader: the command, the database, the metrics files. */
  source: { command: string; database: string | null; metrics: string[] };
  summary: {
    /** Null when the team has no recorded runs. */
    figures: RunFigures | null;
    /**
     * Which runs the summary, the configs and the timeline describe: the team's own (`live`), or, when it has
     * none on record, the trials of autotune's experiments (`trials`).
     */
    runsShown: 'live' | 'trials';
    /** Runs made by autotune's experiments (their records carry the experiment's label). */
    trialRuns: number;
    /** ISO 8601; null with no runs. */
    firstRunAt: string | null;
    lastRunAt: string | null;
    experiments: { passed: number; failed: number; inconclusive: number };
    changes: { applied: number; rolledBack: number; rejected: number };
    /** The latest experiment's verdict in one sentence, or why there is none. */
    headline: string;
    /**
     * The team's own runs before and after the latest change still in force, split at the time it was applied:
     * what the change did in production, beside what its A/B test predicted. Null without such a change or
     * without runs on both sides.
     */
    sinceLastChange: { historyId: number; at: string; description: string; before: RunFigures; after: RunFigures } | null;
  };
  configs: ConfigSection[];
  experiments: ExperimentSection[];
  race: RaceSection | null;
  timeline: TimelineSection;
  insights: ReportInsight[];
}
