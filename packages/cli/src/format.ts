// Human-readable output of every command, built from plain data so that it is tested without running
// anything. Shapes follow the original tool's output (reference-behaviour.md, "CLI output shapes").
import type { PerformanceInsight } from '@autotune/analyzer';
import type { HistoryOptimization } from '@autotune/core';
import { makeColors, type Colors } from './terminal';

/** Width of the banner rule and of wrapped text. */
export const LINE_WIDTH = 80;
const PLAIN = makeColors(false);

/** A line of 80 `=`, two spaces and the title, another line of 80 `=`. */
export function banner(title: string, colors: Colors = PLAIN): string {
  const rule = '='.repeat(LINE_WIDTH);
  return `${rule}\n  ${colors.bold(title)}\n${rule}`;
}

/** `slow_execution` -> `Slow Execution`, as the original titled bottlenecks. */
export function titleCase(snake: string): string {
  return snake
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** `[████████  ]`: one █ per full tenth of a 0..1 severity, padded with spaces to ten. */
export function severityBar(severity: number): string {
  const tenths = Math.max(0, Math.min(10, Math.floor(severity * 10 + 1e-9)));
  return `[${'█'.repeat(tenths)}${' '.repeat(10 - tenths)}]`;
}

/** Keeps `p < 0.001` and `x = 3` on one line: an operator never starts or ends a wrapped line. */
function glueOperators(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!; // i < words.length
    if (/^(<|>|=|<=|>=|≤|≥)$/.test(word) && out.length > 0 && i + 1 < words.length) {
      // out is non-empty and i + 1 is inside words (both checked just above).
      out[out.length - 1] = `${out[out.length - 1]!} ${word} ${words[++i]!}`;
    } else {
      out.push(word);
    }
  }
  return out;
}

/** Wraps `text` at word boundaries so no line (indent included) passes `width`. */
export function wrapText(text: string, indent: string, width = LINE_WIDTH - 2): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of glueOperators(paragraph.split(/\s+/).filter(Boolean))) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(indent + line);
  }
  return lines.join('\n');
}

/**
 * `prefix` then `text` wrapped, later lines indented by `indent`: a numbered heading whose text may be
 * longer than a line. Wide characters (emoji icons) count as two columns.
 */
export function wrapHeading(prefix: string, text: string, indent = '   ', width = LINE_WIDTH - 2): string {
  // Colour codes take no columns.
  const columns = (s: string) => [...s.replace(/\u001b\[[0-9;]*m/g, '')].reduce((n, ch) => n + ((ch.codePointAt(0) ?? 0) > 0x2e80 ? 2 : 1), 0);
  const lines: string[] = [];
  let line = prefix;
  let bare = true;
  for (const word of glueOperators(text.split(/\s+/).filter(Boolean))) {
    if (!bare && columns(line) + 1 + columns(word) > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = bare ? line + word : `${line} ${word}`;
    }
    bare = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Prints a number with two decimals; the original printed current, baseline and impact this way. */
export function fixed2(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : String(value);
}

/**
 * One insight, numbered: title, severity bar, current, baseline, impact, the recommendation wrapped, and
 * the one-line evidence (from the analyzer's `describeEvidence`).
 */
export function formatInsight(insight: PerformanceInsight, index: number, evidence: string, colors: Colors = PLAIN): string {
  const severityColor = insight.severity >= 0.7 ? colors.red : insight.severity >= 0.4 ? colors.yellow : colors.green;
  const lines = [
    `${index}. ${colors.bold(titleCase(insight.bottleneck))}`,
    `   Severity: ${severityColor(severityBar(insight.severity))} ${insight.severity.toFixed(2)}/1.0`,
    `   Current:  ${fixed2(insight.currentValue)}`,
    `   Baseline: ${fixed2(insight.baselineValue)}`,
    `   Impact:   ${fixed2(insight.impactMagnitude)}`,
    '',
    wrapText(insight.recommendation, '   '),
  ];
  if (insight.affectedComponents.length > 0) lines.push(wrapText(`Affects: ${insight.affectedComponents.join(', ')}`, '   '));
  if (evidence) lines.push(wrapText(`Evidence: ${evidence}`, '   '));
  return lines.join('\n');
}

/** The whole `analyze` report. `describe` renders an insight's evidence as one line. */
export function formatAnalysis(
  teamId: string,
  insights: readonly PerformanceInsight[],
  describe: (insight: PerformanceInsight) => string,
  colors: Colors = PLAIN,
): string {
  const out = [banner('Performance Analysis', colors), `Team ID: ${teamId}`, ''];
  if (insights.length === 0) {
    out.push('No performance issues found.');
  } else {
    out.push(`Found ${insights.length} performance issue(s):`, '');
    insights.forEach((insight, i) => out.push(formatInsight(insight, i + 1, describe(insight), colors), ''));
    out.pop();
  }
  return out.join('\n') + '\n';
}

/** What the CLI prints of a suggestion; `AutotuneSuggestion` of @autotune/core has all of it. */
export interface SuggestionView {
  type: string;
  priority: string;
  description: string;
  expectedImprovement: number;
  confidence: number;
  riskLevel: number;
  targetMetric?: string;
  strategy?: string;
  changes: ReadonlyArray<ChangeView>;
}

/** One changed key: `fileKey` is how the workflow file spells it, when the change is to a file. */
export interface ChangeView {
  key: string;
  before: unknown;
  after: unknown;
  fileKey?: string;
}

/**
 * `- team_formation: reflection → pipeline`: the key as the user's file spells it (core sets `fileKey` for a
 * workflow file), else as the strategies name it. `undo` prints it the other way round (a rollback).
 */
export function formatChange(change: ChangeView, indent: string, undo = false): string {
  const [from, to] = undo ? [change.after, change.before] : [change.before, change.after];
  return `${indent}- ${change.fileKey ?? change.key}: ${formatValue(from)} → ${formatValue(to)}`;
}

/** The original's priority icons. */
export const PRIORITY_ICONS: Record<string, string> = { critical: '🔴', high: '🟠', medium: '🟡', low: '🟢' };

/** A value as it appears in `- key: old → new`: plain for scalars, JSON for the rest, `(unset)` when absent. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '(unset)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A trailing comment on a changed value of the workflow file, as core's `CommentNote` reports it. */
export interface CommentNoteView {
  line: number;
  key: string;
  before: unknown;
  after: unknown;
  comment: string;
  updated?: string;
}

/**
 * One line per trailing comment on a changed value: the ones autotune updated (they repeated the old number), and
 * the ones it left as they were, which may now be stale: the user should read them.
 */
export function formatCommentNotes(notes: readonly CommentNoteView[], file: string): string[] {
  return notes.map((n) =>
    n.updated !== undefined
      ? `Updated the comment on line ${n.line} of ${file} to the new ${n.key}: ${n.comment} → ${n.updated}`
      : `The comment on line ${n.line} of ${file} may be stale (${n.key}: ${formatValue(n.before)} → ${formatValue(n.after)}): ${n.comment}`,
  );
}

/** `+15.0%` / `-3.2%`. */
export function signedPercent(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}%`;
}

/** One suggestion, numbered, with icon, type, priority, expected improvement, confidence, risk and changes. */
export function formatSuggestion(s: SuggestionView, index: number, colors: Colors = PLAIN): string {
  const icon = PRIORITY_ICONS[s.priority] ?? '⚪';
  const lines = [
    colors.bold(wrapHeading(`${index}. ${icon} `, s.description)),
    `   Type:     ${s.type}`,
    `   Priority: ${s.priority}`,
    `   Expected: ${signedPercent(s.expectedImprovement)} improvement${s.targetMetric && s.targetMetric !== 'duration' ? ` (${s.targetMetric.replace('_', ' ')})` : ''}`,
    `   Confidence: ${s.confidence.toFixed(2)}`,
    `   Risk: ${s.riskLevel.toFixed(2)}`,
  ];
  for (const change of s.changes) lines.push(formatChange(change, '   '));
  return lines.join('\n');
}

/** The list of suggestions under its count line (`Generated 2 optimization suggestion(s):`). */
export function formatSuggestionList(suggestions: readonly SuggestionView[], colors: Colors = PLAIN): string {
  if (suggestions.length === 0) return 'No optimizations suggested: the metrics show nothing worth changing.\n';
  const out = [`Generated ${suggestions.length} optimization suggestion(s):`, ''];
  suggestions.forEach((s, i) => out.push(formatSuggestion(s, i + 1, colors), ''));
  return out.join('\n');
}

/** One arm's figures, as the A/B verdict of @autotune/abtest reports them. */
export interface ArmView {
  runs: number;
  successRate: number;
  mean: number;
  median: number;
  p95: number;
  meanToolCalls?: number;
  meanCostUsd?: number;
  /** Trials cut off by the timeout, and trials whose runner failed. */
  timeouts?: number;
  errors?: number;
}

/** The parts of an A/B verdict the CLI prints; `Verdict` of @autotune/abtest has all of them. */
export interface VerdictView {
  status: string;
  metric?: string;
  /** null when it could not be measured (too few runs, or the metric was not recorded): printed as n/a. */
  improvementPercentage: number | null;
  before: ArmView;
  after: ArmView;
  tests?: Record<string, unknown>;
  bootstrap?: { estimate: number; low: number; high: number; confidenceLevel?: number } | null;
  guardrails?: Record<string, { value: number; limit?: number; breached: boolean; pValue?: number; marginPValue?: number; powerTenPointLoss?: number } | undefined>;
  reason?: string;
  explanation?: string;
  recommendedRunsPerArm?: number;
}

const TEST_NAMES: Record<string, string> = { welch: "Welch's t-test", mannWhitney: 'Mann-Whitney U', fisher: "Fisher's exact test" };

/** `p = 0.0032`, or `p < 0.0001` for the tiny ones. */
export function formatPValue(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`;
}

/** Colours a validation status word. */
export function statusWord(status: string, colors: Colors = PLAIN): string {
  const word = status.toUpperCase();
  if (status === 'passed' || status === 'ok' || status === 'applied') return colors.green(word);
  if (status === 'failed' || status === 'regressed' || status === 'rolled_back' || status === 'not_kept') return colors.red(word);
  if (status === 'inconclusive' || status === 'insufficient_data' || status === 'pending' || status === 'abandoned') return colors.yellow(word);
  return word;
}

function describeGuardrail(key: string, g: { value: number; limit?: number; pValue?: number; marginPValue?: number }): string {
  // The guardrails are one-sided tests of "worse by more than the limit": print the test's p-value beside it.
  const p = key === 'successRateDrop' ? g.marginPValue : key === 'p95Increase' ? g.pValue : undefined;
  const limit = (suffix: string) => (g.limit === undefined ? '' : ` (limit ${g.limit}${suffix}${p === undefined ? '' : `, one-sided ${formatPValue(p)}`})`);
  if (key === 'successRateDrop') return `success rate down ${g.value.toFixed(1)} points${limit(' points')}`;
  if (key === 'p95Increase') return `P95 up ${g.value.toFixed(1)}%${limit('%')}`;
  return `${titleCase(key.replace(/([A-Z])/g, '_$1').toLowerCase())} ${g.value.toFixed(2)}${limit('')}`;
}

function cost(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `$${value.toFixed(4)}`;
}

/** Indents every non-empty line of `text` (empty lines stay empty, without trailing spaces). */
export function indent(text: string, by: string): string {
  return text.replace(/^(?=.)/gm, by);
}

/**
 * Both distributions side by side, the improvement with its interval, the tests and the verdict: what
 * `benchmark` and `validate` print.
 */
export function formatVerdict(v: VerdictView, colors: Colors = PLAIN, options: { labels?: [string, string]; explain?: boolean } = {}): string {
  const labels = options.labels ?? ['Before', 'After'];
  const row = (name: string, a: string, b: string) => `  ${name.padEnd(18)}${a.padStart(12)}${b.padStart(12)}`;
  const lines = [
    row('', labels[0], labels[1]),
    row('Runs', String(v.before.runs), String(v.after.runs)),
    row('Mean (s)', fixed2(v.before.mean), fixed2(v.after.mean)),
    row('Median (s)', fixed2(v.before.median), fixed2(v.after.median)),
    row('P95 (s)', fixed2(v.before.p95), fixed2(v.after.p95)),
    row('Success rate', `${(v.before.successRate * 100).toFixed(1)}%`, `${(v.after.successRate * 100).toFixed(1)}%`),
  ];
  if (v.before.meanToolCalls !== undefined && v.after.meanToolCalls !== undefined) {
    lines.push(row('Mean tool calls', fixed2(v.before.meanToolCalls), fixed2(v.after.meanToolCalls)));
  }
  if (v.before.meanCostUsd !== undefined || v.after.meanCostUsd !== undefined) {
    lines.push(row('Mean cost', cost(v.before.meanCostUsd), cost(v.after.meanCostUsd)));
  }
  const trouble = (a: ArmView) => (a.timeouts ?? 0) + (a.errors ?? 0);
  if (trouble(v.before) + trouble(v.after) > 0) {
    lines.push(row('Timeouts/errors', `${v.before.timeouts ?? 0}/${v.before.errors ?? 0}`, `${v.after.timeouts ?? 0}/${v.after.errors ?? 0}`));
  }
  lines.push('');
  // Success rate is compared in percentage points, the other metrics in percent of the baseline.
  const unit = (x: number) => (v.metric === 'success_rate' ? `${x >= 0 ? '+' : ''}${x.toFixed(1)} points` : signedPercent(x));
  // Nothing printed is a made-up number: an improvement that could not be measured is n/a, not +0.0%.
  let improvement = `Improvement: ${v.improvementPercentage === null ? 'n/a' : unit(v.improvementPercentage)}`;
  if (v.metric) improvement += ` (${v.metric.replace('_', ' ')})`;
  if (v.improvementPercentage !== null && v.bootstrap && Number.isFinite(v.bootstrap.low) && Number.isFinite(v.bootstrap.high) && v.bootstrap.low !== v.bootstrap.high) {
    const level = Math.round((v.bootstrap.confidenceLevel ?? 0.95) * 100);
    improvement += `, ${level}% CI ${unit(v.bootstrap.low)} to ${unit(v.bootstrap.high)}`;
  }
  lines.push(improvement);
  for (const [key, test] of Object.entries(v.tests ?? {})) {
    const t = test as { pValue?: number; statistic?: number } | undefined;
    if (t && typeof t.pValue === 'number') lines.push(`  ${TEST_NAMES[key] ?? key}: ${formatPValue(t.pValue)}`);
  }
  for (const [key, guard] of Object.entries(v.guardrails ?? {})) {
    if (guard?.breached) lines.push(colors.red(`  Guardrail breached: ${describeGuardrail(key, guard)}`));
  }
  const power = v.guardrails?.['successRateDrop']?.powerTenPointLoss;
  if (typeof power === 'number' && Number.isFinite(power)) {
    // What a pass says about success: at ten runs per arm, very little. Shown beside the success checks, always.
    const pct = power < 0.1 ? (power * 100).toFixed(1) : (power * 100).toFixed(0);
    lines.push(`  Success checks: ${pct}% power to catch a true 10-point loss of success rate at these sizes`);
  }
  lines.push(wrapHeading(`Verdict: ${statusWord(v.status, colors)}${v.reason ? ' - ' : ''}`, v.reason ?? '', '  '));
  if (v.explanation && options.explain !== false) lines.push(wrapText(v.explanation, '  '));
  // The reason usually says it already; the flag to pass is what it adds.
  if (v.status === 'inconclusive' && v.recommendedRunsPerArm && !/runs per arm/.test(v.reason ?? '')) {
    lines.push(`  About ${v.recommendedRunsPerArm} runs per arm would likely decide (--runs ${v.recommendedRunsPerArm}).`);
  }
  return lines.join('\n') + '\n';
}

/** A history entry as the CLI prints it; `HistoryEntry` of @autotune/core has all of it. */
export interface HistoryView {
  id: number;
  timestamp: string;
  optimization: Pick<HistoryOptimization, 'description' | 'changes'>;
  validationStatus: string;
  status: string;
  improvementPercentage: number | null;
  filePath?: string;
  reason?: string;
  rolledBackAt?: string;
  applyId?: string;
}

/**
 * The status as a user should read it. Core records a candidate that failed its A/B test during `apply` as
 * `rolled_back` although it was never written (it has no `rolledBackAt`): that one was not kept, not undone.
 */
export function historyStatusLabel(entry: Pick<HistoryView, 'status' | 'rolledBackAt'>): string {
  return entry.status === 'rolled_back' && entry.rolledBackAt === undefined ? 'not_kept' : entry.status;
}

/**
 * The history, newest first. `rollbackIndex(entry)` gives the `--index` that would undo an entry (for
 * applied ones), so the list and `rollback --index` agree.
 */
export function formatHistory(entries: readonly HistoryView[], rollbackIndex: (entry: HistoryView) => number | undefined, colors: Colors = PLAIN): string {
  if (entries.length === 0) return 'No optimization history for this team yet.\n';
  const out: string[] = [];
  for (const entry of entries) {
    const { description, changes } = entry.optimization;
    const index = rollbackIndex(entry);
    const head = index === undefined ? '   ' : `[${index}]`;
    const improvement = entry.improvementPercentage === null ? 'not measured' : signedPercent(entry.improvementPercentage);
    out.push(wrapHeading(`${head} ${entry.timestamp}  ${statusWord(historyStatusLabel(entry), colors)}  `, description, '    '));
    out.push(`    Validation: ${entry.validationStatus}   Improvement: ${improvement}   History id: ${entry.id}`);
    for (const change of changes) out.push(formatChange(change, '    '));
    if (entry.filePath) out.push(`    File: ${entry.filePath}`);
    if (entry.applyId) out.push(`    Apply: ${entry.applyId}`);
    if (entry.reason) out.push(wrapText(`Reason: ${entry.reason}`, '    '));
    if (entry.rolledBackAt) out.push(`    Rolled back at: ${entry.rolledBackAt}`);
    out.push('');
  }
  return out.join('\n');
}
