// Shared settings live in tools/jest.preset.cjs. Stats' tests run twice: against the sources, and against the
// built dist, whose distributions.js has @stdlib bundled in by esbuild (scripts/bundle-stdlib.mjs). Every
// reference value (R, SciPy) must hold for both, which proves the bundle computes what @stdlib computes.
const path = require('node:path');
const preset = require('../../tools/jest.preset.cjs')(__dirname);

module.exports = {
  projects: [
    { ...preset, displayName: 'src' },
    {
      ...preset,
      displayName: 'dist',
      moduleNameMapper: { ...preset.moduleNameMapper, '^@autotune/stats$': path.join(__dirname, 'dist', 'index.js') },
    },
  ],
};
