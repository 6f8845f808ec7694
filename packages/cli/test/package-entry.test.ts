import * as pkg from '@autotune/cli';

describe('@autotune/cli entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).length).toBeGreaterThan(0);
  });
});
