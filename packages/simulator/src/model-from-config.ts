import type { MemberStats, TeamStats } from '@autotune/metrics';
import type { MemberConfig, TeamConfig } from '@autotune/strategies';
import { deriveSeed } from './random';
import { prepareRun, simulatePrepared } from './simulate-run';
import { DEFAULT_MODEL_PARAMETERS, resolveTeamModel } from './team-model';
import type { MemberModel, TeamModel } from './team-model';

/** Options of `modelFromConfig`. */
export interface ModelFromConfigOptions {
  /** Observed figures of the team; the model is calibrated to them when given. */
  stats?: TeamStats;
  /** Becomes the model's name (and so the default team id of its records). */
  teamId?: string;
  /**
   * What to assume about dependencies when the metrics record none (`waitedFor`) and timing cannot tell:
   * `auto` (default) assumes a sequential or pipeline team passes work down the line (each member needs the
   * previous one) and other formations have independent members; `chain` and `none` force one reading.
   */
  dependencies?: 'auto' | 'chain' | 'none';
  /** Runs per calibration step (default 300) and their seed (default 1). */
  calibrationRuns?: number;
  seed?: number;
}

const COORDINATOR_ROLES = new Set(['coordinator', 'manager', 'lead', 'leader', 'orchestrator', 'supervisor']);

/**
 * A plausible model of a team from its config alone, for `--simulate` without a scenario. Given the team's
 * stats it is calibrated to them: each member's work time, spread, success rate, tool need and dependencies
 * from the per-member figures, then the whole team scaled so that simulating the config reproduces the observed
 * mean duration, success rate, tool calls and cost (to Monte Carlo error).
 *
 * The model can only be as true as the metrics: a formation the team never ran is extrapolated from the
 * defaults (`DEFAULT_MODEL_PARAMETERS`), and dependencies are assumed when nothing records them.
 */
export function modelFromConfig(config: TeamConfig, options: ModelFromConfigOptions = {}): TeamModel {
  const stats = options.stats;
  const d = DEFAULT_MODEL_PARAMETERS;
  const worker = (id: string, role?: string): boolean =>
    !COORDINATOR_ROLES.has((role ?? '').toLowerCase()) || config.formation !== 'hierarchical';

  // Members: those the config lists (sub-teams flattened), else those the metrics saw, else numbered ones.
  const flat = flatten(config.members ?? []);
  const listed = flat.filter((m) => worker(m.id, m.role));
  // A listed coordinator counts towards member_count but is modelled as the coordinator, not as a worker.
  const workers = config.memberCount - (flat.length - listed.length);
  const seen = stats
    ? Object.values(stats.members)
        .filter((m) => worker(m.memberId, m.role) && (m.role ?? '').toLowerCase() !== 'coordinator')
        .map((m) => ({ id: m.memberId, role: m.role }))
    : [];
  const base = listed.length > 0 ? listed : seen;
  const ids = base.map((m) => m.id);
  for (let i = ids.length + 1; ids.length < workers; i++) if (!ids.includes(`member_${i}`)) ids.push(`member_${i}`);
  const roleOf = new Map(base.map((m) => [m.id, m.role]));

  const n = Math.max(1, Math.min(workers, ids.length));
  const share = config.toolBudget === undefined ? Number.POSITIVE_INFINITY : config.toolBudget / n;
  const overhead = d.coordination.secondsPerPeer * (d.coordination.formationFactors[config.formation] ?? 0.5) * (n - 1);
  const dependencyMode =
    options.dependencies === undefined || options.dependencies === 'auto'
      ? config.formation === 'sequential' || config.formation === 'pipeline'
        ? 'chain'
        : 'none'
      : options.dependencies;

  const members: MemberModel[] = ids.map((id, i) => {
    const ms: MemberStats | undefined = stats?.members[id];
    const member: MemberModel = { id };
    const role = roleOf.get(id) ?? ms?.role;
    if (role !== undefined) member.role = role;
    if (!ms || ms.runs === 0) {
      member.toolCalls = Math.min(d.defaults.toolCalls, 0.8 * share);
      if (dependencyMode === 'chain' && i > 0) member.dependsOn = [ids[i - 1]!]; // one id per member, i > 0
      return member;
    }
    const calls = ms.meanToolCalls;
    member.toolCalls = needFromCalls(calls, share);
    // The observed spread of calls stands in for the spread of the need: exploration makes it smaller, so the
    // model will rarely run out of budget where the team did not.
    member.toolCallsCv = calls > 0 ? clamp(ms.stdDevToolCalls / calls, 0, 1) : 0;
    const cv = ms.meanDurationSeconds > 0 ? ms.stdDevDurationSeconds / ms.meanDurationSeconds : 0;
    member.workSigma = clamp(Math.sqrt(Math.log(1 + cv * cv)), 0.05, 1.2);
    const workMean = Math.max(1, ms.meanDurationSeconds - overhead - calls * d.tools.callSeconds);
    member.workSeconds = workMean / Math.exp(member.workSigma ** 2 / 2);
    // Laplace's rule: a member that never failed in 20 runs is not certain never to fail.
    member.successRate = (ms.successes + 1) / (ms.runs + 2);
    member.dependsOn = dependenciesOf(ms, ids, config.formation, dependencyMode, i);
    return member;
  });

  const name = options.teamId ?? stats?.teamId;
  const model: TeamModel = { ...(name !== undefined && { name }), members };
  if (!stats || stats.runs === 0) return model;
  return calibrate(model, config, stats, options.calibrationRuns ?? 300, options.seed ?? 1);
}

function dependenciesOf(ms: MemberStats, ids: string[], formation: string, mode: string, index: number): string[] {
  if (ms.waitedFor !== undefined) return ms.waitedFor.filter((id) => ids.includes(id) && id !== ms.memberId);
  // Timing shows a dependency only where the formation itself does not make members wait for each other.
  if (formation === 'parallel' || formation === 'hierarchical' || formation === 'consensus') {
    return ids.filter((other) => {
      const together = ms.timedRunsWith[other] ?? 0;
      return other !== ms.memberId && together >= 3 && (ms.startedAfterEndOf[other] ?? 0) / together >= 0.9;
    });
  }
  return mode === 'chain' && index > 0 ? [ids[index - 1]!] : []; // index < ids.length, index > 0
}

// Observed calls = need + exploration x headroom; solve for the need (the function is increasing in it).
function needFromCalls(calls: number, share: number): number {
  const t = DEFAULT_MODEL_PARAMETERS.tools;
  const f = (need: number): number => need + t.exploration * Math.max(0, Math.min(share, need * (1 + t.maxOveruse)) - need);
  let lo = 0;
  let hi = calls;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < calls) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

interface Figures {
  duration: number;
  success: number;
  calls: number;
  cost: number;
}

function simulateFigures(model: TeamModel, config: TeamConfig, runs: number, seed: number): Figures {
  const f: Figures = { duration: 0, success: 0, calls: 0, cost: 0 };
  const prepared = prepareRun(model, config);
  for (let i = 0; i < runs; i++) {
    const r = simulatePrepared(prepared, deriveSeed(seed, 'calibrate', i));
    f.duration += r.durationSeconds;
    f.success += r.success ? 1 : 0;
    f.calls += r.toolCalls;
    f.cost += r.costUsd ?? 0;
  }
  return { duration: f.duration / runs, success: f.success / runs, calls: f.calls / runs, cost: f.cost / runs };
}

/**
 * Scales the model until simulating the config reproduces the observed figures: work times and tool needs by
 * ratio (a few fixed-point steps), success by a common exponent on the members' success rates (bisection:
 * p^k keeps every rate in 0..1 and their order), prices by the cost ratio.
 */
function calibrate(model: TeamModel, config: TeamConfig, stats: TeamStats, runs: number, seed: number): TeamModel {
  const baseMembers = model.members.map((m) => ({ ...m }));
  const coordinator = { ...DEFAULT_MODEL_PARAMETERS.coordinator };
  let timeScale = 1;
  let callScale = 1;
  let exponent = 1;
  const build = (): TeamModel => ({
    ...model,
    members: baseMembers.map((m) => ({
      ...m,
      workSeconds: (m.workSeconds ?? DEFAULT_MODEL_PARAMETERS.defaults.workSeconds) * timeScale,
      toolCalls: (m.toolCalls ?? DEFAULT_MODEL_PARAMETERS.defaults.toolCalls) * callScale,
      successRate: (m.successRate ?? DEFAULT_MODEL_PARAMETERS.defaults.successRate) ** exponent,
    })),
    coordinator: {
      planSeconds: coordinator.planSeconds * timeScale,
      integrateSeconds: coordinator.integrateSeconds * timeScale,
      integrateSecondsPerUnit: coordinator.integrateSecondsPerUnit * timeScale,
    },
  });
  for (let step = 0; step < 5; step++) {
    const f = simulateFigures(build(), config, runs, seed);
    if (f.duration > 0) timeScale *= clamp(stats.duration.mean / f.duration, 0.2, 5);
    if (f.calls > 0 && stats.meanToolCalls > 0) callScale *= clamp(stats.meanToolCalls / f.calls, 0.2, 5);
  }
  // Success: bisection on log(exponent); a larger exponent lowers every member's success rate.
  let lo = Math.log(0.02);
  let hi = Math.log(50);
  for (let i = 0; i < 16; i++) {
    const mid = (lo + hi) / 2;
    exponent = Math.exp(mid);
    const f = simulateFigures(build(), config, runs, seed);
    if (f.success > stats.successRate) lo = mid;
    else hi = mid;
  }
  exponent = Math.exp((lo + hi) / 2);
  const calibrated = build();
  if (stats.meanCostUsd !== undefined && stats.meanCostUsd > 0) {
    const f = simulateFigures(calibrated, config, runs, seed);
    const k = f.cost > 0 ? stats.meanCostUsd / f.cost : 1;
    const tk = resolveTeamModel(calibrated).tokens;
    return {
      ...calibrated,
      tokens: { usdPerMillionInput: tk.usdPerMillionInput * k, usdPerMillionOutput: tk.usdPerMillionOutput * k, usdPerToolCall: tk.usdPerToolCall * k },
    };
  }
  return calibrated;
}

function flatten(members: readonly MemberConfig[]): MemberConfig[] {
  return members.flatMap((m) => (m.enabled === false ? [] : m.members && m.members.length > 0 ? flatten(m.members) : [m]));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
