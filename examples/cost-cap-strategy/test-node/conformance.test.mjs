// The same kit under node:test, against the BUILT packages (run `npm run build` here and in
// packages/strategies first): `npm run test:node`. It shows the kit needs no particular test framework.
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { costCapStrategy } = require('../dist/index.js');
const { DEFAULT_CONFORMANCE_CASES, runStrategyConformance, sampleTeamConfig, sampleTeamStats } = require('@autotune/strategies/testing');

const context = { stats: sampleTeamStats({ meanCostUsd: 1, meanToolCalls: 25, toolBudget: 50 }), options: { cost_cap: { maxCostPerRunUsd: 0.6 } } };
runStrategyConformance(costCapStrategy(), {
  describe,
  it,
  cases: [...DEFAULT_CONFORMANCE_CASES, { name: 'over the cap', insights: [], config: sampleTeamConfig(), context }],
});
