import type { ExecutionRecord, LimitHit, MemberRecord } from '@autotune/metrics';
import { configFingerprint } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { createRng, deriveSeed } from './random';
import type { Rng } from './random';
import { resolveTeam } from './resolve-team';
import type { SimLeaf, SimTeam, SimUnit } from './resolve-team';
import { resolveTeamModel } from './team-model';
import type { ResolvedTeamModel, TeamModel } from './team-model';

/** Options of one simulated run. */
export interface SimulateRunOptions {
  /** Team id written into the record; defaults to the model's name, else `simulated_team`. */
  teamId?: string | undefined;
  /** Epoch milliseconds the run starts at; defaults to `SIMULATION_EPOCH_MS`, so a seed gives the same record. */
  startTimeMs?: number;
}

/** 2025-01-15T10:00:00Z, the guide's example date: the default start of simulated runs. */
export const SIMULATION_EPOCH_MS = Date.UTC(2025, 0, 15, 10, 0, 0);

interface Step {
  team: SimTeam;
  index: number;
}

interface LeafRun {
  leaf: SimLeaf;
  path: Step[];
  work: number;
  need: number;
  uSuccess: number;
  calls: number;
  exhausted: boolean;
  start: number;
  end: number;
  active: number;
}

interface CoordinatorRun {
  id: string;
  role: string;
  team: SimTeam;
  plan: number;
  integrate: number;
  uSuccess: number;
  calls: number;
  start: number;
  end: number;
  active: number;
  integrates: string[];
}

interface TeamOutcome {
  agreed: boolean;
  rounds: number;
}

/**
 * Simulates one run of a team under a config and returns its full execution record, without sleeping.
 * The same model, config and seed always give the same record. Each member draws from its own stream (seeded by
 * the run seed and its id), so two configs run with one seed face the same luck: comparisons between configs
 * need far fewer runs.
 *
 * Semantics: sequential sums the members' times; parallel takes the longest plus a merge; pipeline starts each
 * stage once the previous has done `1 - overlap` of its work; hierarchical adds a coordinator that plans,
 * starts each unit as soon as the units it depends on are done, and integrates; consensus runs proposals in
 * parallel and then rounds that grow with size. Every member pays coordination that grows with the number of
 * peers. A member that starts before the members it depends on have finished (outside a pipeline's streaming)
 * runs without their output and is less likely to succeed. Tool calls are limited by the member's share of the
 * budget; a timeout cuts the run off (`limitHit: 'timeout'`, `success: false`).
 */
export function simulateRun(model: TeamModel, config: TeamConfig, seed: number, options: SimulateRunOptions = {}): ExecutionRecord {
  return simulatePrepared(prepareRun(model, config), seed, options);
}

/** A model and config resolved once, for many runs (resolving and fingerprinting cost more than a run). */
export interface PreparedRun {
  model: ResolvedTeamModel;
  config: TeamConfig;
  root: SimTeam;
  leaves: SimLeaf[];
  fingerprint: string;
}

/** Resolves the model's defaults and the team the config asks for; throws `SimulatorError` for a bad config. */
export function prepareRun(model: TeamModel, config: TeamConfig): PreparedRun {
  const m = resolveTeamModel(model);
  const { root, leaves } = resolveTeam(m, config);
  return { model: m, config, root, leaves, fingerprint: configFingerprint(config) };
}

/** One run of a prepared model and config: see `simulateRun`. */
export function simulatePrepared(prepared: PreparedRun, seed: number, options: SimulateRunOptions = {}): ExecutionRecord {
  const { model: m, config, root, leaves, fingerprint } = prepared;
  const runSeed = Math.trunc(seed) >>> 0;
  const teamId = options.teamId ?? m.name ?? 'simulated_team';
  const t0 = options.startTimeMs ?? SIMULATION_EPOCH_MS;

  // Draws first, in a fixed order per member, so that the schedule cannot change what a member draws.
  const leafRuns = new Map<string, LeafRun>();
  for (const leaf of leaves) {
    const rng = createRng(deriveSeed(runSeed, 'member', leaf.id));
    const work = rng.logNormal(leaf.workSeconds, leaf.workSigma);
    const need = drawNeed(rng, leaf.toolCalls, leaf.toolCallsCv);
    leafRuns.set(leaf.id, { leaf, path: [], work, need, uSuccess: rng.next(), calls: 0, exhausted: false, start: 0, end: 0, active: 0 });
  }
  const coordinatorRuns: CoordinatorRun[] = [];
  const outcomes = new Map<SimTeam, TeamOutcome>();

  allocateToolCalls(m, config.toolBudget, leaves, leafRuns, root, coordinatorRuns, runSeed);
  const rootEnd = schedule(m, root, 0, [], leafRuns, coordinatorRuns, outcomes, runSeed);

  // Dependencies are judged on the finished schedule: was the input there when the member started?
  const missingInputs = new Map<string, string[]>();
  const waitedFor = new Map<string, string[]>();
  for (const run of leafRuns.values()) {
    const missing: string[] = [];
    const had: string[] = [];
    for (const dep of run.leaf.dependsOn) {
      const depRun = leafRuns.get(dep);
      if (depRun && (depRun.end <= run.start + 1e-9 || streamed(depRun.path, run.path))) had.push(dep);
      else missing.push(dep);
    }
    missingInputs.set(run.leaf.id, missing);
    waitedFor.set(run.leaf.id, had);
  }

  const leafSuccess = new Map<string, boolean>();
  const leafError = new Map<string, string>();
  for (const run of leafRuns.values()) {
    const missing = missingInputs.get(run.leaf.id) ?? [];
    let p = run.leaf.successRate * m.dependencies.missingInputSuccessFactor ** missing.length;
    if (run.exhausted) p = m.tools.onExhaustion === 'fail' ? 0 : p * m.tools.degradedSuccessFactor;
    const ok = run.uSuccess < p;
    leafSuccess.set(run.leaf.id, ok);
    if (!ok) {
      leafError.set(
        run.leaf.id,
        run.exhausted && m.tools.onExhaustion === 'fail'
          ? `tool budget exhausted after ${run.calls} calls (the task needed ${run.need})`
          : missing.length > 0
            ? `failed without the output of ${missing.join(', ')}`
            : run.exhausted
              ? `failed after the tool budget ran out at ${run.calls} calls (the task needed ${run.need})`
              : 'member produced an unusable result',
      );
    }
  }
  const coordinatorOk = new Map(coordinatorRuns.map((c) => [c.team, c.uSuccess < m.coordinator.successRate]));
  const unitOk = (u: SimUnit): boolean => {
    if (u.kind === 'member') return leafSuccess.get(u.id) ?? false;
    const outcome = outcomes.get(u);
    if (u.formation === 'consensus') return (outcome?.agreed ?? true) && u.units.filter(unitOk).length * 2 > u.units.length;
    return u.units.every(unitOk) && (coordinatorOk.get(u) ?? true);
  };
  // Required members left out of the team: the result lacks their part.
  const present = new Set(leaves.map((l) => l.id));
  const absent = m.members.filter((mm) => mm.required && !present.has(mm.id)).map((mm) => mm.id);
  const uTeam = createRng(deriveSeed(runSeed, 'team')).next();
  const complete = uTeam < m.dependencies.missingInputSuccessFactor ** absent.length;
  let success = unitOk(root) && complete;
  let error: string | undefined;
  let limitHit: LimitHit | undefined = [...leafRuns.values()].some((r) => r.exhausted) ? 'tool_budget' : undefined;
  let end = rootEnd;

  const timeout = config.timeoutSeconds;
  const cut = timeout !== undefined && rootEnd > timeout ? timeout : undefined;
  if (cut !== undefined) {
    success = false;
    limitHit = 'timeout';
    end = cut;
    error = `timed out after ${cut} s (the run needed ${round(rootEnd, 1)} s)`;
  } else if (!success) {
    const rootOutcome = outcomes.get(root);
    if (rootOutcome && !rootOutcome.agreed) error = `no consensus after ${rootOutcome.rounds} rounds`;
    else if (!complete) error = `the result lacks the part of ${absent.join(', ')}, which the team left out`;
    else {
      const failed = leaves.find((l) => !leafSuccess.get(l.id));
      const failedCoordinator = coordinatorRuns.find((c) => !coordinatorOk.get(c.team));
      if (failed) error = `${failed.id}: ${leafError.get(failed.id)}`;
      else if (failedCoordinator) error = `${failedCoordinator.id}: could not integrate the results`;
      else error = 'the team did not agree on a result';
    }
  }

  // Records, in the order the team is laid out: a coordinator before the units it leads.
  const tk = m.tokens;
  const members: MemberRecord[] = [];
  const ms = (s: number): number => t0 + Math.round(s * 1000);
  const emit = (
    id: string,
    role: string,
    start: number,
    naturalEnd: number,
    active: number,
    calls: number,
    ok: boolean,
    err: string | undefined,
    tools: readonly string[],
    waited: string[],
  ): void => {
    if (cut !== undefined && start >= cut) return; // never started before the timeout
    let memberEnd = naturalEnd;
    let fraction = 1;
    if (cut !== undefined && naturalEnd > cut) {
      fraction = naturalEnd > start ? (cut - start) / (naturalEnd - start) : 0;
      memberEnd = cut;
      ok = false;
      err = `cut off by the timeout after ${round(cut - start, 1)} s`;
    }
    const usedCalls = Math.floor(calls * fraction + 1e-9);
    const activeDone = active * fraction;
    const inputTokens = Math.round(activeDone * tk.inputPerSecond + usedCalls * tk.inputPerToolCall);
    const outputTokens = Math.round(activeDone * tk.outputPerSecond);
    const startMs = ms(start);
    const endMs = ms(memberEnd);
    const record: MemberRecord = {
      memberId: id,
      role,
      success: ok,
      durationSeconds: (endMs - startMs) / 1000,
      startTimeMs: startMs,
      endTimeMs: endMs,
      toolCalls: usedCalls,
      toolsUsed: tools.slice(0, Math.min(tools.length, usedCalls)),
      inputTokens,
      outputTokens,
      costUsd: round((inputTokens * tk.usdPerMillionInput + outputTokens * tk.usdPerMillionOutput) / 1e6 + usedCalls * tk.usdPerToolCall, 6),
      waitedFor: waited,
    };
    if (err !== undefined) record.error = err;
    members.push(record);
  };
  const visit = (team: SimTeam): void => {
    const c = coordinatorRuns.find((r) => r.team === team);
    if (c) {
      const ok = coordinatorOk.get(team) ?? true;
      emit(c.id, c.role, c.start, c.end, c.active, c.calls, ok, ok ? undefined : 'could not integrate the results', ['read_file'], c.integrates);
    }
    for (const u of team.units) {
      if (u.kind === 'team') visit(u);
      else {
        const r = leafRuns.get(u.id) as LeafRun;
        emit(u.id, u.role, r.start, r.end, r.active, r.calls, leafSuccess.get(u.id) ?? false, leafError.get(u.id), u.tools, waitedFor.get(u.id) ?? []);
      }
    }
  };
  visit(root);

  const startTimeMs = t0;
  const endTimeMs = ms(end);
  const record: ExecutionRecord = {
    teamId,
    executionId: `sim-${fingerprint.slice(0, 8)}-${runSeed.toString(16).padStart(8, '0')}`,
    startTimeMs,
    endTimeMs,
    durationSeconds: (endTimeMs - startTimeMs) / 1000,
    success,
    formation: config.formation,
    memberCount: config.memberCount,
    toolCalls: sum(members.map((r) => r.toolCalls)),
    inputTokens: sum(members.map((r) => r.inputTokens ?? 0)),
    outputTokens: sum(members.map((r) => r.outputTokens ?? 0)),
    costUsd: round(sum(members.map((r) => r.costUsd ?? 0)), 6),
    configFingerprint: fingerprint,
    members,
  };
  if (error !== undefined) record.error = error;
  if (config.toolBudget !== undefined) record.toolBudget = config.toolBudget;
  if (config.timeoutSeconds !== undefined) record.timeoutSeconds = config.timeoutSeconds;
  if (limitHit !== undefined) record.limitHit = limitHit;
  const rootOutcome = outcomes.get(root);
  if (root.formation === 'consensus' && rootOutcome) {
    record.labels = { consensus_rounds: String(rootOutcome.rounds), consensus_achieved: String(rootOutcome.agreed && cut === undefined) };
  }
  return record;
}

// A rounded log-normal around the mean need, so the need varies from run to run but its mean stays `mean`.
function drawNeed(rng: Rng, mean: number, cv: number): number {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  const draw = rng.logNormal(mean * Math.exp((-sigma * sigma) / 2), sigma);
  return mean > 0 ? Math.max(0, Math.round(draw)) : 0;
}

/**
 * Tool calls per member. Coordinators plan first and take their calls from the pool first; each member may
 * then use up to its share (`budget / members x multiplier`, never more than what is left in the pool).
 */
function allocateToolCalls(
  m: ResolvedTeamModel,
  budget: number | undefined,
  leaves: SimLeaf[],
  runs: Map<string, LeafRun>,
  root: SimTeam,
  coordinators: CoordinatorRun[],
  seed: number,
): void {
  let pool = budget ?? Number.POSITIVE_INFINITY;
  const addCoordinators = (team: SimTeam): void => {
    if (team.coordinator) {
      const rng = createRng(deriveSeed(seed, 'coordinator', team.coordinator.id));
      const plan = rng.logNormal(m.coordinator.planSeconds, m.coordinator.sigma);
      const integrate = rng.logNormal(m.coordinator.integrateSeconds + m.coordinator.integrateSecondsPerUnit * team.units.length, m.coordinator.sigma);
      const calls = Math.min(pool, Math.round(m.coordinator.toolCalls));
      pool -= calls;
      coordinators.push({ ...team.coordinator, team, plan, integrate, uSuccess: rng.next(), calls, start: 0, end: 0, active: 0, integrates: leafIds(team) });
    }
    for (const u of team.units) if (u.kind === 'team') addCoordinators(u);
  };
  addCoordinators(root);
  for (const leaf of leaves) {
    const run = runs.get(leaf.id) as LeafRun;
    const share = budget === undefined ? Number.POSITIVE_INFINITY : (budget / leaves.length) * leaf.toolBudgetMultiplier;
    const limit = Math.floor(Math.min(share, pool) + 1e-9);
    if (run.need > limit) {
      run.calls = limit;
      run.exhausted = true;
    } else {
      const headroom = Math.max(0, Math.min(limit, run.need * (1 + m.tools.maxOveruse)) - run.need);
      run.calls = run.need + Math.round(m.tools.exploration * headroom);
    }
    pool -= run.calls;
  }
}

function leafIds(team: SimTeam): string[] {
  return team.units.flatMap((u) => (u.kind === 'member' ? [u.id] : leafIds(u)));
}

/** Lays out one team from `t0` (seconds from the run's start); returns when its result is ready. */
function schedule(
  m: ResolvedTeamModel,
  team: SimTeam,
  t0: number,
  path: Step[],
  runs: Map<string, LeafRun>,
  coordinators: CoordinatorRun[],
  outcomes: Map<SimTeam, TeamOutcome>,
  seed: number,
): number {
  const peers = team.units.length + (team.coordinator ? 1 : 0) - 1;
  const factor = m.coordination.formationFactors[team.formation] ?? 0.5;
  const overhead = m.coordination.secondsPerPeer * factor * peers;
  const runUnit = (index: number, at: number): number => {
    const u = team.units[index]!; // callers pass indexes of team.units
    const here = [...path, { team, index }];
    if (u.kind === 'team') return schedule(m, u, at + overhead, here, runs, coordinators, outcomes, seed);
    const r = runs.get(u.id) as LeafRun;
    r.path = here;
    r.start = at;
    r.active = overhead + r.work + r.calls * m.tools.callSeconds;
    r.end = at + r.active;
    return r.end;
  };
  const n = team.units.length;
  switch (team.formation) {
    case 'sequential': {
      let t = t0;
      for (let i = 0; i < n; i++) t = runUnit(i, t);
      return t;
    }
    case 'parallel': {
      let last = t0;
      for (let i = 0; i < n; i++) last = Math.max(last, runUnit(i, t0));
      return n > 1 ? last + m.merge.seconds + m.merge.secondsPerMember * n : last;
    }
    case 'pipeline': {
      let prevStart = t0;
      let prevEnd = t0;
      for (let i = 0; i < n; i++) {
        const start = i === 0 ? t0 : prevStart + (1 - m.pipeline.overlap) * (prevEnd - prevStart);
        // A stage cannot finish before the stage feeding it has.
        const end = Math.max(runUnit(i, start), prevEnd);
        const u = team.units[i]!; // i < n = team.units.length
        if (u.kind === 'member') (runs.get(u.id) as LeafRun).end = end;
        prevStart = start;
        prevEnd = end;
      }
      return prevEnd;
    }
    case 'hierarchical': {
      const c = coordinators.find((r) => r.team === team) as CoordinatorRun;
      c.start = t0;
      const planned = t0 + c.plan + c.calls * m.tools.callSeconds;
      const ends = scheduleByDependencies(team, planned, runUnit);
      const last = Math.max(planned, ...ends);
      c.end = last + c.integrate;
      c.active = c.plan + c.integrate + c.calls * m.tools.callSeconds;
      return c.end;
    }
    case 'consensus': {
      let last = t0;
      for (let i = 0; i < n; i++) last = Math.max(last, runUnit(i, t0));
      const rng = createRng(deriveSeed(seed, 'consensus', team.id));
      const pAgree = Math.max(0.05, m.consensus.agreement - m.consensus.agreementLossPerMember * Math.max(0, n - 2));
      // A unit's turn revises its own work: a member's drawn work time, a sub-team's whole span.
      const unitWork = team.units.map((u) => (u.kind === 'member' ? (runs.get(u.id) as LeafRun).work : unitSpan(u, runs)));
      const turns = team.units.map(() => 0);
      let rounds = 0;
      let agreed = n < 2;
      let roundTime = 0;
      while (!agreed && rounds < m.consensus.maxRounds) {
        rounds++;
        roundTime += m.consensus.roundSeconds;
        unitWork.forEach((w, i) => {
          const turn = m.consensus.turnFraction * w * Math.exp(m.consensus.sigma * rng.normal());
          turns[i]! += turn; // one turn total per unit
          roundTime += turn;
        });
        agreed = rng.next() < pAgree;
      }
      outcomes.set(team, { agreed, rounds });
      const end = last + roundTime;
      // Every member sits through every round; only its own turns are active (token-spending) time.
      team.units.forEach((u, i) => {
        if (u.kind !== 'member') return;
        const r = runs.get(u.id) as LeafRun;
        r.end = end;
        r.active += turns[i]!;
      });
      return end;
    }
    default:
      throw new Error(`unreachable: formation ${team.formation}`);
  }
}

/**
 * The coordinator knows who needs whom: a unit starts when every unit holding a member it depends on is done.
 * A cycle is broken by starting the first waiting unit anyway (its members then run without that input).
 */
function scheduleByDependencies(team: SimTeam, start: number, runUnit: (index: number, at: number) => number): number[] {
  const owner = new Map<string, number>();
  team.units.forEach((u, i) => {
    for (const id of u.kind === 'member' ? [u.id] : leafIds(u)) owner.set(id, i);
  });
  const needs = team.units.map((u, i) => {
    const deps = new Set<number>();
    for (const leaf of leavesOf(u)) {
      for (const d of leaf.dependsOn) {
        const o = owner.get(d);
        if (o !== undefined && o !== i) deps.add(o);
      }
    }
    return deps;
  });
  const ends: number[] = new Array<number>(team.units.length);
  const done = new Set<number>();
  while (done.size < team.units.length) {
    const waiting = team.units.map((_, i) => i).filter((i) => !done.has(i));
    // needs has one set per unit, and ends is filled for every unit in done; waiting is non-empty here.
    const ready = waiting.filter((i) => [...needs[i]!].every((d) => done.has(d)));
    for (const i of ready.length > 0 ? ready : [waiting[0]!]) {
      const at = Math.max(start, ...[...needs[i]!].filter((d) => done.has(d)).map((d) => ends[d]!));
      ends[i] = runUnit(i, at);
      done.add(i);
    }
  }
  return ends;
}

function unitSpan(team: SimTeam, runs: Map<string, LeafRun>): number {
  const spans = leavesOf(team).map((l) => runs.get(l.id) as LeafRun);
  return Math.max(0, ...spans.map((r) => r.end)) - Math.min(...spans.map((r) => r.start));
}

function leavesOf(u: SimUnit): SimLeaf[] {
  return u.kind === 'member' ? [u] : u.units.flatMap(leavesOf);
}

// True when the dependency feeds the member through a pipeline: an earlier stage of the pipeline they share.
function streamed(depPath: Step[], memberPath: Step[]): boolean {
  for (let i = 0; i < Math.min(depPath.length, memberPath.length); i++) {
    const a = depPath[i]!; // i is below both lengths
    const b = memberPath[i]!;
    if (a.team !== b.team) return false;
    if (a.index !== b.index) return a.team.formation === 'pipeline' && a.index < b.index;
  }
  return false;
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
