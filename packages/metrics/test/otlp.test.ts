import { MetricsError, parseMetricsText, parseMetricsTextWithReport, type ExecutionRecord } from '@autotune/metrics';
import { attrGet, attrHas, attrPut, forEachRawSpan, normaliseOtlpId, OTLP_PROBE, OTLP_RANGE_MODE, OTLP_REPLAY, OtlpAssembler, readSpan, unpackDiverted, type AttrList, type AttrValue, type OtlpSink, type SpanLite } from '../src/otlp';
import { prng } from './support/generate';

type Attr = { key: string; value: Record<string, unknown> };
const s = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
const i = (key: string, v: number | string): Attr => ({ key, value: { intValue: v } });
const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(id: number, parent: number | undefined, name: string, startMs: number, endMs: number, attributes: Attr[] = [], extra: Record<string, unknown> = {}) {
  return {
    traceId: TRACE,
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: parent === undefined ? '' : parent.toString(16).padStart(16, '0'),
    name,
    startTimeUnixNano: `${startMs}000000`,
    endTimeUnixNano: `${endMs}000000`,
    attributes,
    ...extra,
  };
}
const doc = (spans: unknown[], resource: Attr[] = []) => JSON.stringify({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans }] }] });

describe('normaliseOtlpId', () => {
  it.each([
    ['0AF7651916CD43DD8448EB211C80319C', 16, '0af7651916cd43dd8448eb211c80319c'],
    [Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64'), 16, '0af7651916cd43dd8448eb211c80319c'],
    ['b7ad6b7169203331', 8, 'b7ad6b7169203331'],
    [Buffer.from('b7ad6b7169203331', 'hex').toString('base64'), 8, 'b7ad6b7169203331'],
    ['0000000000000000', 8, undefined],
    ['', 8, undefined],
    [undefined, 8, undefined],
  ] as const)('%p (%p bytes) -> %p', (input, bytes, expected) => {
    expect(normaliseOtlpId(input, bytes)).toBe(expected);
  });
});

describe('attribute lists', () => {
  it('keep a key\'s first place and its last value, as a Map does, short or long (past 32 keys an index finds them)', () => {
    const rand = prng(5);
    for (const keys of [3, 20, 40, 300]) {
      const list: AttrList = [];
      const map = new Map<string, AttrValue>();
      const other: AttrList = [];
      for (let k = 0; k < keys * 3; k++) {
        const key = `k${Math.floor(rand() * keys)}`;
        attrPut(list, key, k);
        map.set(key, k);
        // Lists filled in turn: the index of one long list must not answer for another.
        attrPut(other, `o${k % (keys + 1)}`, -k);
      }
      expect(list).toEqual([...map].flat());
      for (const key of map.keys()) expect(attrGet(list, key)).toBe(map.get(key));
      expect(attrGet(list, 'absent')).toBeUndefined();
      expect(attrHas(list, 'absent')).toBe(false);
      expect(other.length).toBe(2 * Math.min(keys + 1, keys * 3));
    }
  });
});

describe('OTLP traces to records', () => {
  it('builds members, tool calls, tokens from child model calls, and waits from links', () => {
    const [r] = parseMetricsText(
      doc(
        [
          span(2, 1, 'invoke_agent planner', 0, 1000, [s('gen_ai.provider.name', 'anthropic')]),
          span(3, 2, 'chat claude', 10, 500, [i('gen_ai.usage.input_tokens', '120'), i('gen_ai.usage.output_tokens', 30)]),
          span(4, 2, 'chat claude', 500, 900, [i('gen_ai.usage.prompt_tokens', 80), i('gen_ai.usage.completion_tokens', '20')]),
          span(5, 2, 'execute_tool search', 900, 950),
          span(6, 1, 'invoke_agent coder', 1000, 3500, [i('gen_ai.usage.input_tokens', 1000)], {
            links: [{ traceId: TRACE, spanId: '0000000000000002' }],
            status: { code: 2, message: 'compile error' },
          }),
          span(7, 6, 'step', 1100, 1200),
          span(8, 7, 'execute_tool run', 1100, 1150, [s('gen_ai.tool.name', 'shell')]),
          span(9, 1, 'execute_tool notify', 3500, 3600),
          span(1, undefined, 'invoke_workflow', 0, 3600, [s('autotune.team_id', 'dev_team'), s('autotune.label.env', 'ci')]),
        ],
        [s('autotune.formation', 'sequential')],
      ),
    );
    expect(r).toMatchObject({
      teamId: 'dev_team',
      executionId: `${TRACE}-0000000000000001`,
      durationSeconds: 3.6,
      success: true,
      formation: 'sequential',
      memberCount: 2,
      toolCalls: 3,
      inputTokens: 1200,
      outputTokens: 50,
      labels: { env: 'ci', 'gen_ai.provider.name': 'anthropic' },
    });
    expect(r?.members).toEqual([
      { memberId: 'planner', success: true, durationSeconds: 1, startTimeMs: 0, endTimeMs: 1000, toolCalls: 1, toolsUsed: ['search'], inputTokens: 200, outputTokens: 50 },
      { memberId: 'coder', success: false, error: 'compile error', durationSeconds: 2.5, startTimeMs: 1000, endTimeMs: 3500, toolCalls: 1, toolsUsed: ['shell'], inputTokens: 1000, waitedFor: ['planner'] },
    ]);
  });

  it('keeps nested workflows apart', () => {
    const records = parseMetricsText(
      doc([
        span(1, undefined, 'invoke_workflow outer', 0, 5000),
        span(2, 1, 'invoke_agent lead', 0, 5000),
        span(3, 2, 'invoke_workflow inner', 100, 4000),
        span(4, 3, 'invoke_agent helper', 100, 4000),
        span(5, 4, 'execute_tool x', 200, 300),
      ]),
    );
    expect(records.map((r) => [r.teamId, r.members.map((m) => m.memberId), r.toolCalls])).toEqual([
      ['inner', ['helper'], 1],
      ['outer', ['lead'], 0],
    ]);
  });

  it('joins spans of one trace exported on different lines, and counts spans no workflow claimed', () => {
    const text = [
      doc([span(2, 1, 'invoke_agent a', 0, 10), span(3, 2, 'execute_tool t', 1, 2)]),
      doc([span(1, undefined, 'invoke_workflow w', 0, 20)]),
      doc([span(40, 39, 'invoke_agent stray', 0, 10)]),
    ].join('\n');
    const { records, report } = parseMetricsTextWithReport(text);
    expect(report.format).toBe('otlp-jsonl');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ teamId: 'w', toolCalls: 1, members: [{ memberId: 'a', toolCalls: 1 }] });
    expect(report.unattachedSpans).toBe(1);
  });

  it.each([
    ['a workflow without a team id', [span(1, undefined, 'invoke_workflow', 0, 10)], /invoke_workflow span 0000000000000001 has no team id: set the "autotune.team_id" attribute/, 'resourceSpans[0].scopeSpans[0].spans[0].attributes'],
    ['a bad member count', [span(1, undefined, 'invoke_workflow w', 0, 10, [i('autotune.member_count', -2)])], /invoke_workflow span 0000000000000001: must not be negative/, 'resourceSpans[0].scopeSpans[0].spans[0] (memberCount)'],
    ['an agent ending before it starts', [span(2, 1, 'invoke_agent a', 10, 5), span(1, undefined, 'invoke_workflow w', 0, 10)], /invoke_agent span 0000000000000002: must not be negative/, 'resourceSpans[0].scopeSpans[0].spans[0] (durationSeconds)'],
    ['a span without a trace id', [{ ...span(1, undefined, 'invoke_workflow w', 0, 10), traceId: '' }], /missing trace id/, 'resourceSpans[0].scopeSpans[0].spans[0].traceId'],
    ['a bad time', [{ ...span(1, undefined, 'invoke_workflow w', 0, 10), endTimeUnixNano: '12:00' }], /Unix nanoseconds/, 'resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano'],
  ])('rejects %s, naming the span', (_label, spans, message, field) => {
    let error: unknown;
    try {
      parseMetricsText(doc(spans), { sourceName: 'trace.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).message).toMatch(message);
    expect((error as MetricsError).location).toEqual({ file: 'trace.json', line: 1, field });
  });

  it('skips only the bad run in lenient mode', () => {
    const { records, report } = parseMetricsTextWithReport(
      doc([span(1, undefined, 'invoke_workflow', 0, 10), span(2, undefined, 'invoke_workflow ok', 0, 10)]),
      { lenient: true },
    );
    expect(records.map((r) => r.teamId)).toEqual(['ok']);
    expect(report.skipped).toBe(1);
  });

  function collect() {
    const records: ExecutionRecord[] = [];
    const sink: OtlpSink = {
      record: (r) => {
        records.push(r);
      },
      reject: (e) => {
        throw e;
      },
    };
    return { records, sink };
  }
  const inTrace = (t: number, spans: ReturnType<typeof span>[]) => ({
    resourceSpans: [{ scopeSpans: [{ spans: spans.map((x) => ({ ...x, traceId: t.toString(16).padStart(32, '0') })) }] }],
  });

  it('forgets spans no run can hold once their trace has been idle for the grace window, so memory stays bounded by traces in flight', () => {
    // Each trace: a run exported first, then the HTTP root span above it (it ends last), then a stray agent root.
    const assembler = new OtlpAssembler({ graceSeconds: 30 });
    const { records, sink } = collect();
    let maxRetained = 0;
    for (let t = 1; t <= 50; t++) {
      const at = t * 60_000; // a trace a minute: each is idle past the grace when the one after next arrives
      assembler.addDocument(inTrace(t, [span(3, 2, 'invoke_agent a', at + 1, at + 9), span(2, 1, 'invoke_workflow w', at, at + 10)]), { line: 3 * t }, sink);
      assembler.addDocument(inTrace(t, [span(4, 1, 'GET /db', at + 11, at + 12), span(1, undefined, 'GET /run', at, at + 20)]), { line: 3 * t + 1 }, sink);
      assembler.addDocument(inTrace(t, [span(6, 5, 'execute_tool x', at + 1, at + 2), span(5, undefined, 'invoke_agent stray', at, at + 3)]), { line: 3 * t + 2 }, sink);
      maxRetained = Math.max(maxRetained, assembler.retainedSpans());
    }
    expect(records).toHaveLength(49); // the last run is still within its grace
    expect(maxRetained).toBeLessThanOrEqual(6);
    assembler.flush(sink);
    expect(records).toHaveLength(50);
    expect(assembler.retainedSpans()).toBe(0);
    expect(assembler.stats()).toEqual({ unattachedSpans: 100, lateSpans: 0, rootSpanRuns: 0, evictedTraces: 0 });
  });

  it('keeps a span whose parent has not arrived yet, and builds its run once the grace has passed', () => {
    const assembler = new OtlpAssembler({ graceSeconds: 30 });
    const { records, sink } = collect();
    assembler.addDocument(JSON.parse(doc([span(3, 2, 'execute_tool t', 1, 2), span(2, 1, 'invoke_agent a', 0, 5)])), { line: 1 }, sink);
    expect(assembler.retainedSpans()).toBe(2);
    assembler.addDocument(JSON.parse(doc([span(1, undefined, 'invoke_workflow w', 0, 10)])), { line: 2 }, sink);
    expect(records).toHaveLength(0); // within its grace: a late span may still come
    assembler.advanceBy(30_000_000_000n, sink);
    expect(records.map((r) => [r.teamId, r.toolCalls, r.members.map((m) => m.memberId)])).toEqual([['w', 1, ['a']]]);
    expect(assembler.retainedSpans()).toBe(0);
  });

  it('counts a tool span exported after its workflow span (a later batch) when it comes within the grace', () => {
    const spans = [span(2, 1, 'invoke_agent a', 0, 900)];
    for (let k = 0; k < 14; k++) spans.push(span(10 + k, 2, 'execute_tool t', k, k + 1));
    const text = [doc([...spans, span(1, undefined, 'invoke_workflow w', 0, 1000)]), doc([span(99, 2, 'execute_tool late', 950, 1005)])].join('\n');
    const { records, report } = parseMetricsTextWithReport(text);
    expect(records[0]?.toolCalls).toBe(15);
    expect(report.lateSpans).toBe(0);
  });

  it('counts and reports a span that arrives after its run was built, never silently', () => {
    const text = [
      doc([span(2, 1, 'invoke_agent a', 0, 900), span(1, undefined, 'invoke_workflow w', 0, 1000)]),
      doc([{ ...span(1, undefined, 'invoke_workflow other', 100_000, 100_100), traceId: '1'.repeat(32) }]),
      doc([span(99, 2, 'execute_tool late', 950, 1005)]),
    ].join('\n');
    const { records, report } = parseMetricsTextWithReport(text, { otlp: { graceSeconds: 5 } });
    expect(records.map((r) => [r.teamId, r.toolCalls])).toEqual([['w', 0], ['other', 0]]);
    expect(report.lateSpans).toBe(1);
  });

  it('assembles runs whose children come after their workflow span (lines reversed, as across services)', () => {
    const lines = [
      doc([span(1, undefined, 'invoke_workflow w', 0, 1000)]),
      doc([span(2, 1, 'invoke_agent a', 0, 400), span(3, 1, 'invoke_agent b', 400, 1000)]),
      doc([span(4, 2, 'execute_tool x', 10, 20), span(5, 3, 'execute_tool y', 500, 600)]),
    ];
    const { records } = parseMetricsTextWithReport(lines.join('\n'));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ memberCount: 2, toolCalls: 2 });
  });

  it('takes the root span of a trace as the run when no invoke_workflow span exists, and says so in the report', () => {
    const text = doc([
      span(2, 1, 'invoke_agent planner', 0, 400),
      span(3, 2, 'execute_tool search', 10, 20),
      span(4, 1, 'invoke_agent writer', 400, 1000),
      span(1, undefined, 'POST /research', 0, 1000),
    ], [s('service.name', 'research_team')]);
    const auto = parseMetricsTextWithReport(text);
    expect(auto.records).toHaveLength(1);
    expect(auto.records[0]).toMatchObject({ teamId: 'research_team', memberCount: 2, toolCalls: 1, durationSeconds: 1 });
    expect(auto.report).toMatchObject({ rootSpanRuns: 1, unattachedSpans: 0 });
    const strict = parseMetricsTextWithReport(text, { otlp: { runSpans: 'invoke_workflow' } });
    expect(strict.records).toHaveLength(0);
    expect(strict.report).toMatchObject({ rootSpanRuns: 0, unattachedSpans: 3 });
  });

  it('prefers the highest span carrying gen_ai.workflow.name over the root, and ignores traces without agents', () => {
    const text = [
      doc([
        span(3, 2, 'invoke_agent a', 0, 400),
        span(2, 1, 'crew.kickoff', 0, 500, [s('gen_ai.workflow.name', 'crew')]),
        span(1, undefined, 'GET /', 0, 600),
      ]),
      doc([{ ...span(7, undefined, 'GET /health', 0, 1), traceId: '2'.repeat(32) }]),
    ].join('\n');
    const { records, report } = parseMetricsTextWithReport(text);
    expect(records.map((r) => [r.teamId, r.durationSeconds])).toEqual([['crew', 0.5]]);
    expect(report.rootSpanRuns).toBe(1);
  });

  it('counts error.type=timeout as a timeout limit hit', () => {
    const [r] = parseMetricsText(doc([span(1, undefined, 'invoke_workflow w', 0, 10, [s('error.type', 'timeout')], { status: { code: 2 } })]));
    expect(r).toMatchObject({ success: false, limitHit: 'timeout', error: 'timeout' });
    const [other] = parseMetricsText(doc([span(1, undefined, 'invoke_workflow w', 0, 10, [s('error.type', 'RateLimitError')], { status: { code: 2 } })]));
    expect(other?.limitHit).toBeUndefined();
  });

  it('fills formation and limits the trace does not carry from team defaults, and reads gen_ai.usage.cost', () => {
    const text = doc([span(2, 1, 'invoke_agent a', 0, 5, [{ key: 'gen_ai.usage.cost', value: { doubleValue: 0.25 } }]), span(1, undefined, 'invoke_workflow w', 0, 10, [s('autotune.formation', 'parallel')])]);
    const [r] = parseMetricsText(text, { otlp: { teamDefaults: { w: { formation: 'sequential', toolBudget: 40, timeoutSeconds: 600 } } } });
    expect(r).toMatchObject({ formation: 'parallel', toolBudget: 40, timeoutSeconds: 600, costUsd: 0.25 });
  });

  it('holds a long run open while short runs of other traces move time on', () => {
    const lines = [doc([span(2, 1, 'invoke_agent first', 0, 60_000)])];
    for (let t = 2; t <= 100; t++) {
      lines.push(JSON.stringify(inTrace(t, [span(2, 1, 'invoke_agent a', t * 5000, t * 5000 + 100), span(1, undefined, 'invoke_workflow short', t * 5000, t * 5000 + 200)])));
    }
    lines.push(doc([span(3, 1, 'invoke_agent second', 500_000, 550_000), span(1, undefined, 'invoke_workflow long', 0, 600_000)]));
    const { records, report } = parseMetricsTextWithReport(lines.join('\n'));
    const long = records.find((r) => r.teamId === 'long');
    expect(long?.members.map((m) => m.memberId)).toEqual(['first', 'second']);
    expect(records).toHaveLength(100);
    expect(report).toMatchObject({ lateSpans: 0, unattachedSpans: 0 });
  });

  it('closes the least recently active trace early beyond maxOpenTraces, and counts it', () => {
    const assembler = new OtlpAssembler({ maxOpenTraces: 3 });
    const { records, sink } = collect();
    for (let t = 1; t <= 10; t++) assembler.addDocument(inTrace(t, [span(2, 1, 'invoke_agent a', 0, 5), span(1, undefined, 'invoke_workflow w', 0, 10)]), { line: t }, sink);
    expect(assembler.openTraces()).toBe(3);
    expect(records).toHaveLength(7);
    expect(assembler.stats().evictedTraces).toBe(7);
  });
});

describe('range mode: diverted spans', () => {
  it('are kept serialized and come back as they were read, sharing their location and resource within a document', () => {
    const resource = [s('service.name', 'svc'), s('autotune.formation', 'parallel')];
    const text = doc(
      [
        span(2, 1, 'invoke_agent planner', 0, 1000, [s('gen_ai.agent.name', 'planner'), { key: 'odd', value: { intValue: 'abc' } }, { key: 'none', value: {} }], {
          links: [{ traceId: TRACE, spanId: '0000000000000009' }],
          status: { code: 2, message: 'failed' },
        }),
        // A time given as a JSON number too large to be exact (`imprecise`).
        { ...span(3, 2, 'execute_tool search', 10, 20, [{ key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 1.5 }, {}] } } }]), endTimeUnixNano: 1.7e18 },
        span(1, undefined, 'invoke_workflow', 0, 2000, [s('autotune.team_id', 'dev_team')]),
      ],
      resource,
    );
    const location = { file: 'f.jsonl', line: 7 };
    const expected: SpanLite[] = [];
    forEachRawSpan(JSON.parse(text), location, (u, where, attrs) => expected.push(readSpan(u, where, location, attrs)));

    const range = new OtlpAssembler();
    range[OTLP_RANGE_MODE]({ watermarkNs: 0n, divert: () => true });
    const sink = { record: () => undefined, reject: (e: unknown) => { throw e; } };
    range.addDocument(JSON.parse(text), location, sink);
    const [packed] = range[OTLP_PROBE]().diverted;
    expect(packed!.spans).toBeInstanceOf(Uint8Array);
    const docs = unpackDiverted(packed!);
    expect(docs.spans).toEqual(expected);
    expect(docs.spans[0]!.startNs).toBe(0n);
    expect(docs.spans[1]!.imprecise).toBe(true);
    expect(Number.isNaN(attrGet(docs.spans[0]!.attrs, 'odd'))).toBe(true);
    expect(attrHas(docs.spans[0]!.attrs, 'none')).toBe(true);
    // The merge shifts each document's location once: its spans must still share one object.
    expect(docs.spans[1]!.location).toBe(docs.spans[0]!.location);
    expect(docs.spans[1]!.resource).toBe(docs.spans[0]!.resource);

    // Replayed, they give the run a plain read gives.
    const records: ExecutionRecord[] = [];
    const collectSink: OtlpSink = { record: (r) => void records.push(r), reject: (e) => { throw e; } };
    const replay = new OtlpAssembler();
    replay[OTLP_REPLAY](docs, collectSink);
    replay.flush(collectSink);
    expect(records).toEqual(parseMetricsText(text));
  });
});

describe('span kinds', () => {
  it.each([
    ['invoke_agent', 'x', 'agent'],
    ['execute_tool', 'x', 'tool'],
    ['invoke_workflow', 'x', 'workflow'],
    [undefined, 'invoke_agent planner', 'agent'],
    ['chat', 'invoke_agent planner', 'other'],
    // Names of Object's own properties are no operation (a span of kind "function" could not cross threads).
    ['constructor', 'x', 'other'],
    [undefined, 'toString x', 'other'],
    [undefined, '__proto__', 'other'],
  ])('operation %p, name %p: %p', (op, name, kind) => {
    const attributes = op === undefined ? [] : [s('gen_ai.operation.name', op)];
    const span = readSpan(JSON.parse(JSON.stringify(span_(name, attributes))), 'w', { file: 'f' }, []);
    expect(span.kind).toBe(kind);
  });
});

function span_(name: string, attributes: Attr[]) {
  return span(2, 1, name, 1000, 2000, attributes);
}
