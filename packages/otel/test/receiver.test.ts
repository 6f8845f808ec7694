import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MemoryMetricsSink } from '@autotune/metrics';
import { startOtlpReceiver, type OtlpReceiver } from '@autotune/otel';
import { emitRun } from './team-traces';

const BASE_MS = Date.UTC(2026, 10, 1);

function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('startOtlpReceiver', () => {
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('receives what the real OTLP/HTTP exporter of the SDK sends, and writes one record per run', async () => {
    const sink = new MemoryMetricsSink();
    receiver = await startOtlpReceiver({ sink, port: 0 });
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}/v1/traces`);
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: receiver.url }))] });
    const tracer = provider.getTracer('team');
    const emitted = [];
    for (let r = 0; r < 30; r++) emitted.push(emitRun(tracer, r, BASE_MS + r * 60_000));
    await provider.forceFlush();
    await provider.shutdown();
    const stats = await receiver.close();
    expect(sink.records().map((r) => r.toolCalls)).toEqual(emitted.map((e) => e.toolCalls));
    expect(sink.records().every((r) => r.memberCount === 4 && r.teamId === 'research_team')).toBe(true);
    expect(stats).toMatchObject({ runsWritten: 30, badRequests: 0, lateSpans: 0, unattachedSpans: 0 });
    expect(stats.spans).toBe(30 * 9 + emitted.reduce((n, e) => n + e.toolCalls, 0));
  });

  it('answers bad requests with the reason and keeps serving', async () => {
    const sink = new MemoryMetricsSink();
    receiver = await startOtlpReceiver({ sink, port: 0, maxBodyBytes: 4096 });
    const json = { 'Content-Type': 'application/json' };
    const cases: [string, string | Buffer, Record<string, string>, number, RegExp][] = [
      ['not JSON', '{"resourceSpans": [', json, 400, /not valid JSON/],
      ['not OTLP', '{"spans": []}', json, 400, /resourceSpans/],
      ['a bad structure', '{"resourceSpans": {}}', json, 400, /expected a list/],
      ['protobuf', Buffer.from([10, 0]), { 'Content-Type': 'application/x-protobuf' }, 415, /http\/json/],
      ['too large', `{"resourceSpans": [], "x": "${'a'.repeat(5000)}"}`, json, 413, /over the limit/],
      ['too large once inflated', gzipSync(`{"resourceSpans": [], "x": "${'a'.repeat(50_000)}"}`), { ...json, 'Content-Encoding': 'gzip' }, 413, /over the limit/],
    ];
    for (const [, body, headers, status, message] of cases) {
      const res = await post(receiver.url, body, headers);
      expect(res.status).toBe(status);
      expect(JSON.parse(res.body).message).toMatch(message);
    }
    const wrongPath = await post(receiver.url.replace('/v1/traces', '/v1/logs'), '{}', json);
    expect(wrongPath.status).toBe(404);
    const ok = await post(receiver.url, gzipSync('{"resourceSpans": []}'), { ...json, 'Content-Encoding': 'gzip' });
    expect(ok).toEqual({ status: 200, body: '{}' });
    expect(receiver.stats()).toMatchObject({ badRequests: 7 });
  });

  it('reports spans it could not read as a partial success', async () => {
    receiver = await startOtlpReceiver({ sink: new MemoryMetricsSink(), port: 0 });
    const doc = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '', spanId: '01', name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] };
    const res = await post(receiver.url, JSON.stringify(doc), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(/missing trace id/) } });
  });
});
