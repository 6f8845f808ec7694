import * as pkg from '@autotune/core';

describe('@autotune/core entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
