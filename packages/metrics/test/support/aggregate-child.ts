// Child process for aggregate-file tests that need real worker threads: the workers run the package's
// TypeScript sources through the same require hook (register-ts.cjs), inherited via execArgv.
//   compare <file> <threads> [teamId]   prints {threads, single, parallel, viaReadRecords} summaries as JSON
//   error <file> <threads> [teamId]     prints the error a strict read throws (null for none) and the runs read
//   memory <file>                       aggregates, prints peak RSS and the team's member count
//   queue <file> <ranges>               one real worker and this thread take <ranges> JSON Lines ranges from one task
//                                       queue; prints the indexes each ran, the shared counter after, and the
//                                       records of the results by index
//   lenient <file> <threads> [teamId]   prints {threads, single, parallel} summaries and skip reports of lenient reads
//   otlp-general <file> <threads> [lenient] [document]
//                                       prints {threads, single, parallel, general} summaries and reports, where
//                                       `general` reads the file through the public API only: JSON.parse of each
//                                       line (or of the whole document) and OtlpAssembler#addDocument, the general
//                                       reader the fast OTLP reader must agree with
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { rangeTaskQueue, runFromQueue } from '../../src/internal/range-task';
import type { RangeTaskData, RangeTaskResult } from '../../src/internal/range-task';
import { aggregateFile, MetricsAggregator, MetricsError, OtlpAssembler, readRecords } from '@autotune/metrics';
import type { ExecutionRecord, MetricsSummary, OtlpSink, ReadReport } from '@autotune/metrics';

/** OTLP JSON Lines (or one document) read with JSON.parse and `addDocument` only, as RecordParser would report it. */
function generalOtlp(file: string, lenient: boolean, document: boolean): { summary: MetricsSummary; report: Record<string, unknown> } {
  const aggregator = new MetricsAggregator();
  const report = { records: 0, skipped: 0, firstSkips: [] as string[], lateSpans: 0, unattachedSpans: 0, rootSpanRuns: 0 };
  const skip = (e: MetricsError): void => {
    if (!lenient) throw e;
    report.skipped++;
    if (report.firstSkips.length < 5) report.firstSkips.push(e.message);
  };
  const sink: OtlpSink = {
    record: (r: ExecutionRecord) => {
      report.records++;
      aggregator.add(r);
    },
    reject: skip,
  };
  const assembler = new OtlpAssembler();
  const text = readFileSync(file, 'utf8');
  const add = (t: string, line: number): void => {
    const location = { file, line };
    let doc: unknown;
    try {
      doc = JSON.parse(t);
    } catch (e) {
      skip(new MetricsError('METRICS_PARSE', `not valid JSON: ${(e as Error).message}`, { location, cause: e }));
      return;
    }
    try {
      assembler.addDocument(doc, location, sink);
    } catch (e) {
      if (e instanceof MetricsError) skip(e);
      else throw e;
    }
  };
  if (document) add(text, 1);
  else text.split('\n').forEach((line, k) => (line.trim() === '' ? undefined : add(line, k + 1)));
  assembler.flush(sink);
  const stats = assembler.stats();
  return { summary: aggregator.summary(), report: { ...report, lateSpans: stats.lateSpans, unattachedSpans: stats.unattachedSpans, rootSpanRuns: stats.rootSpanRuns } };
}

function otlpReport(r: ReadReport): Record<string, unknown> {
  return { records: r.records, skipped: r.skipped, firstSkips: r.firstSkips.map((s) => s.reason), lateSpans: r.lateSpans, unattachedSpans: r.unattachedSpans, rootSpanRuns: r.rootSpanRuns };
}

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
    const single = await aggregateFile(file, { threads: 1, lenient: true, teamId });
    const parallel = await aggregateFile(file, { threads: Number(arg), lenient: true, teamId });
    const skips = (r: typeof single.report) => ({ records: r.records, skipped: r.skipped, first: r.firstSkips.map((s) => s.reason) });
    process.stdout.write(
      json({
        threads: parallel.threads,
        single: plain(single.aggregator.summary()),
        parallel: plain(parallel.aggregator.summary()),
        reports: [skips(single.report), skips(parallel.report)],
      }),
    );
  } else if (mode === 'otlp-general') {
    const lenient = process.argv.includes('lenient');
    let general: ReturnType<typeof generalOtlp> | { error: string };
    try {
      general = generalOtlp(file, lenient, process.argv.includes('document'));
    } catch (e) {
      general = { error: (e as Error).message };
    }
    const read = async (threads: number): Promise<unknown> => {
      try {
        const r = await aggregateFile(file, { threads, lenient });
        return { threads: r.threads, summary: plain(r.aggregator.summary()), report: otlpReport(r.report) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    const single = await read(1);
    const parallel = await read(Number(arg));
    const g = 'error' in general ? general : { summary: plain(general.summary), report: general.report };
    process.stdout.write(json({ general: g, single, parallel }));
  } else if (mode === 'queue') {
    // Cut at the newlines nearest to equal shares, as aggregateFile does.
    const text = readFileSync(file);
    const n = Number(arg);
    const cuts = [0];
    for (let k = 1; k < n; k++) cuts.push(text.indexOf(10, Math.floor((text.length * k) / n)) + 1);
    cuts.push(statSync(file).size);
    const tasks: RangeTaskData[] = cuts.slice(0, -1).map((start, k) => ({
      kind: 'lines',
      task: { path: file, start, end: cuts[k + 1]!, lenient: false, maxReportedSkips: undefined, teamId: undefined, formations: undefined },
    }));
    const queue = rangeTaskQueue(tasks);
    const entry = join(__dirname, '..', '..', 'src', 'internal', 'range-worker.ts');
    const worker = new Worker(`require(${JSON.stringify(entry)});`, { eval: true });
    const theirs = new Promise<[number, RangeTaskResult][]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage(queue);
    const mine = await runFromQueue(queue, 0);
    const other = await theirs;
    const records: number[] = [];
    for (const [k, r] of [...mine, ...other]) records[k] = r.records;
    process.stdout.write(json({ mine: mine.map(([k]) => k), theirs: other.map(([k]) => k), counter: queue.next[0], records }));
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
