// Shared settings live in tools/jest.preset.cjs; tests import sibling packages from source. The end-to-end
// tests run the built bin, so a global setup rebuilds this package's dist when its sources are newer.
const preset = require('../../tools/jest.preset.cjs')(__dirname);

module.exports = { ...preset, globalSetup: '<rootDir>/test/global-setup.cjs', testTimeout: 120000 };
