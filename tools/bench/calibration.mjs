#!/usr/bin/env node
// Calibration and early-stopping benchmark for @autotune/abtest (built package, packages/abtest/dist).
// Simulates experiments through the real runExperiment + evaluateExperiment with an in-memory runner
// (durations ~ Normal(60 s, 12 s), or log-normal), fixed seeds, and reports:
//   1. A/A false-pass (and false-fail) rates of the fixed 10-runs-per-arm design against alpha;
//   2. pass rates at known effects against the one-sided t-test's theoretical power;
//   3. runs per arm per decision with and without early stopping, at the same alpha, and the fixed design
//      that would match the sequential design's power.
//
//   npm run build && node tools/bench/calibration.mjs [--experiments N] [--seed S] [--json]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { runExperiment, evaluateExperiment } = require(join(resolve(here, '../..'), 'packages/abtest/dist/index.js'));
const { tTestPower, requiredRunsPerArm } = require(join(resolve(here, '../..'), 'packages/stats/dist/index.js'));

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EXPERIMENTS = arg('experiments', 4000);
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

/** In-memory runner: config { mean, sd, logNormal? }; the trial's seed picks the draw. */
const runner = {
  run: (c, ctx) => {
    const z = normalFromSeed(ctx.seed);
    let d;
    if (c.logNormal) {
      const s2 = Math.log(1 + (c.sd / c.mean) ** 2);
      d = Math.exp(Math.log(c.mean) - s2 / 2 + Math.sqrt(s2) * z);
    } else d = Math.max(0.001, c.mean + c.sd * z);
    return Promise.resolve({ teamId: ctx.teamId, executionId: `${ctx.arm}-${ctx.trial}`, startTimeMs: 0, endTimeMs: d * 1000, durationSeconds: d, success: true, memberCount: 3, toolCalls: 5, members: [] });
  },
};

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
out('### 2. Known effects, fixed design: pass rate against the one-sided t-test power');
out('| effect (d = improvement / sd) | improvement | runs per arm | pass rate | theoretical power |');
out('|---|---|---|---|---|');
for (const [effect, n] of [[0.5, 10], [1, 10], [1.5, 10], [0.5, 30], [1, 30]]) {
  const r = await cell({ effect, runsPerArm: n, threshold: 0 });
  const theory = tTestPower({ n, effectSize: effect, alpha: ALPHA, alternative: 'greater' });
  out(`| ${effect} | ${((effect * SD * 100) / MEAN).toFixed(0)}% | ${n} | ${f3(r.pass)} ${band(r.pass)} | ${f3(theory)} |`);
}
out('');
out('### 3. Early stopping: at most 30 runs per arm, looks at 10, 20, 30 (threshold 5%)');
out('| design | effect d | pass rate | fail | mean runs per arm | runs saved vs fixed 30 |');
out('|---|---|---|---|---|---|');
/** @type {Array<[string, object | undefined]>} */
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
out(`(${((Date.now() - t0) / 1000).toFixed(0)} s on this machine)`);
console.log(rows.join('\n'));
