import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toSnakeCaseRecord } from '@autotune/metrics';
import type { ExecutionRecord } from '@autotune/metrics';
import { makeRecords } from './helpers';

/** Runs support/parallel-child.ts under the TypeScript hook (inherited by its worker threads). */
type Analysis = { records: number; stats: unknown; insights: Record<string, unknown[]> };

function child(args: string[]): Promise<{ single: Analysis; parallel: Analysis; full?: Analysis; threads: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-r', join(__dirname, 'support', 'register-ts.cjs'), join(__dirname, 'support', 'parallel-child.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

/**
 * Runs as OTLP/JSON Lines, as a batching exporter writes them: a workflow span per run, an agent span per member
 * and a tool span per tool call, all sorted by end time and cut into lines of 1 to 5 spans, so a run's spans sit
 * in several lines (and some across the ranges' boundaries).
 */
function otlpLines(records: ExecutionRecord[], perRun = false): string[] {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
  const ns = (ms: number) => `${Math.round(ms)}000000`;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const spans: (Record<string, unknown> & { end: number })[] = [];
  let id = 1;
  records.forEach((r, i) => {
    const traceId = hex(i + 1, 32);
    const root = hex(id++, 16);
    const wf: { key: string; value: Record<string, string> }[] = [str('gen_ai.operation.name', 'invoke_workflow'), str('autotune.team_id', r.teamId), str('autotune.formation', r.formation ?? 'sequential')];
    if (r.toolBudget !== undefined) wf.push(int('autotune.tool_budget', r.toolBudget));
    if (r.timeoutSeconds !== undefined) wf.push(int('autotune.timeout_seconds', r.timeoutSeconds));
    if (r.limitHit !== undefined) wf.push(str('autotune.limit_hit', r.limitHit));
    let cursor = r.startTimeMs;
    for (const m of r.members) {
      const start = m.startTimeMs ?? cursor;
      const end = m.endTimeMs ?? start + m.durationSeconds * 1000;
      cursor = end;
      const agent = hex(id++, 16);
      for (let k = 0; k < m.toolCalls; k++) {
        const t = start + ((end - start) * (k + 1)) / (m.toolCalls + 1);
        spans.push({ traceId, spanId: hex(id++, 16), parentSpanId: agent, name: 'execute_tool search', startTimeUnixNano: ns(t - 1), endTimeUnixNano: ns(t), attributes: [str('gen_ai.tool.name', 'search')], end: t });
      }
      spans.push({
        traceId, spanId: agent, parentSpanId: root, name: `invoke_agent ${m.memberId}`, startTimeUnixNano: ns(start), endTimeUnixNano: ns(end),
        attributes: [str('gen_ai.agent.name', m.memberId)], status: m.success ? { code: 1 } : { code: 2, message: 'failed' }, end,
      });
    }
    spans.push({ traceId, spanId: root, name: `invoke_workflow ${r.teamId}`, startTimeUnixNano: ns(r.startTimeMs), endTimeUnixNano: ns(r.endTimeMs), attributes: wf, status: r.success ? { code: 1 } : { code: 2, message: 'failed' }, end: r.endTimeMs });
  });
  const line = (batch: Record<string, unknown>[]) =>
    JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'agents')] }, scopeSpans: [{ scope: { name: 'test' }, spans: batch }] }] });
  if (perRun) {
    // One document per run, written when the run ends (its workflow span, pushed last, ends last).
    const byTrace = new Map<unknown, Record<string, unknown>[]>();
    for (const { end: _, ...s } of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
    const ends = new Map(spans.map((s) => [s.traceId, s.end]));
    return [...byTrace.entries()].sort((a, b) => ends.get(a[0])! - ends.get(b[0])!).map(([, batch]) => line(batch));
  }
  spans.sort((a, b) => a.end - b.end);
  const lines: string[] = [];
  for (let k = 0, n = 1; k < spans.length; k += n, n = 1 + (k % 5)) {
    lines.push(line(spans.slice(k, k + n).map(({ end: _, ...s }) => s)));
  }
  return lines;
}

/**
 * 700 runs of two teams interleaved by start time: "review" (400 sequential runs, a slow and flaky coder, timeouts)
 * and "research" (300 parallel runs), seeded.
 */
function reviewAndResearch(reviewSeed: number, researchSeed: number): ExecutionRecord[] {
  return [
    ...makeRecords({
      teamId: 'review',
      runs: 400,
      formation: 'sequential',
      members: [
        { id: 'planner', meanSeconds: 5, sdSeconds: 1 },
        { id: 'coder', meanSeconds: 60, sdSeconds: 9, successRate: 0.8 },
      ],
      limitHits: { timeout: 30 },
      timeoutSeconds: 90,
      seed: reviewSeed,
    }),
    ...makeRecords({ teamId: 'research', runs: 300, formation: 'parallel', schedule: 'parallel', members: [{ id: 'a', meanSeconds: 20 }, { id: 'b', meanSeconds: 21 }], seed: researchSeed }),
  ].sort((a, b) => a.startTimeMs - b.startTimeMs);
}

/** Every export batch's spans (`otlpLines`) in one OTLP document, in export order; `indent` pretty-prints it. */
function otlpDocument(records: ExecutionRecord[], indent?: number): string {
  const spans = otlpLines(records).flatMap((l) => (JSON.parse(l) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }).resourceSpans[0]!.scopeSpans[0]!.spans);
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agents' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] }, null, indent);
}

/** The parallel load used `threads` threads (no fallback to one) and gave exactly the single-thread analysis, which has findings. */
function expectSingleThreadResult(out: Awaited<ReturnType<typeof child>>, threads: number, records: number): void {
  expect(out.threads).toBe(threads);
  expect(out.single.records).toBe(records);
  expect(Object.values(out.single.insights).flat().length).toBeGreaterThan(0);
  expect(out.parallel).toEqual(out.single);
}

describe('loadMetricsFromFile on worker threads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'autotune-parallel-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives exactly the summaries and insights of a single-thread load (toEqual on the whole structure)', async () => {
    // Teams with real findings: a slow member, a flaky member, limit hits, two formations.
    const records = [
      ...makeRecords({
        teamId: 'review',
        runs: 400,
        formation: 'sequential',
        members: [
          { id: 'planner', meanSeconds: 5, sdSeconds: 1 },
          { id: 'coder', meanSeconds: 60, sdSeconds: 9, successRate: 0.8 },
          { id: 'tester', meanSeconds: 8, sdSeconds: 2 },
        ],
        limitHits: { timeout: 30 },
        timeoutSeconds: 90,
        seed: 3,
      }),
      ...makeRecords({ teamId: 'research', runs: 300, formation: 'parallel', schedule: 'parallel', members: [{ id: 'a', meanSeconds: 20 }, { id: 'b', meanSeconds: 21 }], seed: 4 }),
      ...makeRecords({ teamId: 'writing', runs: 250, meanSeconds: 300, sdSeconds: 80, successRate: 0.7, seed: 5 }),
    ];
    // Interleaved by start time, half in the original's snake_case shape: both readers' paths are used.
    records.sort((a, b) => a.startTimeMs - b.startTimeMs);
    const lines = records.map((r, i) => JSON.stringify(i % 2 === 0 ? toSnakeCaseRecord(r) : r));
    const path = join(dir, 'runs.jsonl');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const out = await child([path, '3']);
    expectSingleThreadResult(out, 3, 950);
  }, 120_000);

  it('OTLP JSON Lines: exactly the summaries and insights of a single-thread load', async () => {
    const records = reviewAndResearch(6, 7);
    const path = join(dir, 'runs.otlp.jsonl');
    writeFileSync(path, `${otlpLines(records).join('\n')}\n`);
    const out = await child([path, '2']);
    expectSingleThreadResult(out, 2, 700);
  }, 120_000);

  it.each([
    ['one document per run (other teams skipped unread)', true],
    ['export batches (a run across lines: read in full)', false],
  ])('OTLP JSON Lines with a team id, %s: the summaries and insights of a full load, on one thread and on two', async (_name, perRun) => {
    const records = reviewAndResearch(8, 9);
    const path = join(dir, `runs-team-${String(perRun)}.otlp.jsonl`);
    writeFileSync(path, `${otlpLines(records, perRun).join('\n')}\n`);
    const out = await child([path, '2', 'review']);
    expect(out.threads).toBe(2);
    expect(out.single.records).toBe(400);
    expect(out.single.insights['review']!.length).toBeGreaterThan(0);
    expect(out.single).toEqual(out.full);
    expect(out.parallel).toEqual(out.single);
  }, 120_000);
  it('a pretty-printed JSON array of the original\'s records: exactly the summaries and insights of a single-thread load', async () => {
    const records = reviewAndResearch(10, 11);
    // As Python's json.dump(indent=2) writes them; each part is read in batches of elements.
    const path = join(dir, 'runs.json');
    writeFileSync(path, `[\n${records.map((r) => JSON.stringify(toSnakeCaseRecord(r), null, 2)).join(',\n')}\n]\n`);
    const out = await child([path, '3']);
    expectSingleThreadResult(out, 3, 700);
  }, 120_000);

  it('one OTLP document with a team id (other teams\' spans skipped unparsed): the summaries and insights of a full load', async () => {
    const path = join(dir, 'runs.otlp.json');
    writeFileSync(path, otlpDocument(reviewAndResearch(12, 13)));
    const out = await child([path, '1', 'review']);
    expect(out.single.records).toBe(400);
    expect(out.single.insights['review']!.length).toBeGreaterThan(0);
    expect(out.single).toEqual(out.full);
  }, 120_000);

  it('one OTLP document, all teams, in two parts: exactly the summaries and insights of a single-thread load', async () => {
    const path = join(dir, 'runs-all.otlp.json');
    writeFileSync(path, otlpDocument(reviewAndResearch(14, 15), 1));
    const out = await child([path, '2']);
    // 2: a head and a tail part merged, not the document streamed again on one thread.
    expectSingleThreadResult(out, 2, 700);
  }, 120_000);
});
