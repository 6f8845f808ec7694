// Child process for parallel-load.test.ts: loads one metrics file on 1 and on N worker threads (real
// workers, running the sources through register-ts.cjs) and prints both analyses as JSON.
import { PerformanceAnalyzer } from '@autotune/analyzer';
import { aggregateFile } from '@autotune/metrics';

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Float64Array ? Array.from(x) : x instanceof Map ? Object.fromEntries(x) : x));
}

async function main(): Promise<void> {
  const [file, threads, teamId] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: parallel-child <file> <threads> [teamId]');
  const out: Record<string, unknown> = {};
  for (const [name, n] of [['single', 1], ['parallel', Number(threads)]] as const) {
    const analyzer = new PerformanceAnalyzer({ minRuns: 5 });
    const report = await analyzer.loadMetricsFromFile(file, teamId === undefined ? { threads: n } : { threads: n, teamId });
    const stats = Object.fromEntries(analyzer.listTeams().map((t) => [t, analyzer.getTeamStats(t)]));
    out[name] = { records: report.records, stats, insights: analyzer.analyzeAll() };
  }
  if (teamId !== undefined) {
    // The team as a load of every team sees it (one thread).
    const analyzer = new PerformanceAnalyzer({ minRuns: 5 });
    await analyzer.loadMetricsFromFile(file, { threads: 1 });
    out.full = { records: analyzer.getTeamStats(teamId).runs, stats: { [teamId]: analyzer.getTeamStats(teamId) }, insights: { [teamId]: analyzer.analyzeTeamWorkflow(teamId) } };
  }
  // How many threads the parallel load really used (1 if it fell back to one thread).
  out.threads = (await aggregateFile(file, teamId === undefined ? { threads: Number(threads) } : { threads: Number(threads), teamId })).threads;
  process.stdout.write(json(out));
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exit(1);
});
