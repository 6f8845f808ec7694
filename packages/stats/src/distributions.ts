// The continuous distributions every test here needs, from @stdlib's single-function packages (checked
// against R and SciPy by their authors and by test/distributions.test.ts). This file is the only one that
// imports @stdlib, so the build can bundle exactly these four functions.
import stdlibNormalCdf = require('@stdlib/stats-base-dists-normal-cdf');
import stdlibNormalQuantile = require('@stdlib/stats-base-dists-normal-quantile');
import stdlibTCdf = require('@stdlib/stats-base-dists-t-cdf');
import stdlibTQuantile = require('@stdlib/stats-base-dists-t-quantile');

/** P(X <= x) for X ~ Normal(mu, sigma); standard normal by default. */
export function normalCdf(x: number, mu = 0, sigma = 1): number {
  return stdlibNormalCdf(x, mu, sigma);
}

/** The p-quantile of Normal(mu, sigma); standard normal by default. */
export function normalQuantile(p: number, mu = 0, sigma = 1): number {
  return stdlibNormalQuantile(p, mu, sigma);
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function tCdf(t: number, df: number): number {
  return stdlibTCdf(t, df);
}

/** The p-quantile of Student's t with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  return stdlibTQuantile(p, df);
}
