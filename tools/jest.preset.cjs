// One Jest setup for every package. Sibling @autotune packages resolve to their sources so that unit tests
// need no build; the built output is exercised by the CLI tests and tools/pack-check.mjs.
const path = require('node:path');

module.exports = function preset(packageDir) {
  const packages = path.resolve(packageDir, '..');
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(packageDir, 'tsconfig.spec.json') }],
    },
    moduleNameMapper: {
      '^@autotune/strategies/testing$': path.join(packages, 'strategies/src/testing/index.ts'),
      '^@autotune/core/testing$': path.join(packages, 'core/src/testing/index.ts'),
      '^@autotune/([a-z]+)$': path.join(packages, '$1/src/index.ts'),
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
  };
};
