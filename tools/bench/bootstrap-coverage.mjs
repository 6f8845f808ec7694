#!/usr/bin/env node
// Coverage of @autotune/stats' bootstrap intervals (built package, packages/stats/dist), to choose the default
// method by measurement. Two arms of durations drawn from log-normal distributions (right-skewed, as run
// times are), a known true difference of means, and for each arm size the share of seeded experiments whose
// interval contains the truth, for the percentile and the BCa methods at the same resamples.
//
//   npm run build && node tools/bench/bootstrap-coverage.mjs [--experiments N] [--resamples R] [--seed S] [--json]
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { bootstrapCI, createRng } = require(join(resolve(import.meta.dirname, '../..'), 'packages/stats/dist/index.js'));

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EXPERIMENTS = arg('experiments', 2000);
const RESAMPLES = arg('resamples', 1999);
const SEED = arg('seed', 20261201);
const LEVEL = 0.95;
// log-normal(mu, sigma): mean exp(mu + sigma^2 / 2). Baseline mu = ln 60 (a 60 s run), candidate 10% faster in
// median; sigma 1 is heavily skewed, sigma 0.3 mildly.
const SETTINGS = [
  { sigma: 1, n: 10 },
  { sigma: 1, n: 30 },
  { sigma: 0.3, n: 10 },
  { sigma: 0.3, n: 30 },
];

function lognormals(rng, n, mu, sigma) {
  return Array.from({ length: n }, () => Math.exp(mu + sigma * rng.normal()));
}

const rows = [];
const started = Date.now();
for (const { sigma, n } of SETTINGS) {
  const muA = Math.log(60);
  const muB = Math.log(54);
  const meanOf = (mu) => Math.exp(mu + (sigma * sigma) / 2);
  const cover = { percentile: 0, bca: 0 };
  const width = { percentile: 0, bca: 0 };
  // bootstrapCI(a, b) is of mean(a) - mean(b), the sign convention of every two-sample function in stats.
  const truth = meanOf(muA) - meanOf(muB);
  for (let e = 0; e < EXPERIMENTS; e++) {
    const rng = createRng(SEED + 7919 * e + n + Math.round(sigma * 1000));
    const a = lognormals(rng, n, muA, sigma);
    const b = lognormals(rng, n, muB, sigma);
    for (const method of ['percentile', 'bca']) {
      const ci = bootstrapCI(a, b, { method, resamples: RESAMPLES, seed: e + 1, confidenceLevel: LEVEL });
      if (ci.low <= truth && truth <= ci.high) cover[method]++;
      width[method] += ci.high - ci.low;
    }
  }
  rows.push({
    sigma,
    runsPerArm: n,
    trueDifference: Number(truth.toFixed(3)),
    percentileCoverage: cover.percentile / EXPERIMENTS,
    bcaCoverage: cover.bca / EXPERIMENTS,
    percentileMeanWidth: width.percentile / EXPERIMENTS,
    bcaMeanWidth: width.bca / EXPERIMENTS,
  });
}
const seconds = (Date.now() - started) / 1000;
const se = Math.sqrt((LEVEL * (1 - LEVEL)) / EXPERIMENTS);

if (args.includes('--json')) {
  console.log(JSON.stringify({ experiments: EXPERIMENTS, resamples: RESAMPLES, seed: SEED, nominal: LEVEL, seconds, rows }, null, 2));
} else {
  console.log(`Nominal ${LEVEL * 100}% intervals of the difference of means, ${EXPERIMENTS} seeded experiments per row, ${RESAMPLES} resamples, seed ${SEED}`);
  console.log(`(standard error of a coverage near 95%: ${(100 * se).toFixed(1)} points; ${seconds.toFixed(1)} s)\n`);
  console.log('| log-normal sigma | runs per arm | percentile coverage | BCa coverage | percentile mean width | BCa mean width |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.sigma} | ${r.runsPerArm} | ${(100 * r.percentileCoverage).toFixed(1)}% | ${(100 * r.bcaCoverage).toFixed(1)}% | ${r.percentileMeanWidth.toFixed(2)} s | ${r.bcaMeanWidth.toFixed(2)} s |`,
    );
  }
}
