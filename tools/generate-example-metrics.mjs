#!/usr/bin/env node
// Writes the example metrics under examples/metrics/ from the simulator's scenarios:
//   <scenario>.jsonl        RUNS runs of the scenario's workflow, one autotune record per line
//   code_review_team.json   the code-review runs again, as the original tool's snake_case JSON array
// Deterministic (fixed seed and start time), so re-running it changes nothing unless the simulator or a
// scenario changed. Uses the BUILT packages: run `npx nx run-many -t build` first.
//
//   node tools/generate-example-metrics.mjs [--out DIR] [--runs N] [--seed S] [--check]
//
// --check writes nothing and exits 1 when a file is missing or differs from what would be written.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs per scenario and the seed of each series: the simulator tests read the files with the same values. */
export const RUNS = 40;
export const SEED = 20250115;
/** Scenario whose runs are also written in the original's format, and that file's name. */
const SNAKE_CASE_SCENARIO = 'code-review-parallel-budget';
const SNAKE_CASE_FILE = 'code_review_team.json';

function loadBuilt(pkg, names) {
  const entry = path.join(root, 'packages', pkg, 'dist', 'index.js');
  if (!existsSync(entry)) {
    console.error(`${entry} is missing: build first (npx nx run-many -t build)`);
    process.exit(2);
  }
  const mod = require(entry);
  for (const name of names) {
    if (typeof mod[name] !== 'function') {
      console.error(`@autotune/${pkg} has no ${name}(): rebuild it (npx nx run-many -t build)`);
      process.exit(2);
    }
  }
  return mod;
}

function parseArgs(argv) {
  const options = { out: path.join(root, 'examples', 'metrics'), runs: RUNS, seed: SEED, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--check') options.check = true;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node tools/generate-example-metrics.mjs [--out DIR] [--runs N] [--seed S] [--check]');
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs expects a whole number >= 1, got ${options.runs}`);
  if (!Number.isInteger(options.seed)) throw new Error(`--seed expects a whole number, got ${options.seed}`);
  return options;
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const simulator = loadBuilt('simulator', ['listScenarios', 'loadScenario', 'generateRuns']);
  const metrics = loadBuilt('metrics', ['toSnakeCaseRecord']);

  const files = new Map();
  for (const name of simulator.listScenarios()) {
    const scenario = simulator.loadScenario(name);
    const records = simulator.generateRuns(scenario.model, scenario.config, { runs: options.runs, seed: options.seed, teamId: scenario.teamId });
    files.set(`${name}.jsonl`, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    if (name === SNAKE_CASE_SCENARIO) {
      files.set(SNAKE_CASE_FILE, JSON.stringify(records.map(metrics.toSnakeCaseRecord), null, 2) + '\n');
    }
  }

  let stale = 0;
  if (!options.check) mkdirSync(options.out, { recursive: true });
  for (const [file, text] of files) {
    const target = path.join(options.out, file);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (options.check) {
      if (current !== text) {
        stale++;
        console.error(`${path.relative(root, target)} is ${current === undefined ? 'missing' : 'out of date'}`);
      }
    } else {
      writeFileSync(target, text);
      console.log(`${current === text ? 'unchanged' : 'wrote'} ${path.relative(root, target)}`);
    }
  }
  if (stale > 0) {
    console.error(`${stale} example metrics file(s) out of date: run node tools/generate-example-metrics.mjs`);
    process.exit(1);
  }
}

main();
