import * as pkg from '@autotune/strategies';

describe('@autotune/strategies entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
