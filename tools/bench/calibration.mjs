#!/usr/bin/env node
// Calibration and early-stopping benchmark for @autotune/abtest (built package, packages/abtest/dist).
// Simulates experiments through the real runExperiment + evaluateExperiment with an in-memory runner
// (durations ~ Normal(60 s, 12 s), or log-normal), fixed seeds, and reports:
//   1. A/A false-pass (and false-fail) rates of the fixed 10-runs-per-arm design against alpha;
//   2. pass rates at known effects against the one-sided t-test's theoretical power;
//   3. runs per arm per decision with and without early stopping, at the same alpha, and the fixed design
//      that would match the sequential design's power;
//   4. the whole "failed" verdict (regression test, success checks, P95 and limit guardrails) in A/A experiments
//      with failing runs and heavy tails, against issue 12's target of at most 6% at 10 runs per arm, and how often
//      real harm is caught: a true 10-point success loss and a true 30% P95 increase at 10, 20 and 40 runs per arm.
//
//   npm run build && node tools/bench/calibration.mjs [--experiments N] [--seed S] [--sections 1,2,3,4]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { runExperiment, evaluateExperiment } = require(join(resolve(here, '../..'), 'packages/abtest/dist/index.js'));
const { tTestPower, requiredRunsPerArm, successLossPower } = require(join(resolve(here, '../..'), 'packages/stats/dist/index.js'));

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EXPERIMENTS = arg('experiments', 4000);
// --sections 1,4 runs only those sections (all four by default).
const SECTIONS = args.includes('--sections') ? String(args[args.indexOf('--sections') + 1]).split(',') : ['1', '2', '3', '4'];
const want = (k) => SECTIONS.includes(k);
const SEED = arg('seed', 20260101);
const ALPHA = 0.05;
const MEAN = 60;
const SD = 12;

/** mulberry32 + Box-Muller: a seeded normal stream per trial, so every experiment is a function of its seed. */
function normalFromSeed(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const u = next() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/**
 * In-memory runner: config { mean, sd, logNormal?, successRate?, sigma?, median? }; the trial's seed picks the draw.
 * With `sigma` and `median` the duration is median * exp(sigma * z) (a tail that can change on its own).
 */
const runner = {
  run: async (c, ctx) => {
    const z = normalFromSeed(ctx.seed);
    let d;
    if (c.sigma !== undefined) d = c.median * Math.exp(c.sigma * z);
    else if (c.logNormal) {
      const s2 = Math.log(1 + (c.sd / c.mean) ** 2);
      d = Math.exp(Math.log(c.mean) - s2 / 2 + Math.sqrt(s2) * z);
    } else d = Math.max(0.001, c.mean + c.sd * z);
    // An independent uniform from the same seed decides success.
    const success = c.successRate === undefined ? true : uniformFromSeed(ctx.seed) < c.successRate;
    return { teamId: ctx.teamId, executionId: `${ctx.arm}-${ctx.trial}`, startTimeMs: 0, endTimeMs: d * 1000, durationSeconds: d, success, memberCount: 3, toolCalls: 5, members: [] };
  },
};

/** A uniform in [0, 1) from a trial seed, independent of the duration's normal (a different mixing of the seed). */
function uniformFromSeed(seed) {
  let t = (seed ^ 0x85ebca6b) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d) >>> 0;
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b) >>> 0;
  return ((t ^ (t >>> 16)) >>> 0) / 4294967296;
}

async function cell({ effect = 0, runsPerArm = 10, earlyStopping, threshold = 5, logNormal = false, sd = SD }) {
  const baseline = { mean: MEAN, sd, logNormal };
  const candidate = { mean: MEAN - effect * sd, sd, logNormal };
  const counts = { passed: 0, failed: 0, inconclusive: 0 };
  let runs = 0;
  for (let i = 0; i < EXPERIMENTS; i++) {
    const es = earlyStopping ? { ...earlyStopping, threshold } : undefined;
    const r = await runExperiment({ teamId: 'bench', baseline, candidate, runner, runsPerArm, seed: SEED + i, earlyStopping: es });
    const v = evaluateExperiment(r, es ? { resamples: 100 } : { threshold, resamples: 100 });
    counts[v.status]++;
    runs += r.baseline.length;
  }
  const rate = (k) => counts[k] / EXPERIMENTS;
  return { pass: rate('passed'), fail: rate('failed'), inconclusive: rate('inconclusive'), meanRunsPerArm: runs / EXPERIMENTS };
}

const f3 = (x) => x.toFixed(3);
const band = (p) => `± ${(2 * Math.sqrt((p * (1 - p)) / EXPERIMENTS)).toFixed(3)}`;
const rows = [];
const out = (line) => rows.push(line);
const t0 = Date.now();

out(`Experiments per cell: ${EXPERIMENTS}, seed ${SEED}, alpha ${ALPHA} (one-sided), durations Normal(${MEAN} s, ${SD} s) unless stated; ± is 2 binomial sd.`);
out('');
if (want('1')) {
out('### 1. A/A experiments, fixed design, 10 runs per arm');
out('| durations | threshold | pass (false-pass) | alpha | fail (false-fail) | inconclusive |');
out('|---|---|---|---|---|---|');
for (const [label, logNormal, sd, threshold] of [
  ['normal, CV 0.2', false, SD, 5],
  ['normal, CV 0.2', false, SD, 0],
  ['log-normal, CV 0.2', true, SD, 5],
  ['log-normal, CV 0.5 (heavy tail)', true, 30, 5],
]) {
  const r = await cell({ logNormal, sd, threshold });
  out(`| ${label} | ${threshold}% | ${f3(r.pass)} ${band(r.pass)} | ${ALPHA} | ${f3(r.fail)} | ${f3(r.inconclusive)} |`);
}
out('');
}
if (want('2')) {
out('### 2. Known effects, fixed design: pass rate against the one-sided t-test power');
out('| effect (d = improvement / sd) | improvement | runs per arm | pass rate | theoretical power |');
out('|---|---|---|---|---|');
for (const [effect, n] of [[0.5, 10], [1, 10], [1.5, 10], [0.5, 30], [1, 30]]) {
  const r = await cell({ effect, runsPerArm: n, threshold: 0 });
  const theory = tTestPower({ n, effectSize: effect, alpha: ALPHA, alternative: 'greater' });
  out(`| ${effect} | ${((effect * SD * 100) / MEAN).toFixed(0)}% | ${n} | ${f3(r.pass)} ${band(r.pass)} | ${f3(theory)} |`);
}
out('');
}
if (want('3')) {
out('### 3. Early stopping: at most 30 runs per arm, looks at 10, 20, 30 (threshold 5%)');
out('| design | effect d | pass rate | fail | mean runs per arm | runs saved vs fixed 30 |');
out('|---|---|---|---|---|---|');
const designs = [
  ['fixed 30', undefined],
  ["O'Brien-Fleming + futility", {}],
  ["O'Brien-Fleming, no futility", { futility: false }],
  ['Pocock + futility', { spending: 'pocock' }],
];
const seqPower = {};
for (const effect of [0, 0.5, 1]) {
  for (const [name, es] of designs) {
    const r = await cell({ effect, runsPerArm: 30, earlyStopping: es });
    if (effect === 0.5) seqPower[name] = r;
    out(`| ${name} | ${effect} | ${f3(r.pass)} ${band(r.pass)} | ${f3(r.fail)} | ${r.meanRunsPerArm.toFixed(1)} | ${((1 - r.meanRunsPerArm / 30) * 100).toFixed(0)}% |`);
  }
}
out('');
out('Same error rates: the fixed design with the power each sequential design reached at d = 0.5 (threshold 5%):');
out('| design | power at d = 0.5 | mean runs per arm at d = 0.5 | fixed design runs per arm for that power |');
out('|---|---|---|---|');
for (const [name] of designs.slice(1)) {
  const r = seqPower[name];
  const fixedN = r.pass > ALPHA && r.pass < 1 ? requiredRunsPerArm({ effectSize: 0.5, alpha: ALPHA, power: r.pass, alternative: 'greater', minRunsPerArm: 2 }) : NaN;
  out(`| ${name} | ${f3(r.pass)} | ${r.meanRunsPerArm.toFixed(1)} | ${fixedN} |`);
}
out('');
}
if (want('4')) {
out('### 4. The whole verdict: A/A false-fail and real harm (log-normal durations, median 60 s, sigma 0.47 = CV 0.5; threshold 5%)');
out('Which check fired, as a share of experiments (one experiment can trip several).');
out('| case | runs per arm | failed | regression test | success checks | P95 guardrail | predicted success power | failed under the old raw guardrails |');
out('|---|---|---|---|---|---|---|---|');
const AA = { median: 60, sigma: 0.47, successRate: 0.9 };
async function harm(label, baseline, candidate, runsPerArm, predicted) {
  const counts = { failed: 0, regression: 0, success: 0, p95: 0, old: 0 };
  for (let i = 0; i < EXPERIMENTS; i++) {
    const r = await runExperiment({ teamId: 'bench', baseline, candidate, runner, runsPerArm, seed: SEED + 7919 * runsPerArm + i });
    const v = evaluateExperiment(r, { resamples: 100 });
    if (v.status === 'failed') counts.failed++;
    if (v.reasonCodes.includes('significant_regression')) counts.regression++;
    if (v.reasonCodes.includes('success_rate_regression') || v.reasonCodes.includes('guardrail_success_rate')) counts.success++;
    if (v.reasonCodes.includes('guardrail_p95')) counts.p95++;
    // The rule before issue 12: guardrails on the raw estimates (success down > 10 points, P95 up > 50%).
    if (v.status === 'failed' || v.guardrails.successRateDrop.value > 10 || v.guardrails.p95Increase.value > 50) counts.old++;
  }
  const rate = (k) => counts[k] / EXPERIMENTS;
  out(`| ${label} | ${runsPerArm} | ${f3(rate('failed'))} ${band(rate('failed'))} | ${f3(rate('regression'))} | ${f3(rate('success'))} | ${f3(rate('p95'))} | ${predicted === undefined ? '-' : f3(predicted)} | ${f3(rate('old'))} |`);
}
for (const rate of [0.9, 0.8, 1]) await harm(`A/A, ${rate * 100}% success`, { ...AA, successRate: rate }, { ...AA, successRate: rate }, 10);
for (const n of [10, 20, 40]) await harm('true 10-point success loss (90% to 80%)', AA, { ...AA, successRate: 0.8 }, n, successLossPower({ baselineRate: 0.9, runsPerArm: n }));
// P95 = median * exp(1.645 sigma): +30% either by stretching every run (median x 1.3) or by a longer tail alone.
for (const n of [10, 20, 40]) await harm('true 30% P95 increase, every run 30% longer', AA, { ...AA, median: 78 }, n);
for (const n of [10, 20, 40]) await harm('true 30% P95 increase, tail only (same median)', AA, { ...AA, sigma: 0.47 + Math.log(1.3) / 1.645 }, n);
for (const n of [10, 20, 40]) await harm('true 100% P95 increase, tail only (same median)', AA, { ...AA, sigma: 0.47 + Math.log(2) / 1.645 }, n);
out('');
}
out(`(${((Date.now() - t0) / 1000).toFixed(0)} s on this machine)`);
console.log(rows.join('\n'));
