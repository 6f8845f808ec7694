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
  const { model, config, root, leaves } = prepared;
  const runSeed = Math.trunc(seed) >>> 0;
  // The steps run in this order, and each draws from its own seeded stream, so a seed gives one record.
  const leafRuns = drawMembers(leaves, runSeed);
  const coordinatorRuns: CoordinatorRun[] = [];
  const outcomes = new Map<SimTeam, TeamOutcome>();
  allocateToolCalls(model, config.toolBudget, leaves, leafRuns, root, coordinatorRuns, runSeed);
  const rootEnd = schedule(model, root, 0, [], leafRuns, coordinatorRuns, outcomes, runSeed);
  const inputs = judgeInputs(leafRuns);
  const members = judgeMembers(model, leafRuns, inputs.missing);
  const coordinatorOk = new Map(coordinatorRuns.map((c) => [c.team, c.uSuccess < model.coordinator.successRate]));
  const run: RunState = { prepared, runSeed, leafRuns, coordinatorRuns, outcomes, coordinatorOk, members, waitedFor: inputs.waitedFor };
  const outcome = judgeRun(run, rootEnd);
  return executionRecord(run, outcome, memberRecords(run, outcome, options.startTimeMs ?? SIMULATION_EPOCH_MS), options);
}

/** Everything one run has decided before its outcome is judged and its record written. */
interface RunState {
  prepared: PreparedRun;
  runSeed: number;
  leafRuns: Map<string, LeafRun>;
  coordinatorRuns: CoordinatorRun[];
  outcomes: Map<SimTeam, TeamOutcome>;
  coordinatorOk: Map<SimTeam, boolean>;
  members: MemberVerdicts;
  /** By member id: the members whose output it had when it started. */
  waitedFor: Map<string, string[]>;
}

/** Whether each member succeeded, and why not. */
interface MemberVerdicts {
  success: Map<string, boolean>;
  error: Map<string, string>;
}

/** How the run as a whole ended. */
interface RunOutcome {
  success: boolean;
  error?: string;
  limitHit?: LimitHit;
  /** Seconds from the start to the end of the run (the timeout when it was cut off). */
  end: number;
  /** The timeout, when the run needed longer and was cut off there. */
  cut?: number;
}

/** Each member's luck, drawn first and in a fixed order, so that the schedule cannot change what a member draws. */
function drawMembers(leaves: readonly SimLeaf[], runSeed: number): Map<string, LeafRun> {
  const leafRuns = new Map<string, LeafRun>();
  for (const leaf of leaves) {
    const rng = createRng(deriveSeed(runSeed, 'member', leaf.id));
    const work = rng.logNormal(leaf.workSeconds, leaf.workSigma);
    const need = drawNeed(rng, leaf.toolCalls, leaf.toolCallsCv);
    leafRuns.set(leaf.id, { leaf, path: [], work, need, uSuccess: rng.next(), calls: 0, exhausted: false, start: 0, end: 0, active: 0 });
  }
  return leafRuns;
}

/** Judged on the finished schedule: was each input there when the member started? */
function judgeInputs(leafRuns: Map<string, LeafRun>): { missing: Map<string, string[]>; waitedFor: Map<string, string[]> } {
  const missing = new Map<string, string[]>();
  const waitedFor = new Map<string, string[]>();
  for (const run of leafRuns.values()) {
    const lacked: string[] = [];
    const had: string[] = [];
    for (const dep of run.leaf.dependsOn) {
      const depRun = leafRuns.get(dep);
      if (depRun && (depRun.end <= run.start + 1e-9 || streamed(depRun.path, run.path))) had.push(dep);
      else lacked.push(dep);
    }
    missing.set(run.leaf.id, lacked);
    waitedFor.set(run.leaf.id, had);
  }
  return { missing, waitedFor };
}

/** Each member's success: its success rate, lowered for every missing input and by an exhausted tool budget. */
function judgeMembers(m: ResolvedTeamModel, leafRuns: Map<string, LeafRun>, missingInputs: Map<string, string[]>): MemberVerdicts {
  const success = new Map<string, boolean>();
  const error = new Map<string, string>();
  for (const run of leafRuns.values()) {
    const missing = missingInputs.get(run.leaf.id) ?? [];
    let p = run.leaf.successRate * m.dependencies.missingInputSuccessFactor ** missing.length;
    if (run.exhausted) p = m.tools.onExhaustion === 'fail' ? 0 : p * m.tools.degradedSuccessFactor;
    const ok = run.uSuccess < p;
    success.set(run.leaf.id, ok);
    if (!ok) error.set(run.leaf.id, memberFailure(m, run, missing));
  }
  return { success, error };
}

/** Why a member failed, most decisive cause first. */
function memberFailure(m: ResolvedTeamModel, run: LeafRun, missing: readonly string[]): string {
  if (run.exhausted && m.tools.onExhaustion === 'fail') return `tool budget exhausted after ${run.calls} calls (the task needed ${run.need})`;
  if (missing.length > 0) return `failed without the output of ${missing.join(', ')}`;
  if (run.exhausted) return `failed after the tool budget ran out at ${run.calls} calls (the task needed ${run.need})`;
  return 'member produced an unusable result';
}

/** Whether a unit's part succeeded: every member and its coordinator, or for consensus an agreeing majority. */
function unitSucceeded(run: RunState, u: SimUnit): boolean {
  if (u.kind === 'member') return run.members.success.get(u.id) ?? false;
  if (u.formation === 'consensus') {
    return (run.outcomes.get(u)?.agreed ?? true) && u.units.filter((x) => unitSucceeded(run, x)).length * 2 > u.units.length;
  }
  return u.units.every((x) => unitSucceeded(run, x)) && (run.coordinatorOk.get(u) ?? true);
}

/** The run's outcome: its units' success, required members left out, the timeout, and the error to report. */
function judgeRun(run: RunState, rootEnd: number): RunOutcome {
  const { model: m, config, root, leaves } = run.prepared;
  // Required members left out of the team: the result lacks their part.
  const present = new Set(leaves.map((l) => l.id));
  const absent = m.members.filter((mm) => mm.required && !present.has(mm.id)).map((mm) => mm.id);
  const uTeam = createRng(deriveSeed(run.runSeed, 'team')).next();
  const complete = uTeam < m.dependencies.missingInputSuccessFactor ** absent.length;
  const success = unitSucceeded(run, root) && complete;
  const limitHit: LimitHit | undefined = [...run.leafRuns.values()].some((r) => r.exhausted) ? 'tool_budget' : undefined;

  const timeout = config.timeoutSeconds;
  if (timeout !== undefined && rootEnd > timeout) {
    return { success: false, limitHit: 'timeout', end: timeout, cut: timeout, error: `timed out after ${timeout} s (the run needed ${round(rootEnd, 1)} s)` };
  }
  const outcome: RunOutcome = { success, end: rootEnd };
  if (limitHit !== undefined) outcome.limitHit = limitHit;
  if (!success) outcome.error = runFailure(run, complete, absent);
  return outcome;
}

/** Why a run that was not cut off failed, most decisive cause first. */
function runFailure(run: RunState, complete: boolean, absent: readonly string[]): string {
  const rootOutcome = run.outcomes.get(run.prepared.root);
  if (rootOutcome && !rootOutcome.agreed) return `no consensus after ${rootOutcome.rounds} rounds`;
  if (!complete) return `the result lacks the part of ${absent.join(', ')}, which the team left out`;
  const failed = run.prepared.leaves.find((l) => !run.members.success.get(l.id));
  if (failed) return `${failed.id}: ${run.members.error.get(failed.id)}`;
  const failedCoordinator = run.coordinatorRuns.find((c) => !run.coordinatorOk.get(c.team));
  if (failedCoordinator) return `${failedCoordinator.id}: could not integrate the results`;
  return 'the team did not agree on a result';
}

/** One member's part of the schedule and verdict, as {@link memberRecord} writes it. */
interface MemberPart {
  id: string;
  role: string;
  /** Seconds from the run's start. */
  start: number;
  /** When it would have finished, had no timeout cut it off. */
  naturalEnd: number;
  /** Seconds it spent working (tokens are paid for those). */
  active: number;
  calls: number;
  success: boolean;
  error: string | undefined;
  tools: readonly string[];
  waitedFor: string[];
}

/** The member records, in the order the team is laid out: a coordinator before the units it leads. */
function memberRecords(run: RunState, outcome: RunOutcome, t0: number): MemberRecord[] {
  const records: MemberRecord[] = [];
  const add = (part: MemberPart): void => {
    const record = memberRecord(run.prepared.model, part, outcome.cut, t0);
    if (record) records.push(record);
  };
  const visit = (team: SimTeam): void => {
    const c = run.coordinatorRuns.find((r) => r.team === team);
    if (c) {
      const ok = run.coordinatorOk.get(team) ?? true;
      add({
        id: c.id,
        role: c.role,
        start: c.start,
        naturalEnd: c.end,
        active: c.active,
        calls: c.calls,
        success: ok,
        error: ok ? undefined : 'could not integrate the results',
        tools: ['read_file'],
        waitedFor: c.integrates,
      });
    }
    for (const u of team.units) {
      if (u.kind === 'team') {
        visit(u);
        continue;
      }
      const r = run.leafRuns.get(u.id) as LeafRun;
      add({
        id: u.id,
        role: u.role,
        start: r.start,
        naturalEnd: r.end,
        active: r.active,
        calls: r.calls,
        success: run.members.success.get(u.id) ?? false,
        error: run.members.error.get(u.id),
        tools: u.tools,
        waitedFor: run.waitedFor.get(u.id) ?? [],
      });
    }
  };
  visit(run.prepared.root);
  return records;
}

/**
 * One member's record, its work, calls and tokens cut in proportion where the timeout (`cut`) ended the run
 * before the member finished; nothing for a member that had not started by then.
 */
function memberRecord(m: ResolvedTeamModel, part: MemberPart, cut: number | undefined, t0: number): MemberRecord | undefined {
  if (cut !== undefined && part.start >= cut) return undefined;
  let { success, error } = part;
  let memberEnd = part.naturalEnd;
  let fraction = 1;
  if (cut !== undefined && part.naturalEnd > cut) {
    fraction = part.naturalEnd > part.start ? (cut - part.start) / (part.naturalEnd - part.start) : 0;
    memberEnd = cut;
    success = false;
    error = `cut off by the timeout after ${round(cut - part.start, 1)} s`;
  }
  const tk = m.tokens;
  const usedCalls = Math.floor(part.calls * fraction + 1e-9);
  const activeDone = part.active * fraction;
  const inputTokens = Math.round(activeDone * tk.inputPerSecond + usedCalls * tk.inputPerToolCall);
  const outputTokens = Math.round(activeDone * tk.outputPerSecond);
  const startMs = atMs(t0, part.start);
  const endMs = atMs(t0, memberEnd);
  const record: MemberRecord = {
    memberId: part.id,
    role: part.role,
    success,
    durationSeconds: (endMs - startMs) / 1000,
    startTimeMs: startMs,
    endTimeMs: endMs,
    toolCalls: usedCalls,
    toolsUsed: part.tools.slice(0, Math.min(part.tools.length, usedCalls)),
    inputTokens,
    outputTokens,
    costUsd: round((inputTokens * tk.usdPerMillionInput + outputTokens * tk.usdPerMillionOutput) / 1e6 + usedCalls * tk.usdPerToolCall, 6),
    waitedFor: part.waitedFor,
  };
  if (error !== undefined) record.error = error;
  return record;
}

/** Epoch ms of a moment `seconds` into a run that started at `t0`. */
function atMs(t0: number, seconds: number): number {
  return t0 + Math.round(seconds * 1000);
}

/** The run's execution record: totals over its members, the config in force, and how it ended. */
function executionRecord(run: RunState, outcome: RunOutcome, members: MemberRecord[], options: SimulateRunOptions): ExecutionRecord {
  const { model: m, config, root, fingerprint } = run.prepared;
  const startTimeMs = options.startTimeMs ?? SIMULATION_EPOCH_MS;
  const endTimeMs = atMs(startTimeMs, outcome.end);
  const record: ExecutionRecord = {
    teamId: options.teamId ?? m.name ?? 'simulated_team',
    executionId: `sim-${fingerprint.slice(0, 8)}-${run.runSeed.toString(16).padStart(8, '0')}`,
    startTimeMs,
    endTimeMs,
    durationSeconds: (endTimeMs - startTimeMs) / 1000,
    success: outcome.success,
    formation: config.formation,
    memberCount: config.memberCount,
    toolCalls: sum(members.map((r) => r.toolCalls)),
    inputTokens: sum(members.map((r) => r.inputTokens ?? 0)),
    outputTokens: sum(members.map((r) => r.outputTokens ?? 0)),
    costUsd: round(sum(members.map((r) => r.costUsd ?? 0)), 6),
    configFingerprint: fingerprint,
    members,
  };
  if (outcome.error !== undefined) record.error = outcome.error;
  if (config.toolBudget !== undefined) record.toolBudget = config.toolBudget;
  if (config.timeoutSeconds !== undefined) record.timeoutSeconds = config.timeoutSeconds;
  if (outcome.limitHit !== undefined) record.limitHit = outcome.limitHit;
  const rootOutcome = run.outcomes.get(root);
  if (root.formation === 'consensus' && rootOutcome) {
    record.labels = { consensus_rounds: String(rootOutcome.rounds), consensus_achieved: String(rootOutcome.agreed && outcome.cut === undefined) };
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
