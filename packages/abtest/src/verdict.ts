import { OUTCOME_METRICS } from '@autotune/metrics';
import { barnardExact, bootstrapCI, fisherExact, mannWhitneyU, mean, quantileRatioTest, requiredRunsPerArm, successLossPower, variance, welchTTest } from '@autotune/stats';
import { armMetrics, type ArmMetrics } from './arm-metrics';
import { AbtestError, invalidInput } from './errors';
import type { ExperimentMetric, ExperimentResult, GuardrailLimits } from './experiment-types';
import { checkSeed, integerAtLeast, oneOf, openUnit } from './internal/validate';
import type { TrialSample } from './trial-sample';
import type { EvaluateOptions, Verdict, VerdictReasonCode } from './verdict-types';

export const DEFAULT_GUARDRAILS: Required<GuardrailLimits> = { maxSuccessRateDrop: 10, maxP95Increase: 50, maxLimitHitIncrease: 15 };

/** Settings a verdict is judged with, validated. */
export interface JudgeSettings {
  metric: ExperimentMetric;
  threshold: number;
  alpha: number;
  guardrails: Required<GuardrailLimits>;
}

/** Validates the judging options shared by `evaluateExperiment` and early stopping. */
export function judgeSettings(o: { threshold?: number; alpha?: number; metric?: ExperimentMetric; guardrails?: GuardrailLimits }, prefix: string): JudgeSettings {
  const threshold = o.threshold ?? 5;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) throw invalidInput(`${prefix}.threshold`, `expected a percentage >= 0, got ${String(threshold)}`);
  const alpha = o.alpha === undefined ? 0.05 : openUnit(o.alpha, `${prefix}.alpha`);
  const metric = o.metric === undefined ? 'duration' : oneOf(o.metric, `${prefix}.metric`, OUTCOME_METRICS);
  const g = { ...DEFAULT_GUARDRAILS, ...(o.guardrails ?? {}) };
  for (const [k, v] of Object.entries(g)) {
    if (typeof v !== 'number' || !(v >= 0)) throw invalidInput(`${prefix}.guardrails.${k}`, `expected a number >= 0, got ${String(v)}`);
  }
  return { threshold, alpha, metric, guardrails: g };
}

/**
 * Judges an experiment: `passed`, `failed` or `inconclusive`, with every number behind it.
 *
 * The rules, in order (docs/statistics.md explains them):
 * 1. Fewer than 2 runs in an arm, or the metric missing: `inconclusive` (`insufficient_data`), unless a
 *    guardrail below already fails it.
 * 2. `failed` when a guardrail is breached (success rate down more than 10 points, P95 duration up more than
 *    50%), or the candidate is significantly worse: the deciding test one-sided in the regression direction at
 *    alpha, or its success rate significantly lower (Fisher, one-sided, at alpha). A candidate that merely
 *    measured worse, without significance, is `inconclusive` (`measured_worse`), not `failed`.
 * 3. `passed` when the improvement is at least `threshold` and significant: the deciding test, one-sided in the
 *    improving direction, has p <= alpha. The deciding test is Welch's t-test on the metric over all runs
 *    (failed runs count with the time until they failed) for duration and cost, Fisher's exact test for success
 *    rate. Mann-Whitney is reported beside Welch as a check that does not assume normality.
 * 4. Otherwise `inconclusive`: below the threshold, not significant, or measured worse without significance,
 *    with the runs per arm that would likely decide (80% power).
 *
 * For an experiment run with early stopping the significance level of step 3 is the design's nominal level
 * at the look the data reached, so that the overall false-pass rate stays at alpha.
 *
 * @throws AbtestError `ABTEST_INVALID_INPUT` for an empty arm, a bad option, or options that contradict the
 *   sequential design the experiment ran under.
 */
export function evaluateExperiment(result: ExperimentResult, options: EvaluateOptions = {}): Verdict {
  if (!result || !Array.isArray(result.baseline) || !Array.isArray(result.candidate)) throw invalidInput('result', 'expected an ExperimentResult with baseline and candidate samples');
  if (result.baseline.length === 0 || result.candidate.length === 0) {
    throw invalidInput('result', `each arm needs at least one sample (baseline has ${result.baseline.length}, candidate ${result.candidate.length})`);
  }
  const design = result.sequential;
  let settings: JudgeSettings;
  let passAlpha: number | undefined;
  let sequential: Verdict['sequential'];
  if (design) {
    const conflicts = (['threshold', 'alpha', 'metric'] as const).filter((k) => options[k] !== undefined && options[k] !== design[k]);
    if (conflicts.length > 0) {
      throw new AbtestError(
        'ABTEST_INVALID_INPUT',
        `the experiment ran with early stopping designed for ${conflicts.map((k) => `${k} = ${design[k]}`).join(', ')}; evaluate it with the same settings (or omit them)`,
        { location: { field: `options.${conflicts[0]}` } },
      );
    }
    settings = judgeSettings({ ...design, guardrails: options.guardrails ?? design.guardrails }, 'options');
    const n = Math.min(result.baseline.length, result.candidate.length);
    const k = design.looks.indexOf(n);
    // Data that matches no look (edited by hand) gets the strictest nominal level.
    const nominalAlpha = (k >= 0 ? design.nominalAlpha[k] : undefined) ?? Math.min(...design.nominalAlpha);
    passAlpha = nominalAlpha;
    sequential = { look: k >= 0 ? k + 1 : design.looks.length, looks: design.looks.length, nominalAlpha, stoppedEarly: result.stoppedEarly !== undefined };
  } else {
    settings = judgeSettings(options, 'options');
  }
  const seed = options.seed === undefined ? (Number.isSafeInteger(result.seed) ? result.seed : 0) : checkSeed(options.seed, 'options.seed');
  const resamples = options.resamples === undefined ? 9999 : integerAtLeast(options.resamples, 'options.resamples', 100);
  const confidenceLevel = options.confidenceLevel === undefined ? 0.95 : openUnit(options.confidenceLevel, 'options.confidenceLevel');
  return judge(result.baseline, result.candidate, settings, { passAlpha, seed, bootstrap: { seed, resamples, confidenceLevel }, sequential });
}

/** Extra inputs of {@link judge}. */
export interface JudgeExtras {
  /** Significance level for passing (the nominal level of a sequential look); default `settings.alpha`. */
  passAlpha?: number | undefined;
  /** Seed of the P95 guardrail's permutation test; default the bootstrap's seed, else 0. */
  seed?: number | undefined;
  /** Omit to skip the bootstrap (interim looks do not need it). */
  bootstrap?: { seed: number; resamples: number; confidenceLevel: number };
  sequential?: Verdict['sequential'] | undefined;
  /** Compute `recommendedRunsPerArm` (default true; interim looks skip it). */
  recommend?: boolean;
}

/** The verdict logic shared by `evaluateExperiment` and the interim looks of early stopping. */
export function judge(baselineSamples: readonly TrialSample[], candidateSamples: readonly TrialSample[], settings: JudgeSettings, extras: JudgeExtras = {}): Verdict {
  const { metric, threshold, alpha, guardrails } = settings;
  const passAlpha = extras.passAlpha ?? alpha;
  const before = armMetrics(baselineSamples);
  const after = armMetrics(candidateSamples);
  const codes: VerdictReasonCode[] = [];
  const tests: Verdict['tests'] = {};

  // Guardrails are tests, not thresholds on estimates: each fails the candidate only when the evidence says the
  // harm exceeds its limit (one-sided, at alpha), so a truly harmless change trips it at most alpha of the time
  // even at the limit's edge, and far less often in an A/A experiment. docs/statistics.md gives the error rates.
  // Integer arithmetic first, so 10/10 against 8/10 is a drop of exactly 20 points.
  const drop = ((before.successes * after.runs - after.successes * before.runs) * 100) / (before.runs * after.runs);
  const successTable = (): [[number, number], [number, number]] => [
    [after.successes, after.runs - after.successes],
    [before.successes, before.runs - before.successes],
  ];
  const fisherWorse = fisherExact(successTable(), { alternative: 'less' });
  const p95Value = before.p95 > 0 ? ((after.p95 - before.p95) / before.p95) * 100 : after.p95 > 0 ? 100 * (after.p95 / Number.EPSILON) : 0;
  const guards: Verdict['guardrails'] = {
    successRateDrop: successGuard(successTable(), drop, guardrails.maxSuccessRateDrop, alpha, fisherWorse.pValue),
    p95Increase: p95Guard(baselineSamples, candidateSamples, p95Value, guardrails.maxP95Increase, alpha, extras.seed ?? extras.bootstrap?.seed ?? 0),
    limitHitIncrease: limitHitCheck(before, after, guardrails.maxLimitHitIncrease),
  };
  if (guards.successRateDrop.breached) codes.push('guardrail_success_rate');
  if (guards.p95Increase.breached) codes.push('guardrail_p95');
  if (guards.limitHitIncrease.breached) codes.push('guardrail_limit_hits');

  const base = metricValues(baselineSamples, metric);
  const cand = metricValues(candidateSamples, metric);
  const decidedBy = metric === 'success_rate' ? 'fisher' : 'welch';
  let improvement = 0;
  let improvingP = 1;
  let regressionP = 1;
  let constant = false;
  const enough = before.runs >= 2 && after.runs >= 2 && base.length >= 2 && cand.length >= 2;
  const baseMean = base.length > 0 ? mean(base) : 0;
  const usable = enough && (metric === 'success_rate' || baseMean > 0);

  if (usable && metric === 'success_rate') {
    improvement = drop === 0 ? 0 : -drop;
    const better = fisherExact(successTable(), { alternative: 'greater' });
    tests.fisher = { ...better, alternative: 'greater' };
    improvingP = better.pValue;
    regressionP = fisherWorse.pValue;
  } else if (usable) {
    const candMean = mean(cand);
    improvement = ((baseMean - candMean) / baseMean) * 100;
    const w = welchTTest(cand, base, { alternative: 'less' });
    // Both arms constant: the difference, if any, is exact, and Welch's test decides by it (p = 0 or 1).
    constant = w.standardError === 0;
    if (!constant) tests.welch = { ...w, alternative: 'less' };
    improvingP = w.pValue;
    regressionP = welchTTest(cand, base, { alternative: 'greater' }).pValue;
    tests.mannWhitney = { ...mannWhitneyU(cand, base, { alternative: 'less' }), alternative: 'less' };
    tests.fisher = { ...fisherExact(successTable(), { alternative: 'greater' }), alternative: 'greater' };
  }

  // Regressions are judged at the plain alpha at every look, as a fixed design of that size would judge them:
  // missing a real regression (no rollback) costs more than a false alarm. docs/statistics.md gives the
  // resulting false-fail rate with early stopping.
  if (usable && regressionP <= alpha) codes.push('significant_regression');
  if (metric !== 'success_rate' && fisherWorse.pValue <= alpha) codes.push('success_rate_regression');
  const failed = codes.length > 0;
  let status: Verdict['status'];
  if (failed) status = 'failed';
  else if (!usable) {
    status = 'inconclusive';
    codes.push('insufficient_data');
  } else if (improvingP <= passAlpha && improvement >= threshold) {
    status = 'passed';
    codes.push('significant_improvement');
  } else {
    status = 'inconclusive';
    if (improvement < 0) codes.push('measured_worse');
    else if (improvement < threshold) codes.push('below_threshold');
    if (improvingP > passAlpha) codes.push('not_significant');
  }

  const verdict: Verdict = {
    status,
    metric,
    improvementPercentage: usable ? improvement : null,
    threshold,
    alpha,
    before,
    after,
    tests,
    decidedBy,
    regressionPValue: regressionP,
    bootstrap: usable ? { estimate: improvement, low: improvement, high: improvement, confidenceLevel: extras.bootstrap?.confidenceLevel ?? 0.95, resamples: 0, method: 'none' } : null,
    guardrails: guards,
    reason: '',
    reasonCodes: codes,
    explanation: '',
  };
  if (usable && extras.bootstrap) verdict.bootstrap = improvementInterval(base, cand, metric, baseMean, extras.bootstrap);
  if (extras.recommend !== false && status === 'inconclusive' && usable && codes.includes('not_significant')) {
    const needed = runsToDecide(base, cand, metric, Math.max(improvement, threshold), before, passAlpha);
    // requiredRunsPerArm never answers fewer runs than an experiment may have (MIN_RUNS_PER_ARM).
    if (needed !== undefined) verdict.recommendedRunsPerArm = needed;
  }
  if (extras.sequential) verdict.sequential = extras.sequential;
  verdict.reason = reasonText(verdict, passAlpha, constant);
  verdict.explanation = explanationText(verdict, passAlpha, constant);
  return verdict;
}

function metricValues(samples: readonly TrialSample[], metric: ExperimentMetric): number[] {
  if (metric === 'success_rate') return samples.map((s) => (s.record.success === true ? 1 : 0));
  if (metric === 'duration') return samples.map((s) => s.record.durationSeconds);
  return samples.map((s) => s.record.costUsd).filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
}

function improvementInterval(base: number[], cand: number[], metric: ExperimentMetric, baseMean: number, o: { seed: number; resamples: number; confidenceLevel: number }): Verdict['bootstrap'] {
  // The interval method is bootstrapCI's default (percentile), chosen by measured coverage.
  const interval = (a: number[], b: number[]) => bootstrapCI(a, b, { statistic: 'mean', seed: o.seed, resamples: o.resamples, confidenceLevel: o.confidenceLevel });
  if (metric === 'success_rate') {
    // Candidate minus baseline, in percentage points: higher is better.
    const b = interval(cand, base);
    return { ...b, estimate: b.estimate * 100, low: b.low * 100, high: b.high * 100 };
  }
  // Baseline minus candidate, as percent of the baseline: "percent better than baseline" (lower is better).
  const b = interval(base, cand);
  const pct = (d: number): number => (d / baseMean) * 100;
  return { ...b, estimate: pct(b.estimate), low: pct(b.low), high: pct(b.high) };
}

function runsToDecide(base: number[], cand: number[], metric: ExperimentMetric, target: number, before: ArmMetrics, alpha: number): number | undefined {
  if (!(target > 0)) return undefined;
  let effectSize: number;
  if (metric === 'success_rate') {
    const p1 = before.successRate;
    const p2 = Math.min(1, p1 + target / 100);
    // Cohen's h: the variance-stabilised difference of two proportions, used as a t-test effect size.
    effectSize = 2 * Math.asin(Math.sqrt(p2)) - 2 * Math.asin(Math.sqrt(p1));
  } else {
    const sd = Math.sqrt((variance(base) + variance(cand)) / 2);
    effectSize = ((target / 100) * mean(base)) / sd;
  }
  if (!(effectSize > 0) || !Number.isFinite(effectSize)) return undefined;
  return requiredRunsPerArm({ effectSize, alpha, power: 0.8, alternative: 'greater' });
}

const METRIC_WORDS: Record<ExperimentMetric, { noun: string; better: string; worse: string; unit: string }> = {
  duration: { noun: 'duration', better: 'faster', worse: 'slower', unit: '%' },
  cost: { noun: 'cost', better: 'cheaper', worse: 'more expensive', unit: '%' },
  success_rate: { noun: 'success rate', better: 'more successful', worse: 'less successful', unit: ' points' },
};

function pct(v: number, digits = 1): string {
  return `${v.toFixed(digits)}`;
}

function pFmt(p: number): string {
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p < 0.01 ? p.toFixed(4) : p.toFixed(3)}`;
}

/** A significance level without trailing zeros: 0.05, 0.0161. */
function level(a: number): string {
  return String(Number(a.toPrecision(3)));
}

function reasonText(v: Verdict, passAlpha: number, constant: boolean): string {
  const w = METRIC_WORDS[v.metric];
  const parts: string[] = [];
  // Only the codes of a measured comparison print `imp`; an unmeasured one reads n/a, never 0.0.
  const imp = v.improvementPercentage === null ? 'n/a' : `${pct(Math.abs(v.improvementPercentage))}${w.unit}`;
  const test = v.decidedBy === 'welch' ? (constant ? 'both arms constant' : `Welch ${pFmt(v.tests.welch?.pValue ?? 1)}`) : `Fisher ${pFmt(v.tests.fisher?.pValue ?? 1)}`;
  for (const code of v.reasonCodes) {
    switch (code) {
      case 'significant_improvement':
        parts.push(`${imp} ${w.better}, at least the ${v.threshold}${w.unit} threshold, and significant (${test}, at most alpha ${level(passAlpha)})`);
        break;
      case 'below_threshold':
        parts.push(`${imp} ${w.better} is below the ${v.threshold}${w.unit} threshold`);
        break;
      case 'not_significant':
        parts.push(`the improvement is not significant (${test}, above alpha ${level(passAlpha)})`);
        break;
      case 'measured_worse':
        parts.push(`the candidate measured ${imp} ${w.worse}, though not significantly`);
        break;
      case 'significant_regression':
        parts.push(`the candidate is significantly ${w.worse} (${imp}, one-sided ${pFmt(v.regressionPValue)})`);
        break;
      case 'success_rate_regression':
        parts.push(`the success rate fell significantly (${pct(v.before.successRate * 100, 0)}% to ${pct(v.after.successRate * 100, 0)}%, Fisher ${pFmt(v.guardrails.successRateDrop.pValue)})`);
        break;
      case 'guardrail_success_rate':
        parts.push(
          `guardrail: success rate down ${pct(v.guardrails.successRateDrop.value)} points, significantly more than the limit of ${v.guardrails.successRateDrop.limit} (one-sided ${pFmt(v.guardrails.successRateDrop.marginPValue)})`,
        );
        break;
      case 'guardrail_p95':
        parts.push(`guardrail: P95 duration up ${pct(v.guardrails.p95Increase.value)}%, significantly more than the limit of ${v.guardrails.p95Increase.limit}% (one-sided ${pFmt(v.guardrails.p95Increase.pValue)})`);
        break;
      case 'guardrail_limit_hits':
        parts.push(
          `guardrail: ${v.after.limitHits} of ${v.after.runs} candidate runs ended on a limit against ${v.before.limitHits} of ${v.before.runs} ` +
            `(up ${pct(v.guardrails.limitHitIncrease.value)} points, limit ${v.guardrails.limitHitIncrease.limit}): the new limit is too tight`,
        );
        break;
      case 'insufficient_data':
        parts.push(
          v.before.runs < 2 || v.after.runs < 2
            ? `too few runs to compare (${v.before.runs} baseline, ${v.after.runs} candidate; at least 2 each, 10 recommended)`
            : v.metric === 'cost'
              ? `cost was not recorded on at least 2 runs per arm (${v.before.costRuns} baseline, ${v.after.costRuns} candidate)`
              : `the baseline's mean ${w.noun} is 0, so a percentage change is undefined`,
        );
        break;
    }
  }
  let text = parts.join('; ');
  if (v.recommendedRunsPerArm !== undefined) text += `; about ${v.recommendedRunsPerArm} runs per arm would likely decide it`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A power as a percentage: "4.5%", "62%". */
function powerText(p: number): string {
  return p < 0.1 ? `${(p * 100).toFixed(1)}%` : `${(p * 100).toFixed(0)}%`;
}

function seconds(s: number): string {
  return s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`;
}

function explanationText(v: Verdict, passAlpha: number, constant: boolean): string {
  const w = METRIC_WORDS[v.metric];
  const b = v.before;
  const a = v.after;
  const s: string[] = [];
  const verdictWord = { passed: 'passes', failed: 'fails', inconclusive: 'is inconclusive' }[v.status];
  s.push(`The candidate was compared with the baseline over ${a.runs} and ${b.runs} runs on ${w.noun}.`);
  if (v.improvementPercentage === null) {
    s.push(
      v.reasonCodes.includes('insufficient_data')
        ? `${v.reason}, so no test could be run and the change ${verdictWord}.`
        : `Its ${w.noun} could not be compared, so no test could be run on it.`,
    );
  } else {
    const improvement = v.improvementPercentage;
    const dir = improvement >= 0 ? w.better : w.worse;
    const amount = `${pct(Math.abs(improvement))}${w.unit}`;
    if (v.metric === 'success_rate') {
      s.push(`Its success rate was ${pct(a.successRate * 100, 0)}% against ${pct(b.successRate * 100, 0)}% (${amount} ${dir}).`);
    } else if (v.metric === 'cost') {
      s.push(`It was ${amount} ${dir} on average (mean cost $${(a.meanCostUsd ?? 0).toFixed(4)} against $${(b.meanCostUsd ?? 0).toFixed(4)} per run).`);
    } else {
      s.push(`It was ${amount} ${dir} on average (mean ${seconds(a.mean)} against ${seconds(b.mean)}; median ${seconds(a.median)} against ${seconds(b.median)}).`);
    }
    if (v.bootstrap && v.bootstrap.resamples > 0) {
      s.push(
        `The ${Math.round(v.bootstrap.confidenceLevel * 100)}% bootstrap interval of the improvement runs from ${pct(v.bootstrap.low)}${w.unit} to ${pct(v.bootstrap.high)}${w.unit}${v.bootstrap.low > 0 ? ', all of it an improvement' : v.bootstrap.high < 0 ? ', all of it a regression' : ', which includes no change'}.`,
      );
    }
    const levelText = v.sequential ? `the nominal level ${level(passAlpha)} of look ${v.sequential.look} of ${v.sequential.looks} (early stopping keeps the overall false-pass rate at ${v.alpha})` : `alpha = ${v.alpha}`;
    if (v.decidedBy === 'welch') {
      if (constant) s.push(`Every run of each arm took the same value, so the difference is exact and no t-test was needed.`);
      else if (v.tests.welch) {
        const t = v.tests.welch;
        // Report the tail the data points to, so a regression shows its small p-value, not 0.99.
        const worse = improvement < 0;
        s.push(
          `Welch's t-test gives t = ${t.statistic.toFixed(2)} with ${t.df.toFixed(1)} degrees of freedom: one-sided ${pFmt(worse ? v.regressionPValue : t.pValue)} for a ${worse ? w.worse : w.better} candidate, judged against ${levelText}.`,
        );
      }
      if (v.tests.mannWhitney) {
        s.push(`The Mann-Whitney test, which does not assume normally distributed values, gives one-sided ${pFmt(v.tests.mannWhitney.pValue)} for a ${w.better} candidate (${v.tests.mannWhitney.method}).`);
      }
    } else if (v.tests.fisher) {
      const worse = improvement < 0;
      s.push(`Fisher's exact test gives one-sided ${pFmt(worse ? v.regressionPValue : v.tests.fisher.pValue)} for a ${worse ? 'lower' : 'higher'} success rate, judged against ${levelText}.`);
    }
  }
  const g = v.guardrails;
  s.push(
    `Success rate went from ${pct(b.successRate * 100, 0)}% to ${pct(a.successRate * 100, 0)}% and P95 duration from ${seconds(b.p95)} to ${seconds(a.p95)}${
      g.successRateDrop.breached || g.p95Increase.breached ? ', breaching a guardrail' : ', within the guardrails'
    }: each fails the change only when a one-sided test at alpha = ${v.alpha} shows the harm beyond its limit (success rate down more than ${g.successRateDrop.limit} points: ${pFmt(
      g.successRateDrop.marginPValue,
    )}; P95 up more than ${g.p95Increase.limit}%: ${pFmt(g.p95Increase.pValue)}).`,
  );
  s.push(`At these sizes the success checks would catch a true 10-point loss of success rate ${powerText(g.successRateDrop.powerTenPointLoss)} of the time${g.successRateDrop.powerTenPointLoss < 0.5 ? ', so a pass says little about a small loss of success' : ''}.`);
  if (a.timeouts + a.errors + b.timeouts + b.errors > 0) {
    s.push(`Failed trials count with the time until they failed: ${b.errors + b.timeouts} in the baseline (${b.timeouts} timed out), ${a.errors + a.timeouts} in the candidate (${a.timeouts} timed out).`);
  }
  if (!v.reasonCodes.includes('insufficient_data')) s.push(`So the change ${verdictWord}: ${v.reason.charAt(0).toLowerCase()}${v.reason.slice(1)}.`);
  if (b.runs < 10 || a.runs < 10) s.push('Fewer than 10 runs per arm: treat this verdict as a rough guide.');
  return s.join(' ');
}

/**
 * Runs ending on their own limit are the direct trace of a budget or timeout cut too far: at ten runs per arm
 * the success-rate drop it causes is rarely provable, but the runs that hit the new limit are there to count.
 */
function limitHitCheck(before: ArmMetrics, after: ArmMetrics, limit: number): Verdict['guardrails']['limitHitIncrease'] {
  const value = (after.limitHits / after.runs - before.limitHits / before.runs) * 100;
  const extraRuns = after.limitHits - (before.limitHits / before.runs) * after.runs;
  return { value, limit, extraRuns, breached: value > limit + 1e-9 && extraRuns >= 2 - 1e-9 };
}

/** The loss whose detection power every verdict reports: 10 points of success rate. */
const REPORTED_LOSS = 0.1;

/**
 * The success-rate guardrail: Barnard's exact unconditional test with Chan's margin, one-sided, H1 "the
 * candidate's success rate is lower than the baseline's by more than the limit". Exact: whatever the common
 * success rate, a candidate whose true drop is at most the limit is failed at most alpha of the time.
 */
function successGuard(table: [[number, number], [number, number]], drop: number, limit: number, alpha: number, fisherP: number): Verdict['guardrails']['successRateDrop'] {
  const [[cs, cf], [bs, bf]] = table;
  const nc = cs + cf;
  const nb = bs + bf;
  // A limit of 100 points or more cannot be exceeded: no test needed.
  const margin = Math.min(limit / 100, 1);
  const marginPValue = margin >= 1 ? 1 : barnardExact(table, { alternative: 'less', margin }).pValue;
  const baseRate = bs / nb;
  // Power at the baseline's observed rate (at least the loss itself, so a 0% baseline still gets a figure).
  const powerRate = Math.max(baseRate, REPORTED_LOSS);
  const powerTenPointLoss = cachedPower(powerRate, nb, nc, alpha, Math.min(margin, 0.99));
  return { value: drop, limit, breached: marginPValue <= alpha, pValue: fisherP, marginPValue, powerTenPointLoss };
}

const powerCache = new Map<string, number>();

/** The power depends only on counts and settings, which repeat across verdicts (interim looks, simulations). */
function cachedPower(baselineRate: number, baselineRuns: number, candidateRuns: number, alpha: number, margin: number): number {
  const key = `${baselineRate}|${baselineRuns}|${candidateRuns}|${alpha}|${margin}`;
  let p = powerCache.get(key);
  if (p === undefined) {
    p = successLossPower({ baselineRate, loss: REPORTED_LOSS, baselineRuns, candidateRuns, alpha, margin });
    if (powerCache.size >= 1000) powerCache.clear();
    powerCache.set(key, p);
  }
  return p;
}

/** Permutations of the P95 guardrail's test: enough that a p-value near alpha is resolved to about 0.005. */
const P95_PERMUTATIONS = 1999;
/**
 * Most experiments are nowhere near breaching: stop after 50 splits as extreme as the observed one (p = hits / draws,
 * Besag and Clifford), which keeps the test's level and costs about 100 draws when nothing is going on.
 */
const P95_STOP_AFTER_HITS = 50;

/**
 * The P95 guardrail: a permutation test of H1 "the candidate's P95 duration is more than (1 + limit) times the
 * baseline's" (quantileRatioTest). Exact when the candidate's durations are the baseline's stretched by exactly
 * the limit; conservative for smaller stretches and, in simulations, for changes that only fatten the tail.
 */
function p95Guard(base: readonly TrialSample[], cand: readonly TrialSample[], value: number, limit: number, alpha: number, seed: number): Verdict['guardrails']['p95Increase'] {
  const b = base.map((s) => s.record.durationSeconds);
  const c = cand.map((s) => s.record.durationSeconds);
  if (b.length < 2 || c.length < 2) return { value, limit, breached: false, pValue: 1 };
  const t = quantileRatioTest(c, b, { probability: 0.95, ratio: 1 + limit / 100, alternative: 'greater', seed, permutations: P95_PERMUTATIONS, stopAfterHits: P95_STOP_AFTER_HITS });
  return { value, limit, breached: t.pValue <= alpha, pValue: t.pValue };
}
