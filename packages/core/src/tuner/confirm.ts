import { evaluateExperiment, pairedComparison, MIN_RUNS_PER_ARM, type ExperimentResult, type Verdict } from '@autotune/abtest';
import { createRng, normalQuantile, requiredRunsPerArm } from '@autotune/stats';
import type { ExecutionRecord } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { MIN_STEP_RUNS, observations, standingOf, successesOf, type RaceOutcome } from './race';
import { outvotedFailures, pairedNoWorseProbability, successTestPower } from './success-check';
import { runTrials, type TrialJob } from './trials';
import type { ConfirmReport, TuneEngineInput } from './tune-types';

/** Probability that the candidate's success rate is within the margin, required to keep it after its confirm. */
export const SUCCESS_CONFIDENCE = 0.7;
/** Batches of extra pairs a confirm may add for its success check when the verdict passed and success is in doubt. */
const MAX_SUCCESS_BATCHES = 2;
/** A success check this probable needs no extra pairs. */
const DECISIVE_SUCCESS = 0.9;

/**
 * The confirm test: a fresh A/B test of the winner against the config in force (new runs for both arms, none
 * from the race), judged by the existing verdict, plus a success-rate check on all the evidence.
 */
export async function confirmWinner(
  input: TuneEngineInput,
  step: number,
  base: TeamConfig,
  history: readonly ExecutionRecord[],
  race: RaceOutcome,
  left: number,
): Promise<{ report: ConfirmReport; runs: number; extra: Array<{ baseline: ExecutionRecord; candidate: ExecutionRecord }> }> {
  const winner = race.winner!;
  const metric = input.objective === 'cost' ? 'cost' : 'duration';
  const needed = SUCCESS_CONFIDENCE;
  const runsPerArm = confirmSize(input, race, left);
  input.onEvent?.({ type: 'confirm-start', step, runsPerArm, candidate: standingOf(winner, race.baseline, base, input.successMargin) });
  const seed = (input.seed + 15485863 * (step + 1)) >>> 0;
  // Fresh runs in pairs: pair k runs the config in force and the winner with the same trial seed, in a seeded
  // random order, at about the same time, so the pair shares its conditions (the race's blocking, kept for the
  // confirm). The verdict judges the two arms as any A/B test; the success check also uses the pairing.
  const order = createRng(seed);
  /** Pairs `first` .. `first + count - 1`, each as two jobs in a seeded random order. */
  const pairJobs = (first: number, count: number): Array<TrialJob & { arm: 'baseline' | 'candidate' }> => {
    const out: Array<TrialJob & { arm: 'baseline' | 'candidate' }> = [];
    for (let k = first; k < first + count; k++) {
      const pair = order.next() < 0.5 ? (['baseline', 'candidate'] as const) : (['candidate', 'baseline'] as const);
      for (const arm of pair) out.push({ config: arm === 'baseline' ? base : winner.config, trial: 1_000_000 + k, seed: (seed + 31 * k) >>> 0, arm });
    }
    return out;
  };
  const jobs = pairJobs(0, runsPerArm);
  const startedAt = new Date().toISOString();
  let done = 0;
  const recs = await runTrials(input, jobs, () => input.onEvent?.({ type: 'confirm-progress', step, completed: ++done, total: jobs.length }));
  const samples = jobs.map((j, i) => ({ arm: j.arm, trial: i, record: recs[i]! })); // one record per job
  const result: ExperimentResult = {
    teamId: input.teamId,
    baseline: samples.filter((x) => x.arm === 'baseline'),
    candidate: samples.filter((x) => x.arm === 'candidate'),
    runsPerArm,
    seed,
    startedAt,
    finishedAt: new Date().toISOString(),
    cancelled: false,
    order: 'interleaved',
  };
  let verdict: Verdict = evaluateExperiment(result, { threshold: input.threshold, alpha: input.alpha, metric, seed });
  if (input.reviewVerdict) verdict = input.reviewVerdict(verdict, result, base, winner.config);
  // Success: paired where runs were paired (the race's shared rounds and the confirm's pairs), since a pair's shared
  // conditions fail both alike and only the pairs where one of them failed compare them.
  const extra: Array<{ baseline: ExecutionRecord; candidate: ExecutionRecord }> = [];
  const judgeSuccess = () => {
    const confirmPairs = [...result.baseline.map((x, k) => ({ baseline: x.record, candidate: result.candidate[k]!.record })), ...extra];
    const baseRuns = [...history, ...race.baseline.records, ...confirmPairs.map((x) => x.baseline)];
    const candRuns = [...winner.records, ...confirmPairs.map((x) => x.candidate)];
    const t = { lost: 0, won: 0, pairs: 0 };
    const tally = (a: boolean | undefined, c: boolean | undefined) => {
      if (a === undefined || c === undefined) return;
      t.pairs++;
      if (a && !c) t.lost++;
      if (c && !a) t.won++;
    };
    for (let k = 0; k < Math.min(race.baseline.successes.length, winner.successes.length); k++) tally(race.baseline.successes[k], winner.successes[k]);
    for (const x of confirmPairs) tally(x.baseline.success === true, x.candidate.success === true);
    const paired = pairedNoWorseProbability(t.won, t.lost, t.pairs, input.successMargin / 100);
    const outvoted = outvotedFailures(base, winner.config, baseRuns, candRuns);
    const outvotedP = outvoted ? pairedNoWorseProbability(outvoted.won, outvoted.lost, outvoted.runs, input.successMargin / 100) : 1;
    return { ...t, baseRuns, candRuns, paired, outvoted, outvotedP, probability: Math.min(paired, outvotedP) };
  };
  let success = judgeSuccess();
  // The verdict passed but the success rate is in doubt: more pairs, for the success check only (the verdict
  // stays on its planned runs). More evidence can only refuse what the verdict passed, so the A/A bound holds;
  // a config a few points worse drifts below the bar as pairs accrue, a config no worse drifts up.
  const batch = Math.max(MIN_RUNS_PER_ARM, Math.ceil(runsPerArm / 2));
  for (let b = 0; b < MAX_SUCCESS_BATCHES && verdict.status === 'passed' && success.probability >= needed && success.probability < DECISIVE_SUCCESS; b++) {
    if (left - 2 * (runsPerArm + extra.length) - 2 * batch < MIN_STEP_RUNS) break;
    const more = pairJobs(runsPerArm + extra.length, batch);
    const got = await runTrials(input, more);
    for (let k = 0; k < batch; k++) {
      // Jobs 2k and 2k + 1 are pair k, in either order.
      const first = { arm: more[2 * k]!.arm, record: got[2 * k]! };
      const second = got[2 * k + 1]!;
      extra.push(first.arm === 'baseline' ? { baseline: first.record, candidate: second } : { baseline: second, candidate: first.record });
    }
    success = judgeSuccess();
  }
  const { lost, won, pairs, baseRuns, candRuns, outvoted } = success;
  const pairedProbability = success.paired;
  const outvotedProbability = success.outvotedP;
  const probabilityNoWorse = success.probability;
  const bs = successesOf(baseRuns);
  const cs = successesOf(candRuns);
  const successPassed = probabilityNoWorse >= needed;
  const kept = verdict.status === 'passed' && successPassed;
  const reason =
    verdict.status !== 'passed'
      ? `${verdict.status}: ${verdict.reason}`
      : successPassed
        ? `passed: ${verdict.reason}`
        : outvoted && outvotedProbability < pairedProbability
          ? `the verdict passed, but the success rate may be more than ${input.successMargin} points lower: in ${outvoted.runs} runs of the consensus config, ${outvoted.lost} succeeded although members the candidate keeps would not have carried them (outvoted), and ${outvoted.won} failed although they would have; probability within the margin ${(100 * outvotedProbability).toFixed(0)}%, ${(100 * needed).toFixed(0)}% needed`
          : `the verdict passed, but the success rate may be more than ${input.successMargin} points lower (in ${pairs} paired runs the candidate alone failed ${lost} times and alone succeeded ${won} times; probability within the margin ${(100 * probabilityNoWorse).toFixed(0)}%, ${(100 * needed).toFixed(0)}% needed)`;
  const baseRate = bs / baseRuns.length;
  return {
    runs: result.baseline.length + result.candidate.length + 2 * extra.length,
    extra,
    report: {
      runsPerArm,
      verdict,
      result,
      successCheck: { baselineRate: baseRate, candidateRate: cs / candRuns.length, probabilityNoWorse, passed: successPassed, extraPairs: extra.length },
      powerTenPointLoss: successTestPower(baseRate, runsPerArm, input.alpha),
      kept,
      reason,
    },
  };
}

/**
 * Pairs enough that a winner that never fails alone can pass the success check at `confidence`: with none of n
 * pairs discordant its probability is Phi(margin * n) (pairedNoWorseProbability).
 */
export function successPairs(confidence: number, marginPoints: number): number {
  return Math.ceil(normalQuantile(confidence) / (marginPoints / 100));
}

/**
 * Runs per arm of the confirm test: enough for 90% power at the race's effect estimate, shrunk by one standard
 * error (the winner of a race is the one that got lucky too), within what is left of the budget. With room to
 * spare, the rest goes to the next step of the climb.
 */
function confirmSize(input: TuneEngineInput, race: RaceOutcome, left: number): number {
  const most = Math.floor(left / 2);
  const winner = race.winner!;
  const c = pairedComparison(observations(race.baseline), observations(winner));
  const se = c.rounds > 1 && c.referenceMean > 0 ? (c.sdDifference / Math.sqrt(c.rounds) / c.referenceMean) * 100 : c.improvementPercentage;
  const effect = Math.max(c.improvementPercentage - se, input.threshold + 2, c.improvementPercentage / 2);
  const values = [...race.baseline.values, ...winner.values].filter((v): v is number => v !== undefined);
  const m = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, values.length - 1));
  const baseMean = c.referenceMean || m;
  let needed = most;
  if (sd > 0 && baseMean > 0) {
    // The verdict needs the improvement above its threshold: power is planned for the part above it.
    const d = (((effect - input.threshold / 2) / 100) * baseMean) / sd;
    if (d > 0) needed = requiredRunsPerArm({ effectSize: d, alpha: input.alpha, power: 0.9, alternative: 'greater' });
  }
  const planned = Math.max(MIN_RUNS_PER_ARM, Math.min(most, Math.max(needed, 15, successPairs(SUCCESS_CONFIDENCE, input.successMargin) - c.rounds)));
  return Math.min(planned, Math.max(MIN_RUNS_PER_ARM, most));
}
