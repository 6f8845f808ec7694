// Server-rendered SVG charts. No chart library: the page must be one small file that opens from disk, and a
// few hundred lines of SVG strings cost nothing at run time, while an inlined library would cost 50-250 kB
// and need a script. Every series is told apart by shape or dash as well as by colour.
import { quantileSorted } from '@autotune/metrics';
import type { ExperimentSection, Histogram, RaceSection, TimelineSection } from '../report-types';
import { formatEstimate, formatRate, formatSeconds, formatSigned, formatTime, formatUsd, improvementUnit } from './format';
import { niceStep } from './figures';

/** Escapes text for HTML and SVG. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Okabe-Ito colours: readable by people with the common colour-vision deficiencies. */
export const COLORS = { baseline: '#4d4d4d', candidate: '#0072B2', failed: '#D55E00', success: '#009E73', accent: '#E69F00', grid: '#e3e3e3' };

const n = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(1)) : 0);

function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep((hi - lo) / count);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function open(width: number, height: number, id: string, title: string, desc: string, cls: string): string {
  return `<svg class="chart ${cls}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-t ${id}-d"><title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>`;
}

/** Hatching for failed runs, so failures read without colour. */
export const SVG_DEFS = `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3d5"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.failed}" stroke-width="3"/></pattern></defs></svg>`;

function xAxis(x: (v: number) => number, values: number[], y: number, fmt: (v: number) => string): string {
  return values
    .map((v) => `<line x1="${n(x(v))}" x2="${n(x(v))}" y1="${y}" y2="${y + 4}" stroke="#888"/><text x="${n(x(v))}" y="${y + 15}" text-anchor="middle" class="tick">${esc(fmt(v))}</text>`)
    .join('');
}

function yGrid(y: (v: number) => number, values: number[], x0: number, x1: number, fmt: (v: number) => string): string {
  return values
    .map((v) => `<line x1="${x0}" x2="${x1}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="${COLORS.grid}"/><text x="${x0 - 4}" y="${n(y(v)) + 3}" text-anchor="end" class="tick">${esc(fmt(v))}</text>`)
    .join('');
}

const axisSeconds = (v: number) => `${+v.toPrecision(4)}s`;

/**
 * A histogram of durations with successes as solid bars and failures hatched on top, and the median and P95
 * marked with labelled lines.
 */
export function histogramSvg(id: string, h: Histogram, median: number, p95: number, title: string): string {
  const W = 420;
  const H = 170;
  const L = 34;
  const R = 10;
  const T = 14;
  const B = 30;
  const edges = h.edgesSeconds;
  // histogramEdges returns at least two edges, and `succeeded` and `failed` hold one count per bin between them.
  const first = edges[0]!;
  const last = edges.at(-1)!;
  const x = scale(first, last, L, W - R);
  const maxCount = Math.max(1, ...h.succeeded.map((s, i) => s + h.failed[i]!));
  const y = scale(0, maxCount, H - B, T);
  const total = h.succeeded.reduce((a, b) => a + b, 0) + h.failed.reduce((a, b) => a + b, 0);
  let bars = '';
  for (let i = 0; i < edges.length - 1; i++) {
    const from = edges[i]!;
    const to = edges[i + 1]!;
    const x0 = x(from) + 0.5;
    const w = Math.max(1, x(to) - x(from) - 1);
    const s = h.succeeded[i]!;
    const f = h.failed[i]!;
    const range = `${formatSeconds(from)} to ${formatSeconds(to)}`;
    if (s > 0) bars += `<rect class="bar ok" x="${n(x0)}" y="${n(y(s))}" width="${n(w)}" height="${n(y(0) - y(s))}" fill="${COLORS.candidate}"><title>${esc(`${range}: ${s} succeeded`)}</title></rect>`;
    if (f > 0) bars += `<rect class="bar failed" x="${n(x0)}" y="${n(y(s + f))}" width="${n(w)}" height="${n(y(s) - y(s + f))}" fill="url(#hatch)" stroke="${COLORS.failed}" stroke-width="0.8"><title>${esc(`${range}: ${f} failed`)}</title></rect>`;
  }
  const marker = (v: number, label: string, dash: string, dy: number) =>
    Number.isFinite(v)
      ? `<line x1="${n(x(v))}" x2="${n(x(v))}" y1="${T - 4}" y2="${H - B}" stroke="#111" stroke-dasharray="${dash}" stroke-width="1.2"/><text x="${n(x(v)) + 3}" y="${T + dy}" class="lbl">${esc(`${label} ${formatSeconds(v)}`)}</text>`
      : '';
  const desc = `Histogram of ${total} run durations from ${formatSeconds(first)} to ${formatSeconds(last)}; median ${formatSeconds(median)}, P95 ${formatSeconds(p95)}. Solid bars: succeeded; hatched: failed.`;
  return (
    open(W, H, id, title, desc, 'histogram') +
    yGrid(y, ticks(0, maxCount, 3).filter((v) => Number.isInteger(v)), L, W - R, (v) => String(v)) +
    bars +
    marker(median, 'median', '4 3', 2) +
    marker(p95, 'P95', '1 2', 14) +
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#888"/>` +
    xAxis(x, ticks(first, last, 6), H - B, axisSeconds) +
    '</svg>'
  );
}

function stepPath(values: number[], x: (v: number) => number, y: (v: number) => number): string {
  const first = values[0];
  if (first === undefined) return '';
  let d = `M${n(x(first))},${n(y(0))}`;
  values.forEach((v, i) => {
    d += `L${n(x(v))},${n(y(i / values.length))}L${n(x(v))},${n(y((i + 1) / values.length))}`;
  });
  return d;
}

/** Markers at each run: circles for the baseline, triangles for the candidate. */
function markers(values: number[], x: (v: number) => number, y: (v: number) => number, shape: 'circle' | 'triangle', color: string): string {
  // At most ~40 markers per arm: enough to show the shape of each step without a smear.
  const every = Math.max(1, Math.ceil(values.length / 40));
  let out = '';
  values.forEach((v, i) => {
    if (i % every !== 0 && i !== values.length - 1) return;
    const cx = n(x(v));
    const cy = n(y((i + 1) / values.length));
    out +=
      shape === 'circle'
        ? `<circle cx="${cx}" cy="${cy}" r="2.6" fill="#fff" stroke="${color}" stroke-width="1.3"/>`
        : `<path d="M${cx},${n(cy - 3.2)}L${n(cx + 3)},${n(cy + 2.2)}L${n(cx - 3)},${n(cy + 2.2)}Z" fill="${color}"/>`;
  });
  return out;
}

/** The empirical CDFs of both arms' durations on one axis: the further left a curve, the faster that arm. */
export function ecdfSvg(id: string, e: ExperimentSection): string {
  const W = 460;
  const H = 210;
  const L = 40;
  const R = 92;
  const T = 12;
  const B = 30;
  // A cost experiment is judged on cost: draw what was judged, when the samples' costs are at hand.
  const byCost = e.metric === 'cost' && e.baseline.costsUsd !== null && e.candidate.costsUsd !== null;
  const b = byCost ? e.baseline.costsUsd! : e.baseline.durationsSeconds;
  const c = byCost ? e.candidate.costsUsd! : e.candidate.durationsSeconds;
  const fmtValue = byCost ? (v: number) => formatUsd(v) : formatSeconds;
  const axisValue = byCost ? (v: number) => formatUsd(v) : axisSeconds;
  const what = byCost ? 'cost per run' : 'run durations';
  const all = [...b, ...c];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.04 || Math.max(hi * 0.1, 0.1);
  const x = scale(Math.max(0, lo - pad), hi + pad, L, W - R);
  const y = scale(0, 1, H - B, T);
  const label = (values: number[], text: string, color: string, dy: number) =>
    values.length ? `<text x="${W - R + 6}" y="${n(y(1)) + dy}" class="lbl" style="fill:${color}">${esc(text)}</text>` : '';
  const q = quantileSorted;
  // An arm without samples has no largest value: NaN prints as "n/a".
  const desc =
    `Empirical cumulative distribution of ${what}. Baseline (solid line, circles): ${b.length} runs, median ${fmtValue(q(b, 0.5))}, largest ${fmtValue(b.at(-1) ?? NaN)}. ` +
    `Candidate (dashed line, triangles): ${c.length} runs, median ${fmtValue(q(c, 0.5))}, largest ${fmtValue(c.at(-1) ?? NaN)}.`;
  return (
    open(W, H, id, `${byCost ? 'Cost per run' : 'Durations'} of both arms (ECDF): ${e.label}`, desc, 'ecdf') +
    yGrid(y, [0, 0.25, 0.5, 0.75, 1], L, W - R, (v) => `${v * 100}%`) +
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#888"/>` +
    xAxis(x, ticks(Math.max(0, lo - pad), hi + pad, 5), H - B, axisValue) +
    `<path class="series baseline" d="${stepPath(b, x, y)}" fill="none" stroke="${COLORS.baseline}" stroke-width="1.8"/>` +
    `<path class="series candidate" d="${stepPath(c, x, y)}" fill="none" stroke="${COLORS.candidate}" stroke-width="2" stroke-dasharray="6 3"/>` +
    markers(b, x, y, 'circle', COLORS.baseline) +
    markers(c, x, y, 'triangle', COLORS.candidate) +
    label(b, '● baseline', COLORS.baseline, 4) +
    label(c, '▲ candidate', COLORS.candidate, 20) +
    `<text x="${L}" y="${H - 2}" class="tick">${byCost ? 'share of runs costing at most…' : 'share of runs finished by…'}</text>` +
    '</svg>'
  );
}

/** The improvement with its interval against zero and the threshold. */
export function intervalSvg(id: string, e: ExperimentSection): string {
  const improvement = e.verdict.improvementPercentage;
  const interval = e.verdict.interval;
  // Nothing to draw when the improvement cannot be measured; the text says n/a instead.
  if (improvement === null || interval === null) return '';
  const v = { ...e.verdict, improvementPercentage: improvement, interval };
  const W = 460;
  const H = 78;
  const L = 14;
  const R = 14;
  const unit = improvementUnit(e.metric);
  const values = [0, v.threshold, v.interval.low, v.interval.high, v.improvementPercentage].filter(Number.isFinite);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * 0.12 || 5;
  const x = scale(lo - pad, hi + pad, L, W - R);
  const cy = 34;
  const fmt = (p: number) => formatSigned(p, unit);
  const desc = `Improvement ${fmt(v.improvementPercentage)}, ${Math.round(v.interval.confidenceLevel * 100)}% interval ${fmt(v.interval.low)} to ${fmt(v.interval.high)}; threshold ${fmt(v.threshold)}; zero means no change.`;
  return (
    open(W, H, id, `Improvement and interval: ${e.label}`, desc, 'interval') +
    `<line x1="${n(x(0))}" x2="${n(x(0))}" y1="8" y2="${H - 22}" stroke="#111"/><text x="${n(x(0))}" y="8" text-anchor="middle" class="tick">no change</text>` +
    `<line x1="${n(x(v.threshold))}" x2="${n(x(v.threshold))}" y1="14" y2="${H - 22}" stroke="${COLORS.accent}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${n(x(v.threshold)) + 3}" y="20" class="tick">threshold ${esc(fmt(v.threshold))}</text>` +
    `<line class="ci" x1="${n(x(v.interval.low))}" x2="${n(x(v.interval.high))}" y1="${cy}" y2="${cy}" stroke="${COLORS.candidate}" stroke-width="3"/>` +
    `<line x1="${n(x(v.interval.low))}" x2="${n(x(v.interval.low))}" y1="${cy - 6}" y2="${cy + 6}" stroke="${COLORS.candidate}" stroke-width="2"/>` +
    `<line x1="${n(x(v.interval.high))}" x2="${n(x(v.interval.high))}" y1="${cy - 6}" y2="${cy + 6}" stroke="${COLORS.candidate}" stroke-width="2"/>` +
    `<rect x="${n(x(v.improvementPercentage)) - 5}" y="${cy - 5}" width="10" height="10" fill="#fff" stroke="#111" stroke-width="2"/>` +
    `<line x1="${L}" x2="${W - R}" y1="${H - 22}" y2="${H - 22}" stroke="#888"/>` +
    xAxis(x, ticks(lo - pad, hi + pad, 6), H - 22, (t) => fmt(t)) +
    '</svg>'
  );
}

/** Where an event sits among the buckets: halfway between the last bucket before it and the first after it. */
function eventPosition(t: TimelineSection, at: number): number {
  const next = t.buckets.findIndex((b) => Date.parse(b.start) >= at);
  if (next === -1) return t.buckets.length - 0.5;
  // An event inside a bucket's span sits on that bucket.
  if (next > 0 && Date.parse(t.buckets[next - 1]!.end) >= at) return next - 1; // 0 < next < buckets.length
  return next - 0.5;
}

/**
 * Three panels over one axis of runs in time order: median (and P95) duration, success rate, mean cost per
 * run; the changes of the history as labelled vertical markers (▲ applied, ✕ rolled back, ○ rejected, ↺ rollback).
 */
export function timelineSvg(id: string, t: TimelineSection): string {
  const W = 900;
  const panelH = 88;
  const gap = 34;
  const L = 56;
  const R = 16;
  const T = 40;
  const hasCost = t.buckets.some((b) => b.figures.meanCostUsd !== null);
  const panels = hasCost ? 3 : 2;
  const H = T + panels * (panelH + gap) + 8;
  const x = scale(-0.5, t.buckets.length - 0.5, L, W - R);
  const symbol = (s: string) => ({ applied: '▲', rolled_back: '✕', rejected: '○', rollback: '↺', pending: '…', abandoned: '⊘' })[s] ?? '·';
  let out = open(W, H, id, 'Timeline: duration, success and cost over time, with the changes', timelineDesc(t), 'timeline');

  const panel = (index: number, title: string, values: Array<number | null>, fmt: (v: number) => string, extra?: Array<number | null>, fixed?: [number, number]) => {
    const top = T + index * (panelH + gap);
    const finite = [...values, ...(extra ?? [])].filter((v): v is number => v !== null && Number.isFinite(v));
    const lo = fixed ? fixed[0] : 0;
    const hi = fixed ? fixed[1] : Math.max(...finite, 1e-9) * 1.08;
    const y = scale(lo, hi, top + panelH, top);
    let s = `<text x="${L}" y="${top - 8}" class="ptitle">${esc(title)}</text>`;
    s += yGrid(y, ticks(lo, hi, 4), L, W - R, fmt);
    const line = (vals: Array<number | null>, cls: string, style: string) => {
      let d = '';
      let open = false;
      vals.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) {
          open = false;
          return;
        }
        d += `${open ? 'L' : 'M'}${n(x(i))},${n(y(v))}`;
        open = true;
      });
      return `<path class="series ${cls}" d="${d}" fill="none" ${style}/>`;
    };
    if (extra) s += line(extra, 'p95', `stroke="${COLORS.baseline}" stroke-width="1.2" stroke-dasharray="2 2"`);
    s += line(values, 'main', `stroke="${COLORS.candidate}" stroke-width="1.8"`);
    // values holds one entry per bucket, so values' index i names bucket i.
    values.forEach((v, i) => {
      const bucket = t.buckets[i]!;
      if (v !== null && Number.isFinite(v)) s += `<circle cx="${n(x(i))}" cy="${n(y(v))}" r="2.4" fill="${COLORS.candidate}"><title>${esc(`${formatTime(bucket.start)}: ${fmt(v)} (${bucket.figures.runs} runs)`)}</title></circle>`;
    });
    return s;
  };
  out += panel(0, 'Median duration (solid) and P95 (dotted)', t.buckets.map((b) => b.figures.medianSeconds), axisSeconds, t.buckets.map((b) => b.figures.p95Seconds));
  out += panel(1, 'Success rate', t.buckets.map((b) => b.figures.successRate), (v) => `${Math.round(v * 100)}%`, undefined, [0, 1]);
  if (hasCost) out += panel(2, 'Mean cost per run', t.buckets.map((b) => b.figures.meanCostUsd), (v) => formatUsd(v));
  const bottom = T + panels * (panelH + gap) - gap;
  // Labels of events close together are stacked, so "#2" does not print over "#1".
  let lastX = -Infinity;
  let level = 0;
  t.events.forEach((e) => {
    const at = Date.parse(e.at);
    if (!Number.isFinite(at)) return;
    const ex = n(x(eventPosition(t, at)));
    level = ex - lastX < 34 ? (level + 1) % 3 : 0;
    lastX = ex;
    const color = e.status === 'applied' ? COLORS.success : e.status === 'rejected' ? '#777' : COLORS.failed;
    const ly = 10 + level * 11;
    out += `<g class="event ${e.status}"><line x1="${ex}" x2="${ex}" y1="${ly + 2}" y2="${bottom}" stroke="${color}" stroke-width="1.2" stroke-dasharray="${e.status === 'applied' ? '' : '3 2'}"/><text x="${ex > W - R - 40 ? ex - 3 : ex + 3}" y="${ly}" text-anchor="${ex > W - R - 40 ? 'end' : 'start'}" class="lbl" style="fill:${color}">${symbol(e.status)} #${e.historyId}</text><title>${esc(`#${e.historyId} ${e.status}: ${e.description}`)}</title></g>`;
  });
  const every = Math.max(1, Math.ceil(t.buckets.length / 6));
  const tickIdx = t.buckets.map((_, i) => i).filter((i) => i % every === 0);
  out += `<line x1="${L}" x2="${W - R}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`;
  out += xAxis(x, tickIdx, bottom, (i) => formatTime(t.buckets[i]!.start).slice(0, 16)); // tickIdx are bucket indexes
  return out + '</svg>';
}

function timelineDesc(t: TimelineSection): string {
  const first = t.buckets[0];
  const last = t.buckets[t.buckets.length - 1];
  const parts = [`${t.buckets.length} points of ${t.runsPerBucket} consecutive runs`];
  if (first && last) {
    parts.push(`median duration ${formatSeconds(first.figures.medianSeconds)} at the start, ${formatSeconds(last.figures.medianSeconds)} at the end`);
    parts.push(`success rate ${formatRate(first.figures.successRate)} then ${formatRate(last.figures.successRate)}`);
  }
  parts.push(`${t.events.length} change(s) marked`);
  return `${parts.join('; ')}. The table below lists every bucket and change.`;
}

/** The race: each candidate's estimate and interval, runs it got, and when it was dropped. */
export function raceSvg(id: string, race: RaceSection): string {
  const rows = [...race.candidates].sort((a, b) => roleOrder(a.role) - roleOrder(b.role) || a.estimate - b.estimate);
  const W = 900;
  const rowH = 22;
  const L = 300;
  const R = 150;
  const T = 18;
  const H = T + rows.length * rowH + 30;
  const values = rows.flatMap((c) => [c.estimate, c.interval?.low ?? c.estimate, c.interval?.high ?? c.estimate]).filter(Number.isFinite);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1;
  const x = scale(lo - pad, hi + pad, L, W - R);
  const fmt = (v: number) => formatEstimate(v, race.unit);
  let out = open(W, H, id, `Race: ${race.candidates.length} candidates, estimates of ${race.objective}`, `Each row is a candidate: its estimated ${race.objective} (lower is better) with its interval, the runs it got and the round it was dropped in. The table below lists the same.`, 'race');
  rows.forEach((c, i) => {
    const cy = T + i * rowH + rowH / 2;
    const dropped = c.role === 'eliminated';
    const color = c.role === 'winner' ? COLORS.success : c.role === 'incumbent' ? COLORS.baseline : dropped ? '#999' : COLORS.candidate;
    const mark = c.role === 'winner' ? '★ ' : c.role === 'incumbent' ? '● ' : dropped ? '✕ ' : '◆ ';
    const name = c.description.length > 46 ? `${c.description.slice(0, 45)}…` : c.description;
    out += `<text x="${L - 8}" y="${cy + 4}" text-anchor="end" class="lbl${dropped ? ' muted' : ''}">${esc(mark + name)}</text>`;
    if (c.interval) out += `<line x1="${n(x(c.interval.low))}" x2="${n(x(c.interval.high))}" y1="${cy}" y2="${cy}" stroke="${color}" stroke-width="2"/>`;
    out += `<circle class="est" cx="${n(x(c.estimate))}" cy="${cy}" r="4" fill="${dropped ? '#fff' : color}" stroke="${color}" stroke-width="1.5"><title>${esc(`${c.description}: ${fmt(c.estimate)} over ${c.runs} runs`)}</title></circle>`;
    out += `<text x="${W - R + 8}" y="${cy + 4}" class="tick">${c.runs} runs${c.eliminatedInRound !== null ? `, out in round ${c.eliminatedInRound}` : ''}</text>`;
  });
  out += `<line x1="${L}" x2="${W - R}" y1="${H - 30}" y2="${H - 30}" stroke="#888"/>`;
  out += xAxis(x, ticks(lo - pad, hi + pad, 6), H - 30, fmt);
  return out + '</svg>';
}

function roleOrder(role: string): number {
  return role === 'incumbent' ? 0 : role === 'winner' ? 1 : role === 'survivor' ? 2 : 3;
}
