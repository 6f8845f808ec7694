import * as pkg from '@autotune/abtest';

describe('@autotune/abtest entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
