// Runs every benchmark in turn (`npm run bench`, after a build). Each prints a markdown table; copy the
// figures into tools/bench/README.md with the machine and date.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const here = import.meta.dirname;
/** @type {Array<[string, string, string[]]>} */
const benches = [
  ['Load and analyze, every format (1,000,000 runs)', 'metrics-load.mjs', []],
  ['Long lines', 'long-line.mjs', []],
  ['Calibration and early stopping', 'calibration.mjs', []],
  ['Bootstrap interval coverage', 'bootstrap-coverage.mjs', []],
  ['Tuning quality', 'tuning-quality.mjs', []],
  ['Tuner error rates', 'tuner-error-rates.mjs', []],
  ['CLI start-up', 'cli-startup.mjs', []],
  ['OpenTelemetry exporter and receiver', 'otel.mjs', []],
  ['PostgreSQL: trials through the queue, history', 'postgres.mjs', []],
];
console.log(`# autotune benchmarks, ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}\n`);
let failed = 0;
for (const [title, file, args] of benches) {
  console.log(`## ${title}\n`);
  const r = spawnSync(process.execPath, [path.join(here, file), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    console.log(`(failed with exit code ${r.status})`);
  }
  console.log();
}
process.exitCode = failed ? 1 : 0;
