// Tuning quality: does autotune find the real improvement, and does it ever keep a regression?
//
// Over generated scenarios whose truth is known (the simulator's model), it takes the team's initial config,
// generates its run history, and does what `autotune apply --auto` does (suggest, then A/B-test every suggestion
// through the simulator and keep what passes). It then measures, with many more simulated runs than any A/B test
// uses, the true performance of the initial config, the config autotune ended with, and the best config found
// by brute force over the config space. Reported: how much of the best achievable improvement autotune reached,
// and every kept change that was truly worse (the target is none).
//
//   node tools/bench/tuning-quality.mjs [--scenarios 48] [--runs-per-arm 10] [--truth-runs 1000]
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const core = require(path.join(root, 'packages/core/dist/index.js'));
const simulator = require(path.join(root, 'packages/simulator/dist/index.js'));
const { PerformanceAnalyzer } = require(path.join(root, 'packages/analyzer/dist/index.js'));

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '48' },
    'runs-per-arm': { type: 'string', default: '10' },
    'truth-runs': { type: 'string', default: '1000' },
    'history-runs': { type: 'string', default: '40' },
  },
});
const scenarios = Number(values.scenarios);
const runsPerArm = Number(values['runs-per-arm']);
const truthRuns = Number(values['truth-runs']);
const historyRuns = Number(values['history-runs']);

// A kept change is a regression if it is truly worse on the metric it aimed at (by more than Monte Carlo noise),
// or truly loses more success rate than the 10-point guardrail allows. A smaller success loss for a gain
// elsewhere is reported as a trade-off.
const REGRESSION_METRIC_PCT = 2;
const GUARDRAIL_SUCCESS_DROP = 0.10;
const TRADE_OFF_SUCCESS_DROP = 0.02;

const rows = [];
let keptRegressions = 0;
let keptTradeOffs = 0;
let appliedTotal = 0;
let testedTotal = 0;
const started = Date.now();
for (let i = 0; i < scenarios; i++) {
  const seed = 1000 + i;
  const scenario = simulator.generateScenario(seed);
  const teamId = scenario.teamId;
  const initial = core.teamConfigFromUser(scenario.workflow);
  const analyzer = new PerformanceAnalyzer();
  analyzer.loadMetrics(simulator.generateRuns(scenario.model, initial, { runs: historyRuns, seed, teamId }));
  const autotuner = new core.PerformanceAutotuner({
    analyzer,
    runner: new simulator.SimulatedTeamRunner(scenario.model, { teamId }),
    runsPerArm,
    seed,
  });
  const suggestions = await autotuner.suggestOptimizations(teamId, initial);
  const outcome = suggestions.length > 0 ? await autotuner.applyOptimizations(teamId, suggestions, initial) : { results: [], finalConfig: initial };
  const truth = (config) => simulator.expectedPerformance(scenario.model, config, { runs: truthRuns, seed: 7 });
  const base = truth(initial);
  const final = truth(outcome.finalConfig);
  const best = simulator.findBestConfig(scenario.model, initial, { runs: Math.min(truthRuns, 400), seed: 7 }).best;
  const bestTruth = truth(best.config);
  const achieved = simulator.improvementPercent('duration', base, final);
  const bestImprovement = simulator.improvementPercent('duration', base, bestTruth);

  const regressions = [];
  const tradeOffs = [];
  for (const r of outcome.results) {
    testedTotal += r.validationStatus === 'skipped' ? 0 : 1;
    if (!r.success) continue;
    appliedTotal++;
    const before = truth(core.teamConfigFromUser(r.rollbackConfig));
    const after = truth(r.optimization.resultingConfig);
    const metric = r.optimization.targetMetric;
    const change = simulator.improvementPercent(metric, before, after);
    const drop = before.successRate - after.successRate;
    const what = `${r.optimization.type} (${metric} ${change >= 0 ? '+' : ''}${change.toFixed(1)}%, success ${(100 * before.successRate).toFixed(1)}% -> ${(100 * after.successRate).toFixed(1)}%)`;
    if ((metric === 'success_rate' ? change < 0 : change < -REGRESSION_METRIC_PCT) || drop > GUARDRAIL_SUCCESS_DROP) regressions.push(what);
    else if (drop > TRADE_OFF_SUCCESS_DROP) tradeOffs.push(what);
  }
  keptRegressions += regressions.length;
  keptTradeOffs += tradeOffs.length;
  rows.push({
    seed,
    formation: initial.formation,
    members: initial.memberCount,
    suggested: suggestions.length,
    kept: outcome.results.filter((r) => r.success).map((r) => r.optimization.type),
    verdicts: outcome.results.map((r) => `${r.optimization.type}: ${r.validationStatus}`),
    base,
    final,
    achieved,
    bestImprovement,
    bestFormation: `${best.config.formation}/${best.config.memberCount}`,
    regressions,
    tradeOffs,
  });
  process.stderr.write(`scenario ${i + 1}/${scenarios}: ${achieved.toFixed(1)}% of ${bestImprovement.toFixed(1)}% possible\n`);
}

const pct = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
const improvable = rows.filter((r) => r.bestImprovement > 5);
const share = improvable.length ? improvable.reduce((s, r) => s + Math.max(0, r.achieved) / r.bestImprovement, 0) / improvable.length : 0;
const sumAchieved = improvable.reduce((s, r) => s + r.achieved, 0);
const sumBest = improvable.reduce((s, r) => s + r.bestImprovement, 0);

console.log(`| seed | initial | A/B verdicts | kept | true mean duration before -> after | autotune | best (by brute force) | kept regressions | kept trade-offs (success -2 to -10 points) |`);
console.log(`|---:|---|---|---|---|---:|---:|---|---|`);
for (const r of rows) {
  console.log(
    `| ${r.seed} | ${r.formation}/${r.members} | ${r.verdicts.join(', ') || '-'} | ${r.kept.join(', ') || '-'} | ${r.base.meanDurationSeconds.toFixed(1)} s -> ${r.final.meanDurationSeconds.toFixed(1)} s | ${pct(r.achieved)} | ${pct(r.bestImprovement)} (${r.bestFormation}) | ${r.regressions.join('; ') || 'none'} | ${r.tradeOffs.join('; ') || '-'} |`,
  );
}
console.log();
console.log(`- scenarios: ${rows.length}; with a best improvement above 5%: ${improvable.length}`);
console.log(`- share of the best achievable duration improvement reached (mean over those): ${(100 * share).toFixed(0)}%; in total ${sumAchieved.toFixed(0)} of ${sumBest.toFixed(0)} percentage points`);
console.log(`- changes A/B-tested: ${testedTotal}; kept: ${appliedTotal}; kept regressions (truly worse on their metric, or success down more than 10 points): ${keptRegressions}; kept trade-offs (success truly down 2 to 10 points for a gain): ${keptTradeOffs}`);
console.log(`- A/B design: ${runsPerArm} runs per arm; truth from ${truthRuns} simulated runs per config; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
