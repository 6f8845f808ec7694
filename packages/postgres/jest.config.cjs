// Shared settings live in tools/jest.preset.cjs; tests import sibling packages from source. The tests start a
// real PostgreSQL server (tools/test-postgres.mjs), so they get generous timeouts on a busy machine.
const preset = require('../../tools/jest.preset.cjs')(__dirname);

module.exports = { ...preset, testTimeout: 120000 };
