import { defaultTrialTimeout, FALLBACK_TRIAL_TIMEOUT_MS } from '../src/trial-timeout';

const stats = (runs: number, p99: number) => ({ runs, duration: { count: runs, mean: p99, stdDev: 0, min: 0, max: p99, median: p99, p95: p99, p99 } });

describe('defaultTrialTimeout', () => {
  it.each([
    ['no recorded runs', undefined, FALLBACK_TRIAL_TIMEOUT_MS],
    ['zero runs', stats(0, 0), FALLBACK_TRIAL_TIMEOUT_MS],
    ['runs of about 2 minutes', stats(30, 124), 1_240_000],
    ['sub-second runs: the 10 s floor', stats(30, 0.3), 10_000],
    ['absurd durations: capped at what a timer can wait', stats(30, 1e9), 2 ** 31 - 1],
  ])('%s', (_what, input, ms) => {
    expect(defaultTrialTimeout(input).ms).toBe(ms);
  });

  it('says where the figure comes from', () => {
    expect(defaultTrialTimeout(stats(30, 124)).reason).toBe('10 × the P99 (124.0 s) of 30 recorded run(s)');
  });
});
