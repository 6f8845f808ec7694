import type { TrialSample, Verdict } from '@autotune/abtest';
import { describeEvidence, type PerformanceInsight } from '@autotune/analyzer';
import { EXPERIMENT_LABEL, teamConfigToUser, type HistoryEntry } from '@autotune/core';
import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { invalidInput } from './errors';
import { histogram, histogramEdges, runFigures } from './internal/figures';
import {
  REPORT_SCHEMA_VERSION,
  type ConfigChange,
  type ConfigSection,
  type ExperimentArm,
  type ExperimentSection,
  type RaceCandidate,
  type RaceSection,
  type ReportDocument,
  type ReportGuardrail,
  type TimelineBucket,
  type TimelineEvent,
} from './report-types';

/** An experiment as the store keeps it (a `StoredExperiment` with its id fits). */
export interface ReportExperimentInput {
  id: string;
  /** ISO 8601. */
  createdAt: string;
  // `| undefined`: a stored experiment's optional label is forwarded as it is read.
  label?: string | undefined;
  baselineConfig: TeamConfig;
  candidateConfig: TeamConfig;
  verdict: Verdict;
  /** The experiment's samples, when at hand: they give the arms' cost distributions (the verdict keeps durations only). */
  result?: { baseline: readonly TrialSample[]; candidate: readonly TrialSample[] };
}

/**
 * A tune's race, as the tuner describes it. Fields a tuner may not know are optional; the report fills them
 * with "not known" rather than guessing.
 */
export interface ReportRaceInput {
  objective: string;
  unit?: RaceSection['unit'];
  rounds: number;
  budgetRuns?: number;
  eliminationRule: string;
  candidates: Array<{
    id: string;
    description: string;
    role: RaceCandidate['role'];
    runs: number;
    estimate: number;
    interval?: { low: number; high: number };
    successRate: number;
    eliminatedInRound?: number;
    eliminationReason?: string;
    /** The candidate's changes, or its config (diffed against the incumbent's). */
    changes?: ConfigChange[];
    config?: TeamConfig;
  }>;
  confirm?: { experimentId?: string; status: 'passed' | 'failed' | 'inconclusive'; improvementPercentage: number; reason: string };
}

/** Everything a report is built from. Only `teamId` and `records` are required. */
export interface ReportInput {
  teamId: string;
  /** The team's runs, any order. */
  records: readonly ExecutionRecord[];
  experiments?: readonly ReportExperimentInput[];
  /** The team's history, any order. */
  history?: readonly HistoryEntry[];
  insights?: readonly PerformanceInsight[];
  race?: ReportRaceInput;
  /** Experiments the run writing this report produced: marked, and listed first. */
  focusExperimentIds?: readonly string[];
  /** Default: now. */
  generatedAt?: Date;
  /** Default: "autotune report: <team>". */
  title?: string;
  source?: { command?: string; database?: string; metrics?: string[] };
}

/**
 * Builds the report document from a team's runs, experiments, history, insights and (when there is one) a
 * tune's race. Pure: it reads nothing and writes nothing, so every surface (CLI, API, tests) gets the same
 * numbers.
 *
 * @throws ReportError `REPORT_INVALID_INPUT` naming the field, for a record without a finite duration or time,
 *   an experiment without a verdict, or a race candidate without runs.
 */
export function buildReport(input: ReportInput): ReportDocument {
  if (typeof input?.teamId !== 'string' || input.teamId === '') throw invalidInput('teamId', 'expected a non-empty string');
  // Checked through `unknown`: Array.isArray would narrow the typed array to any[].
  const given: unknown = input.records;
  if (!Array.isArray(given)) throw invalidInput('records', 'expected an array of execution records');
  const records = input.records.filter((r) => r.teamId === input.teamId);
  records.forEach((r, i) => {
    if (typeof r.durationSeconds !== 'number' || !Number.isFinite(r.durationSeconds) || r.durationSeconds < 0) {
      throw invalidInput(`records[${i}].durationSeconds`, `expected a finite number >= 0, got ${String(r.durationSeconds)}`);
    }
    if (typeof r.startTimeMs !== 'number' || !Number.isFinite(r.startTimeMs)) {
      throw invalidInput(`records[${i}].startTimeMs`, `expected epoch milliseconds, got ${String(r.startTimeMs)}`);
    }
  });
  // The team's own runs, without the trials of autotune's experiments: those are shown per experiment, and
  // mixing them in would make a config tried for twenty minutes look like one that was in force. With only
  // trials on record (a benchmark and nothing else), the trials are all there is to show.
  const all = [...records].sort((a, b) => a.startTimeMs - b.startTimeMs);
  const live = all.filter((r) => !r.labels?.[EXPERIMENT_LABEL]);
  const sorted = live.length > 0 ? live : all;
  const history = [...(input.history ?? [])].filter((h) => h.teamId === input.teamId).sort((a, b) => a.id - b.id);
  const focus = new Set(input.focusExperimentIds ?? []);

  const settingsByFingerprint = new Map<string, Record<string, string>>();
  const remember = (fingerprint: string | undefined, config: TeamConfig | undefined) => {
    if (!config || typeof config !== 'object') return;
    const flat = flattenConfig(config);
    for (const fp of [fingerprint, configFingerprint(config), safeFingerprintOfUser(config)]) {
      if (fp && !settingsByFingerprint.has(fp)) settingsByFingerprint.set(fp, flat);
    }
  };
  for (const h of history) {
    remember(h.fingerprintBefore, h.configBefore);
    remember(h.fingerprintAfter, h.configAfter);
  }
  for (const e of input.experiments ?? []) {
    remember(undefined, e.baselineConfig);
    remember(undefined, e.candidateConfig);
  }

  const experiments = (input.experiments ?? []).map((e, i) => experimentSection(e, i, focus));
  experiments.sort((a, b) => Number(b.fromThisRun) - Number(a.fromThisRun) || a.createdAt.localeCompare(b.createdAt));
  const events = history.map(timelineEvent);
  const figures = sorted.length ? runFigures(sorted) : null;
  const firstRun = sorted[0];
  const lastRun = sorted.at(-1);
  const counts = { passed: 0, failed: 0, inconclusive: 0 };
  for (const e of experiments) counts[e.verdict.status]++;

  return {
    kind: 'autotune-report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    teamId: input.teamId,
    title: input.title ?? `autotune report: ${input.teamId}`,
    source: { command: input.source?.command ?? 'autotune report', database: input.source?.database ?? null, metrics: [...(input.source?.metrics ?? [])] },
    summary: {
      figures,
      runsShown: live.length > 0 ? 'live' : 'trials',
      trialRuns: all.length - live.length,
      firstRunAt: firstRun ? iso(firstRun.startTimeMs) : null,
      lastRunAt: lastRun ? iso(lastRun.startTimeMs) : null,
      experiments: counts,
      changes: {
        applied: history.filter((h) => h.status === 'applied').length,
        rolledBack: history.filter((h) => h.status === 'rolled_back').length,
        rejected: history.filter((h) => h.status === 'rejected').length,
      },
      headline: headline(experiments, sorted.length),
      sinceLastChange: live.length > 0 ? sinceLastChange(live, events) : null,
    },
    configs: configSections(sorted, settingsByFingerprint),
    experiments,
    race: input.race ? raceSection(input.race) : null,
    timeline: timeline(sorted, events),
    insights: (input.insights ?? []).map((i) => ({
      bottleneck: i.bottleneck,
      severity: i.severity,
      recommendation: i.recommendation,
      affectedComponents: [...i.affectedComponents],
      currentValue: i.currentValue,
      baselineValue: i.baselineValue,
      evidence: describeEvidence(i.evidence),
      runs: i.evidence.runs,
    })),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function safeFingerprintOfUser(config: TeamConfig): string | undefined {
  try {
    return configFingerprint(teamConfigToUser(config));
  } catch {
    // A config the workflow layer cannot render still has its own fingerprint; the user form is a bonus.
    return undefined;
  }
}

/** The first changes in words, and how many more: `formation: consensus → parallel; +2 more`. */
export function summarizeChanges(changes: readonly ConfigChange[], shown = 2): string {
  if (changes.length === 0) return 'no setting differs';
  const words = changes.slice(0, shown).map((c) => (c.before === undefined ? `${c.key}: ${c.after} (added)` : c.after === undefined ? `${c.key} removed` : `${c.key}: ${c.before} → ${c.after}`));
  return changes.length > shown ? `${words.join('; ')}; +${changes.length - shown} more` : words.join('; ');
}

/** The config as flat `key: value` pairs in the workflow file's vocabulary (`member_count`, `members[1].enabled`). */
export function flattenConfig(config: TeamConfig): Record<string, string> {
  let user: unknown;
  try {
    user = teamConfigToUser(config);
  } catch {
    user = config;
  }
  const out: Record<string, string> = {};
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      if (value.length === 0) out[key] = '[]';
      value.forEach((v, i) => {
        // Members are told apart by id, not position: dropping the third member must not read as every later
        // member changing. Each keeps its other settings on one line.
        const id = v !== null && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
        if (typeof id === 'string') {
          const rest = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k, x]) => k !== 'id' && x !== undefined));
          out[`${key}[${id}]`] = Object.keys(rest).length ? JSON.stringify(rest) : 'present';
        } else if (typeof v === 'string' && key === 'members') {
          out[`${key}[${v}]`] = 'present';
        } else {
          walk(v, `${key}[${i}]`);
        }
      });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      if (entries.length === 0 && key) out[key] = '{}';
      for (const [k, v] of entries) walk(v, key ? `${key}.${k}` : k);
    } else if (value !== undefined) {
      out[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  walk(user, '');
  return out;
}

/** The settings that differ, in the order the "before" config lists them, then the added ones. */
export function diffConfigs(before: Record<string, string>, after: Record<string, string>): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const [key, value] of Object.entries(before)) {
    if (after[key] !== value) changes.push(after[key] === undefined ? { key, before: value } : { key, before: value, after: after[key] });
  }
  for (const [key, value] of Object.entries(after)) if (!(key in before)) changes.push({ key, after: value });
  return changes;
}

function configSections(sorted: readonly ExecutionRecord[], settings: Map<string, Record<string, string>>): ConfigSection[] {
  const lastRun = sorted.at(-1);
  if (lastRun === undefined) return [];
  const groups = new Map<string, ExecutionRecord[]>();
  for (const r of sorted) {
    const fp = r.configFingerprint ?? 'unrecorded';
    let g = groups.get(fp);
    if (!g) groups.set(fp, (g = []));
    g.push(r);
  }
  // One set of edges for all configs, so their histograms read against one axis.
  let min = Infinity;
  let max = -Infinity;
  for (const r of sorted) {
    min = Math.min(min, r.durationSeconds);
    max = Math.max(max, r.durationSeconds);
  }
  const edges = histogramEdges(min, max);
  const currentFp = lastRun.configFingerprint ?? 'unrecorded';
  return [...groups.entries()].map(([fingerprint, runs], i) => {
    const section: ConfigSection = {
      label: configLabel(i),
      fingerprint,
      // Every group was created for a run and holds at least that one.
      firstRunAt: iso(runs[0]!.startTimeMs),
      lastRunAt: iso(runs.at(-1)!.startTimeMs),
      current: fingerprint === currentFp,
      figures: runFigures(runs),
      histogram: histogram(runs, edges),
    };
    const s = settings.get(fingerprint);
    if (s) section.settings = s;
    return section;
  });
}

/** A, B, ..., Z, AA, AB, ... */
function configLabel(i: number): string {
  let label = '';
  let n = i;
  do {
    label = String.fromCharCode(65 + (n % 26)) + label;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return label;
}

function arm(metrics: Verdict['before'], samples: readonly TrialSample[] | undefined): ExperimentArm {
  const durations = [...metrics.durationsSeconds].sort((a, b) => a - b);
  const costs = samples?.map((t) => t.record?.costUsd).filter((c): c is number => typeof c === 'number' && Number.isFinite(c)).sort((a, b) => a - b);
  return {
    figures: {
      runs: metrics.runs,
      successes: metrics.successes,
      successRate: metrics.successRate,
      meanSeconds: metrics.mean,
      medianSeconds: metrics.median,
      p95Seconds: metrics.p95,
      meanCostUsd: metrics.meanCostUsd ?? null,
      totalCostUsd: metrics.meanCostUsd === undefined ? null : metrics.meanCostUsd * metrics.costRuns,
      limitHits: metrics.limitHits,
    },
    durationsSeconds: durations,
    costsUsd: costs && costs.length > 0 ? costs : null,
  };
}

function experimentSection(e: ReportExperimentInput, index: number, focus: Set<string>): ExperimentSection {
  const v = e?.verdict;
  if (!v || typeof v !== 'object' || !v.before || !v.after) throw invalidInput(`experiments[${index}].verdict`, 'expected the verdict of the experiment (with its arms before and after)');
  if (typeof e.id !== 'string') throw invalidInput(`experiments[${index}].id`, 'expected the experiment id (a string)');
  const g = v.guardrails;
  const guardrails: ReportGuardrail[] = [
    { name: 'success_rate_drop', label: 'Success rate drop', value: g.successRateDrop.value, limit: g.successRateDrop.limit, unit: 'points', breached: g.successRateDrop.breached },
    { name: 'p95_increase', label: 'P95 duration increase', value: g.p95Increase.value, limit: g.p95Increase.limit, unit: 'percent', breached: g.p95Increase.breached },
    { name: 'limit_hit_increase', label: 'Runs ending on a limit', value: g.limitHitIncrease.value, limit: g.limitHitIncrease.limit, unit: 'points', breached: g.limitHitIncrease.breached },
  ];
  const changes = diffConfigs(flattenConfig(e.baselineConfig), flattenConfig(e.candidateConfig));
  return {
    id: e.id,
    createdAt: e.createdAt,
    label: e.label ?? 'experiment',
    fromThisRun: focus.has(e.id),
    changeSummary: summarizeChanges(changes),
    metric: v.metric,
    changes,
    baseline: arm(v.before, e.result?.baseline),
    candidate: arm(v.after, e.result?.candidate),
    verdict: {
      status: v.status,
      improvementPercentage: v.improvementPercentage,
      interval: v.bootstrap === null ? null : { low: v.bootstrap.low, high: v.bootstrap.high, confidenceLevel: v.bootstrap.confidenceLevel },
      threshold: v.threshold,
      alpha: v.alpha,
      pValues: { welch: v.tests.welch?.pValue ?? null, mannWhitney: v.tests.mannWhitney?.pValue ?? null, fisher: v.tests.fisher?.pValue ?? null },
      decidedBy: v.decidedBy,
      guardrails,
      reason: v.reason,
      explanation: v.explanation,
      recommendedRunsPerArm: v.recommendedRunsPerArm ?? null,
      sequential: v.sequential ? { look: v.sequential.look, looks: v.sequential.looks, stoppedEarly: v.sequential.stoppedEarly } : null,
    },
  };
}

function historyChanges(h: HistoryEntry): ConfigChange[] {
  const listed = h.optimization.changes;
  // A rollback's entry lists no changes of its own (they are the undone entries'): the configs say what it did.
  if (listed.length > 0) {
    const show = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
    return listed.map((c) => {
      // The key as the workflow file spells it (`team_formation`), when core recorded one.
      const change: ConfigChange = { key: c.fileKey ?? c.key };
      const before = show(c.before);
      const after = show(c.after);
      if (before !== undefined) change.before = before;
      if (after !== undefined) change.after = after;
      return change;
    });
  }
  return diffConfigs(flattenConfig(h.configBefore), flattenConfig(h.configAfter));
}

function timelineEvent(h: HistoryEntry): TimelineEvent {
  return {
    historyId: h.id,
    at: h.timestamp,
    status: h.status,
    validationStatus: h.validationStatus,
    description: h.optimization.description,
    changes: historyChanges(h),
    improvementPercentage: h.improvementPercentage,
    experimentId: h.experimentId ?? null,
    reason: h.reason ?? null,
    rolledBackAt: h.rolledBackAt ?? null,
  };
}

/** Consecutive runs per timeline bucket: about 40 points, never fewer than 10 runs behind one (a success rate of fewer is noise). */
export function runsPerBucket(runs: number): number {
  return Math.max(10, Math.ceil(runs / 40));
}

function timeline(sorted: readonly ExecutionRecord[], events: TimelineEvent[]) {
  const size = runsPerBucket(sorted.length);
  const buckets: TimelineBucket[] = [];
  for (let i = 0; i < sorted.length; i += size) {
    const runs = sorted.slice(i, i + size);
    // i < sorted.length, so each slice holds at least one run.
    buckets.push({ start: iso(runs[0]!.startTimeMs), end: iso(runs.at(-1)!.startTimeMs), figures: runFigures(runs) });
  }
  return { runsPerBucket: size, buckets, events };
}

function raceSection(race: ReportRaceInput): RaceSection {
  if (!Array.isArray(race.candidates) || race.candidates.length === 0) throw invalidInput('race.candidates', 'expected at least one candidate');
  const incumbent = race.candidates.find((c) => c.role === 'incumbent')?.config;
  const candidates = race.candidates.map((c, i): RaceCandidate => {
    if (!Number.isInteger(c.runs) || c.runs < 0) throw invalidInput(`race.candidates[${i}].runs`, `expected a whole number >= 0, got ${String(c.runs)}`);
    if (!Number.isFinite(c.estimate)) throw invalidInput(`race.candidates[${i}].estimate`, `expected a finite number, got ${String(c.estimate)}`);
    return {
      id: c.id,
      description: c.description,
      changes: c.changes ?? (c.config && incumbent ? diffConfigs(flattenConfig(incumbent), flattenConfig(c.config)) : []),
      role: c.role,
      runs: c.runs,
      estimate: c.estimate,
      interval: c.interval ?? null,
      successRate: c.successRate,
      eliminatedInRound: c.eliminatedInRound ?? null,
      eliminationReason: c.eliminationReason ?? null,
    };
  });
  return {
    objective: race.objective,
    unit: race.unit ?? 's',
    rounds: race.rounds,
    runsUsed: candidates.reduce((a, c) => a + c.runs, 0),
    budgetRuns: race.budgetRuns ?? null,
    eliminationRule: race.eliminationRule,
    candidates,
    confirm: race.confirm
      ? { experimentId: race.confirm.experimentId ?? null, status: race.confirm.status, improvementPercentage: race.confirm.improvementPercentage, reason: race.confirm.reason }
      : null,
  };
}

function sinceLastChange(live: readonly ExecutionRecord[], events: readonly TimelineEvent[]): ReportDocument['summary']['sinceLastChange'] {
  const change = [...events].reverse().find((e) => e.status === 'applied');
  if (!change) return null;
  const at = Date.parse(change.at);
  const before = live.filter((r) => r.startTimeMs < at);
  const after = live.filter((r) => r.startTimeMs >= at);
  if (before.length === 0 || after.length === 0) return null;
  return { historyId: change.historyId, at: change.at, description: change.description, before: runFigures(before), after: runFigures(after) };
}

function headline(experiments: readonly ExperimentSection[], runs: number): string {
  if (experiments.length === 0) return runs === 0 ? 'No runs and no experiments recorded for this team yet.' : 'No A/B experiment recorded for this team yet: the figures below describe its recorded runs.';
  // experiments is non-empty here, so the sorted copy has a first element.
  const latest = experiments.find((e) => e.fromThisRun) ?? [...experiments].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
  const what = latest.label.includes(':') ? latest.label : `${latest.label}: ${latest.changeSummary}`;
  const reason = /[.!?]$/.test(latest.verdict.reason) ? latest.verdict.reason : `${latest.verdict.reason}.`;
  return `${latest.fromThisRun ? 'This run' : 'Latest experiment'} (${what}; ${latest.createdAt.slice(0, 10)}): ${latest.verdict.status}. ${reason}`;
}
