// The README demo (`npm run demo`): what a new user wants to see, end to end, on the built-in simulator.
//   1. generate a metrics file of a team's recorded runs (a scenario with a known truth),
//   2. autotune analyze, 3. autotune suggest,
//   4. autotune apply --auto: every suggestion A/B-tested for real on the simulator, only passes kept,
//   5. the workflow file's diff, 6. autotune history, 7. autotune rollback, restoring the file byte for byte.
// It works on a copy of examples/workflows/<scenario>.yaml in a temporary folder; nothing in the repo changes.
//   node examples/demo/run-demo.mjs [scenario]    (default: research-consensus-oversized)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'packages', 'cli', 'dist', 'bin.js');
const scenario = process.argv[2] ?? 'research-consensus-oversized';
const source = path.join(root, 'examples', 'workflows', `${scenario}.yaml`);
if (!fs.existsSync(bin)) {
  console.error('demo: the CLI is not built; run `npm run build` first (npm run demo does)');
  process.exit(1);
}
if (!fs.existsSync(source)) {
  console.error(`demo: no example workflow ${path.relative(root, source)}`);
  process.exit(2);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autotune-demo-'));
const workflow = path.join(dir, 'workflow.yaml');
fs.copyFileSync(source, workflow);
const original = fs.readFileSync(workflow);
// The scenario names the team it models (and the example file holds that team).
const { loadScenario } = createRequire(import.meta.url)(path.join(root, 'packages', 'simulator', 'dist', 'index.js'));
const teamId = loadScenario(scenario).teamId;
const started = Date.now();

function autotune(args, { allow = [0] } = {}) {
  console.log(`\n$ autotune ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env } });
  if (!allow.includes(r.status)) {
    console.error(`demo: autotune ${args[0]} exited with ${r.status}`);
    process.exit(1);
  }
  return r.status;
}
/** A unified-style line diff (longest common subsequence; workflow files are small). */
function diff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out.join('\n');
}

console.log(`autotune demo: scenario "${scenario}", team ${teamId}, working in ${dir}`);
autotune(['simulate', '--scenario', scenario, '--config', 'workflow.yaml', '--runs', '40', '--seed', '7', '--out', 'metrics.jsonl']);
autotune(['analyze', '--team-id', teamId, '--metrics', 'metrics.jsonl']);
autotune(['suggest', '--team-id', teamId, '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl']);
// Exit 3 or 4 means some suggestion did not pass: expected, and the point of testing them.
autotune(['apply', '--team-id', teamId, '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--auto', '--simulate', scenario, '--runs', '10', '--seed', '7'], { allow: [0, 3, 4] });

const after = fs.readFileSync(workflow, 'utf8');
console.log('\nworkflow.yaml after apply (changed lines; comments and layout kept):');
console.log(diff(original.toString('utf8'), after) || '(unchanged: no suggestion passed its A/B test)');

autotune(['history', '--team-id', teamId, '--config', 'workflow.yaml']);
if (after !== original.toString('utf8')) {
  autotune(['rollback', '--team-id', teamId, '--config', 'workflow.yaml', '--apply', 'latest']);
  const restored = fs.readFileSync(workflow);
  console.log(`\nworkflow.yaml after rollback: ${restored.equals(original) ? 'identical to the original, byte for byte' : 'DIFFERS from the original'}`);
  if (!restored.equals(original)) process.exit(1);
}
console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s; files left in ${dir}`);
