// PostgreSQL scale-out figures (after `npm run build`): a real server from tools/test-postgres.mjs.
//   1. no-op trials through the queue to W worker processes (one trial at a time each), against the same
//      trials run locally W at a time: overhead per trial = (queue wall time - local wall time) / trials. The
//      coordinator keeps every trial in flight, as the CLI does with --queue;
//   2. `history` on N entries: the store query alone, and the whole `autotune history --json` command.
// Usage: node tools/bench/postgres.mjs [--trials 1000] [--workers 4] [--history 10000]
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TRIALS = arg('trials', 1000);
const WORKERS = arg('workers', 4);
const HISTORY = arg('history', 10000);

const { startTestPostgres } = require(path.join(root, 'tools', 'test-postgres.cjs'));
const { Pool } = require('pg');
const { runExperiment } = require(path.join(root, 'packages', 'abtest'));
const pgpkg = require(path.join(root, 'packages', 'postgres'));

function noopRecord(teamId, ctx) {
  const now = Date.now();
  return { teamId, executionId: `${ctx.arm}-${ctx.trial}-${ctx.seed}`, startTimeMs: now, endTimeMs: now + 1, durationSeconds: 0.001, success: true, memberCount: 1, toolCalls: 0, members: [] };
}

const server = await startTestPostgres();
const pool = new Pool({ connectionString: server.url, max: 10 });
pool.on('error', () => undefined);
try {
  // 1. Queue overhead.
  const noop = { run: async (_config, ctx) => noopRecord('bench', ctx) };
  const runsPerArm = TRIALS / 2;
  let t = performance.now();
  await runExperiment({ teamId: 'bench', baseline: {}, candidate: {}, runner: noop, runsPerArm, concurrency: WORKERS, seed: 1 });
  const localMs = performance.now() - t;

  const workerScript = `
    const { Pool } = require(${JSON.stringify(require.resolve('pg'))});
    const { TrialWorker } = require(${JSON.stringify(path.join(root, 'packages', 'postgres'))});
    const pool = new Pool({ connectionString: process.env.URL, max: 3 });
    pool.on('error', () => undefined);
    TrialWorker.start(pool, { teamId: 'bench', pollIntervalMs: 1000, runnerFor: (teamId) => ({ run: async (_c, ctx) => {
      const now = Date.now();
      return { teamId, executionId: ctx.arm + '-' + ctx.trial, startTimeMs: now, endTimeMs: now + 1, durationSeconds: 0.001, success: true, memberCount: 1, toolCalls: 0, members: [] };
    } }) }).then((w) => { console.log('ready'); process.stdin.on('end', () => w.stop().then(() => pool.end()).then(() => process.exit(0))); process.stdin.resume(); });
  `;
  // The first worker creates the queue's schema; start it alone, then the others.
  const workers = [];
  for (let i = 0; i < WORKERS; i++) {
    const child = spawn(process.execPath, ['-e', workerScript], { env: { ...process.env, URL: server.url }, stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    workers.push(child);
  }
  const runner = await pgpkg.QueueTrialRunner.open(pool, 'bench', { trialTimeoutMs: 60_000 });
  // Warm-up (connections, plans), not timed.
  await runExperiment({ teamId: 'bench', baseline: {}, candidate: {}, runner, runsPerArm: 10, concurrency: 20, seed: 2 });
  t = performance.now();
  const result = await runExperiment({ teamId: 'bench', baseline: {}, candidate: {}, runner, runsPerArm, concurrency: TRIALS, seed: 3 });
  const queueMs = performance.now() - t;
  const failed = [...result.baseline, ...result.candidate].filter((s) => !s.record.success).length;
  await runner.close();
  for (const w of workers) w.stdin.end();
  await Promise.all(workers.map((w) => new Promise((r) => w.on('exit', r))));

  console.log(`| trials | workers (processes) | local wall (ms) | queue wall (ms) | overhead per trial (ms) | queue throughput (trials/s) | failed |`);
  console.log(`|---:|---:|---:|---:|---:|---:|---:|`);
  console.log(
    `| ${TRIALS} | ${WORKERS} | ${localMs.toFixed(0)} | ${queueMs.toFixed(0)} | ${((queueMs - localMs) / TRIALS).toFixed(2)} | ${(TRIALS / (queueMs / 1000)).toFixed(0)} | ${failed} |`,
  );
  console.log();

  // 2. history on N entries.
  const store = await pgpkg.PostgresStore.open(pool);
  const entry = (i) => ({
    teamId: 'hist',
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    optimization: { type: 'team_sizing', description: `Shrink the team (${i})`, changes: [{ key: 'memberCount', before: 8, after: 4 }] },
    validationStatus: 'passed',
    status: 'applied',
    improvementPercentage: 12.5,
    configBefore: { teamId: 'hist', formation: 'parallel', memberCount: 8 },
    configAfter: { teamId: 'hist', formation: 'parallel', memberCount: 4 },
    fingerprintBefore: 'a'.repeat(16),
    fingerprintAfter: 'b'.repeat(16),
  });
  for (let i = 0; i < HISTORY; i += 500) await store.writeHistory({ append: Array.from({ length: Math.min(500, HISTORY - i) }, (_, k) => entry(i + k)) });
  const queries = [];
  for (let r = 0; r < 5; r++) {
    t = performance.now();
    const list = await store.listHistory('hist');
    queries.push(performance.now() - t);
    if (list.length !== HISTORY) throw new Error(`listHistory returned ${list.length}`);
  }
  const bin = path.join(root, 'packages', 'cli', 'dist', 'bin.js');
  const commands = [];
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    const run = spawnSync(process.execPath, [bin, 'history', '--team-id', 'hist', '--db', server.url, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    commands.push(performance.now() - t);
    if (run.status !== 0) throw new Error(run.stderr);
  }
  const limited = [];
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    const run = spawnSync(process.execPath, [bin, 'history', '--team-id', 'hist', '--db', server.url, '--limit', '20'], { encoding: 'utf8' });
    limited.push(performance.now() - t);
    if (run.status !== 0) throw new Error(run.stderr);
  }
  const human = [];
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    const run = spawnSync(process.execPath, [bin, 'history', '--team-id', 'hist', '--db', server.url], { encoding: 'utf8', maxBuffer: 1 << 28 });
    human.push(performance.now() - t);
    if (run.status !== 0) throw new Error(run.stderr);
  }
  const startup = [];
  for (let r = 0; r < 3; r++) {
    t = performance.now();
    spawnSync(process.execPath, [bin, '--version']);
    startup.push(performance.now() - t);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  await store.close();
  console.log(`| history entries | listHistory, median of 5 (ms) | \`autotune history --json\` (ms) | \`autotune history\` (ms) | \`autotune history --limit 20\` (ms) | \`autotune --version\` start-up (ms) |`);
  console.log(`|---:|---:|---:|---:|---:|---:|`);
  console.log(`| ${HISTORY} | ${median(queries).toFixed(0)} | ${median(commands).toFixed(0)} | ${median(human).toFixed(0)} | ${median(limited).toFixed(0)} | ${median(startup).toFixed(0)} |`);
  console.log('(commands: median of 3)');
  console.log(`\n${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await pool.end();
  await server.stop();
}
