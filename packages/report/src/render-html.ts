import type { ConfigChange, ExperimentSection, ReportDocument, RunFigures } from './report-types';
import { formatEstimate, formatInt, formatP, formatRate, formatSeconds, formatSigned, formatTime, formatUsd, improvementUnit } from './internal/format';
import { SVG_DEFS, ecdfSvg, esc, histogramSvg, intervalSvg, raceSvg, timelineSvg } from './internal/svg';

/**
 * A number on the page, tied to its place in the document: `<data value>` holds the exact figure and
 * `data-key` its path, so a reader's tool (and the browser test) can check the page against the JSON.
 */
function num(key: string, value: number | null, text: string): string {
  return value === null || !Number.isFinite(value) ? esc(text) : `<data data-key="${esc(key)}" value="${value}">${esc(text)}</data>`;
}

const STATUS_WORD: Record<string, string> = { passed: '✓ Passed', failed: '✕ Failed', inconclusive: '? Inconclusive' };

function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/** A label that says what was tried: `benchmark` alone does not. */
function experimentTitle(e: ExperimentSection): string {
  return e.label.includes(':') ? e.label : `${e.label}: ${e.changeSummary}`;
}

function status(s: string): string {
  return `<span class="status ${esc(s)}">${esc(STATUS_WORD[s] ?? s)}</span>`;
}

function figureRows(key: string, f: RunFigures): string {
  const row = (label: string, cell: string) => `<tr><th scope="row">${label}</th><td>${cell}</td></tr>`;
  return (
    row('Runs', num(`${key}.runs`, f.runs, formatInt(f.runs))) +
    row('Success rate', num(`${key}.successRate`, f.successRate, formatRate(f.successRate))) +
    row('Mean duration', num(`${key}.meanSeconds`, f.meanSeconds, formatSeconds(f.meanSeconds))) +
    row('Median duration', num(`${key}.medianSeconds`, f.medianSeconds, formatSeconds(f.medianSeconds))) +
    row('P95 duration', num(`${key}.p95Seconds`, f.p95Seconds, formatSeconds(f.p95Seconds))) +
    row('Mean cost per run', num(`${key}.meanCostUsd`, f.meanCostUsd, formatUsd(f.meanCostUsd))) +
    row('Runs ending on a limit', num(`${key}.limitHits`, f.limitHits, formatInt(f.limitHits)))
  );
}

function diffHtml(changes: ConfigChange[]): string {
  if (changes.length === 0) return '<p class="muted">No setting differs.</p>';
  const lines = changes.flatMap((c) => [
    ...(c.before !== undefined ? [`<span class="del">- ${esc(`${c.key}: ${c.before}`)}</span>`] : []),
    ...(c.after !== undefined ? [`<span class="add">+ ${esc(`${c.key}: ${c.after}`)}</span>`] : []),
  ]);
  return `<pre class="diff" aria-label="The change, as a diff">${lines.join('')}</pre>`;
}

function kpi(label: string, value: string, note = ''): string {
  return `<div class="kpi"><div class="kpi-label">${label}</div><div class="kpi-value">${value}</div>${note ? `<div class="kpi-note">${note}</div>` : ''}</div>`;
}

function summaryHtml(doc: ReportDocument): string {
  const s = doc.summary;
  const f = s.figures;
  const latest = doc.experiments.find((e) => e.fromThisRun) ?? [...doc.experiments].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const cards = f
    ? [
        kpi('Runs', num('summary.figures.runs', f.runs, formatInt(f.runs)), s.firstRunAt && s.lastRunAt ? `${formatTime(s.firstRunAt).slice(0, 10)} to ${formatTime(s.lastRunAt).slice(0, 10)}` : ''),
        kpi('Success rate', num('summary.figures.successRate', f.successRate, formatRate(f.successRate)), `${formatInt(f.runs - f.successes)} failed`),
        kpi('Median duration', num('summary.figures.medianSeconds', f.medianSeconds, formatSeconds(f.medianSeconds)), `P95 ${num('summary.figures.p95Seconds', f.p95Seconds, formatSeconds(f.p95Seconds))}`),
        kpi('Mean cost per run', num('summary.figures.meanCostUsd', f.meanCostUsd, formatUsd(f.meanCostUsd)), `total ${num('summary.figures.totalCostUsd', f.totalCostUsd, formatUsd(f.totalCostUsd))}`),
      ]
    : [kpi('Runs', '0', 'nothing recorded yet')];
  cards.push(
    kpi(
      'Experiments',
      num('summary.experiments.passed', s.experiments.passed, String(s.experiments.passed)) + ' passed',
      `${num('summary.experiments.failed', s.experiments.failed, String(s.experiments.failed))} failed, ${num('summary.experiments.inconclusive', s.experiments.inconclusive, String(s.experiments.inconclusive))} inconclusive`,
    ),
    kpi(
      'Changes kept',
      num('summary.changes.applied', s.changes.applied, String(s.changes.applied)),
      `${num('summary.changes.rolledBack', s.changes.rolledBack, String(s.changes.rolledBack))} rolled back, ${num('summary.changes.rejected', s.changes.rejected, String(s.changes.rejected))} rejected`,
    ),
  );
  return (
    `<section id="summary"><h2>Did it help?</h2>` +
    `<p class="headline ${latest ? esc(latest.verdict.status) : 'none'}">${latest ? status(latest.verdict.status) + ' ' : ''}${esc(s.headline)}</p>` +
    (f && s.runsShown === 'trials' ? '<p class="muted">No runs of the team itself are on record: the figures are of the A/B trial runs.</p>' : '') +
    `<div class="kpis">${cards.join('')}</div>${sinceHtml(doc)}</section>`
  );
}

/** Relative change of a lower-is-better figure, for a reader: "−48.6% (better)". */
function relative(before: number | null, after: number | null, higherIsBetter = false): string {
  if (before === null || after === null || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return '–';
  const pct = ((after - before) / before) * 100;
  const better = higherIsBetter ? pct > 0 : pct < 0;
  return `${formatSigned(pct)}${Math.abs(pct) >= 0.05 ? (better ? ' ✓ better' : ' ✕ worse') : ''}`;
}

function sinceHtml(doc: ReportDocument): string {
  const s = doc.summary.sinceLastChange;
  if (!s) return '';
  const k = 'summary.sinceLastChange';
  const row = (label: string, field: 'medianSeconds' | 'p95Seconds' | 'meanCostUsd', fmt: (v: number) => string) =>
    `<tr><th scope="row">${label}</th><td class="num">${num(`${k}.before.${field}`, s.before[field], fmt(s.before[field] as number))}</td><td class="num">${num(`${k}.after.${field}`, s.after[field], fmt(s.after[field] as number))}</td><td class="num">${relative(s.before[field], s.after[field])}</td></tr>`;
  const points = (s.after.successRate - s.before.successRate) * 100;
  return (
    `<table class="since"><caption>In production: the team's runs before and after change #${s.historyId} (${esc(formatTime(s.at))})</caption>` +
    `<thead><tr><th></th><th>Before (${num(`${k}.before.runs`, s.before.runs, formatInt(s.before.runs))} runs)</th><th>After (${num(`${k}.after.runs`, s.after.runs, formatInt(s.after.runs))} runs)</th><th>Change</th></tr></thead><tbody>` +
    row('Median duration', 'medianSeconds', formatSeconds) +
    row('P95 duration', 'p95Seconds', formatSeconds) +
    `<tr><th scope="row">Success rate</th><td class="num">${num(`${k}.before.successRate`, s.before.successRate, formatRate(s.before.successRate))}</td><td class="num">${num(`${k}.after.successRate`, s.after.successRate, formatRate(s.after.successRate))}</td><td class="num">${formatSigned(points, ' pts')}${Math.abs(points) >= 0.05 ? (points > 0 ? ' ✓ better' : ' ✕ worse') : ''}</td></tr>` +
    row('Mean cost per run', 'meanCostUsd', (v) => formatUsd(v)) +
    `</tbody></table><p class="muted">Change #${s.historyId}: ${esc(s.description)}. Before/after in production is not a controlled comparison (other things change over time); the A/B tests below are.</p>`
  );
}

function configsHtml(doc: ReportDocument): string {
  if (doc.configs.length === 0) return '<section id="configs"><h2>Run durations per config</h2><p class="muted">No runs recorded.</p></section>';
  const cards = doc.configs
    .map((c, i) => {
      const key = `configs.${i}.figures`;
      const settings = c.settings
        ? `<details><summary>Settings</summary><pre class="settings">${esc(Object.entries(c.settings).map(([k, v]) => `${k}: ${v}`).join('\n'))}</pre></details>`
        : '';
      const bins = c.histogram.succeeded
        // One count per bin, and bin b lies between edges b and b + 1.
        .map((s, b) => `<tr><td>${formatSeconds(c.histogram.edgesSeconds[b]!)} – ${formatSeconds(c.histogram.edgesSeconds[b + 1]!)}</td><td>${s}</td><td>${c.histogram.failed[b]!}</td></tr>`)
        .filter((_, b) => c.histogram.succeeded[b]! + c.histogram.failed[b]! > 0)
        .join('');
      return (
        `<article class="card config${c.current ? ' current' : ''}"><h3>Config ${esc(c.label)}${c.current ? ' <span class="tag">in force now</span>' : ''} <code class="fp">${esc(c.fingerprint)}</code></h3>` +
        `<p class="muted">${formatTime(c.firstRunAt)} to ${formatTime(c.lastRunAt)}</p>` +
        `<div class="split"><figure>${histogramSvg(`hist-${i}`, c.histogram, c.figures.medianSeconds, c.figures.p95Seconds, `Run durations of config ${c.label}`)}` +
        `<figcaption><span class="key ok"></span> succeeded <span class="key failed"></span> failed (hatched)</figcaption></figure>` +
        `<table class="figures"><caption class="sr">Figures of config ${esc(c.label)}</caption>${figureRows(key, c.figures)}</table></div>` +
        `<details class="alt"><summary>Histogram as a table</summary><table><thead><tr><th>Duration</th><th>Succeeded</th><th>Failed</th></tr></thead><tbody>${bins}</tbody></table></details>` +
        settings +
        '</article>'
      );
    })
    .join('');
  return `<section id="configs"><h2>Run durations per config</h2><p class="lede">${doc.summary.runsShown === 'live' ? `Each config the team ran (its own runs; the ${formatInt(doc.summary.trialRuns)} A/B trial runs are shown per experiment)` : 'No runs of the team itself are on record: these are the A/B trial runs'}, by fingerprint, in the order it first ran. All histograms share one duration axis.</p><div class="grid">${cards}</div></section>`;
}

function pRow(e: ExperimentSection, i: number, name: 'welch' | 'mannWhitney' | 'fisher', label: string, what: string): string {
  const p = e.verdict.pValues[name];
  const decides = e.verdict.decidedBy === name ? ' <span class="tag">decides</span>' : '';
  const significant = p !== null && p < e.verdict.alpha ? 'below α' : p === null ? '' : 'not below α';
  return `<tr><th scope="row">${label}${decides}</th><td>${what}</td><td class="num">${num(`experiments.${i}.verdict.pValues.${name}`, p, formatP(p))}</td><td>${significant}</td></tr>`;
}

function experimentHtml(e: ExperimentSection, i: number): string {
  const v = e.verdict;
  const unit = improvementUnit(e.metric);
  const key = `experiments.${i}`;
  const arms = (['baseline', 'candidate'] as const)
    .map((arm) => {
      const f = e[arm].figures;
      const k = `${key}.${arm}.figures`;
      return `<tr><th scope="row">${arm === 'baseline' ? '● Baseline' : '▲ Candidate'}</th><td class="num">${num(`${k}.runs`, f.runs, formatInt(f.runs))}</td><td class="num">${num(`${k}.successRate`, f.successRate, formatRate(f.successRate))}</td><td class="num">${num(`${k}.meanSeconds`, f.meanSeconds, formatSeconds(f.meanSeconds))}</td><td class="num">${num(`${k}.medianSeconds`, f.medianSeconds, formatSeconds(f.medianSeconds))}</td><td class="num">${num(`${k}.p95Seconds`, f.p95Seconds, formatSeconds(f.p95Seconds))}</td><td class="num">${num(`${k}.meanCostUsd`, f.meanCostUsd, formatUsd(f.meanCostUsd))}</td></tr>`;
    })
    .join('');
  const guardrails = v.guardrails
    .map((g, gi) => {
      const u = g.unit === 'points' ? ' pts' : '%';
      return `<tr><th scope="row">${esc(g.label)}</th><td class="num">${num(`${key}.verdict.guardrails.${gi}.value`, g.value, formatSigned(g.value, u))}</td><td class="num">at most ${num(`${key}.verdict.guardrails.${gi}.limit`, g.limit, `${g.limit}${u}`)}</td><td class="nowrap">${g.breached ? '<span class="status failed">✕ breached</span>' : '✓ held'}</td></tr>`;
    })
    .join('');
  const sequential = v.sequential ? ` Early stopping: decided at look ${v.sequential.look} of ${v.sequential.looks}${v.sequential.stoppedEarly ? ' (stopped early)' : ''}.` : '';
  // The verdict's reason usually names the runs per arm already; say it only when it does not.
  const more = v.recommendedRunsPerArm !== null && !/runs per arm/.test(v.reason) ? ` About ${num(`${key}.verdict.recommendedRunsPerArm`, v.recommendedRunsPerArm, formatInt(v.recommendedRunsPerArm))} runs per arm would give 80% power.` : '';
  return (
    `<article class="card experiment" id="exp-${esc(e.id)}"><h3>${status(v.status)} ${esc(experimentTitle(e))}${e.fromThisRun ? ' <span class="tag">this run</span>' : ''}</h3>` +
    `<p class="muted">${formatTime(e.createdAt)} · experiment <code>${esc(e.id)}</code> · metric ${esc(e.metric.replace('_', ' '))}</p>` +
    (v.improvementPercentage === null || v.interval === null
      ? `<p class="improvement">Improvement n/a: it cannot be measured from these runs (threshold ${num(`${key}.verdict.threshold`, v.threshold, formatSigned(v.threshold, unit))}, α = ${num(`${key}.verdict.alpha`, v.alpha, String(v.alpha))}).</p>`
      : `<p class="improvement">Improvement ${num(`${key}.verdict.improvementPercentage`, v.improvementPercentage, formatSigned(v.improvementPercentage, unit))}, ${Math.round(v.interval.confidenceLevel * 100)}% interval ${num(`${key}.verdict.interval.low`, v.interval.low, formatSigned(v.interval.low, unit))} to ${num(`${key}.verdict.interval.high`, v.interval.high, formatSigned(v.interval.high, unit))} (threshold ${num(`${key}.verdict.threshold`, v.threshold, formatSigned(v.threshold, unit))}, α = ${num(`${key}.verdict.alpha`, v.alpha, String(v.alpha))}).</p>`) +
    `<p class="reason"><strong>Why:</strong> ${esc(sentence(v.reason))}${esc(sequential)}${more}</p>` +
    `<div class="split"><div>${diffHtml(e.changes)}${((svg) => (svg === '' ? '' : `<figure>${svg}</figure>`))(intervalSvg(`ci-${i}`, e))}</div><figure>${ecdfSvg(`ecdf-${i}`, e)}</figure></div>` +
    `<table class="wide"><caption>Both arms</caption><thead><tr><th>Arm</th><th>Runs</th><th>Success</th><th>Mean</th><th>Median</th><th>P95</th><th>Mean cost</th></tr></thead><tbody>${arms}</tbody></table>` +
    `<div class="split"><table><caption>The three tests (one-sided, candidate better)</caption><thead><tr><th>Test</th><th>Of</th><th>p</th><th></th></tr></thead><tbody>` +
    pRow(e, i, 'welch', "Welch's t", e.metric === 'cost' ? 'mean cost' : 'mean duration') +
    pRow(e, i, 'mannWhitney', 'Mann-Whitney U', e.metric === 'cost' ? 'cost distribution' : 'duration distribution') +
    pRow(e, i, 'fisher', "Fisher's exact", 'success rate') +
    `</tbody></table><table><caption>Guardrails (negative is better)</caption><thead><tr><th>Guardrail</th><th>Measured</th><th>Limit</th><th></th></tr></thead><tbody>${guardrails}</tbody></table></div>` +
    `<details class="alt"><summary>Explanation in full, and every duration</summary><p>${esc(v.explanation)}</p><p><strong>Baseline durations:</strong> ${e.baseline.durationsSeconds.map((d) => formatSeconds(d)).join(', ')}</p><p><strong>Candidate durations:</strong> ${e.candidate.durationsSeconds.map((d) => formatSeconds(d)).join(', ')}</p>${e.metric === 'cost' && e.baseline.costsUsd && e.candidate.costsUsd ? `<p><strong>Baseline costs:</strong> ${e.baseline.costsUsd.map((c) => formatUsd(c)).join(', ')}</p><p><strong>Candidate costs:</strong> ${e.candidate.costsUsd.map((c) => formatUsd(c)).join(', ')}</p>` : ''}</details>` +
    '</article>'
  );
}

function experimentsHtml(doc: ReportDocument): string {
  if (doc.experiments.length === 0) return '<section id="experiments"><h2>Experiments</h2><p class="muted">No A/B experiment recorded yet. Run <code>autotune apply</code>, <code>benchmark</code> or <code>validate</code> to create one.</p></section>';
  const rows = doc.experiments
    .map((e, i) => `<tr><td><a href="#exp-${esc(e.id)}">${esc(e.label)}</a><br><small class="muted">${formatTime(e.createdAt)}</small></td><td>${status(e.verdict.status)}</td><td>${esc(e.metric.replace('_', ' '))}</td><td class="num">${e.verdict.improvementPercentage === null ? 'n/a' : num(`experiments.${i}.verdict.improvementPercentage`, e.verdict.improvementPercentage, formatSigned(e.verdict.improvementPercentage, improvementUnit(e.metric)))}</td><td>${esc(e.changeSummary)}</td></tr>`)
    .join('');
  return (
    `<section id="experiments"><h2>Experiments</h2><table class="wide"><caption>Every experiment, ${doc.experiments.some((e) => e.fromThisRun) ? "this run's first, then " : ''}oldest first</caption><thead><tr><th>Experiment</th><th>Verdict</th><th>Metric</th><th>Improvement</th><th>Change</th></tr></thead><tbody>${rows}</tbody></table>` +
    doc.experiments.map(experimentHtml).join('') +
    '</section>'
  );
}

function raceHtml(doc: ReportDocument): string {
  const race = doc.race;
  if (!race) return '';
  const rows = race.candidates
    .map((c, i) => `<tr><td>${esc(c.role)}</td><td>${esc(c.description)}</td><td class="num">${num(`race.candidates.${i}.runs`, c.runs, formatInt(c.runs))}</td><td class="num">${num(`race.candidates.${i}.estimate`, c.estimate, formatEstimate(c.estimate, race.unit))}</td><td class="num">${num(`race.candidates.${i}.successRate`, c.successRate, formatRate(c.successRate))}</td><td>${c.eliminatedInRound !== null ? `round ${c.eliminatedInRound}${c.eliminationReason ? `: ${esc(c.eliminationReason)}` : ''}` : '–'}</td></tr>`)
    .join('');
  const confirm = race.confirm
    ? `<p>${status(race.confirm.status)} <strong>Confirm test</strong>${race.confirm.experimentId ? ` (<a href="#exp-${esc(race.confirm.experimentId)}">experiment ${esc(race.confirm.experimentId)}</a>)` : ''}: improvement ${num('race.confirm.improvementPercentage', race.confirm.improvementPercentage, formatSigned(race.confirm.improvementPercentage))}. ${esc(race.confirm.reason)}</p>`
    : '<p class="muted">No confirm test was run.</p>';
  return (
    `<section id="race"><h2>The tune's race</h2><p class="lede">Objective: ${esc(race.objective)} (lower is better). ${num('race.rounds', race.rounds, String(race.rounds))} rounds, ${num('race.runsUsed', race.runsUsed, formatInt(race.runsUsed))} runs${race.budgetRuns !== null ? ` of a budget of ${num('race.budgetRuns', race.budgetRuns, formatInt(race.budgetRuns))}` : ''}. Rule: ${esc(race.eliminationRule)}</p>` +
    `<figure>${raceSvg('race-chart', race)}<figcaption>● in force · ★ winner · ◆ still in · ✕ dropped (hollow)</figcaption></figure>${confirm}` +
    `<table class="wide"><caption>Candidates</caption><thead><tr><th>Role</th><th>Candidate</th><th>Runs</th><th>Estimate</th><th>Success</th><th>Dropped</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function timelineHtml(doc: ReportDocument): string {
  const t = doc.timeline;
  if (t.buckets.length === 0 && t.events.length === 0) return '<section id="timeline"><h2>Timeline</h2><p class="muted">Nothing recorded yet.</p></section>';
  const events = t.events
    .map((e, i) => `<tr><td>#${e.historyId}</td><td class="nowrap">${formatTime(e.at)}</td><td>${esc(e.status.replace('_', ' '))}</td><td>${esc(e.validationStatus)}</td><td>${esc(e.description)}<br><small>${esc(e.changes.map((c) => `${c.key}: ${c.before ?? '∅'} → ${c.after ?? '∅'}`).join('; '))}</small></td><td class="num">${e.improvementPercentage === null ? '–' : num(`timeline.events.${i}.improvementPercentage`, e.improvementPercentage, formatSigned(e.improvementPercentage))}</td><td>${esc(e.reason ?? '')}${e.rolledBackAt ? ` (rolled back ${formatTime(e.rolledBackAt)})` : ''}</td></tr>`)
    .join('');
  const buckets = t.buckets
    .map((b, i) => `<tr><td>${formatTime(b.start)}</td><td class="num">${num(`timeline.buckets.${i}.figures.runs`, b.figures.runs, formatInt(b.figures.runs))}</td><td class="num">${num(`timeline.buckets.${i}.figures.medianSeconds`, b.figures.medianSeconds, formatSeconds(b.figures.medianSeconds))}</td><td class="num">${num(`timeline.buckets.${i}.figures.p95Seconds`, b.figures.p95Seconds, formatSeconds(b.figures.p95Seconds))}</td><td class="num">${num(`timeline.buckets.${i}.figures.successRate`, b.figures.successRate, formatRate(b.figures.successRate))}</td><td class="num">${num(`timeline.buckets.${i}.figures.meanCostUsd`, b.figures.meanCostUsd, formatUsd(b.figures.meanCostUsd))}</td></tr>`)
    .join('');
  return (
    `<section id="timeline"><h2>Timeline</h2><p class="lede">Each point is ${t.runsPerBucket} consecutive runs, in time order (the axis is spaced by runs, not by clock time, so bursts of A/B trials stay readable). Changes: ▲ applied, ✕ rolled back, ○ rejected, ↺ rollback, … pending, ⊘ abandoned (an apply a crash interrupted).</p>` +
    (t.buckets.length ? `<figure class="full">${timelineSvg('timeline-chart', t)}</figure>` : '') +
    (events ? `<table class="wide"><caption>Changes</caption><thead><tr><th>#</th><th>When</th><th>Status</th><th>Validation</th><th>Change</th><th>Improvement</th><th>Why</th></tr></thead><tbody>${events}</tbody></table>` : '<p class="muted">No change recorded in the history.</p>') +
    `<details class="alt"><summary>Timeline as a table</summary><table><thead><tr><th>Runs from</th><th>Runs</th><th>Median</th><th>P95</th><th>Success</th><th>Mean cost</th></tr></thead><tbody>${buckets}</tbody></table></details></section>`
  );
}

function insightsHtml(doc: ReportDocument): string {
  if (doc.insights.length === 0) return '<section id="insights"><h2>Insights</h2><p class="muted">The analyzer found no bottleneck with enough evidence.</p></section>';
  const items = doc.insights
    .map(
      (i, k) =>
        `<li class="insight"><div class="sev" title="severity"><span style="width:${Math.round(Math.min(1, Math.max(0, i.severity)) * 100)}%"></span></div><strong>${esc(i.bottleneck.replace(/_/g, ' '))}</strong> <span class="muted">severity ${num(`insights.${k}.severity`, i.severity, i.severity.toFixed(2))}${i.affectedComponents.length ? ` · ${esc(i.affectedComponents.join(', '))}` : ''}</span><p>${esc(i.recommendation)}</p><p class="evidence">Evidence: ${esc(i.evidence)}</p></li>`,
    )
    .join('');
  return `<section id="insights"><h2>Insights</h2><ol class="insights">${items}</ol></section>`;
}

const CSS = `
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--bg:#f6f7f9;--ok:#00704f;--bad:#b23c00;--warn:#8a5a00;--blue:#0072B2}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#fff;border-bottom:1px solid var(--line);padding:18px 32px}header h1{margin:0 0 4px;font-size:22px}
nav{display:flex;gap:14px;flex-wrap:wrap;margin-top:8px}nav a{color:var(--blue);text-decoration:none}
main{max-width:1180px;margin:0 auto;padding:8px 32px 40px}section{margin-top:26px}h2{font-size:18px;margin:0 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0 0 4px}.muted{color:var(--muted)}.lede{color:var(--muted);margin-top:-4px}
.headline{font-size:16px;background:#fff;border:1px solid var(--line);border-left:6px solid var(--muted);padding:10px 14px;border-radius:6px}
.headline.passed{border-left-color:var(--ok)}.headline.failed{border-left-color:var(--bad)}.headline.inconclusive{border-left-color:var(--warn)}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;margin-top:12px}
.kpi{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px}.kpi-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi-value{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}.kpi-note{color:var(--muted);font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin-top:12px;break-inside:avoid}.grid .card{margin-top:0}
.card.current{border-color:var(--blue);box-shadow:inset 4px 0 0 var(--blue)}
.split{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.split>*{flex:1 1 300px;min-width:0}
figure{margin:6px 0}figure.full svg{width:100%;height:auto}svg.chart{max-width:100%;height:auto;font-family:inherit}
svg .tick{font-size:10px;fill:#555}svg .lbl{font-size:11px;fill:#222}svg .lbl.muted{fill:#888}svg .ptitle{font-size:11px;font-weight:600;fill:#333}
figcaption{font-size:12px;color:var(--muted)}.key{display:inline-block;width:12px;height:10px;vertical-align:middle;margin-left:8px}
.key.ok{background:var(--blue)}.key.failed{background:repeating-linear-gradient(45deg,#D55E00 0 2px,#fbe3d5 2px 5px);border:1px solid #D55E00}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:6px 0}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.num{text-align:right;white-space:nowrap}table.wide{width:100%}caption{text-align:left;font-weight:600;padding:4px 0;color:#333}
table.figures th{font-weight:normal;color:var(--muted)}table.figures td{text-align:right}
.status{font-weight:600;white-space:nowrap;padding:1px 6px;border-radius:4px;border:1px solid}.status.passed{color:var(--ok);border-color:var(--ok)}
.status.failed{color:var(--bad);border-color:var(--bad)}.status.inconclusive{color:var(--warn);border-color:var(--warn);border-style:dashed}
.tag{font-size:11px;font-weight:600;background:#e8f1f8;color:var(--blue);border-radius:3px;padding:0 5px;white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}code.fp{color:var(--muted);font-weight:normal}
pre.diff{background:#f6f8fa;border:1px solid var(--line);padding:8px;border-radius:4px;margin:6px 0;white-space:pre-wrap}
pre.diff .del{color:#82071e;background:#ffebe9;display:block}pre.diff .add{color:#116329;background:#dafbe1;display:block}
pre.settings{white-space:pre-wrap;background:#f6f8fa;padding:6px}.improvement{font-size:15px}.improvement data{font-weight:600}
details.alt{margin-top:6px}summary{cursor:pointer;color:var(--blue)}
ol.insights{padding-left:20px}.insight{margin-bottom:12px}.insight p{margin:2px 0}.evidence{color:var(--muted);font-size:13px}
.sev{display:inline-block;width:60px;height:8px;background:#eee;border:1px solid #ccc;margin-right:6px;vertical-align:middle}.sev span{display:block;height:100%;background:var(--bad)}
.nowrap{white-space:nowrap}table.since{margin-top:14px;background:#fff;border:1px solid var(--line)}table.since caption{padding:6px 8px}.sr{position:absolute;left:-9999px}footer{color:var(--muted);font-size:12px;margin-top:30px}
@media print{body{background:#fff;font-size:11px}header{padding:0 0 8px}nav{display:none}main{padding:0;max-width:none}
.card,.kpi{box-shadow:none;border-color:#999}.grid{grid-template-columns:1fr}details>summary{display:none}
details::details-content{content-visibility:visible;display:contents}section{break-before:auto}h2{break-after:avoid}figure,table{break-inside:avoid}
a{color:inherit;text-decoration:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

/**
 * Renders the report as one self-contained HTML page: styles and SVG charts inlined, no script, no external
 * URL, and a Content-Security-Policy that forbids loading anything, so it opens from disk with no network.
 * The document itself is embedded as JSON (`<script type="application/json" id="autotune-report">`) for tools.
 */
export function renderHtml(doc: ReportDocument): string {
  const sections: Array<[id: string, label: string]> = [['summary', 'Summary'], ['configs', 'Durations per config'], ['experiments', `Experiments (${doc.experiments.length})`], ...(doc.race ? [['race', 'Race'] as [string, string]] : []), ['timeline', 'Timeline'], ['insights', `Insights (${doc.insights.length})`]];
  const nav = sections
    .map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`)
    .join('');
  // `</` inside the JSON would close the script element; JSON allows escaping the slash.
  const data = JSON.stringify(doc).replace(/<\//g, '<\\/');
  const sources = [doc.source.command, doc.source.database ? `database ${doc.source.database}` : '', doc.source.metrics.length ? `metrics ${doc.source.metrics.join(', ')}` : ''].filter(Boolean).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.title)}</title><style>${CSS}</style></head>
<body>${SVG_DEFS}<header><h1>${esc(doc.title)}</h1><div class="muted">Team <strong>${esc(doc.teamId)}</strong> · generated ${formatTime(doc.generatedAt)} · ${esc(sources)}</div><nav>${nav}</nav></header>
<main>${summaryHtml(doc)}${configsHtml(doc)}${experimentsHtml(doc)}${raceHtml(doc)}${timelineHtml(doc)}${insightsHtml(doc)}
<footer>autotune report, schema version ${doc.schemaVersion}. Durations in seconds; quantiles are type 7; p-values one-sided in the improving direction; intervals are bootstrap intervals of the improvement.</footer></main>
<script type="application/json" id="autotune-report">${data}</script></body></html>
`;
}
