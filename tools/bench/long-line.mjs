#!/usr/bin/env node
// Long-line benchmark (issue 14, item 5): one JSON Lines file per size, holding one record whose line is SIZE MB
// (a long error text) followed by a short record. Times, each in its own child process, alternating:
//   parse       readFileSync + JSON.parse of the long line alone (the floor)
//   readRecords readRecords(file) from @autotune/metrics, every record
//   aggregate   aggregateFile(file) (one thread: the file is one line)
// Target (issue 18): a 200 MB line within 2x of JSON.parse, in readRecords and aggregateFile; the table says, for
// lines of 200 MB or more, whether both met it, and the process exits with 1 when one did not. Below that, loading
// the package (about 0.1 s) is a large share of the readers' time and the ratio says little.
//
//   npm run build && node tools/bench/long-line.mjs [--sizes 20,50,200] [--repeat 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const metricsDist = resolve(here, '../../packages/metrics/dist/index.js');

const PASSES = {
  parse(file) {
    const text = readFileSync(file, 'utf8');
    const r = JSON.parse(text.slice(0, text.indexOf('\n')));
    return r.error.length;
  },
  async readRecords(file) {
    const { readRecords } = require(metricsDist);
    let n = 0;
    for await (const r of readRecords(file)) n += r.error?.length ?? 0;
    return n;
  },
  async aggregate(file) {
    const { aggregateFile } = require(metricsDist);
    const { aggregator } = await aggregateFile(file);
    return aggregator.totalRecords;
  },
};

if (process.argv[2] === '--child') {
  const t0 = process.hrtime.bigint();
  const check = await PASSES[process.argv[3]](process.argv[4]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, check, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const args = process.argv.slice(2);
  const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
  const sizes = opt('--sizes', '20,50,200').split(',').map(Number);
  const repeat = Number(opt('--repeat', '3'));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const started = new Date();
  const la = loadavg();
  const rows = [];
  const missed = [];
  for (const mb of sizes) {
    const file = join(here, 'data', `long-line-${mb}mb.jsonl`);
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const base = { teamId: 't', executionId: 'long', startTimeMs: 0, endTimeMs: 1000, durationSeconds: 1, success: false, memberCount: 0, toolCalls: 0, members: [] };
      const line = JSON.stringify({ ...base, error: 'x'.repeat(mb * 2 ** 20) });
      writeFileSync(file, `${line}\n${JSON.stringify({ ...base, executionId: 'short', error: 'short' })}\n`);
    }
    const res = { parse: [], readRecords: [], aggregate: [] };
    for (let k = 0; k < repeat; k++) {
      for (const pass of Object.keys(res)) {
        const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', pass, file], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${pass} failed: ${r.stderr}`);
        res[pass].push(JSON.parse(r.stdout));
      }
    }
    const p = median(res.parse.map((r) => r.seconds));
    const cell = (k) => {
      const t = median(res[k].map((r) => r.seconds));
      return `${t.toFixed(2)} (${(t / p).toFixed(2)}x) | ${Math.max(...res[k].map((r) => r.peakRssMb)).toFixed(0)}`;
    };
    const ratio = (k) => median(res[k].map((r) => r.seconds)) / p;
    const checked = mb >= 200;
    const met = ratio('readRecords') <= 2 && ratio('aggregate') <= 2;
    if (checked && !met) missed.push(`${mb} MB`);
    rows.push(`| ${mb} MB | ${p.toFixed(2)} | ${Math.max(...res.parse.map((r) => r.peakRssMb)).toFixed(0)} | ${cell('readRecords')} | ${cell('aggregate')} | ${!checked ? '-' : met ? 'yes' : '**no**'} |`);
  }
  console.log(`Machine: ${cpus().length} CPUs, ${cpus()[0]?.model}; Node ${process.version}; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; load average ${la.map((x) => x.toFixed(1)).join(' ')} at the start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end; median of ${repeat}.\n`);
  console.log('| line | JSON.parse s | RSS MB | readRecords s (vs parse) | RSS MB | aggregateFile s (vs parse) | RSS MB | 200 MB+: within 2x |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) console.log(r);
  if (missed.length > 0) {
    console.error(`target missed (more than 2x JSON.parse) at ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}
