// The tuner's error rates (docs/statistics.md, section 8), over seeded tunes on an in-memory runner whose truth is
// known: every config has log-normal durations around 100 s (sigma 0.3) and a 90% success rate, each run drawing
// its own luck, so configs are independent and a race has noise to be fooled by.
//   A/A: every candidate equals the config in force; how often does a tune keep a change? (alpha bounds it)
//   one faster: the parallel formation is truly 20% faster, all else equal; how often is it eliminated by a test
//   (not by the budget), and how often does the tune end on it?
//
//   node tools/bench/tuner-error-rates.mjs [--tunes-60 400] [--tunes-150 200] [--json]
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const core = require(path.join(root, 'packages/core/dist/index.js'));
const { configFingerprint } = require(path.join(root, 'packages/metrics/dist/index.js'));
const { createRng } = require(path.join(root, 'packages/stats/dist/index.js'));

const { values } = parseArgs({ options: { 'tunes-60': { type: 'string', default: '400' }, 'tunes-150': { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
const EPOCH = Date.UTC(2026, 0, 1);
const BASE = { formation: 'sequential', memberCount: 3, members: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], toolBudget: 40, timeoutSeconds: 600 };

function hash(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Runs with independent luck per call; `speedOf(config)` scales the duration. */
function runner(speedOf) {
  let n = 0;
  return {
    run(config, context) {
      const rng = createRng(hash(`${context.seed}/${context.trial}/${context.arm}/${configFingerprint(config)}/${n}`));
      const u1 = Math.max(rng.next(), 1e-12);
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.next());
      const durationSeconds = 100 * speedOf(config) * Math.exp(0.3 * z);
      return Promise.resolve({
        teamId: 'team',
        executionId: `run-${n++}`,
        startTimeMs: EPOCH,
        endTimeMs: EPOCH + Math.round(durationSeconds * 1000),
        durationSeconds,
        success: rng.next() < 0.9,
        memberCount: config.memberCount,
        toolCalls: 10,
        members: [],
        costUsd: durationSeconds / 1000,
        configFingerprint: configFingerprint(config),
      });
    },
  };
}

async function tune(seed, budget, speedOf) {
  const store = new core.MemoryStore();
  const recorder = runner(() => 1);
  const history = [];
  for (let i = 0; i < 30; i++) history.push({ ...(await recorder.run(BASE, { teamId: 'team', arm: 'baseline', trial: i, seed: 7 * seed })), executionId: `history-${i}`, startTimeMs: EPOCH - (i + 1) * 3_600_000, endTimeMs: EPOCH - (i + 1) * 3_600_000 + 100_000 });
  await store.writeMany(history);
  const autotuner = new core.PerformanceAutotuner({ runner: runner(speedOf), store, seed, now: () => new Date(EPOCH) });
  return autotuner.tune('team', BASE, { budget });
}

const isFast = (c) => c.formation === 'parallel' && c.memberCount === 3 && c.toolBudget === 40 && c.timeoutSeconds === 600;
const rows = [];
const started = Date.now();
for (const [budget, tunes] of [[60, Number(values['tunes-60'])], [150, Number(values['tunes-150'])]]) {
  let aaKept = 0;
  let eliminated = 0;
  let endedOn = 0;
  for (let seed = 1; seed <= tunes; seed++) {
    const aa = await tune(seed, budget, () => 1);
    if (aa.steps.some((s) => s.kept)) aaKept++;
    const one = await tune(seed, budget, (c) => (isFast(c) ? 0.8 : 1));
    const standing = one.steps[0]?.race.standings.find((s) => isFast(s.config));
    if (standing?.status === 'eliminated' && standing.dropReason && !/budget|not raced/.test(standing.dropReason)) eliminated++;
    if (isFast(one.finalConfig)) endedOn++;
  }
  rows.push({ budget, tunes, aaKept, eliminatedByTest: eliminated, endedOnFaster: endedOn });
}
const summary = { rows, seconds: Math.round((Date.now() - started) / 1000), machine: `${os.cpus().length} CPUs, Node ${process.version}`, date: new Date().toISOString() };
if (values.json) console.log(JSON.stringify(summary, null, 2));
else {
  const pct = (k, n) => `${k} of ${n} (${((100 * k) / n).toFixed(1)}%)`;
  console.log('| what | ' + rows.map((r) => `budget ${r.budget}`).join(' | ') + ' |');
  console.log('|---|' + rows.map(() => '---|').join(''));
  console.log('| A/A: tunes that keep a change | ' + rows.map((r) => pct(r.aaKept, r.tunes)).join(' | ') + ' |');
  console.log('| one candidate truly 20% faster: eliminated by a test | ' + rows.map((r) => pct(r.eliminatedByTest, r.tunes)).join(' | ') + ' |');
  console.log('| one candidate truly 20% faster: the tune ends on it | ' + rows.map((r) => pct(r.endedOnFaster, r.tunes)).join(' | ') + ' |');
  console.log(`\n${summary.seconds} s, ${summary.machine}, ${summary.date}`);
}
