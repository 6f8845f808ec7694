import * as pkg from '@autotune/metrics';

describe('@autotune/metrics entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
