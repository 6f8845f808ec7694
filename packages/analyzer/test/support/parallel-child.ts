// Child process for parallel-load.test.ts: loads one metrics file on 1 and on N worker threads (real
// workers, running the sources through register-ts.cjs) and prints both analyses as JSON.
import { PerformanceAnalyzer } from '@autotune/analyzer';

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Float64Array ? Array.from(x) : x instanceof Map ? Object.fromEntries(x) : x));
}

async function main(): Promise<void> {
  const [file, threads] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: parallel-child <file> <threads>');
  const out: Record<string, unknown> = {};
  for (const [name, n] of [['single', 1], ['parallel', Number(threads)]] as const) {
    const analyzer = new PerformanceAnalyzer({ minRuns: 5 });
    const report = await analyzer.loadMetricsFromFile(file, { threads: n });
    const stats = Object.fromEntries(analyzer.listTeams().map((t) => [t, analyzer.getTeamStats(t)]));
    out[name] = { records: report.records, stats, insights: analyzer.analyzeAll() };
  }
  process.stdout.write(json(out));
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exit(1);
});
