// CLI start-up: `autotune --help` against a bare `node -e 0`, alternating, median of N runs each. `--help` must
// not load the statistics or the database (the CLI imports them lazily), so it should cost little more than Node.
//   node tools/bench/cli-startup.mjs [--runs 30]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');
const bin = path.join(root, 'packages', 'cli', 'dist', 'bin.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);

function time(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const bare = [];
const help = [];
const version = [];
time([bin, '--help']); // warm the file cache
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  help.push(time([bin, '--help']));
  version.push(time([bin, '--version']));
}
const b = median(bare);
console.log('| command | median ms | vs `node -e 0` |');
console.log('|---|---:|---:|');
console.log(`| \`node -e 0\` | ${b.toFixed(1)} | 1.00x |`);
console.log(`| \`autotune --help\` | ${median(help).toFixed(1)} | ${(median(help) / b).toFixed(2)}x |`);
console.log(`| \`autotune --version\` | ${median(version).toFixed(1)} | ${(median(version) / b).toFixed(2)}x |`);
console.log(`\n${runs} runs each, alternating.`);
