// Child process for aggregate-file tests that need real worker threads: the workers run the package's
// TypeScript sources through the same require hook (register-ts.cjs), inherited via execArgv.
//   compare <file> <threads> [teamId]   prints {threads, single, parallel, viaReadRecords} summaries as JSON
//   error <file> <threads>              prints the error a strict read throws
//   memory <file>                       aggregates, prints peak RSS and the team's member count
import { aggregateFile, MetricsAggregator, readRecords } from '@autotune/metrics';
import type { MetricsSummary } from '@autotune/metrics';

function plain(s: MetricsSummary): unknown {
  return { totalRecords: s.totalRecords, teams: Object.fromEntries([...s.teams].map(([k, t]) => [k, { ...t }])) };
}

function json(v: unknown): string {
  // Float64Arrays as arrays; every double survives JSON exactly (shortest round-trip form).
  return JSON.stringify(v, (_k, x) => (x instanceof Float64Array ? Array.from(x) : x));
}

async function main(): Promise<void> {
  const [mode, file, arg, teamId] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: aggregate-child <mode> <file> [threads] [teamId]');
  if (mode === 'compare') {
    const reference = new MetricsAggregator();
    for await (const r of readRecords(file)) if (teamId === undefined || r.teamId === teamId) reference.add(r);
    const single = await aggregateFile(file, { threads: 1, teamId });
    const parallel = await aggregateFile(file, { threads: Number(arg), teamId });
    process.stdout.write(
      json({
        threads: parallel.threads,
        records: [single.report.records, parallel.report.records],
        viaReadRecords: plain(reference.summary()),
        single: plain(single.aggregator.summary()),
        parallel: plain(parallel.aggregator.summary()),
      }),
    );
  } else if (mode === 'error') {
    try {
      await aggregateFile(file, { threads: Number(arg) });
      process.stdout.write(json({ error: null }));
    } catch (e) {
      process.stdout.write(json({ error: (e as Error).message, code: (e as { code?: string }).code }));
    }
  } else if (mode === 'memory') {
    const { aggregator } = await aggregateFile(file, { threads: 1 });
    const teams = aggregator.summary().teams;
    let members = 0;
    for (const t of teams.values()) members += Object.keys(t.members).length;
    process.stdout.write(json({ members, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
  }
}

main().catch((e) => {
  process.stderr.write(String((e as Error).stack ?? e));
  process.exit(1);
});
