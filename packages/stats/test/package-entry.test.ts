import * as pkg from '@autotune/stats';

describe('@autotune/stats entry', () => {
  it('exposes exactly its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(
      [
        'MIN_RUNS_PER_ARM',
        'StatsError',
        'barnardExact',
        'quantileRatioTest',
        'requiredRunsForSuccessLoss',
        'successLossPower',
        'binomialLowerTail',
        'binomialUpperTail',
        'bootstrapCI',
        'countAbove',
        'createRng',
        'fisherExact',
        'holmAdjust',
        'hypergeometricLowerTail',
        'lnGamma',
        'mannWhitneyU',
        'mean',
        'meanInterval',
        'normalCdf',
        'normalQuantile',
        'oneSampleGreater',
        'poolSamples',
        'quantileInterval',
        'quantileSorted',
        'requiredRunsPerArm',
        'tCdf',
        'tPValue',
        'tQuantile',
        'tTestPower',
        'variance',
        'welchFromSummaries',
        'welchTTest',
        'wilsonInterval',
        'zFor',
      ].sort(),
    );
  });

  it('errors carry the shared autotune brand, a code and the field', () => {
    const e = new pkg.StatsError('STATS_INVALID_INPUT', 'expected at least 2 values', { field: 'a' });
    expect(e[Symbol.for('@autotune/error') as never]).toBe(true);
    expect(e).toMatchObject({ name: 'StatsError', code: 'STATS_INVALID_INPUT', field: 'a', message: 'a: expected at least 2 values' });
  });
});
