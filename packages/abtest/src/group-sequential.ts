import { normalCdf, normalQuantile } from '@autotune/stats';
import { invalidInput } from './errors';
import { oneOf, openUnit } from './internal/validate';

// Math's functions are bound once: a global `Math` lookup in a hot loop is ~10x slower inside Jest's VM sandbox.
const { exp, sqrt, abs, log, E, PI } = Math;

/**
 * Alpha-spending family of a group-sequential design. `'obrien-fleming'` (Lan-DeMets O'Brien-Fleming-type:
 * alpha(t) = 2 - 2 Phi(z_{1-alpha/2} / sqrt(t))) spends almost nothing at early looks, so the final look keeps
 * nearly the fixed design's level; `'pocock'` (alpha(t) = alpha ln(1 + (e - 1) t)) spends evenly and stops large
 * effects sooner at the price of a stricter final look.
 */
export type SpendingFunction = 'obrien-fleming' | 'pocock';

/** Options of {@link groupSequentialBounds}. */
export interface GroupSequentialOptions {
  /** Information fraction at each look, increasing, the last equal to 1 (e.g. runs so far / maximum runs). */
  fractions: readonly number[];
  /** One-sided overall false-positive rate. Default 0.05. */
  alpha?: number;
  /** Default `'obrien-fleming'`. */
  spending?: SpendingFunction | undefined;
}

/** Efficacy bounds of a one-sided group-sequential design. */
export interface GroupSequentialBounds {
  fractions: number[];
  /** Upper bound on the z scale at each look. */
  z: number[];
  /** Nominal one-sided significance level at each look: 1 - Phi(z[k]). A look rejects when its p-value <= it. */
  nominalAlpha: number[];
  /** Cumulative alpha spent by each look; the last equals `alpha`. */
  cumulativeAlpha: number[];
}

/**
 * One-sided efficacy bounds of a group-sequential test with alpha spending (Lan and DeMets 1983): at look k the
 * bound is chosen so that the probability, under no effect, of first crossing at k equals the alpha spent
 * between looks k - 1 and k. Crossing probabilities are computed exactly for the canonical joint distribution
 * (Brownian motion observed at the information fractions) by numerical integration over the continuation
 * region (Armitage, McPherson and Rowe 1969; Jennison and Turnbull 2000, ch. 19). Futility stopping is not
 * part of the bounds (it is non-binding: stopping for futility can only lower the false-positive rate).
 *
 * @throws AbtestError `ABTEST_INVALID_INPUT` for fractions that are not increasing in (0, 1] ending at 1.
 */
export function groupSequentialBounds(options: GroupSequentialOptions): GroupSequentialBounds {
  const given: unknown = options?.fractions;
  const fractions: number[] = [];
  let valid = Array.isArray(given) && given.length > 0;
  let previous = 0;
  for (const f of valid ? (given as readonly unknown[]) : []) {
    if (typeof f !== 'number' || !(f > previous) || f > 1) {
      valid = false;
      break;
    }
    fractions.push(f);
    previous = f;
  }
  valid &&= abs(previous - 1) < 1e-12;
  if (!valid) throw invalidInput('options.fractions', 'expected increasing information fractions in (0, 1], the last equal to 1');
  const alpha = options.alpha === undefined ? 0.05 : openUnit(options.alpha, 'options.alpha');
  const spending = options.spending === undefined ? 'obrien-fleming' : oneOf(options.spending, 'options.spending', ['obrien-fleming', 'pocock'] as const);
  // Experiments with early stopping ask for the same design again and again (and simulations thousands of times).
  const key = `${spending}|${alpha}|${fractions.join(',')}`;
  const hit = cache.get(key);
  if (hit) return { fractions: [...hit.fractions], z: [...hit.z], nominalAlpha: [...hit.nominalAlpha], cumulativeAlpha: [...hit.cumulativeAlpha] };
  const computed = compute(fractions, alpha, spending);
  if (cache.size > 100) cache.clear();
  cache.set(key, computed);
  return { fractions: [...computed.fractions], z: [...computed.z], nominalAlpha: [...computed.nominalAlpha], cumulativeAlpha: [...computed.cumulativeAlpha] };
}

const cache = new Map<string, GroupSequentialBounds>();

function compute(fractions: number[], alpha: number, spending: SpendingFunction): GroupSequentialBounds {
  const spent = (t: number): number =>
    spending === 'pocock' ? alpha * log(1 + (E - 1) * t) : 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2, 0, 1) / sqrt(t), 0, 1);

  const z: number[] = [];
  const cumulativeAlpha: number[] = [];
  // Density of the score S_k = Z_k sqrt(t_k) on the continuation region, on a grid.
  let grid: Float64Array | undefined;
  let dens: Float64Array | undefined;
  let prevT = 0;
  let prevSpent = 0;
  for (const t of fractions) {
    const target = spent(t) - prevSpent;
    const dt = t - prevT;
    let bound: number;
    if (!grid || !dens) {
      bound = normalQuantile(1 - target, 0, 1);
    } else {
      const g = grid;
      const d = dens;
      const crossing = (c: number): number => {
        const b = c * sqrt(t);
        let acc = 0;
        // grid and dens have the same length (both are built with `points` entries).
        for (let i = 0; i < g.length; i++) acc += d[i]! * normalCdf((g[i]! - b) / sqrt(dt), 0, 1);
        return acc;
      };
      // A target below the integration error means: effectively never stop here.
      if (target <= 1e-12) bound = 8;
      else {
        let lo = -1;
        let hi = 10;
        for (let i = 0; i < 80; i++) {
          const mid = (lo + hi) / 2;
          if (crossing(mid) > target) lo = mid;
          else hi = mid;
        }
        bound = (lo + hi) / 2;
      }
    }
    z.push(bound);
    cumulativeAlpha.push(prevSpent + target);
    // Propagate the density to this look, truncated at the bound, for the next look.
    const upper = bound * sqrt(t);
    const lower = -10 * sqrt(t);
    const points = 801;
    const h = (upper - lower) / (points - 1);
    const next = new Float64Array(points);
    const nextGrid = new Float64Array(points);
    for (let j = 0; j < points; j++) {
      const s = lower + j * h;
      nextGrid[j] = s;
      let v: number;
      if (!grid || !dens) v = normalPdf(s / sqrt(t)) / sqrt(t);
      else {
        v = 0;
        for (let i = 0; i < grid.length; i++) v += dens[i]! * (normalPdf((s - grid[i]!) / sqrt(dt)) / sqrt(dt)); // same length
      }
      next[j] = v;
    }
    // Store density times Simpson weights, so the integrals above are plain sums.
    for (let j = 0; j < points; j++) next[j]! *= (h / 3) * (j === 0 || j === points - 1 ? 1 : j % 2 === 1 ? 4 : 2);
    grid = nextGrid;
    dens = next;
    prevT = t;
    prevSpent += target;
  }
  return { fractions, z, nominalAlpha: z.map((b) => 1 - normalCdf(b, 0, 1)), cumulativeAlpha };
}

function normalPdf(x: number): number {
  return exp(-0.5 * x * x) / sqrt(2 * PI);
}
