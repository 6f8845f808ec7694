import type { ExperimentSection, ReportDocument } from './report-types';
import { formatEstimate, formatInt, formatP, formatRate, formatSeconds, formatSigned, formatTime, formatUsd, improvementUnit } from './internal/format';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** Values as a one-line bar chart of block characters; null is a gap. */
export function sparkline(values: ReadonlyArray<number | null>, lo?: number, hi?: number): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return '';
  const min = lo ?? Math.min(...finite);
  const max = hi ?? Math.max(...finite);
  return values
    .map((v) => {
      if (v === null || !Number.isFinite(v)) return ' ';
      const t = max > min ? (v - min) / (max - min) : 0.5;
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.max(0, Math.round(t * (BLOCKS.length - 1))))];
    })
    .join('');
}

/** At most `max` characters, cut at a word with an ellipsis. */
function short(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2))}…`;
}

/** A table cell: pipes and line breaks would end the cell or the row. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(cell)).join(' | ')} |`).join('\n');
}

const ICON: Record<ExperimentSection['verdict']['status'], string> = { passed: '✅ passed', failed: '❌ failed', inconclusive: '⚠️ inconclusive' };

function diffBlock(e: Pick<ExperimentSection, 'changes'>): string {
  if (e.changes.length === 0) return '_No setting differs._';
  const lines = e.changes.flatMap((c) => [...(c.before !== undefined ? [`- ${c.key}: ${c.before}`] : []), ...(c.after !== undefined ? [`+ ${c.key}: ${c.after}`] : [])]);
  // A fence longer than any run of backticks in the values, so a value cannot close it.
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))));
  const fence = '`'.repeat(longest + 1);
  return `${fence}diff\n${lines.join('\n')}\n${fence}`;
}

function experimentMd(e: ExperimentSection): string {
  const v = e.verdict;
  const unit = improvementUnit(e.metric);
  const arms = table(
    ['Arm', 'Runs', 'Success', 'Mean', 'Median', 'P95', 'Mean cost'],
    (['baseline', 'candidate'] as const).map((arm) => {
      const f = e[arm].figures;
      return [arm, formatInt(f.runs), formatRate(f.successRate), formatSeconds(f.meanSeconds), formatSeconds(f.medianSeconds), formatSeconds(f.p95Seconds), formatUsd(f.meanCostUsd)];
    }),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const tests = table(
    ['Test', 'p (one-sided)', 'Decides'],
    [
      [`Welch's t (mean ${e.metric === 'cost' ? 'cost' : 'duration'})`, formatP(v.pValues.welch), v.decidedBy === 'welch' ? 'yes' : ''],
      [`Mann-Whitney U (${e.metric === 'cost' ? 'cost' : 'duration'} distribution)`, formatP(v.pValues.mannWhitney), ''],
      ["Fisher's exact (success rate)", formatP(v.pValues.fisher), v.decidedBy === 'fisher' ? 'yes' : ''],
    ],
    ['l', 'r', 'l'],
  );
  const guardrails = table(
    ['Guardrail (negative is better)', 'Measured', 'Limit', 'Held'],
    v.guardrails.map((g) => {
      const u = g.unit === 'points' ? ' pts' : '%';
      return [g.label, formatSigned(g.value, u), `${g.limit}${u}`, g.breached ? '❌ breached' : '✅'];
    }),
    ['l', 'r', 'r', 'l'],
  );
  // Both arms on one shared scale, so the bars compare.
  const all = [...e.baseline.durationsSeconds, ...e.candidate.durationsSeconds];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const shape = (d: number[]) => sparkline(binCounts(d, lo, hi, 16));
  return [
    `### ${ICON[v.status]}: ${e.label.includes(':') ? e.label : `${e.label}: ${e.changeSummary}`}${e.fromThisRun ? ' (this run)' : ''}`,
    '',
    v.improvementPercentage === null || v.interval === null
      ? `**Improvement n/a** (it cannot be measured from these runs; threshold ${formatSigned(v.threshold, unit)}). ${v.reason}`
      : `**Improvement ${formatSigned(v.improvementPercentage, unit)}** (${Math.round(v.interval.confidenceLevel * 100)}% CI ${formatSigned(v.interval.low, unit)} to ${formatSigned(v.interval.high, unit)}; threshold ${formatSigned(v.threshold, unit)}). ${v.reason}`,
    '',
    diffBlock(e),
    '',
    arms,
    '',
    `Durations from ${formatSeconds(lo)} to ${formatSeconds(hi)}: baseline \`${shape(e.baseline.durationsSeconds)}\` candidate \`${shape(e.candidate.durationsSeconds)}\``,
    '',
    tests,
    '',
    guardrails,
    '',
    `<details><summary>Explanation</summary>\n\n${v.explanation}\n\n</details>`,
  ].join('\n');
}

function binCounts(values: number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  // lo and hi bound the values, so the index is in [0, bins).
  for (const v of values) counts[hi > lo ? Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins)) : 0]! += 1;
  return counts;
}

/**
 * Renders the report as GitHub-flavoured Markdown for a pull-request comment: a summary table, each
 * experiment's verdict with the change as a diff, and small text charts. No HTML beyond `<details>`.
 */
export function renderMarkdown(doc: ReportDocument): string {
  const s = doc.summary;
  const out: string[] = [`## ${doc.title}`, '', `Team \`${doc.teamId}\` · generated ${formatTime(doc.generatedAt)}`, '', `> ${s.headline}`, ''];
  if (s.figures && s.runsShown === 'trials') out.push('_No runs of the team itself are on record: the figures below are of the A/B trial runs._', '');
  if (s.figures) {
    const f = s.figures;
    out.push(
      table(
        ['Runs', 'Success rate', 'Median', 'P95', 'Mean cost', 'Experiments', 'Changes kept'],
        [[formatInt(f.runs), formatRate(f.successRate), formatSeconds(f.medianSeconds), formatSeconds(f.p95Seconds), formatUsd(f.meanCostUsd), `${s.experiments.passed} passed, ${s.experiments.failed} failed, ${s.experiments.inconclusive} inconclusive`, `${s.changes.applied} (${s.changes.rolledBack} rolled back)`]],
        ['r', 'r', 'r', 'r', 'r', 'l', 'l'],
      ),
      '',
    );
  }
  const since = s.sinceLastChange;
  if (since) {
    const rel = (b: number | null, a: number | null) => (b === null || a === null || b === 0 ? '' : formatSigned(((a - b) / b) * 100));
    out.push(
      `In production, before and after change #${since.historyId} (${formatTime(since.at)}):`,
      '',
      table(
        ['', `Before (${formatInt(since.before.runs)} runs)`, `After (${formatInt(since.after.runs)} runs)`, 'Change'],
        [
          ['Median duration', formatSeconds(since.before.medianSeconds), formatSeconds(since.after.medianSeconds), rel(since.before.medianSeconds, since.after.medianSeconds)],
          ['P95 duration', formatSeconds(since.before.p95Seconds), formatSeconds(since.after.p95Seconds), rel(since.before.p95Seconds, since.after.p95Seconds)],
          ['Success rate', formatRate(since.before.successRate), formatRate(since.after.successRate), formatSigned((since.after.successRate - since.before.successRate) * 100, ' pts')],
          ['Mean cost', formatUsd(since.before.meanCostUsd), formatUsd(since.after.meanCostUsd), rel(since.before.meanCostUsd, since.after.meanCostUsd)],
        ],
        ['l', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  if (doc.experiments.length) {
    out.push('### Verdicts', '');
    out.push(
      table(
        ['Experiment', 'Change', 'Verdict', 'Improvement', '95% CI', 'Welch p', 'Mann-Whitney p', 'Fisher p'],
        doc.experiments.map((e) => {
          const u = improvementUnit(e.metric);
          return [short(e.label, 60) + (e.fromThisRun ? ' (this run)' : ''), e.changeSummary, ICON[e.verdict.status], e.verdict.improvementPercentage === null ? 'n/a' : formatSigned(e.verdict.improvementPercentage, u), e.verdict.interval === null ? 'n/a' : `${formatSigned(e.verdict.interval.low, u)} to ${formatSigned(e.verdict.interval.high, u)}`, formatP(e.verdict.pValues.welch), formatP(e.verdict.pValues.mannWhitney), formatP(e.verdict.pValues.fisher)];
        }),
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
    // A comment should stay readable: this run's experiments in full, the others in the table only.
    const detailed = doc.experiments.some((e) => e.fromThisRun) ? doc.experiments.filter((e) => e.fromThisRun) : doc.experiments.slice(-3);
    for (const e of detailed) out.push(experimentMd(e), '');
  }
  const firstConfig = doc.configs[0];
  if (firstConfig) {
    // Every config's histogram shares one set of edges (at least two, from histogramEdges).
    const edges = firstConfig.histogram.edgesSeconds;
    out.push('### Durations per config', '');
    out.push(
      table(
        ['Config', 'Runs', 'Success', 'Median', 'P95', 'Mean cost', 'Histogram'],
        doc.configs.map((c) => [
          `${c.label}${c.current ? ' (in force)' : ''}`,
          formatInt(c.figures.runs),
          formatRate(c.figures.successRate),
          formatSeconds(c.figures.medianSeconds),
          formatSeconds(c.figures.p95Seconds),
          formatUsd(c.figures.meanCostUsd),
          `\`${sparkline(c.histogram.succeeded.map((v, i) => v + c.histogram.failed[i]!))}\``,
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
      '',
      `Histograms share one axis, ${formatSeconds(edges[0]!)} to ${formatSeconds(edges.at(-1)!)}.`,
      '',
    );
  }
  if (doc.race) {
    const r = doc.race;
    out.push(`### The tune's race`, '', `${r.rounds} rounds, ${formatInt(r.runsUsed)} runs${r.budgetRuns !== null ? ` of ${formatInt(r.budgetRuns)}` : ''}; objective ${r.objective}. ${r.eliminationRule}`, '');
    out.push(
      table(
        ['Candidate', 'Role', 'Runs', 'Estimate', 'Success', 'Dropped'],
        r.candidates.map((c) => [c.description, c.role, formatInt(c.runs), formatEstimate(c.estimate, r.unit), formatRate(c.successRate), c.eliminatedInRound !== null ? `round ${c.eliminatedInRound}` : '']),
        ['l', 'l', 'r', 'r', 'r', 'l'],
      ),
      '',
    );
    if (r.confirm) out.push(`Confirm test: ${ICON[r.confirm.status]}, ${formatSigned(r.confirm.improvementPercentage)}. ${r.confirm.reason}`, '');
  }
  const t = doc.timeline;
  const first = t.buckets[0];
  const last = t.buckets.at(-1);
  if (first && last && t.buckets.length > 1) {
    out.push(
      '### Over time',
      '',
      table(
        ['Series', `${formatTime(first.start).slice(0, 10)} → ${formatTime(last.start).slice(0, 10)}`, 'First', 'Last'],
        [
          ['Median duration', `\`${sparkline(t.buckets.map((b) => b.figures.medianSeconds))}\``, formatSeconds(first.figures.medianSeconds), formatSeconds(last.figures.medianSeconds)],
          ['Success rate', `\`${sparkline(t.buckets.map((b) => b.figures.successRate), 0, 1)}\``, formatRate(first.figures.successRate), formatRate(last.figures.successRate)],
          ['Mean cost', `\`${sparkline(t.buckets.map((b) => b.figures.meanCostUsd))}\``, formatUsd(first.figures.meanCostUsd), formatUsd(last.figures.meanCostUsd)],
        ],
        ['l', 'l', 'r', 'r'],
      ),
      '',
    );
  }
  if (t.events.length) {
    out.push(
      '### History',
      '',
      table(
        ['#', 'When', 'Status', 'Change', 'Improvement'],
        [...t.events].reverse().map((e) => [String(e.historyId), formatTime(e.at), e.status.replace('_', ' '), e.description, e.improvementPercentage === null ? '' : formatSigned(e.improvementPercentage)]),
        ['r', 'l', 'l', 'l', 'r'],
      ),
      '',
    );
  }
  if (doc.insights.length) {
    out.push('### Insights', '');
    for (const i of doc.insights) out.push(`- **${i.bottleneck.replace(/_/g, ' ')}** (severity ${i.severity.toFixed(2)}): ${i.recommendation} _${i.evidence}_`);
    out.push('');
  }
  out.push(`<sub>autotune report · schema ${doc.schemaVersion} · one-sided tests in the improving direction; bootstrap intervals</sub>`, '');
  return out.join('\n');
}
