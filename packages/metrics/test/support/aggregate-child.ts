// Child process for aggregate-file tests that need real worker threads: the workers run the package's
// TypeScript sources through the same require hook (register-ts.cjs), inherited via execArgv.
//   compare <file> <threads> [teamId]   prints {threads, single, parallel, viaReadRecords} summaries as JSON
//   error <file> <threads> [teamId]     prints the error a strict read throws (null for none) and the runs read
//   memory <file>                       aggregates, prints peak RSS and the team's member count
//   lenient <file> <threads>            prints {threads, single, parallel} summaries and skip reports of lenient reads
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
        reports: [single.report, parallel.report].map((r) => ({ format: r.format, records: r.records, skipped: r.skipped, lateSpans: r.lateSpans, unattachedSpans: r.unattachedSpans, rootSpanRuns: r.rootSpanRuns })),
        viaReadRecords: plain(reference.summary()),
        single: plain(single.aggregator.summary()),
        parallel: plain(parallel.aggregator.summary()),
      }),
    );
  } else if (mode === 'error') {
    try {
      const r = await aggregateFile(file, { threads: Number(arg), teamId });
      process.stdout.write(json({ error: null, threads: r.threads, records: r.report.records }));
    } catch (e) {
      process.stdout.write(json({ error: (e as Error).message, code: (e as { code?: string }).code }));
    }
  } else if (mode === 'lenient') {
    const single = await aggregateFile(file, { threads: 1, lenient: true });
    const parallel = await aggregateFile(file, { threads: Number(arg), lenient: true });
    const skips = (r: typeof single.report) => ({ records: r.records, skipped: r.skipped, first: r.firstSkips.map((s) => s.reason) });
    process.stdout.write(
      json({
        threads: parallel.threads,
        single: plain(single.aggregator.summary()),
        parallel: plain(parallel.aggregator.summary()),
        reports: [skips(single.report), skips(parallel.report)],
      }),
    );
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
