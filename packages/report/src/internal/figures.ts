import { quantileSorted, type ExecutionRecord } from '@autotune/metrics';
import type { Histogram, RunFigures } from '../report-types';

/** Figures of a non-empty set of runs. */
export function runFigures(records: readonly ExecutionRecord[]): RunFigures {
  const durations = records.map((r) => r.durationSeconds).sort((a, b) => a - b);
  const successes = records.filter((r) => r.success).length;
  const costs = records.map((r) => r.costUsd).filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
  const total = costs.reduce((a, b) => a + b, 0);
  return {
    runs: records.length,
    successes,
    successRate: successes / records.length,
    meanSeconds: durations.reduce((a, b) => a + b, 0) / durations.length,
    medianSeconds: quantileSorted(durations, 0.5),
    p95Seconds: quantileSorted(durations, 0.95),
    meanCostUsd: costs.length ? total / costs.length : null,
    totalCostUsd: costs.length ? total : null,
    limitHits: records.filter((r) => r.limitHit !== undefined).length,
  };
}

/** 1, 2 or 5 times a power of ten, the smallest such step at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/**
 * Bin edges covering [min, max] in about `target` bins of a round width, so that every histogram of one chart
 * shares them and reads against the same axis.
 */
export function histogramEdges(min: number, max: number, target = 20): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) {
    const step = niceStep(Math.max(Math.abs(min) * 0.1, 1e-3));
    return [min - step, min + step].map((v) => round(Math.max(0, v)));
  }
  const step = niceStep((max - min) / target);
  const start = Math.floor(min / step) * step;
  const edges: number[] = [];
  for (let e = start; ; e += step) {
    const edge = round(e);
    edges.push(edge);
    if (edge >= max) break;
  }
  if (edges.length === 1) edges.push(round(start + step));
  return edges;
}

/** Rounds away binary noise (0.30000000000000004) so edges print and compare cleanly. */
function round(v: number): number {
  return Number(v.toPrecision(12));
}

/** Counts runs per bin, split by success. The last bin includes its upper edge. */
export function histogram(records: readonly ExecutionRecord[], edges: readonly number[]): Histogram {
  const bins = edges.length - 1;
  const succeeded = new Array<number>(bins).fill(0);
  const failed = new Array<number>(bins).fill(0);
  for (const r of records) {
    const i = binOf(r.durationSeconds, edges);
    if (i < 0) continue;
    (r.success ? succeeded : failed)[i]! += 1; // binOf returns -1 or a bin index below `bins`
  }
  return { edgesSeconds: [...edges], succeeded, failed };
}

function binOf(v: number, edges: readonly number[]): number {
  const last = edges.length - 1;
  const lowest = edges[0];
  const highest = edges[last];
  if (lowest === undefined || highest === undefined || v < lowest || v > highest) return -1;
  if (v === highest) return last - 1;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v >= edges[mid]!) lo = mid; // lo < mid < hi <= last
    else hi = mid;
  }
  return lo;
}
