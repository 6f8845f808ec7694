// Shared settings live in tools/jest.preset.cjs; tests import sibling packages from source.
module.exports = require('../../tools/jest.preset.cjs')(__dirname);
