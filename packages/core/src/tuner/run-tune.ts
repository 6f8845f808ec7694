import { MIN_RUNS_PER_ARM, type Verdict } from '@autotune/abtest';
import { configFingerprint } from '@autotune/metrics';
import type { TeamConfig } from '@autotune/strategies';
import { confirmWinner, successPairs, SUCCESS_CONFIDENCE } from './confirm';
import { extendRace, MIN_ROUNDS, MIN_STEP_RUNS, openRace, reopenRace, runRace, settingValue, type RaceState, type RefusedChange } from './race';
import { settingsChanged } from './search-space';
import type { RunLog } from './trials';
import type { TuneEngineInput, TuneStep } from './tune-types';

export { TuneCancelled } from './trials';

/** Times a race without a winner goes on while some racer measured better but is not yet likely safe. */
const MAX_EXTENSIONS = 2;
/** Races again from the same config after a confirm refused its winner for success or a guardrail. */
const MAX_RETRIES = 2;

/** What the engine hands back: the steps and the runs (for the caller to store once the tune is over). */
export interface EngineResult {
  steps: TuneStep[];
  finalConfig: TeamConfig;
  runsUsed: number;
  stopReason: string;
  /** Every new run, with the label of what it was for. */
  records: RunLog;
}

/**
 * The tuner: races the neighbourhood of the config in force, confirms the winner with a fresh A/B test, and
 * climbs from each confirmed change while the budget lasts. docs/statistics.md describes the rules.
 */
export async function runTuneEngine(input: TuneEngineInput): Promise<EngineResult> {
  const steps: TuneStep[] = [];
  const records: EngineResult['records'] = [];
  let used = 0;
  let current = input.base;
  let history = input.history;
  const tried = new Set<string>();
  /**
   * Changes of winners a confirm refused (setting and value): no later racer makes one of them, in this step or
   * later ones of the climb (a formation that lost success from one config is no safer from its neighbour).
   */
  const refused: RefusedChange[] = [];
  let stopReason = 'the budget is spent';
  let retries = 0;
  let raceState: RaceState | undefined;
  let extensions = 0;
  for (let step = 0; ; step++) {
    const left = input.budget - used;
    if (left < MIN_STEP_RUNS) {
      stopReason = used === 0 ? `a budget of ${input.budget} runs is below the ${MIN_STEP_RUNS} a race and its confirm test need` : `${left} runs left, below the ${MIN_STEP_RUNS} a step needs`;
      break;
    }
    // A large budget is spread over several steps of the climb; a small one goes to one step.
    const stepBudget = left >= 250 ? Math.ceil(left * 0.6) : left;
    // The confirm needs room for the pairs its success check needs (successPairs), less the rounds a race gives.
    const confirmReserve = Math.max(2 * MIN_RUNS_PER_ARM, Math.round(stepBudget * 0.35), 2 * (successPairs(SUCCESS_CONFIDENCE, input.successMargin) - MIN_ROUNDS));
    const raceBudget = stepBudget - confirmReserve;
    await input.prepareStep?.(current);
    // A race again from the same config (after a refused confirm) continues the last one.
    raceState ??= openRace(input, step, current, history, raceBudget, tried, refused);
    const race = await runRace(input, raceState, step, raceBudget, refused, (n) => (used += n), records);
    const stepReport: TuneStep = { from: current, race: race.report, kept: false };
    steps.push(stepReport);
    const winner = race.winner;
    if (!winner) {
      stopReason = race.report.noWinnerReason ?? 'no candidate beat the config in force';
      input.onEvent?.({ type: 'step-done', step, kept: false, reason: stopReason });
      // Racers that measured better but are not yet likely safe on success need more rounds, not a new race:
      // with budget for another race and its confirm, the same race goes on.
      if (race.undecided && input.budget - used >= 2 * MIN_STEP_RUNS && extensions < MAX_EXTENSIONS) {
        extensions++;
        extendRace(raceState, input.successMargin);
        continue;
      }
      break;
    }
    tried.add(configFingerprint(winner.config));
    const confirm = await confirmWinner(input, step, current, history, race, input.budget - used);
    used += confirm.runs;
    for (const s of [...confirm.report.result.baseline, ...confirm.report.result.candidate]) records.push({ record: s.record, purpose: `tune step ${step + 1}: confirm ${s.arm}` });
    for (const x of confirm.extra) {
      records.push({ record: x.baseline, purpose: `tune step ${step + 1}: confirm success check baseline` });
      records.push({ record: x.candidate, purpose: `tune step ${step + 1}: confirm success check candidate` });
    }
    stepReport.confirm = confirm.report;
    input.onEvent?.({ type: 'step-done', step, kept: confirm.report.kept, reason: confirm.report.reason });
    if (!confirm.report.kept) {
      stopReason = `the confirm test of the race's winner did not pass: ${confirm.report.reason}`;
      // Another race from the same config only when this confirm found the objective significantly better and
      // refused the change for its success rate or a guardrail: a tune that keeps a change then needed a passing
      // objective test in its first confirm from this config, so in an A/A world it keeps one at most alpha of
      // the time however many confirms follow (docs/statistics.md, section 8).
      if (objectiveConfirmed(confirm.report.verdict, input) && retries < MAX_RETRIES) {
        retries++;
        // A single change is refused as such; of a combination, its formation switch (the setting that decides how
        // members' failures add up, and where every success loss the bench found came from), while the combination
        // itself is never raced again (it is in `tried`).
        const changes = settingsChanged(current, winner.config);
        for (const setting of changes) {
          if (changes.length === 1 || setting === 'formation') refused.push({ setting, value: settingValue(winner.config, setting) });
        }
        reopenRace(raceState, winner, refused);
        continue;
      }
      break;
    }
    retries = 0;
    extensions = 0;
    raceState = undefined;
    stepReport.kept = true;
    stepReport.to = winner.config;
    current = winner.config;
    // The new config's history is its fresh confirm runs: unbiased, unlike its race runs.
    history = confirm.report.result.candidate.map((s) => s.record);
  }
  return { steps, finalConfig: current, runsUsed: used, stopReason, records };
}

/**
 * Whether a confirm's objective test passed on its own (significant and at least the threshold), whatever the
 * success check and guardrails then said.
 */
function objectiveConfirmed(verdict: Verdict, input: TuneEngineInput): boolean {
  if (verdict.status === 'passed') return true;
  const p = verdict.tests.welch?.pValue;
  return verdict.improvementPercentage !== null && verdict.improvementPercentage >= input.threshold && p !== undefined && p <= input.alpha;
}
