import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateFile } from '../src/aggregate-file';
import { MetricsAggregator } from '../src/aggregator';
import type { MetricsError } from '../src/errors';
import { OTLP_BATCH_SPANS, OtlpEarlyBuildConflict } from '../src/otlp';
import type { ExecutionRecord } from '../src/record';
import { fastReadStats } from '../src/internal/otlp-fast';
import { streamOtlpDocument } from '../src/internal/otlp-document';
import type { MetricsSummary } from '../src/summary-types';
import type { ReadReport } from '../src/read-options';
import { aggregateOtlpDocumentPart, documentPartTasks, findDocumentCut, mergeDocumentParts } from '../src/internal/otlp-document-parts';
import type { OtlpDocumentPartResult } from '../src/internal/otlp-document-parts';
import { writeOtlpLines } from './support/generate';

// One OTLP document read as two parts (a head up to a span, a tail from it) must give exactly what one pass
// gives, wherever the cut falls: in either resource, at a list's first span, next to a batch boundary. The parts
// run here on this thread (aggregate-file.test.ts runs them on real workers); each cut is read both ways.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-document-parts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plain(s: MetricsSummary): string {
  return JSON.stringify({ totalRecords: s.totalRecords, teams: [...s.teams].map(([k, t]) => [k, { ...t }]) }, (_k, x) => (x instanceof Float64Array ? Array.from(x) : x));
}

function pick(r: ReadReport) {
  return { format: r.format, records: r.records, skipped: r.skipped, firstSkips: r.firstSkips.map((s) => s.reason), lateSpans: r.lateSpans, unattachedSpans: r.unattachedSpans, rootSpanRuns: r.rootSpanRuns };
}

/** Byte offsets of the "{" of every span (the generator writes the trace id first). */
function spanStarts(text: Buffer): number[] {
  const starts: number[] = [];
  const key = Buffer.from('"traceId"');
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
    let i = at - 1;
    while (text[i] === 0x20 || text[i] === 0x0a) i--;
    if (text[i] === 0x7b) starts.push(i);
  }
  return starts;
}

/** The parts as aggregateFile reads them: with early builds, and again without when a part found them inexact. */
async function readInParts(path: string, cut: number, lenient: boolean, earlyBuilds = true): Promise<{ head: OtlpDocumentPartResult; tail: OtlpDocumentPartResult; merged: ReturnType<typeof mergeDocumentParts>; early: boolean }> {
  const tasks = documentPartTasks(path, statSync(path).size, cut, { path, lenient, maxReportedSkips: 5, teamId: undefined, formations: undefined, otlp: undefined, earlyBuilds });
  const head = await aggregateOtlpDocumentPart(tasks[0]);
  const tail = await aggregateOtlpDocumentPart(tasks[1]);
  if (head.earlyConflict || tail.earlyConflict) return readInParts(path, cut, lenient, false);
  return { head, tail, merged: mergeDocumentParts(path, tasks, head, tail, { lenient }), early: earlyBuilds };
}

/** Whether the batch the cut fell in had spans diverted on both sides (the continued batch replayed). */
function continuedAcrossCut(head: OtlpDocumentPartResult, tail: OtlpDocumentPartResult): boolean {
  const last = head.probe.diverted[head.probe.diverted.length - 1];
  const first = tail.probe.diverted[0];
  return last !== undefined && last.advanced === false && last.spans.length > 0 && first?.continued === true && first.spans.length > 0;
}

describe('one OTLP document in two parts', () => {
  it.each(['one-line', 'pretty', 'library-spans'] as const)('(%s) gives exactly the one-pass summary and report at every cut tried', async (document) => {
    const path = join(dir, `parts-${document}.json`);
    // 2,500 runs: about 15,000 spans in two resources, so there is a batch boundary (10,000 spans) in the second.
    writeOtlpLines(path, 2500, 61, { document });
    const text = readFileSync(path);
    const starts = spanStarts(text);
    expect(starts.length).toBeGreaterThan(12_000);
    const one = await aggregateFile(path, { threads: 1 });
    expect(one.report.lateSpans).toBeGreaterThan(0);
    // Evenly spread cuts, the first span of the second resource (preceded by "[", not ","), spans around the
    // batch boundary, the second span of the document.
    const secondResource = starts.find((s) => text.lastIndexOf('"resource"', s) > starts[0]!)!;
    const cuts = new Set<number>([starts[1]!, secondResource, starts[9_999]!, starts[10_000]!, starts[10_001]!]);
    for (let k = 1; k < 6; k++) cuts.add(starts[Math.floor((starts.length * k) / 6)]!);
    let merged = 0;
    let continued = 0;
    for (const cut of cuts) {
      const parts = await readInParts(path, cut, false);
      if (parts.merged === undefined) continue;
      merged++;
      if (continuedAcrossCut(parts.head, parts.tail)) continued++;
      expect({ cut, summary: plain(parts.merged.aggregator.summary()), report: pick(parts.merged.report) }).toEqual({ cut, summary: plain(one.aggregator.summary()), report: pick(one.report) });
    }
    // The parts were taken, not read again on one thread after a failed check (which would prove nothing).
    expect(merged).toBeGreaterThanOrEqual(cuts.size - 2);
    expect(continued).toBeGreaterThan(0);
    // Each cut is a full read of a 4-6 MB document: minutes on a busy 2-core machine.
  }, 400_000);

  it('skips bad spans in both parts as one pass does (lenient), and leaves a strict read to one thread', async () => {
    const path = join(dir, 'parts-bad.json');
    writeOtlpLines(path, 1500, 62, { document: 'one-line' });
    let text = readFileSync(path, 'utf8');
    let n = 0;
    text = text.replace(/"endTimeUnixNano":"(\d+)"/g, (m, ns: string) => (++n % 700 === 0 ? `"endTimeUnixNano":"-${ns}"` : m));
    writeFileSync(path, text);
    const one = await aggregateFile(path, { threads: 1, lenient: true });
    expect(one.report.skipped).toBeGreaterThan(5);
    const cut = findDocumentCut(path, statSync(path).size);
    expect(cut).toBeGreaterThan(0);
    const lenient = await readInParts(path, cut, true);
    expect(lenient.merged).toBeDefined();
    expect(plain(lenient.merged!.aggregator.summary())).toBe(plain(one.aggregator.summary()));
    expect(pick(lenient.merged!.report)).toEqual(pick(one.report));
    expect(lenient.head.skipped).toBeGreaterThan(0);
    expect(lenient.tail.skipped).toBeGreaterThan(0);
    const strict = await readInParts(path, cut, false);
    expect(strict.merged).toBeUndefined();
    expect(strict.head.error?.message).toMatch(/Unix nanoseconds/);
  }, 120_000);

  it('finds a span to cut at whatever the order of its keys, and not a link that looks like one', async () => {
    const path = join(dir, 'parts-key-order.json');
    writeOtlpLines(path, 1500, 64, { document: 'one-line' });
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    for (const rs of doc.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        // Keys in reverse order (the trace id last), and two links each written as a span starts.
        ss.spans = ss.spans.map((sp) => {
          const links = [0, 1].map((k) => ({ traceId: sp.traceId, spanId: `00000000000000${k}f` }));
          return Object.fromEntries([['links', links], ...Object.entries(sp).reverse()]);
        });
      }
    }
    writeFileSync(path, JSON.stringify(doc));
    const size = statSync(path).size;
    const cut = findDocumentCut(path, size);
    const text = readFileSync(path);
    expect(text.toString('latin1', cut, cut + 9)).toBe('{"links":');
    const one = await aggregateFile(path, { threads: 1 });
    expect(one.report.records).toBe(1500);
    const parts = await readInParts(path, cut, false);
    expect(parts.merged).toBeDefined();
    expect(plain(parts.merged!.aggregator.summary())).toBe(plain(one.aggregator.summary()));
    expect(pick(parts.merged!.report)).toEqual(pick(one.report));
  }, 120_000);

  it('declines cuts it cannot place: inside a span, a document with its resource after its spans', async () => {
    const path = join(dir, 'parts-inside.json');
    writeOtlpLines(path, 800, 63, { document: 'one-line' });
    const text = readFileSync(path);
    // Inside a span's attribute list: the head does not stop between spans.
    const inside = text.indexOf('{"key":"gen_ai.operation.name"', text.length / 2);
    expect((await readInParts(path, inside, false)).merged).toBeUndefined();
    const last = join(dir, 'parts-resource-last.json');
    writeOtlpLines(last, 800, 63, { document: 'resource-last' });
    const cut = findDocumentCut(last, statSync(last).size);
    const parts = await readInParts(last, cut, false);
    expect(parts.merged).toBeUndefined();
    expect(parts.head.seam === undefined || parts.tail.seam === undefined || parts.head.seam !== parts.tail.seam).toBe(true);
  }, 120_000);
});

describe('early builds (runs built before their batch ends)', () => {
  /** A document streamed on this thread into an aggregator; `early` counts the runs that came before the first batch ended. */
  async function stream(path: string, earlyBuilds: boolean) {
    const agg = new MetricsAggregator();
    const spansBefore = fastReadStats.spans;
    let early = 0;
    const sink = {
      record(r: ExecutionRecord) {
        if (fastReadStats.spans - spansBefore < OTLP_BATCH_SPANS) early++;
        agg.add(r);
      },
      reject(e: MetricsError) {
        throw e;
      },
    };
    const streamed = await streamOtlpDocument(path, {}, path, sink, false, undefined, earlyBuilds);
    return { summary: plain(agg.summary()), stats: streamed.assembler.stats(), early };
  }

  it('build the runs a batch\'s advance would build, as it would, once due and their trace has moved on', async () => {
    const path = join(dir, 'early.json');
    writeOtlpLines(path, 2500, 63, { document: 'one-line', lateEvery: 0 });
    const batch = await stream(path, false);
    const early = await stream(path, true);
    // Without early builds, no run leaves before the first batch (10,000 spans) ends; with them, most of its runs do.
    expect(batch.early).toBe(0);
    expect(early.early).toBeGreaterThan(1000);
    expect(early.summary).toBe(batch.summary);
    expect(early.stats).toEqual(batch.stats);
    // And through aggregateFile, on one thread and in two parts that kept their early builds.
    const one = await aggregateFile(path, { threads: 1 });
    expect(plain(one.aggregator.summary())).toBe(batch.summary);
    const parts = await readInParts(path, findDocumentCut(path, statSync(path).size), false);
    expect(parts.early).toBe(true);
    expect(parts.merged).toBeDefined();
    expect(plain(parts.merged!.aggregator.summary())).toBe(batch.summary);
  }, 120_000);

  it('give way when a later span of the batch would have joined a run built early: the document is read again without', async () => {
    const path = join(dir, 'early-late.json');
    // A run in 20 has a tool span exported 100 s after its run ended, in the same 10,000-span batch.
    writeOtlpLines(path, 2500, 64, { document: 'one-line' });
    const batch = await stream(path, false);
    expect(batch.stats.lateSpans).toBeGreaterThan(0);
    await expect(stream(path, true)).rejects.toBeInstanceOf(OtlpEarlyBuildConflict);
    const one = await aggregateFile(path, { threads: 1 });
    expect(plain(one.aggregator.summary())).toBe(batch.summary);
    expect(one.report.lateSpans).toBe(batch.stats.lateSpans);
    const parts = await readInParts(path, findDocumentCut(path, statSync(path).size), false);
    expect(parts.early).toBe(false);
    expect(parts.merged).toBeDefined();
    expect(plain(parts.merged!.aggregator.summary())).toBe(batch.summary);
  }, 120_000);
});
