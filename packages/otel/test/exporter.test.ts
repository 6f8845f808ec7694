import { BasicTracerProvider, SimpleSpanProcessor, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MemoryMetricsSink } from '@autotune/metrics';
import { AutotuneSpanExporter, OtelError } from '@autotune/otel';
import { emitRun } from './team-traces';

const BASE_MS = Date.UTC(2026, 10, 1);

describe('AutotuneSpanExporter with the real OpenTelemetry SDK', () => {
  it('is a SpanExporter the SDK accepts, and turns 30 runs of a four-agent team into 30 records', async () => {
    const sink = new MemoryMetricsSink();
    let clockNs = 0n;
    const exporter = new AutotuneSpanExporter({ sink, now: () => clockNs });
    const asSdk: SpanExporter = exporter; // type-level proof that it fits the SDK's interface
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(asSdk)] });
    const tracer = provider.getTracer('team');
    const emitted = [];
    for (let r = 0; r < 30; r++) emitted.push(emitRun(tracer, r, BASE_MS + r * 60_000, { timeout: r % 10 === 9 }));
    // Runs are built once their grace (30 s of trace time) has passed: the last one is still open.
    expect(exporter.stats()).toMatchObject({ openTraces: 1, retainedSpans: 9 + (emitted[29]?.toolCalls ?? Number.NaN) });
    // Wall time passing builds it without another span; shutdown would too.
    clockNs += 31_000_000_000n;
    exporter.sweep();
    expect(exporter.stats()).toMatchObject({ openTraces: 0, retainedSpans: 0 });
    await provider.shutdown();
    const records = sink.records();
    expect(records).toHaveLength(30);
    for (const [i, r] of records.entries()) {
      const run = emitted[i];
      if (run === undefined) throw new Error(`record ${i} has no emitted run`);
      expect(r).toMatchObject({
        teamId: 'research_team',
        formation: 'pipeline',
        toolBudget: 40,
        memberCount: 4,
        toolCalls: run.toolCalls,
        inputTokens: run.inputTokens,
        outputTokens: 80,
        success: !run.failed,
        durationSeconds: 0.405,
      });
      expect(r.members.map((m) => m.memberId)).toEqual(['planner', 'researcher', 'writer', 'critic']);
      if (run.failed) expect(r).toMatchObject({ limitHit: 'timeout', error: 'run timed out' });
    }
    expect(exporter.stats()).toMatchObject({ runsWritten: 30, runsRejected: 0, lateSpans: 0, unattachedSpans: 0, openTraces: 0, retainedSpans: 0 });
  });

  it('takes the root span as the run when the instrumentation emits no invoke_workflow, with the team from service.name', async () => {
    const sink = new MemoryMetricsSink();
    const exporter = new AutotuneSpanExporter({ sink });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'research_team' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('team');
    for (let r = 0; r < 5; r++) emitRun(tracer, r, BASE_MS + r * 1000, { withWorkflowSpan: false });
    await provider.shutdown();
    expect(sink.records().map((r) => [r.teamId, r.memberCount])).toEqual(Array(5).fill(['research_team', 4]));
    expect(exporter.stats()).toMatchObject({ rootSpanRuns: 5, unattachedSpans: 0 });
  });

  it('reports a sink that fails as a failed export, and refuses a missing sink', async () => {
    const errors: Error[] = [];
    const exporter = new AutotuneSpanExporter({
      sink: {
        write: () => {
          throw new Error('disk full');
        },
      },
      otlp: { graceSeconds: 0 },
      onError: (e) => errors.push(e),
    });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    emitRun(provider.getTracer('t'), 0, BASE_MS);
    await provider.shutdown();
    expect(errors.map((e) => e.message)).toContain('disk full');
    expect(() => new AutotuneSpanExporter({} as never)).toThrow(OtelError);
  });
});
