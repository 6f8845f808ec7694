#!/usr/bin/env node
// Load-and-summarise benchmark for @autotune/metrics (built package, packages/metrics/dist).
// Generates tools/bench/data/records-1m.jsonl if missing, then times, each in its own child process so
// peak RSS is that pass's alone: a bare readline + JSON.parse pass, and readRecords + MetricsAggregator.
// With packages/analyzer built, a third pass loads the file into a PerformanceAnalyzer and analyses every team,
// and an "## Analyze" section says what the analysis adds on top of loading.
//
//   npm run build && node tools/bench/metrics-load.mjs [--records N] [--repeat R]
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { generateRecords } from './gen-records.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);
const metricsDist = join(root, 'packages/metrics/dist/index.js');
const analyzerDist = join(root, 'packages/analyzer/dist/index.js');

/** The passes compared. Each runs in a fresh child and returns a checksum so no work can be skipped. */
const PASSES = {
  async bare(file) {
    let n = 0;
    let sum = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line.length === 0) continue;
      sum += JSON.parse(line).durationSeconds;
      n++;
    }
    return { records: n, check: sum };
  },
  async autotune(file) {
    const { readRecords, MetricsAggregator } = require(metricsDist);
    const agg = new MetricsAggregator();
    for await (const r of readRecords(file)) agg.add(r);
    const summary = agg.summary();
    let sum = 0;
    for (const t of summary.teams.values()) sum += t.duration.mean * t.runs;
    return { records: summary.totalRecords, check: sum };
  },
  // ## Analyze: the same load through PerformanceAnalyzer, then analyzeAll() timed on its own.
  async analyze(file) {
    const { PerformanceAnalyzer } = require(analyzerDist);
    const analyzer = new PerformanceAnalyzer();
    await analyzer.loadMetricsFromFile(file);
    const t0 = process.hrtime.bigint();
    const all = analyzer.analyzeAll();
    const analyzeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    let insights = 0;
    let check = 0;
    const byBottleneck = {};
    for (const list of all.values()) {
      for (const i of list) {
        insights++;
        check += i.severity;
        byBottleneck[i.bottleneck] = (byBottleneck[i.bottleneck] ?? 0) + 1;
      }
    }
    return { records: analyzer.totalRecords, check, analyzeSeconds, teams: all.size, insights, byBottleneck };
  },
};

const LABELS = {
  bare: 'bare `readline` + `JSON.parse`',
  autotune: '`readRecords` + `MetricsAggregator` (summary)',
  analyze: '`PerformanceAnalyzer`: load + `analyzeAll()`',
};

async function child(pass, file) {
  const t0 = process.hrtime.bigint();
  const result = await PASSES[pass](file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // maxRSS is in kilobytes (KiB): the process's peak resident set.
  process.stdout.write(JSON.stringify({ pass, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, ...result }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const opt = (name, dflt) => {
    const k = args.indexOf(name);
    return k >= 0 ? Number(args[k + 1]) : dflt;
  };
  const count = opt('--records', 1_000_000);
  const repeat = opt('--repeat', 3);
  if (!existsSync(metricsDist)) {
    console.error(`${metricsDist} is missing: build first (npm run build)`);
    process.exit(2);
  }
  const file = join(here, 'data', count === 1_000_000 ? 'records-1m.jsonl' : `records-${count}.jsonl`);
  if (!existsSync(file)) {
    console.error(`generating ${count} records into ${file} ...`);
    await generateRecords(file, count, 42);
  }
  const runs = { bare: [], autotune: [] };
  if (existsSync(analyzerDist)) runs.analyze = [];
  else console.error(`${analyzerDist} is missing: the Analyze pass is skipped (build @autotune/analyzer)`);
  // Alternate the passes so that drift in machine load hits both alike.
  for (let k = 0; k < repeat; k++) {
    for (const pass of Object.keys(runs)) {
      const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', pass, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (res.status !== 0) throw new Error(`${pass} pass failed: ${res.stderr}`);
      runs[pass].push(JSON.parse(res.stdout));
    }
  }
  const bareTime = median(runs.bare.map((r) => r.seconds));
  const rows = Object.entries(runs).map(([pass, rs]) => {
    const t = median(rs.map((r) => r.seconds));
    return `| ${LABELS[pass]} | ${rs[0].records.toLocaleString('en-US')} | ${t.toFixed(2)} | ${(t / bareTime).toFixed(2)}x | ${Math.max(...rs.map((r) => r.peakRssMb)).toFixed(0)} |`;
  });
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`Machine: ${cpus().length} CPUs (nproc), ${cpu}; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`File: ${file} (${count.toLocaleString('en-US')} records); median of ${repeat} runs each, peak RSS the largest.\n`);
  console.log('| pass | records | seconds | vs bare | peak RSS (MB) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  if (runs.analyze) printAnalyze(runs.analyze, median(runs.autotune.map((r) => r.seconds)));
}

/** The "## Analyze" section: what analysing every team adds on top of loading the file. */
function printAnalyze(rs, loadTime) {
  const analyzeTime = median(rs.map((r) => r.analyzeSeconds));
  const total = median(rs.map((r) => r.seconds));
  const { teams, insights, byBottleneck } = rs[0];
  console.log('\n## Analyze\n');
  console.log('| step | seconds | share of load |');
  console.log('|---|---:|---:|');
  console.log(`| load (\`readRecords\` + \`MetricsAggregator\`, pass above) | ${loadTime.toFixed(2)} | 100% |`);
  console.log(`| \`analyzeAll()\` on ${teams} teams (summaries + every rule) | ${analyzeTime.toFixed(2)} | ${((analyzeTime / loadTime) * 100).toFixed(1)}% |`);
  console.log(`| whole analyze pass (load + analyse) | ${total.toFixed(2)} | ${((total / loadTime) * 100).toFixed(1)}% |`);
  const kinds = Object.entries(byBottleneck).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`\n${insights} insight(s): ${kinds || 'none'}.`);
}

await main();
