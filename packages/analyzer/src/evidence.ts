import type { InsightEvidence } from './insight';

/** A figure for people: one decimal from 1 up, two significant digits below. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  return Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2);
}

function formatValue(x: number, unit: string | undefined): string {
  return unit === 'share' ? `${(x * 100).toFixed(1)}%` : formatNumber(x);
}

function formatInterval(i: { low: number; high: number; confidenceLevel: number }, unit: string | undefined): string {
  const low = formatValue(i.low, unit);
  const high = formatValue(i.high, unit);
  // "-5.0-9.0" would read as a range of two negative numbers.
  const range = i.low < 0 ? `${low} to ${high}` : `${low}-${high}`;
  const suffix = unit && unit !== 'share' ? ` ${unit}` : '';
  return `${Number((i.confidenceLevel * 100).toFixed(1))}% CI ${range}${suffix}`;
}

/** A p-value as people read them: three decimals, and "< 0.001" below that. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * One line saying what an insight rests on, e.g. "based on 42 runs; 95% CI 61.2-88.4 s; Welch t-test
 * p = 0.003". The CLI prints it under each insight; other tools should use it too, so users see the same
 * wording everywhere.
 */
export function describeEvidence(evidence: InsightEvidence): string {
  const runs = `based on ${evidence.runs} run${evidence.runs === 1 ? '' : 's'}`;
  const parts = [evidence.comparisonRuns !== undefined ? `${runs} vs ${evidence.comparisonRuns}` : runs];
  if (evidence.interval) parts.push(formatInterval(evidence.interval, evidence.unit));
  const c = evidence.comparison;
  if (c) {
    if (c.interval) parts.push(`difference ${formatInterval(c.interval, evidence.unit)}`);
    parts.push(`${c.test} ${formatPValue(c.pValue)}`);
  }
  return parts.join('; ');
}
