// The shared preset, with @autotune/strategies (and its /testing subpath) mapped to the package's sources so
// these tests run before `npm install` links this workspace or anything is built. Once linked, dropping
// the mapper tests against the built package instead (as `npm run test:node` already does).
const path = require('node:path');
const packages = path.resolve(__dirname, '../../packages');
module.exports = {
  ...require('../../tools/jest.preset.cjs')(__dirname),
  moduleNameMapper: {
    '^@autotune/strategies/testing$': path.join(packages, 'strategies/src/testing/index.ts'),
    '^@autotune/([a-z]+)$': path.join(packages, '$1/src/index.ts'),
  },
};
