import { writeFileSync } from 'node:fs';

/** mulberry32: a small seeded PRNG, so generated files are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The original's snake_case records as JSON Lines: `teams` teams of 3 to 8 members, times in epoch seconds
 * with fractions (so sums are not exact in floating point), costs, failures, waited_for; no execution ids.
 * `distinctMembers` gives every member of every run its own id (many distinct member ids per team).
 */
export function writeSnakeLines(
  path: string,
  runs: number,
  seed: number,
  opts: { teams?: number; distinctMembers?: boolean; array?: boolean; nestedTeamObjects?: boolean } = {},
): void {
  const rand = prng(seed);
  const teams = opts.teams ?? 7;
  const sizes = Array.from({ length: teams }, () => 3 + Math.floor(rand() * 6));
  const records: Record<string, unknown>[] = [];
  let clock = 1_736_000_000;
  for (let i = 0; i < runs; i++) {
    const t = Math.floor(rand() * teams);
    const start = clock + rand();
    clock += 1 + Math.floor(rand() * 3); // equal start times happen too: ties for "latest"
    const members: Record<string, unknown> = {};
    let cursor = start;
    let ok = true;
    let calls = 0;
    for (let k = 0; k < (sizes[t] ?? 0); k++) {
      const id = opts.distinctMembers ? `m${i}_${k}` : `member_${t}_${k}`;
      const dur = Math.round(rand() * 40_000) / 1000 + 0.1;
      const success = rand() > 0.08;
      ok &&= success;
      const used = Math.floor(rand() * 5);
      calls += used;
      const s = rand() < 0.5 ? start : cursor;
      members[id] = {
        member_id: id,
        role: k === 0 ? 'planner' : 'worker',
        success,
        duration_seconds: dur,
        tool_calls_used: used,
        tools_used: [],
        error_message: success ? null : 'no answer',
        start_time: s,
        end_time: s + dur,
        cost_usd: Math.round(rand() * 10_000) / 1e6,
        ...(k > 0 && rand() < 0.5 ? { waited_for: [opts.distinctMembers ? `m${i}_${k - 1}` : `member_${t}_${k - 1}`] } : {}),
      };
      cursor = s + dur;
    }
    records.push({
        team_id: `team_${t}`,
        formation: ['parallel', 'sequential', 'pipeline'][t % 3],
        member_count: sizes[t],
        success: ok,
        duration_seconds: Math.round((cursor - start) * 1000) / 1000,
        total_tool_calls: calls,
        start_time: start,
        recursion_depth: 0,
        tool_budget: 20 + t,
        cost_usd: Math.round(rand() * 100_000) / 1e6,
        input_tokens: Math.floor(rand() * 5000),
        config_fingerprint: rand() < 0.5 ? 'aaaa' : 'bbbb',
        ...(rand() < 0.05 ? { limit_hit: 'timeout' } : {}),
        member_metrics: members,
        // Unknown keys are ignored by the reader; nested objects that look like records test the array
        // splitter's guesses (a "}, {"team_id" that is not between top-level elements).
        ...(opts.nestedTeamObjects ? { previous: Array.from({ length: 40 }, (_, k) => ({ team_id: `old_${k}`, success: true })) } : {}),
      });
  }
  if (opts.array) writeFileSync(path, `[\n${records.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]\n`);
  else writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

/**
 * OTLP/JSON Lines as a batching exporter writes them: every run's spans (a workflow span, 3 to 5 agent spans,
 * tool spans below them) sorted by end time and cut into documents of 1 to 7 spans, so a run's spans sit in
 * several lines among other runs'. Runs overlap in time. Also: a run in 12 has no `invoke_workflow` span
 * (its root carries `gen_ai.workflow.name`: the root-span rule), a run in 20 has a tool span exported 100 s
 * late (past the default 30 s grace: counted as late; `lateEvery` changes the 20, 0 for none), a run in 15 writes
 * its trace id in upper case.
 * `strays` adds that many spans of the first run at the end of the file, and `futureSpanAt` puts a span
 * ending a day after everything else in that line (both make a parallel read fall back to one thread).
 */
export function writeOtlpLines(
  path: string,
  runs: number,
  seed: number,
  opts: { strays?: number; futureSpanAt?: number; document?: 'one-line' | 'pretty' | 'resource-last' | 'library-spans'; perTrace?: boolean; unicodeEvery?: number; lateEvery?: number } = {},
): void {
  const rand = prng(seed);
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
  const ns = (ms: number) => `${Math.round(ms)}000000`;
  type Span = Record<string, unknown> & { exportAt: number };
  const spans: Span[] = [];
  let clock = 1_736_000_000_000;
  let nextSpan = 1;
  for (let i = 0; i < runs; i++) {
    const t = Math.floor(rand() * 5);
    const traceId = hex(0x1000 + i, 32);
    const written = i % 15 === 7 ? traceId.toUpperCase() : traceId;
    const start = clock;
    clock += 500 + Math.floor(rand() * 3000);
    const root = hex(nextSpan++, 16);
    let end = start;
    const members = 3 + (t % 3);
    for (let k = 0; k < members; k++) {
      const agent = hex(nextSpan++, 16);
      const s = start + Math.floor(rand() * 2000);
      const e = s + 1000 + Math.floor(rand() * 40_000);
      end = Math.max(end, e);
      const tools = Math.floor(rand() * 3);
      for (let j = 0; j < tools; j++) {
        const te = s + Math.floor(((e - s) * (j + 1)) / (tools + 1));
        const late = opts.lateEvery !== 0 && i % (opts.lateEvery ?? 20) === 3 && j === 0 ? 100_000 : 0;
        spans.push({
          traceId: written, spanId: hex(nextSpan++, 16), parentSpanId: agent, name: 'execute_tool search', startTimeUnixNano: ns(te - 500), endTimeUnixNano: ns(te),
          attributes: [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', j === 0 ? 'search' : 'read')], exportAt: te + late,
        });
      }
      spans.push({
        traceId: written, spanId: agent, parentSpanId: root, name: `invoke_agent m${t}_${k}${opts.unicodeEvery !== undefined && i % opts.unicodeEvery === 0 ? ' "é"' : ''}`, startTimeUnixNano: ns(s), endTimeUnixNano: ns(e),
        attributes: [str('gen_ai.operation.name', 'invoke_agent'), str('gen_ai.agent.name', `m${t}_${k}`), int('gen_ai.usage.input_tokens', 100 + Math.floor(rand() * 900))],
        status: rand() < 0.07 ? { code: 2, message: 'no answer' } : { code: 0 }, exportAt: e,
      });
    }
    const fallback = i % 12 === 5;
    spans.push({
      traceId: written, spanId: root, name: fallback ? 'crew run' : `invoke_workflow team_${t}`, startTimeUnixNano: ns(start), endTimeUnixNano: ns(end + 50),
      attributes: fallback
        ? [str('gen_ai.workflow.name', `team_${t}`)]
        : [str('gen_ai.operation.name', 'invoke_workflow'), str('autotune.team_id', `team_${t}`), str('autotune.formation', ['parallel', 'sequential', 'pipeline'][t % 3]!), int('autotune.tool_budget', 10 + t)],
      status: { code: rand() < 0.05 ? 2 : 1 }, exportAt: end + 50,
    });
  }
  spans.sort((a, b) => a.exportAt - b.exportAt);
  for (let k = 0; k < (opts.strays ?? 0); k++) {
    spans.push({ traceId: hex(0x1000, 32), spanId: hex(nextSpan++, 16), name: 'stray', startTimeUnixNano: ns(clock), endTimeUnixNano: ns(clock + 1), attributes: [], exportAt: clock });
  }
  if (opts.document !== undefined) {
    // One document: two resources (so spans inherit different resource attributes), the spans in file order.
    const plain = spans.map(({ exportAt: _, ...s }) => s);
    const half = Math.floor(plain.length / 2);
    const key = opts.document === 'library-spans' ? 'instrumentationLibrarySpans' : 'scopeSpans';
    const resource = (name: string) => ({ attributes: [str('service.name', name), str('autotune.member.role', name)] });
    const block = (name: string, part: unknown[]) =>
      opts.document === 'resource-last' ? { [key]: [{ scope: { name: 'test' }, spans: part }], resource: resource(name) } : { resource: resource(name), [key]: [{ scope: { name: 'test' }, spans: part }] };
    const doc = { resourceSpans: [block('agents', plain.slice(0, half)), block('crew', plain.slice(half))] };
    writeFileSync(path, `${opts.document === 'pretty' ? JSON.stringify(doc, null, 2) : JSON.stringify(doc)}\n`);
    return;
  }
  const lines: string[] = [];
  if (opts.perTrace === true) {
    // Each run's spans in one document, written when its last span is exported (as the benchmark's files).
    const byTrace = new Map<string, Span[]>();
    for (const sp of spans) {
      const id = String(sp.traceId);
      byTrace.set(id, [...(byTrace.get(id) ?? []), sp]);
    }
    const groups = [...byTrace.values()].sort((a, b) => a[a.length - 1]!.exportAt - b[b.length - 1]!.exportAt);
    for (const g of groups) {
      const batch = g.map(({ exportAt: _, ...sp }) => sp);
      lines.push(JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'agents')] }, scopeSpans: [{ scope: { name: 'test' }, spans: batch }] }] }));
    }
    writeFileSync(path, `${lines.join('\n')}\n`);
    return;
  }
  for (let k = 0; k < spans.length; ) {
    const n = 1 + Math.floor(rand() * 7);
    const batch = spans.slice(k, k + n).map(({ exportAt: _, ...s }) => s);
    if (opts.futureSpanAt !== undefined && lines.length === opts.futureSpanAt) {
      batch.push({ traceId: hex(0xfffff, 32), spanId: hex(nextSpan++, 16), name: 'clock skew', startTimeUnixNano: ns(clock + 86_400_000), endTimeUnixNano: ns(clock + 86_400_001), attributes: [] });
    }
    lines.push(JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'agents')] }, scopeSpans: [{ scope: { name: 'test' }, spans: batch }] }] }));
    k += n;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
