import * as pkg from '@autotune/analyzer';

describe('@autotune/analyzer entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
