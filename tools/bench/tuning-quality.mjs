// Tuning quality: does autotune find the real improvement, and does it ever keep a regression?
//
// Over generated scenarios whose truth is known (the simulator's model), it takes the team's initial config and
// its recorded run history, and tunes it with one of two methods, every simulated run counted as cost:
//   --method apply   what `autotune apply --auto` does: suggest, then A/B-test every suggestion, keep what passes;
//   --method tune    the tuner (`autotune tune`): race the neighbourhood, confirm the winner, climb (the default).
// It then measures, with many more simulated runs than any test uses, the true performance of the initial config,
// of the config the method ended with, and of the best config found by brute force over the config space (among
// those that keep the success rate within 2 points). The method sees only what the runner returns.
//
// Scoring. `benchShare`: the share of the best achievable duration improvement reached. `strictShare`: the same,
// but a chosen config that truly loses more than 2 points of success rate earns nothing (the best is held to the
// same 2 points), and the share is capped at 1. `regressions`: chosen configs truly slower by more than 1% or
// with a success rate truly down by more than 2 points. `successLossesOver10`: truly down by more than 10 points.
// `runsUsed`: simulated runs the method spent (history not counted). Means are over the scenarios whose best
// improvement is above 5% (shares) or over all scenarios (counts).
//
//   node tools/bench/tuning-quality.mjs [--method tune|apply] [--budget 150] [--scenarios 48] [--seed-start 1000]
//        [--runs-per-arm N (apply)] [--truth-runs 1000] [--history-runs 40] [--json]
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const core = require(path.join(root, 'packages/core/dist/index.js'));
const simulator = require(path.join(root, 'packages/simulator/dist/index.js'));
const { PerformanceAnalyzer } = require(path.join(root, 'packages/analyzer/dist/index.js'));

const { values } = parseArgs({
  options: {
    method: { type: 'string', default: 'tune' },
    budget: { type: 'string', default: '150' },
    scenarios: { type: 'string', default: '48' },
    'seed-start': { type: 'string', default: '1000' },
    'runs-per-arm': { type: 'string' },
    'truth-runs': { type: 'string', default: '1000' },
    'history-runs': { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
  },
});
const method = values.method;
if (method !== 'tune' && method !== 'apply') throw new Error(`--method: expected tune or apply, got ${method}`);
const intFlag = (name, min) => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: expected a whole number >= ${min}, got ${values[name]}`);
  return v;
};
const budget = intFlag('budget', 1);
const scenarios = intFlag('scenarios', 1);
const seedStart = intFlag('seed-start', 0);
const truthRuns = intFlag('truth-runs', 10);
const historyRuns = intFlag('history-runs', 0);
// apply spends about 6 arms of its runs per arm on a team (tools/bench/README.md): 10/25/65 for 60/150/400.
const APPLY_RUNS_PER_ARM = { 60: 10, 150: 25, 400: 65 };
const runsPerArm = values['runs-per-arm'] !== undefined ? intFlag('runs-per-arm', 10) : (APPLY_RUNS_PER_ARM[budget] ?? Math.max(10, Math.round(budget / 6)));

const STRICT_SUCCESS_DROP = 0.02;
const SLOWER_PCT = 1;
const BIG_SUCCESS_DROP = 0.1;
const IMPROVABLE_PCT = 5;

const rows = [];
const started = Date.now();
for (let i = 0; i < scenarios; i++) {
  const seed = seedStart + i;
  const scenario = simulator.generateScenario(seed);
  const teamId = scenario.teamId;
  const initial = core.teamConfigFromUser(scenario.workflow);
  const history = simulator.generateRuns(scenario.model, initial, { runs: historyRuns, seed, teamId });
  const analyzer = new PerformanceAnalyzer();
  analyzer.loadMetrics(history);
  const store = new core.MemoryStore();
  await store.writeMany(history);
  const runner = new simulator.SimulatedTeamRunner(scenario.model, { teamId, startTimeMs: simulator.SIMULATION_EPOCH_MS });
  let runsUsed = 0;
  const counting = { run: (config, context) => (runsUsed++, runner.run(config, context)) };
  const autotuner = new core.PerformanceAutotuner({ analyzer, store, runner: counting, runsPerArm, seed, now: () => new Date(simulator.SIMULATION_EPOCH_MS) });
  let finalConfig = initial;
  let detail;
  if (method === 'apply') {
    const suggestions = await autotuner.suggestOptimizations(teamId, initial);
    const outcome = suggestions.length > 0 ? await autotuner.applyOptimizations(teamId, suggestions, initial) : { results: [], finalConfig: initial };
    finalConfig = outcome.finalConfig;
    detail = outcome.results.map((r) => `${r.optimization.type}: ${r.validationStatus}`).join(', ') || '-';
  } else {
    const outcome = await autotuner.tune(teamId, initial, { budget });
    if (outcome.runsUsed !== runsUsed) throw new Error(`seed ${seed}: the tuner reports ${outcome.runsUsed} runs but ran ${runsUsed}`);
    if (runsUsed > budget) throw new Error(`seed ${seed}: the tuner ran ${runsUsed} runs, over its budget of ${budget}`);
    finalConfig = outcome.finalConfig;
    detail = outcome.steps.map((s) => `${s.race.standings.find((x) => x.id === s.race.winner)?.label ?? 'no winner'} (${s.race.standings.length - 1} raced, ${s.race.runs} runs)${s.confirm ? `: ${s.confirm.verdict.status}${s.kept ? ' kept' : ''}` : ''}`).join('; ');
  }
  const truth = (config) => simulator.expectedPerformance(scenario.model, config, { runs: truthRuns, seed: 7 });
  const base = truth(initial);
  const final = truth(finalConfig);
  // The brute-force ranking uses fewer runs per config; the best is the first of its eligible configs that also
  // keeps the success rate within 2 points by the truth the scoring uses, so the best is never itself "worse".
  const search = simulator.findBestConfig(scenario.model, initial, { runs: Math.min(truthRuns, 400), seed: 7 });
  let best = search.base;
  let bestTruth = base;
  for (const candidate of search.ranked.filter((r) => r.eligible && r.improvementPercentage > 0).slice(0, 20)) {
    const t = truth(candidate.config);
    if (base.successRate - t.successRate <= STRICT_SUCCESS_DROP && simulator.improvementPercent('duration', base, t) > simulator.improvementPercent('duration', base, bestTruth)) {
      best = candidate;
      bestTruth = t;
      break;
    }
  }
  const achieved = simulator.improvementPercent('duration', base, final);
  const bestImprovement = Math.max(0, simulator.improvementPercent('duration', base, bestTruth));
  const successDrop = base.successRate - final.successRate;
  const improvable = bestImprovement > IMPROVABLE_PCT;
  const benchShare = improvable ? Math.max(0, achieved) / bestImprovement : null;
  const strictShare = improvable ? (successDrop > STRICT_SUCCESS_DROP ? 0 : Math.min(1, Math.max(0, achieved) / bestImprovement)) : null;
  rows.push({
    seed,
    initial: `${initial.formation}/${initial.memberCount}`,
    chosen: `${finalConfig.formation}/${finalConfig.memberCount}`,
    detail,
    runsUsed,
    achieved,
    bestImprovement,
    best: `${best.config.formation}/${best.config.memberCount}`,
    successBefore: base.successRate,
    successAfter: final.successRate,
    strictShare,
    benchShare,
    regression: achieved < -SLOWER_PCT || successDrop > STRICT_SUCCESS_DROP,
    successLossOver10: successDrop > BIG_SUCCESS_DROP,
  });
  process.stderr.write(`scenario ${i + 1}/${scenarios} (seed ${seed}): ${achieved.toFixed(1)}% of ${bestImprovement.toFixed(1)}% possible, success ${(100 * base.successRate).toFixed(1)}% -> ${(100 * final.successRate).toFixed(1)}%, ${runsUsed} runs\n`);
}

const improvableRows = rows.filter((r) => r.strictShare !== null);
const meanOf = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const summary = {
  method,
  budget,
  runsPerArm: method === 'apply' ? runsPerArm : undefined,
  seedStart,
  scenarios: rows.length,
  improvable: improvableRows.length,
  strictShare: meanOf(improvableRows.map((r) => r.strictShare)),
  benchShare: meanOf(improvableRows.map((r) => r.benchShare)),
  regressions: rows.filter((r) => r.regression).length,
  successLossesOver10: rows.filter((r) => r.successLossOver10).length,
  runsUsed: meanOf(rows.map((r) => r.runsUsed)),
  maxRunsUsed: Math.max(...rows.map((r) => r.runsUsed)),
  truthRuns,
  historyRuns,
  seconds: Math.round((Date.now() - started) / 1000),
  machine: `${os.cpus().length} CPUs, Node ${process.version}`,
};

if (values.json) {
  console.log(JSON.stringify({ ...summary, perScenario: rows }, null, 2));
} else {
  const pct = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const share = (x) => (x === null ? '-' : `${(100 * x).toFixed(0)}%`);
  console.log(`| seed | initial | ${method} | runs | chosen | true change | best (brute force) | success before -> after | strict share | regression |`);
  console.log(`|---:|---|---|---:|---|---:|---:|---|---:|---|`);
  for (const r of rows) {
    console.log(
      `| ${r.seed} | ${r.initial} | ${r.detail} | ${r.runsUsed} | ${r.chosen} | ${pct(r.achieved)} | ${pct(r.bestImprovement)} (${r.best}) | ${(100 * r.successBefore).toFixed(1)}% -> ${(100 * r.successAfter).toFixed(1)}% | ${share(r.strictShare)} | ${r.regression ? 'yes' : '-'} |`,
    );
  }
  console.log();
  console.log(`- method ${method}, budget ${budget} runs per team${method === 'apply' ? ` (${runsPerArm} runs per arm)` : ''}; seeds ${seedStart}..${seedStart + rows.length - 1}; ${improvableRows.length} of ${rows.length} with a best improvement above ${IMPROVABLE_PCT}%`);
  console.log(`- strict share of the best: ${(100 * summary.strictShare).toFixed(0)}%; bench share: ${(100 * summary.benchShare).toFixed(0)}%`);
  console.log(`- truly worse (slower by more than ${SLOWER_PCT}% or success down more than ${100 * STRICT_SUCCESS_DROP} points): ${summary.regressions} of ${rows.length}; success down more than ${100 * BIG_SUCCESS_DROP} points: ${summary.successLossesOver10}`);
  console.log(`- runs used per team: mean ${summary.runsUsed.toFixed(1)}, most ${summary.maxRunsUsed}; truth from ${truthRuns} simulated runs per config; ${summary.seconds} s in all (${summary.machine})`);
}
