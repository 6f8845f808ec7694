import { FORMATIONS } from '@autotune/metrics';
import type { MemberConfig, TeamConfig } from '@autotune/strategies';
import { SimulatorError } from './errors';
import { deriveSeed } from './random';
import { prepareRun, simulatePrepared } from './simulate-run';
import type { TeamModel } from './team-model';

/** Which values to try for each field. Missing fields keep the base config's value, except as noted. */
export interface ConfigSpace {
  /** Default: all five formations. */
  formations?: readonly string[];
  /** Default: every size from 2 (or the base size, if smaller) up to the base size. */
  memberCounts?: readonly number[];
  /** Default: the base budget and 85 %, 70 % and 50 % of it (rounded); only the base when it has none. */
  toolBudgets?: ReadonlyArray<number | undefined>;
  /** Default: the base timeout only. */
  timeoutsSeconds?: ReadonlyArray<number | undefined>;
  /**
   * `prefix` (default): a size n keeps the first n enabled members, as the simulator does with `member_count`.
   * `subsets`: every choice of n listed members (2^members configs per formation and budget: keep lists short).
   */
  memberSelection?: 'prefix' | 'subsets';
}

/**
 * Every config of a space around `base`, base first, without duplicates. Members are written out explicitly
 * (the chosen members, others dropped), so each config's fingerprint says which members run. A base with
 * sub-teams keeps its members as they are and varies only formation, budget and timeout.
 */
export function enumerateConfigs(base: TeamConfig, space: ConfigSpace = {}): TeamConfig[] {
  const hasSubTeams = (base.members ?? []).some((m) => (m.members?.length ?? 0) > 0);
  const formations = space.formations ?? FORMATIONS;
  const sizes = hasSubTeams
    ? [base.memberCount]
    : (space.memberCounts ?? range(Math.min(2, base.memberCount), base.memberCount));
  const budgets =
    space.toolBudgets ??
    (base.toolBudget === undefined
      ? [undefined]
      : unique([base.toolBudget, ...[0.85, 0.7, 0.5].map((f) => Math.max(1, Math.round(base.toolBudget! * f)))]));
  const timeouts = space.timeoutsSeconds ?? [base.timeoutSeconds];
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1) {
      throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected whole numbers >= 1, got ${n}`, { location: { field: 'memberCounts' } });
    }
  }
  const enabled = (base.members ?? []).filter((m) => m.enabled !== false);
  const memberChoices = (n: number): Array<MemberConfig[] | undefined> => {
    if (base.members === undefined || hasSubTeams) return [base.members];
    if (space.memberSelection === 'subsets' && n <= enabled.length) return subsets(enabled, n);
    return [enabled.slice(0, n)];
  };
  const out: TeamConfig[] = [base];
  const seen = new Set([key(base)]);
  for (const formation of formations) {
    for (const n of sizes) {
      for (const members of memberChoices(n)) {
        for (const toolBudget of budgets) {
          for (const timeoutSeconds of timeouts) {
            const config: TeamConfig = { ...base, formation, memberCount: n };
            if (members === undefined) delete config.members;
            else config.members = members.map((m) => ({ ...m }));
            if (toolBudget === undefined) delete config.toolBudget;
            else config.toolBudget = toolBudget;
            if (timeoutSeconds === undefined) delete config.timeoutSeconds;
            else config.timeoutSeconds = timeoutSeconds;
            const k = key(config);
            if (!seen.has(k)) {
              seen.add(k);
              out.push(config);
            }
          }
        }
      }
    }
  }
  return out;
}

/** Monte Carlo figures of one config: what its A/B arm would converge to. */
export interface ExpectedPerformance {
  runs: number;
  meanDurationSeconds: number;
  p95DurationSeconds: number;
  successRate: number;
  meanCostUsd: number;
  meanToolCalls: number;
  /** Share of runs that hit each limit. */
  timeoutRate: number;
  toolBudgetRate: number;
}

/** Options of `expectedPerformance`. */
export interface ExpectedPerformanceOptions {
  /** Default 400. */
  runs?: number;
  /** Default 1. The same seed across configs gives each the same luck (common random numbers). */
  seed?: number;
}

/** Simulates `runs` runs of a config and returns their means: the config's true performance, to Monte Carlo error. */
export function expectedPerformance(model: TeamModel, config: TeamConfig, options: ExpectedPerformanceOptions = {}): ExpectedPerformance {
  const runs = options.runs ?? 400;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected a whole number >= 1, got ${runs}`, { location: { field: 'runs' } });
  }
  const seed = options.seed ?? 1;
  const prepared = prepareRun(model, config);
  const durations = new Float64Array(runs);
  let successes = 0;
  let cost = 0;
  let calls = 0;
  let timeouts = 0;
  let budgets = 0;
  for (let i = 0; i < runs; i++) {
    const r = simulatePrepared(prepared, deriveSeed(seed, 'run', i));
    durations[i] = r.durationSeconds;
    if (r.success) successes++;
    cost += r.costUsd ?? 0;
    calls += r.toolCalls;
    if (r.limitHit === 'timeout') timeouts++;
    if (r.limitHit === 'tool_budget') budgets++;
  }
  const sorted = durations.slice().sort();
  const h = (runs - 1) * 0.95;
  const lo = Math.floor(h);
  // runs >= 1, so 0 <= lo <= runs - 1 and both reads are inside the array.
  const low = sorted[lo]!;
  const p95 = low + (h - lo) * (sorted[Math.min(lo + 1, runs - 1)]! - low);
  return {
    runs,
    meanDurationSeconds: durations.reduce((a, b) => a + b, 0) / runs,
    p95DurationSeconds: p95,
    successRate: successes / runs,
    meanCostUsd: cost / runs,
    meanToolCalls: calls / runs,
    timeoutRate: timeouts / runs,
    toolBudgetRate: budgets / runs,
  };
}

/** What "best" means for `findBestConfig`. */
export interface BestConfigOptions extends ExpectedPerformanceOptions {
  space?: ConfigSpace;
  /** What to improve: mean duration (default), mean cost, or success rate. */
  metric?: 'duration' | 'cost' | 'success_rate';
  /**
   * A config counts only if its success rate is at most this far below the base's (absolute, default 0.02):
   * a faster team that fails more is not better.
   */
  maxSuccessRateDrop?: number;
}

/** One config with its figures and its improvement over the base on the chosen metric (percent, positive = better). */
export interface RankedConfig {
  config: TeamConfig;
  performance: ExpectedPerformance;
  improvementPercentage: number;
  /** False when the config loses more success rate than allowed. */
  eligible: boolean;
}

/**
 * Brute force over a config space: every config simulated with the same seeds, ranked by improvement on the
 * metric among those that keep the success rate. `best` is the base itself when nothing beats it.
 */
export function findBestConfig(
  model: TeamModel,
  base: TeamConfig,
  options: BestConfigOptions = {},
): { base: RankedConfig; best: RankedConfig; ranked: RankedConfig[] } {
  const metric = options.metric ?? 'duration';
  const maxDrop = options.maxSuccessRateDrop ?? 0.02;
  const basePerf = expectedPerformance(model, base, options);
  const rank = (config: TeamConfig, performance: ExpectedPerformance): RankedConfig => ({
    config,
    performance,
    improvementPercentage: improvementPercent(metric, basePerf, performance),
    eligible: performance.successRate >= basePerf.successRate - maxDrop,
  });
  const ranked = enumerateConfigs(base, options.space).map((c, i) => rank(c, i === 0 ? basePerf : expectedPerformance(model, c, options)));
  ranked.sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.improvementPercentage - a.improvementPercentage);
  const baseRanked = ranked.find((r) => r.config === base) as RankedConfig;
  const top = ranked[0];
  const best = top !== undefined && top.eligible && top.improvementPercentage > 0 ? top : baseRanked;
  return { base: baseRanked, best, ranked };
}

/** Relative improvement of `after` over `before`, percent, positive when `after` is better. */
export function improvementPercent(metric: 'duration' | 'cost' | 'success_rate', before: ExpectedPerformance, after: ExpectedPerformance): number {
  const pick = (p: ExpectedPerformance): number =>
    metric === 'duration' ? p.meanDurationSeconds : metric === 'cost' ? p.meanCostUsd : p.successRate;
  const b = pick(before);
  const a = pick(after);
  if (b === 0) return 0;
  return metric === 'success_rate' ? ((a - b) / b) * 100 : ((b - a) / b) * 100;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function subsets<T>(items: readonly T[], n: number): T[][] {
  if (n === 0) return [[]];
  if (items.length < n) return [];
  const [first, ...rest] = items;
  if (first === undefined) return []; // not reached: items.length >= n > 0
  return [...subsets(rest, n - 1).map((s) => [first, ...s]), ...subsets(rest, n)];
}

function key(config: TeamConfig): string {
  return JSON.stringify([config.formation, config.memberCount, config.toolBudget, config.timeoutSeconds, config.members?.map((m) => m.id)]);
}
