// One Jest setup for every package. Sibling @autotune packages resolve to their sources so that unit tests
// see edits without a rebuild. The built output is exercised too: each package's test/package-entry.test.ts
// loads the package through its package.json "exports" in a child process (Nx runs `build` before `test`),
// the CLI tests run the built command, and tools/pack-check.mjs installs the packed tarballs.
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
