import { pairedComparison, raceEliminations, type RacerObservations } from '@autotune/abtest';
import { configFingerprint, type ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { combine, describeChanges, neighbours, outsideSpace, settingsChanged, type NeighbourCandidate } from './search-space';
import { tightenedLimits } from '../limits';
import { outvotedFailures, pairedNoWorseProbability } from './success-check';
import { runTrials, type RunLog } from './trials';
import type { CandidateSource, RaceReport, RaceStanding, TuneEngineInput, TuneObjective, TuneSetting } from './tune-types';

/** Fewest runs a step needs: a race of a few rounds and the smallest confirm test (2 x 10 runs). */
export const MIN_STEP_RUNS = 30;
/** Rounds two racers must share before the elimination tests may drop one. */
export const MIN_ROUNDS = 3;
/** Runs a candidate is planned at least in a race, so the cap on candidates follows from the race budget. */
const PLANNED_RUNS_PER_CANDIDATE = 6;
/** Two-setting combinations added to a race. */
const MAX_COMBINATIONS = 4;
/** How a racer dropped by the budget's successive halving is marked, so an extended race can bring it back. */
const BUDGET_DROP = 'dropped by the budget';
/** Pseudo-runs of the baseline's success rate a racer's estimate is shrunk towards while it has few runs. */
const SUCCESS_PRIOR_RUNS = 4;
/** Below this posterior probability of being within the success margin, a racer ranks as below the bar. */
const FEASIBLE_PROBABILITY = 0.25;
/**
 * A racer may lead the race (and so eliminate others on speed) only when the paired rounds make it at least this
 * probable that its success rate is within the margin: a fast racer that fails more must not push out a slower
 * racer that is safe, since its own confirm would not pass.
 */
const LEADER_PROBABILITY = 0.5;
/**
 * Early success rule: from the second round, a racer whose successes are this improbable under the bar (binomial
 * lower tail at the config in force's rate less the margin) leaves the race, without waiting for the Fisher test's
 * third round and Holm. It drops configs that fail nearly every run (a required member dropped) after two runs
 * instead of four or five; a racer truly at the bar is dropped by it in about 1% of races per round tested.
 */
const EARLY_SUCCESS_ALPHA = 0.01;

/** A candidate in the race (or the config in force, as `baseline`) and what its rounds measured. */
export interface Racer {
  id: string;
  label: string;
  source: CandidateSource;
  strategy?: string | undefined;
  config: TeamConfig;
  candidate?: NeighbourCandidate | undefined;
  /** Limits this racer lowers against the config in force: runs ending on one of them count against it. */
  tightened: Array<'tool_budget' | 'timeout'>;
  /** Per round: did the run end on a limit this racer lowered (undefined where it did not run). */
  limitHits: Array<boolean | undefined>;
  values: Array<number | undefined>;
  /** Success per round (undefined where it did not run). */
  successes: Array<boolean | undefined>;
  records: ExecutionRecord[];
  /** History runs (baseline only): count for success, not for the paired rounds. */
  history: readonly ExecutionRecord[];
  status: RaceStanding['status'];
  eliminatedAfterRound?: number;
  /** The leader that eliminated it as slower, so it can come back if that leader proves unsafe. */
  eliminatedBy?: string;
  dropReason?: string;
}

/** One change of a refused winner: a setting and the value it set. */
export interface RefusedChange {
  setting: TuneSetting;
  value: string;
}

/** A setting's value in a config, as a comparable string. */
export function settingValue(config: TeamConfig, setting: TuneSetting): string {
  const on = (config.members ?? []).filter((m) => m.enabled !== false);
  switch (setting) {
    case 'formation':
      return config.formation;
    case 'member_count':
      return String(config.members ? on.length : config.memberCount);
    case 'members':
      return JSON.stringify(config.members ? on.map((m) => m.id) : config.memberCount);
    case 'tool_budget':
      return String(config.toolBudget);
    case 'timeout_seconds':
      return String(config.timeoutSeconds);
  }
}

/** The value a run scores on the objective; lower is better. `ref` normalises the mix. */
function objectiveValue(record: ExecutionRecord, objective: TuneObjective, ref: { duration: number; cost: number }): number | undefined {
  // A failed run costs itself plus a rerun (priced at the config in force's mean): without it a config that fails
  // fast would look fastest, and the success constraint alone needs many runs to see it.
  const failed = record.success !== true;
  const duration = record.durationSeconds + (failed ? ref.duration : 0);
  if (objective === 'duration') return duration;
  const raw = typeof record.costUsd === 'number' && Number.isFinite(record.costUsd) ? record.costUsd : undefined;
  if (raw === undefined) return undefined;
  const cost = raw + (failed ? ref.cost : 0);
  if (objective === 'cost') return cost;
  const d = ref.duration > 0 ? duration / ref.duration : duration;
  const c = ref.cost > 0 ? cost / ref.cost : cost;
  return objective.duration * d + objective.cost * c;
}

export const successesOf = (rs: readonly ExecutionRecord[]) => rs.filter((r) => r.success === true).length;

export function observations(r: Racer): RacerObservations {
  return { id: r.id, values: r.values, runs: r.records.length + r.history.length, successes: successesOf(r.records) + successesOf(r.history) };
}

export interface RaceOutcome {
  report: RaceReport;
  winner?: Racer | undefined;
  baseline: Racer;
  /** No winner, but a racer still in the race measured better and only lacks evidence on success. */
  undecided: boolean;
}

/**
 * A race from one config: its racers and their rounds so far. A race outlives a refused confirm: the next race
 * from the same config continues it (the refused winner out, the racers it had eliminated back), so no round
 * already run is thrown away.
 */
export interface RaceState {
  /** The step that opened it: its rounds' trial seeds derive from it. */
  step: number;
  base: TeamConfig;
  baseline: Racer;
  /** The config in force first, then the candidates raced. */
  racers: Racer[];
  notRaced: Racer[];
  seen: Set<string>;
  round: number;
  combined: boolean;
  ref: { duration: number; cost: number };
}

/** Opens a race from `base`: the candidates, what the history rules out, and what the race budget holds. */
export function openRace(
  input: TuneEngineInput,
  step: number,
  base: TeamConfig,
  history: readonly ExecutionRecord[],
  raceBudget: number,
  tried: ReadonlySet<string>,
  refused: readonly RefusedChange[],
): RaceState {
  const baseline: Racer = {
    id: 'baseline',
    label: 'config in force',
    source: 'baseline',
    config: base,
    tightened: [],
    limitHits: [],
    values: [],
    successes: [],
    records: [],
    history,
    status: 'baseline',
  };
  const ref = {
    duration: history.length ? history.reduce((s, r) => s + r.durationSeconds, 0) / history.length : 0,
    cost: history.length ? history.reduce((s, r) => s + (r.costUsd ?? 0), 0) / history.length : 0,
  };

  // Candidates: the strategies' suggestions first, then the one-setting neighbourhood, without duplicates.
  const seen = new Set<string>([configFingerprint(base), ...tried]);
  const pool: Racer[] = [];
  // A config that makes a refused change again is not raced: a second confirm of the same change would get a
  // second chance to miss the loss.
  const carriesRefused = (config: TeamConfig) => makesRefusedChange(base, config, refused);
  const addRacer = (config: TeamConfig, label: string, source: CandidateSource, strategy?: string, candidate?: NeighbourCandidate) => {
    const fp = configFingerprint(config);
    if (seen.has(fp) || carriesRefused(config)) return;
    seen.add(fp);
    pool.push({ id: `c${pool.length + 1}`, label, source, strategy, config, candidate, tightened: tightenedLimits(base, config), limitHits: [], values: [], successes: [], records: [], history: [], status: 'racing' });
  };
  for (const s of input.suggest(base)) {
    if (outsideSpace(base, s.config, input.space) !== undefined) continue;
    addRacer(s.config, s.label, 'suggestion', s.strategy, { config: s.config, label: s.label, settings: settingsChanged(base, s.config) });
  }
  for (const n of neighbours(base, input.space)) addRacer(n.config, n.label, 'neighbour', undefined, n);
  // The history as a prior: a candidate that drops a member whose output others waited for in most recorded runs
  // would leave them without their input; it is not raced (the report says why), so its runs go to the others.
  const waits = waitsFor(history);
  const ruledOut: Racer[] = [];
  const ruleOut = (r: Racer, why: string) => {
    pool.splice(pool.indexOf(r), 1);
    r.status = 'eliminated';
    r.dropReason = `not raced: the history rules it out (${why})`;
    ruledOut.push(r);
  };
  // A lowered limit that recorded runs of the config in force would have hit: the confirm refuses a limit hit more
  // often than before, so such a cut cannot pass it.
  for (const r of [...pool]) {
    const cut = r.config.toolBudget;
    if (cut !== undefined && (base.toolBudget === undefined || cut < base.toolBudget)) {
      const over = history.filter((h) => h.toolCalls >= cut).length;
      if (over > 0) {
        ruleOut(r, `${over} of ${history.length} recorded runs used ${cut} tool calls or more`);
        continue;
      }
    }
    const limit = r.config.timeoutSeconds;
    if (limit !== undefined && (base.timeoutSeconds === undefined || limit < base.timeoutSeconds)) {
      const over = history.filter((h) => h.durationSeconds >= limit).length;
      if (over > 0) ruleOut(r, `${over} of ${history.length} recorded runs took ${limit} s or longer`);
    }
  }
  for (const r of [...pool]) {
    const dropped = droppedMembers(base, r.config);
    if (dropped.length === 0) continue;
    const on = new Set((r.config.members ?? []).filter((m) => m.enabled !== false).map((m) => m.id));
    // Only a member that stays and waited for a dropped one in most recorded runs rules the drop out.
    const why: string[] = [];
    for (const [waiter, w] of waits) {
      if (!on.has(waiter)) continue;
      for (const [dep, runs] of w.on) if (dropped.includes(dep)) why.push(`${waiter} waited for ${dep}'s output in ${runs} of ${w.of} recorded runs`);
    }
    if (why.length === 0) continue;
    ruleOut(r, why.join('; '));
  }
  // Room for combinations later, and at least PLANNED_RUNS_PER_CANDIDATE runs each.
  const cap = Math.max(2, Math.floor(raceBudget / PLANNED_RUNS_PER_CANDIDATE) - 2);
  const racers: Racer[] = [baseline, ...pool.slice(0, cap)];
  for (const r of pool.slice(cap)) {
    r.status = 'eliminated';
    r.dropReason = `not raced: the race budget (${raceBudget} runs) holds ${cap} candidates, and the strategies' suggestions and formation changes come first`;
  }
  const notRaced = [...pool.slice(cap), ...ruledOut];
  return { step, base, baseline, racers, notRaced, seen, round: 0, combined: false, ref };
}

/** Whether `config` makes, against `base`, one of the changes a confirm refused. */
function makesRefusedChange(base: TeamConfig, config: TeamConfig, refused: readonly RefusedChange[]): boolean {
  const changed = settingsChanged(base, config);
  return refused.some((r) => changed.includes(r.setting) && settingValue(config, r.setting) === r.value);
}

/**
 * After a confirm refused the race's winner: it leaves, the racers it had eliminated as slower come back (it was
 * no fair yardstick), and every racer making a refused change leaves too.
 */
export function reopenRace(state: RaceState, winner: Racer, refused: readonly RefusedChange[]): void {
  winner.status = 'eliminated';
  winner.eliminatedAfterRound = state.round;
  winner.dropReason = 'won the race, but its confirm test refused it';
  bringBack(state.racers, winner);
  for (const r of state.racers) {
    if (r === state.baseline || r.status === 'eliminated') continue;
    delete r.dropReason;
    if (makesRefusedChange(state.base, r.config, refused)) {
      r.status = 'eliminated';
      r.eliminatedAfterRound = state.round;
      r.dropReason = 'makes a change a confirm test refused';
    }
  }
}

/**
 * Before a race without a winner goes on: racers dropped by the budget come back, as do those eliminated as
 * slower by a racer that is not now likely safe on success.
 */
export function extendRace(state: RaceState, margin: number): void {
  for (const r of state.racers) {
    if (r === state.baseline) continue;
    if (successProbability(r, state.baseline, margin) < LEADER_PROBABILITY) bringBack(state.racers, r);
    if (r.status === 'eliminated' && r.dropReason?.startsWith(BUDGET_DROP)) {
      r.status = 'racing';
      delete r.eliminatedAfterRound;
      delete r.dropReason;
    }
    if (r.status !== 'eliminated') delete r.dropReason;
  }
}

/** The racers `by` had eliminated as slower come back to the race (their missing rounds are not compared). */
function bringBack(racers: readonly Racer[], by: Racer): void {
  for (const x of racers) {
    if (x.status !== 'eliminated' || x.eliminatedBy !== by.id) continue;
    x.status = 'racing';
    delete x.eliminatedBy;
    delete x.eliminatedAfterRound;
    delete x.dropReason;
  }
}

/** Runs rounds of a race (new or continued) within `raceBudget` runs, and picks its winner. */
export async function runRace(
  input: TuneEngineInput,
  state: RaceState,
  step: number,
  raceBudget: number,
  refused: readonly RefusedChange[],
  spend: (n: number) => void,
  records: RunLog,
): Promise<RaceOutcome> {
  const margin = input.successMargin;
  const { base, baseline, racers, notRaced, seen, ref } = state;
  const carriesRefused = (config: TeamConfig) => makesRefusedChange(base, config, refused);
  input.onEvent?.({ type: 'race-start', step, candidates: racers.filter((r) => r !== baseline && r.status !== 'eliminated').length, raceBudget, runsUsed: 0, budget: input.budget });

  let spent = 0;
  let round = state.round;
  let combined = state.combined;
  const alive = () => racers.filter((r) => r.status !== 'eliminated');
  const eliminate = (r: Racer, reason: string, by?: Racer) => {
    r.status = 'eliminated';
    r.eliminatedAfterRound = round;
    r.dropReason = reason;
    if (by) r.eliminatedBy = by.id;
  };
  // A racer that leaves for success or a limit hit was never a fair yardstick: the racers it had eliminated as
  // slower come back (their missing rounds are simply not compared).
  const dropUnsafe = (r: Racer, reason: string) => {
    eliminate(r, reason);
    bringBack(racers, r);
  };
  const standing = (r: Racer): RaceStanding => standingOf(r, baseline, base, margin);

  for (;;) {
    const running = alive();
    if (running.length <= 1) break;
    const challengers = running.filter((r) => r !== baseline);
    // Stop once a single challenger is left and it has been compared for the minimum rounds, unless it measured
    // better and only its success rate is in doubt: more rounds are what it needs.
    const last = challengers.length === 1 ? challengers[0]! : undefined;
    if (last && last.values.filter((v) => v !== undefined).length >= MIN_ROUNDS && round >= MIN_ROUNDS && !inDoubt(last, baseline, margin)) break;
    let room = raceBudget - spent;
    if (room < running.length) {
      // Successive halving as the budget's backstop: keep the best that fit in one more round.
      if (room < 2) break;
      const ranked = rank(challengers, baseline, margin);
      for (const r of ranked.slice(room - 1)) eliminate(r, `${BUDGET_DROP}: ranked ${ranked.indexOf(r) + 1} of ${ranked.length} when only ${room - 1} could run another round`);
      room = raceBudget - spent;
    }
    const roundRacers = alive();
    const seed = (input.seed + 7919 * state.step + 104729 * round) >>> 0;
    const outcomes = await runTrials(input, roundRacers.map((r) => ({ config: r.config, trial: round, seed })));
    spent += outcomes.length;
    spend(outcomes.length);
    roundRacers.forEach((r, i) => {
      const rec = outcomes[i]!; // runTrials returns one record per job, in order
      r.records.push(rec);
      records.push({ record: rec, purpose: `tune step ${step + 1}: race ${r.id === 'baseline' ? 'baseline' : r.label}` });
      if (!ref.duration) ref.duration = rec.durationSeconds;
      if (!ref.cost && rec.costUsd) ref.cost = rec.costUsd;
    });
    for (const r of racers) {
      const ran = roundRacers.includes(r);
      // A racer that ran this round has just had its record pushed.
      r.values[round] = ran ? objectiveValue(r.records[r.records.length - 1]!, input.objective, ref) : undefined;
      r.successes[round] = ran ? r.records[r.records.length - 1]!.success === true : undefined;
    }
    for (const r of racers) {
      const ran = roundRacers.includes(r);
      const hit = ran ? r.records[r.records.length - 1]!.limitHit : undefined;
      // The baseline's hits are judged per challenger (against the limits that challenger lowers).
      r.limitHits[round] = ran ? (r === baseline ? false : hit !== undefined && (r.tightened as string[]).includes(hit)) : undefined;
    }
    round++;

    // A lowered limit that runs hit more often than the config in force hit it: the confirm would fail on it.
    for (const r of alive()) {
      if (r === baseline) continue;
      const lh = limitHitExcess(r, baseline);
      if (lh) dropUnsafe(r, `the lowered ${lh.what} was hit in ${lh.hits} of ${lh.rounds} rounds against ${lh.baseHits} for the config in force`);
    }
    // Early success rule (see EARLY_SUCCESS_ALPHA): a racer failing nearly every run leaves after two rounds.
    if (round >= 2) {
      const b = observations(baseline);
      const bar = Math.max(0, (b.runs ? b.successes / b.runs : 0) - margin / 100);
      for (const r of alive()) {
        if (r === baseline || r.records.length < 2) continue;
        const s = successesOf(r.records);
        const p = binomialLowerTail(s, r.records.length, bar);
        if (p <= EARLY_SUCCESS_ALPHA) dropUnsafe(r, `success rate below the bar (${s} of ${r.records.length} runs succeeded against ${pct(bar)} expected at the bar; binomial p = ${p.toPrecision(2)})`);
      }
    }
    // A racer no longer likely safe on success was no fair yardstick either: those it eliminated come back.
    for (const r of racers) if (r !== baseline && successProbability(r, baseline, margin) < LEADER_PROBABILITY) bringBack(racers, r);
    const ranked = rank(alive().filter((r) => r !== baseline), baseline, margin);
    const leader = ranked.find((r) => successProbability(r, baseline, margin) >= LEADER_PROBABILITY && pairedComparison(observations(baseline), observations(r)).improvementPercentage > 0) ?? baseline;
    // Two-setting combinations of the singles doing well (before this round's eliminations, so a single that is
    // good but not the best still lends its change).
    if (!combined && round >= MIN_ROUNDS) {
      combined = true;
      const b = observations(baseline);
      const good = racers
        // Judged on its own runs: a formation switch the consensus vote's outvoted members rule out may still
        // lend its change to a combination that drops those members (the combination gets the full check).
        .filter((r) => r !== baseline && r.candidate && r.records.length > 0 && !limitHitExcess(r, baseline) && successProbability(r, baseline, margin, 'own-runs') >= FEASIBLE_PROBABILITY)
        .map((r) => ({ r, imp: pairedComparison(b, observations(r)).improvementPercentage }))
        // A change worth less than the verdict's threshold could not pass a confirm on its own; as a rider on a
        // good change it adds risk (often a lowered limit) for a gain no test here can see.
        .filter((x) => x.imp >= input.threshold)
        .sort((x, y) => y.imp - x.imp)
        .slice(0, 4)
        .map((x) => x.r);
      const maxNew = Math.min(MAX_COMBINATIONS, Math.floor((raceBudget - spent) / (2 * PLANNED_RUNS_PER_CANDIDATE)));
      let added = 0;
      for (let i = 0; i < good.length && added < maxNew; i++) {
        for (let j = i + 1; j < good.length && added < maxNew; j++) {
          const c = combine(base, good[i]!.candidate!, good[j]!.candidate!, input.space);
          if (!c) continue;
          const fp = configFingerprint(c.config);
          if (seen.has(fp) || carriesRefused(c.config)) continue;
          seen.add(fp);
          racers.push({ id: `c${racers.length + notRaced.length}`, label: c.label, source: 'combination', config: c.config, candidate: c, tightened: tightenedLimits(base, c.config), limitHits: new Array<boolean | undefined>(round).fill(undefined), values: new Array<number | undefined>(round).fill(undefined), successes: new Array<boolean | undefined>(round).fill(undefined), records: [], history: [], status: 'racing' });
          added++;
        }
      }
    }
    if (round >= MIN_ROUNDS) {
      const obs = alive().map(observations);
      for (const e of raceEliminations(obs, leader.id, baseline.id, { alpha: input.alpha, minRounds: MIN_ROUNDS, successMargin: margin / 100 })) {
        const r = racers.find((x) => x.id === e.id)!;
        // Faster is not enough to push a racer out: the leader must also have failed no more often in the rounds
        // both ran, or a fast config that loses success (which its confirm would refuse) eliminates the safe ones.
        if (e.reason === 'objective' && pairedFailureBalance(leader, r) > 0) continue;
        if (e.reason === 'success') dropUnsafe(r, `success rate below the bar (${pct(rateOf(r))} against ${pct(rateOf(baseline))} less ${margin} points; Fisher, Holm p = ${e.pValue.toPrecision(2)})`);
        else eliminate(r, `slower than ${e.by === 'baseline' ? 'the config in force' : racers.find((x) => x.id === e.by)!.label} over ${e.n} rounds (paired t-test, Holm p = ${e.pValue.toPrecision(2)})`, leader);
      }
      // Against the config in force too: a racer significantly worse than it cannot pass the confirm test.
      if (leader !== baseline) {
        for (const e of raceEliminations(alive().map(observations), baseline.id, baseline.id, { alpha: input.alpha, minRounds: MIN_ROUNDS, successMargin: 1 })) {
          if (e.reason !== 'objective' || e.id === leader.id) continue;
          eliminate(racers.find((x) => x.id === e.id)!, `slower than the config in force over ${e.n} rounds (paired t-test, Holm p = ${e.pValue.toPrecision(2)})`);
        }
      }
    }
    input.onEvent?.({ type: 'round', step, round, runsUsed: spent, budget: input.budget, standings: [baseline, ...rank(racers.filter((r) => r !== baseline), baseline, margin)].map(standing) });
  }

  state.round = round;
  state.combined = combined;
  const finalRanked = rank(alive().filter((r) => r !== baseline), baseline, margin);
  // The winner goes to a confirm whose success check needs the same probability: prefer a racer that already
  // meets it in the race over a faster one that does not.
  const improves = (r: Racer) => pairedComparison(observations(baseline), observations(r)).improvementPercentage > 0;
  // A racer back in the race with few rounds (its eliminator proved unsafe) has too little to go on.
  const sharedRounds = (r: Racer) => pairedComparison(observations(baseline), observations(r)).rounds;
  const safe = finalRanked.filter((r) => feasible(r, baseline, margin) && improves(r) && successProbability(r, baseline, margin) >= LEADER_PROBABILITY && sharedRounds(r) >= MIN_ROUNDS);
  let best = safe[0];
  if (best && safe.length > 1) {
    // Among racers within the verdict's threshold of the best estimate, the one changing fewest settings wins: a
    // race cannot tell such racers apart, and every extra change is another way to lose success (a two-setting
    // combination often carries a lowered limit along for a gain the confirm cannot see).
    const est = (r: Racer) => pairedComparison(observations(baseline), observations(r)).improvementPercentage;
    const top = est(best);
    const size = (r: Racer) => r.candidate?.settings.length ?? settingsChanged(base, r.config).length;
    const bestSize = size(best);
    const simpler = safe.filter((r) => est(r) >= top - input.threshold && size(r) < bestSize).sort((x, y) => size(x) - size(y) || est(y) - est(x))[0];
    if (simpler) best = simpler;
  }
  let winner: Racer | undefined;
  let noWinnerReason: string | undefined;
  // `safe` holds only racers above the success bar that measured better, so the best of them, if any, wins.
  if (best) winner = best;
  else if (finalRanked.length === 0) noWinnerReason = 'every candidate was eliminated: none beat the config in force';
  else if (!finalRanked.some(improves)) noWinnerReason = `no candidate left measured better than the config in force (best remaining: ${finalRanked[0]!.label})`;
  else noWinnerReason = `no candidate left both measured better than the config in force and is likely to keep its success rate (best remaining: ${finalRanked[0]!.label})`;
  if (winner) winner.status = 'winner';
  for (const r of alive()) if (r !== winner && r !== baseline) r.dropReason ??= 'still racing when the race ended; ranked below the winner';
  const report: RaceReport = {
    rounds: round,
    runs: spent,
    standings: [baseline, ...rank(racers.filter((r) => r !== baseline), baseline, margin), ...notRaced].map(standing),
    ...(winner ? { winner: winner.id } : { noWinnerReason: noWinnerReason! }), // without a winner, a reason was set above
  };
  const undecided = !winner && finalRanked.some((r) => inDoubt(r, baseline, margin));
  return { report, winner, baseline, undecided };
}

/**
 * For each member that recorded what it waited for (`MemberRecord.waitedFor`), the members it waited for in at
 * least half of the recorded runs that name it, with their counts.
 */
function waitsFor(history: readonly ExecutionRecord[]): Map<string, { on: Map<string, number>; of: number }> {
  const seen = new Map<string, { on: Map<string, number>; of: number }>();
  for (const rec of history) {
    for (const m of rec.members) {
      if (m.waitedFor === undefined) continue;
      const w = seen.get(m.memberId) ?? { on: new Map<string, number>(), of: 0 };
      w.of++;
      for (const dep of new Set(m.waitedFor)) if (dep !== m.memberId) w.on.set(dep, (w.on.get(dep) ?? 0) + 1);
      seen.set(m.memberId, w);
    }
  }
  for (const w of seen.values()) for (const [dep, n] of w.on) if (n * 2 < w.of) w.on.delete(dep);
  return seen;
}

/** Ids of the members enabled in `before` and not in `after` (for configs that list their members). */
function droppedMembers(before: TeamConfig, after: TeamConfig): string[] {
  if (!before.members || !after.members) return [];
  const on = new Set(after.members.filter((m) => m.enabled !== false).map((m) => m.id));
  return before.members.filter((m) => m.enabled !== false && !on.has(m.id)).map((m) => m.id);
}

function rateOf(r: Racer): number {
  const o = observations(r);
  return o.runs ? o.successes / o.runs : 0;
}

/** A racer's success rate shrunk towards the baseline's while it has few runs. */
function shrunkRate(r: Racer, baseline: Racer): number {
  const o = observations(r);
  const b = observations(baseline);
  const pb = b.runs ? b.successes / b.runs : 0.5;
  return (o.successes + SUCCESS_PRIOR_RUNS * pb) / (o.runs + SUCCESS_PRIOR_RUNS);
}

/**
 * A racer is below the success bar only when that is credible: the posterior probability that its success rate
 * is within the margin of the baseline's is under {@link FEASIBLE_PROBABILITY}. Judging on the point estimate
 * instead would drop a racer for one unlucky failure in fifteen runs; the confirm test's success check, on fresh
 * runs, is the stricter gate.
 */
function feasible(r: Racer, baseline: Racer, margin: number): boolean {
  if (r === baseline) return true;
  if (limitHitExcess(r, baseline)) return false;
  return successProbability(r, baseline, margin) >= FEASIBLE_PROBABILITY;
}

/** Posterior probability, from the rounds both ran, that the racer's success rate is within the margin. */
function successProbability(r: Racer, baseline: Racer, margin: number, evidence: 'all' | 'own-runs' = 'all'): number {
  if (r === baseline) return 1;
  // Paired on the rounds both ran, as the objective is: a round's shared conditions (and a seeded runner's shared
  // luck) fail both alike, so only the rounds where exactly one of them failed say which is less reliable.
  let lost = 0;
  let won = 0;
  let n = 0;
  for (let k = 0; k < Math.min(r.successes.length, baseline.successes.length); k++) {
    const a = baseline.successes[k];
    const c = r.successes[k];
    if (a === undefined || c === undefined) continue;
    n++;
    if (a && !c) lost++;
    if (c && !a) won++;
  }
  const paired = n === 0 ? 0.5 : pairedNoWorseProbability(won, lost, n, margin / 100);
  const outvoted = evidence === 'all' ? outvotedFailures(baseline.config, r.config, [...baseline.history, ...baseline.records], r.records) : undefined;
  return outvoted ? Math.min(paired, pairedNoWorseProbability(outvoted.won, outvoted.lost, outvoted.runs, margin / 100)) : paired;
}

/** Measured better than the config in force and above the success bar, but not yet likely safe enough to win. */
function inDoubt(r: Racer, baseline: Racer, margin: number): boolean {
  if (!feasible(r, baseline, margin) || pairedComparison(observations(baseline), observations(r)).improvementPercentage <= 0) return false;
  return successProbability(r, baseline, margin) < LEADER_PROBABILITY;
}

/** Rounds, of those both ran, in which `a` alone failed, less those in which `b` alone failed. */
function pairedFailureBalance(a: Racer, b: Racer): number {
  let balance = 0;
  for (let k = 0; k < Math.min(a.successes.length, b.successes.length); k++) {
    const x = a.successes[k];
    const y = b.successes[k];
    if (x === undefined || y === undefined || x === y) continue;
    balance += x ? -1 : 1;
  }
  return balance;
}

/**
 * Whether a racer that lowers a limit ended on it in more of the shared rounds than the config in force did (the
 * confirm's check, applied in the race so the budget is not spent confirming a cut the confirm would refuse).
 */
function limitHitExcess(r: Racer, baseline: Racer): { what: string; hits: number; baseHits: number; rounds: number } | undefined {
  if (r.tightened.length === 0) return undefined;
  let hits = 0;
  let baseHits = 0;
  let rounds = 0;
  // The config in force runs in every round, so its k-th race run is round k's.
  for (let k = 0; k < r.limitHits.length; k++) {
    const own = r.limitHits[k];
    const base = baseline.records[k];
    if (own === undefined || !base) continue;
    rounds++;
    if (own) hits++;
    if (base.limitHit !== undefined && (r.tightened as string[]).includes(base.limitHit)) baseHits++;
  }
  if (hits <= baseHits) return undefined;
  return { what: r.tightened.map((t) => (t === 'tool_budget' ? 'tool budget' : 'timeout')).join(' or '), hits, baseHits, rounds };
}

/** P(X <= s) for X ~ Binomial(n, p). */
function binomialLowerTail(s: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return s >= n ? 1 : 0;
  let sum = 0;
  let logC = 0;
  for (let k = 0; k <= s; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    sum += Math.exp(logC + k * Math.log(p) + (n - k) * Math.log(1 - p));
  }
  return Math.min(1, sum);
}

/** Feasible racers by estimated improvement, then the others by how far below the success bar they are. */
function rank(racers: Racer[], baseline: Racer, margin: number): Racer[] {
  const b = observations(baseline);
  const scored = racers.map((r) => ({ r, ok: feasible(r, baseline, margin), imp: pairedComparison(b, observations(r)).improvementPercentage, gap: rateOf(baseline) - margin / 100 - shrunkRate(r, baseline) }));
  scored.sort((x, y) => {
    if (x.r.status === 'eliminated' && y.r.status !== 'eliminated') return 1;
    if (y.r.status === 'eliminated' && x.r.status !== 'eliminated') return -1;
    if (x.ok !== y.ok) return x.ok ? -1 : 1;
    return x.ok ? y.imp - x.imp : x.gap - y.gap;
  });
  return scored.map((s) => s.r);
}

export function standingOf(r: Racer, baseline: Racer, base: TeamConfig, margin: number): RaceStanding {
  const o = observations(r);
  const c = r === baseline ? undefined : pairedComparison(observations(baseline), o);
  return {
    id: r.id,
    label: r.label,
    source: r.source,
    ...(r.strategy ? { strategy: r.strategy } : {}),
    config: r.config,
    changes: describeChanges(base, r.config),
    runs: o.runs,
    successes: o.successes,
    successRate: o.runs ? o.successes / o.runs : 0,
    improvementPercentage: c ? c.improvementPercentage : 0,
    rounds: c ? c.rounds : r.values.filter((v) => v !== undefined).length,
    feasible: r === baseline || feasible(r, baseline, margin),
    status: r.status,
    ...(r.eliminatedAfterRound !== undefined ? { eliminatedAfterRound: r.eliminatedAfterRound } : {}),
    ...(r.dropReason ? { dropReason: r.dropReason } : {}),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
