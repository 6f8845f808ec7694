import * as pkg from '@autotune/abtest';

describe('@autotune/abtest entry', () => {
  it('exposes exactly its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(
      [
        'AbtestError',
        'MIN_RUNS_PER_ARM',
        'armMetrics',
        'evaluateExperiment',
        'groupSequentialBounds',
        'pairedComparison',
        'raceEliminations',
        'runExperiment',
        'stopsExperiment',
      ].sort(),
    );
  });

  it('errors carry the shared autotune brand and a code', () => {
    const e = new pkg.AbtestError('ABTEST_INVALID_INPUT', 'expected at least 2 values', { field: 'a' });
    expect(e[Symbol.for('@autotune/error') as never]).toBe(true);
    expect(e).toMatchObject({ name: 'AbtestError', code: 'ABTEST_INVALID_INPUT', field: 'a', message: 'a: expected at least 2 values' });
  });
});
