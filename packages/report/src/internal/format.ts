// Number formats shared by the HTML and the Markdown, so both say the same thing about the same document.

/**
 * Seconds for people: "0.84 s", "12.3 s", "315 s", "4,210 s". Always seconds, never minutes, so that a
 * column of durations reads without switching units half-way down.
 */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'n/a';
  const a = Math.abs(s);
  if (a >= 100) return `${Math.round(s).toLocaleString('en-US')} s`;
  if (a >= 10) return `${s.toFixed(1)} s`;
  return `${s.toFixed(2)} s`;
}

/** A 0..1 rate as a percentage: "93.3%". */
export function formatRate(r: number): string {
  return Number.isFinite(r) ? `${(r * 100).toFixed(1)}%` : 'n/a';
}

/** A signed change: "+12.3%" or "-4.0 pts". */
export function formatSigned(x: number, unit: '%' | ' pts' = '%'): string {
  if (!Number.isFinite(x)) return 'n/a';
  const v = x.toFixed(1);
  return `${x > 0 && v !== '0.0' ? '+' : ''}${v === '-0.0' ? '0.0' : v}${unit}`;
}

/** US dollars: four significant digits below a dollar ("$0.01234"), cents above. */
export function formatUsd(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 1) return `$${x.toFixed(2)}`;
  if (x === 0) return '$0';
  return `$${x.toPrecision(3)}`;
}

/** A p-value: "0.003", "< 0.001"; "not run" for null. */
export function formatP(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return 'not run';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** An integer with thousands separators. */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** "2026-12-01 14:05 UTC". */
export function formatTime(isoText: string): string {
  const d = new Date(isoText);
  if (Number.isNaN(d.getTime())) return isoText;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The unit an improvement is measured in: points for success rate, percent otherwise. */
export function improvementUnit(metric: string): '%' | ' pts' {
  return metric === 'success_rate' ? ' pts' : '%';
}

/** A value in a race's unit. */
export function formatEstimate(x: number, unit: 's' | 'usd' | 'score'): string {
  if (unit === 's') return formatSeconds(x);
  if (unit === 'usd') return formatUsd(x);
  return Number.isFinite(x) ? x.toPrecision(3) : 'n/a';
}
