#!/usr/bin/env node
// Load-and-analyze benchmark for @autotune/metrics and @autotune/analyzer (built packages: npm run build).
// Generates seeded files (gen-records.mjs) in tools/bench/data if missing, one per format:
//   snake-jsonl, snake-json (the original's snake_case records as JSON Lines and as a JSON array),
//   autotune-jsonl (autotune's own JSON Lines), otlp-jsonl and otlp-json (OTLP/JSON spans).
// For each format it runs, alternating, each pass in its own child process (so peak RSS is that pass's):
//   bare      the bare single-thread pass: readline + JSON.parse of every line, touching one field
//             (for a JSON array, the same records as JSON Lines; for one OTLP document, JSON.parse of it)
//   all       PerformanceAnalyzer.loadMetricsFromFile (aggregateFile, threads 'auto') + analyzeAll()
//   one-team  the same with --team-id (loadMetricsFromFile(file, { teamId })) + analyzeTeamWorkflow()
//   1-thread  'all' with threads: 1, for reference
// and prints one table with the machine, date and load average.
//
//   npm run build && node tools/bench/metrics-load.mjs [--records N] [--repeat R] [--formats a,b] [--passes bare,all,...]
//                                                      [--otlp-json-spans N] [--quiet] [--cache warm|cold|as-is]
//
// Every run records the CPU time the rest of the machine used meanwhile (Linux /proc/stat), and the table says
// how much; with --quiet a run during which others used over a tenth of a core is repeated (up to 5 times).
// Interrupt time (irq, softirq) is charged to no process and reported apart: a bare pass causes some itself.
//
// The page cache is set alike before every pass (--cache, default warm): the file is read through first (untimed);
// with cold it is dropped from this machine's cache (GNU dd iflag=nocache; a virtual machine's host may still hold
// it); as-is leaves it as it is. Some machines drop cached pages all the time (this one: about 7 MB/s while idle),
// so a pass read a varying share of a 2 GB file from disk, and a read from disk costs kernel CPU (here up to 2.3 s a
// GB) that a one-thread pass leaves to the idle core and a two-thread pass cannot. Each run reports what it read
// from disk (getrusage blocks in).
//
// OTLP files are sized in spans: --records N gives about N spans (runs = N / 6.5; a run has one workflow span
// and 3-8 member spans). autotune streams a single OTLP document span by span, but the bare pass parses it
// whole and V8 caps a string at about 512 MiB, so otlp-json is sized by --otlp-json-spans (default 200,000).
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { FORMATS, generateRecords } from './gen-records.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);
const analyzerDist = join(root, 'packages/analyzer/dist/index.js');
const TEAM = 'team_07';

/** The passes. Each runs in a fresh child and returns a checksum so that no work can be skipped. */
const PASSES = {
  async bare(file, format) {
    if (format === 'otlp-json') {
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      return { records: doc.resourceSpans[0].scopeSpans[0].spans.length, check: 0 };
    }
    let n = 0;
    let check = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line.length === 0) continue;
      const v = JSON.parse(line);
      check += v.success ? 1 : 0;
      n++;
    }
    return { records: n, check };
  },
  all: (file) => analyze(file, {}),
  'one-team': (file) => analyze(file, { teamId: TEAM }),
  '1-thread': (file) => analyze(file, { threads: 1 }),
};

async function analyze(file, options) {
  const { PerformanceAnalyzer } = require(analyzerDist);
  const analyzer = new PerformanceAnalyzer();
  const report = await analyzer.loadMetricsFromFile(file, options);
  let insights = 0;
  let check = 0;
  const lists = options.teamId ? [analyzer.analyzeTeamWorkflow(options.teamId)] : [...analyzer.analyzeAll().values()];
  for (const list of lists) {
    for (const i of list) {
      insights++;
      check += i.severity;
    }
  }
  return { records: report.records, check, insights, teams: analyzer.listTeams().length };
}

async function child(pass, file, format) {
  const t0 = process.hrtime.bigint();
  const result = await PASSES[pass](file, format);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // maxRSS is in KiB: the process's peak resident set, worker threads included. CPU time is every thread's
  // (user + system): on a machine shared with other jobs it shows the work done, whatever the wall clock says.
  // fsRead counts 512-byte blocks read from disk by every thread.
  const u = process.resourceUsage();
  process.stdout.write(JSON.stringify({ pass, seconds, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, peakRssMb: u.maxRSS / 1024, diskMb: (u.fsRead * 512) / 2 ** 20, ...result }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function ensure(file, count, format) {
  if (existsSync(file)) return;
  console.error(`generating ${count} runs (${format}) into ${file} ...`);
  await generateRecords(file, count, 42, format);
}

/**
 * CPU seconds the whole machine spent so far (Linux /proc/stat), or undefined: `tasks` is time spent running
 * processes (user, nice, system, and steal: the host's other guests), `interrupts` is irq and softirq time, which no
 * process is charged for. Kept apart because a bare pass causes interrupt time of its own (about 0.8 s of softirq
 * in a 5 s pass here, mostly scheduler softirqs; a two-thread pass next to none): counted as "others", it made nearly
 * every bare pass look disturbed.
 */
function machineCpuSeconds() {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
    return { tasks: (user + nice + system + steal) / 100, interrupts: (irq + softirq) / 100 }; // USER_HZ: 100 on Linux
  } catch {
    return undefined;
  }
}

/** Reads a file through (into the page cache), untimed. */
function warm(file) {
  const buf = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let pos = 0, n; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n);
  } finally {
    closeSync(fd);
  }
}

/** Drops a file's pages from the page cache (GNU dd: with count=0, iflag=nocache drops the whole file). */
function evict(file) {
  const res = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`--cache cold: dd could not drop ${file} from the page cache: ${res.stderr || res.error?.message}`);
}

/**
 * One pass in a fresh child. `otherCpu` is the CPU time the rest of the machine used meanwhile (busy time minus
 * the child's own): on a shared 2-core machine a parallel pass is only measured when it had the cores to itself.
 * With `--quiet`, a pass during which others used more than a tenth of a core is run again (up to 5 times).
 */
function run(pass, file, format, quiet, cache) {
  for (let attempt = 1; ; attempt++) {
    if (cache === 'warm') warm(file);
    else if (cache === 'cold') evict(file);
    const before = machineCpuSeconds();
    const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', pass, file, format], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const after = machineCpuSeconds();
    if (res.status !== 0) throw new Error(`${pass} pass on ${file} failed: ${res.stderr}`);
    const out = JSON.parse(res.stdout);
    out.otherCpu = before === undefined ? 0 : Math.max(0, after.tasks - before.tasks - out.cpuSeconds);
    out.interruptCpu = before === undefined ? 0 : after.interrupts - before.interrupts;
    if (!quiet || out.otherCpu <= 0.1 * out.seconds || attempt >= 5) return out;
    console.error(`${format} ${pass}: others used ${out.otherCpu.toFixed(1)} s of CPU in ${out.seconds.toFixed(1)} s: again`);
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2], args[3]);
  const opt = (name, dflt) => {
    const k = args.indexOf(name);
    return k >= 0 ? args[k + 1] : dflt;
  };
  const count = Number(opt('--records', '1000000'));
  const repeat = Number(opt('--repeat', '3'));
  const quiet = args.includes('--quiet');
  const cache = opt('--cache', 'warm');
  if (!['warm', 'cold', 'as-is'].includes(cache)) throw new Error(`--cache must be warm, cold or as-is, got ${cache}`);
  const otlpJsonSpans = Number(opt('--otlp-json-spans', '200000'));
  const formats = opt('--formats', FORMATS.join(',')).split(',');
  const passes = opt('--passes', Object.keys(PASSES).join(',')).split(',');
  if (passes[0] !== 'bare') throw new Error('--passes must start with bare');
  if (!existsSync(analyzerDist)) {
    console.error(`${analyzerDist} is missing: build first (npm run build)`);
    process.exit(2);
  }
  const tag = count % 1_000_000 === 0 ? `${count / 1_000_000}m` : count % 1000 === 0 ? `${count / 1000}k` : String(count);
  const data = join(here, 'data');
  const loadBefore = loadavg();
  const started = new Date();
  const rows = [];
  /** Every timed run kept, for the account of other processes' CPU. */
  const all = [];
  for (const format of formats) {
    const runs = format === 'otlp-jsonl' ? Math.round(count / 6.5) : format === 'otlp-json' ? Math.round(otlpJsonSpans / 6.5) : count;
    const file = join(data, `${format}-${format === 'otlp-json' ? `${otlpJsonSpans}spans` : tag}.${format.endsWith('jsonl') ? 'jsonl' : 'json'}`);
    await ensure(file, runs, format);
    // The bare pass of a JSON array reads the same records as JSON Lines (a bare JSON.parse cannot stream an array).
    let bareFile = file;
    if (format === 'snake-json') {
      bareFile = join(data, `snake-jsonl-${tag}.jsonl`);
      await ensure(bareFile, count, 'snake-jsonl');
    }
    const res = Object.fromEntries(passes.map((p) => [p, []]));
    // Alternate the passes, so that drift in machine load hits all alike.
    for (let k = 0; k < repeat; k++) {
      for (const pass of Object.keys(res)) res[pass].push(run(pass, pass === 'bare' ? bareFile : file, format, quiet, cache));
    }
    for (const [pass, list] of Object.entries(res)) all.push(...list.map((r) => ({ ...r, pass })));
    const bare = median(res.bare.map((r) => r.seconds));
    const bareCpu = median(res.bare.map((r) => r.cpuSeconds));
    // Ratios are paired: the median of each round's ratio to that round's bare pass, so that a machine whose speed
    // drifts over minutes moves both sides of a ratio alike.
    const paired = (pass, key) => median(res[pass].map((r, k) => r[key] / res.bare[k][key]));
    const cell = (pass) => {
      if (!res[pass]) return '- | - | -';
      const t = median(res[pass].map((r) => r.seconds));
      const c = median(res[pass].map((r) => r.cpuSeconds));
      return `${t.toFixed(2)} (${paired(pass, 'seconds').toFixed(2)}x) | ${c.toFixed(1)} (${paired(pass, 'cpuSeconds').toFixed(2)}x) | ${Math.max(...res[pass].map((r) => r.peakRssMb)).toFixed(0)}`;
    };
    const size = statSync(file).size / 2 ** 20;
    rows.push(
      `| ${format} | ${size.toFixed(0)} | ${(res.all ?? res[passes[1]] ?? res.bare)[0].records.toLocaleString('en-US')} | ${bare.toFixed(2)} | ${bareCpu.toFixed(1)} | ${Math.max(...res.bare.map((r) => r.peakRssMb)).toFixed(0)} | ${cell('all')} | ${cell('one-team')} | ${cell('1-thread')} |`,
    );
    console.error(`${format}: done (${rows[rows.length - 1]})`);
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`Machine: ${cpus().length} CPUs (nproc), ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  console.log(`Load average (1, 5, 15 min): ${la(loadBefore)} at the start, ${la(loadavg())} at the end.`);
  const kept = rows.length === 0 ? [] : all.filter((r) => r.otherCpu !== undefined);
  if (kept.length > 0) {
    const worst = Math.max(...kept.map((r) => r.otherCpu / r.seconds));
    console.log(`Other processes during the ${kept.length} timed runs: ${kept.reduce((a, r) => a + r.otherCpu, 0).toFixed(1)} CPU seconds in all, at most ${(100 * worst).toFixed(0)}% of a core in one run${quiet ? ' (--quiet: runs over 10% were repeated, up to 5 times)' : ''}.`);
  }
  if (kept.length > 0) {
    // Per second of the pass, bare passes apart from the others: see machineCpuSeconds.
    const perSecond = (runs) => (runs.length === 0 ? 0 : runs.reduce((a, r) => a + r.interruptCpu, 0) / runs.reduce((a, r) => a + r.seconds, 0));
    const bareRuns = kept.filter((r) => r.pass === 'bare');
    const otherRuns = kept.filter((r) => r.pass !== 'bare');
    console.log(`Interrupt handling (irq and softirq, charged to no process; not in "others"): ${(100 * perSecond(bareRuns)).toFixed(0)}% of a core during bare passes, ${(100 * perSecond(otherRuns)).toFixed(0)}% during the others.`);
  }
  if (kept.length > 0) {
    const disk = kept.map((r) => r.diskMb ?? 0);
    console.log(`Page cache: ${cache} before every pass; read from disk during the timed runs: ${disk.reduce((a, b) => a + b, 0).toFixed(0)} MB in all, at most ${Math.max(...disk).toFixed(0)} MB in one run.`);
  }
  console.log(`${count.toLocaleString('en-US')} runs per file (OTLP: about ${count.toLocaleString('en-US')} spans as JSON Lines, ${otlpJsonSpans.toLocaleString('en-US')} as one document); median of ${repeat} alternating rounds, peak RSS the largest. Wall seconds (ratio to bare: median of the rounds' ratios) | CPU seconds of all threads (ratio to bare) | peak RSS MB.\n`);
  console.log('| format | MB | records | bare s | bare CPU s | bare RSS | all teams: s | CPU s | RSS | --team-id: s | CPU s | RSS | 1 thread: s | CPU s | RSS |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

await main();
