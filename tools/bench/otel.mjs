// OpenTelemetry, live: what the exporter costs per span, how much memory 10,000 traces in flight hold, and how
// many spans per second the OTLP/HTTP receiver takes on loopback from one client. Side by side in one run with
// a bare baseline each (alternating, median of the repeats).
//   node tools/bench/otel.mjs [--runs 2000] [--repeat 5] [--requests 200] [--spans-per-request 500]
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

// Heap figures need a full collection before each reading: run again with --expose-gc when started without it.
if (typeof global.gc !== 'function') {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');
const { MemoryMetricsSink } = require(path.join(root, 'packages/metrics/dist/index.js'));
const { AutotuneSpanExporter, startOtlpReceiver } = require(path.join(root, 'packages/otel/dist/index.js'));
const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = require('@opentelemetry/sdk-trace-base');
const { context, trace } = require('@opentelemetry/api');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    repeat: { type: 'string', default: '5' },
    requests: { type: 'string', default: '200' },
    'spans-per-request': { type: 'string', default: '500' },
  },
});
const RUNS = Number(values.runs);
const REPEAT = Number(values.repeat);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const BASE = Date.UTC(2026, 10, 1);

/** One run of a four-agent team: 1 workflow, 4 agents, 4 chats, 4 tool calls = 13 spans. */
function emit(tracer, n) {
  const t0 = BASE + n * 1000;
  const wf = tracer.startSpan('invoke_workflow bench_team', { startTime: t0, attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'autotune.team_id': 'bench_team' } });
  const ctx = trace.setSpan(context.active(), wf);
  for (let m = 0; m < 4; m++) {
    const a = tracer.startSpan(`invoke_agent m${m}`, { startTime: t0 + m * 100, attributes: { 'gen_ai.agent.name': `m${m}` } }, ctx);
    const actx = trace.setSpan(ctx, a);
    tracer.startSpan('chat model', { startTime: t0 + m * 100, attributes: { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 } }, actx).end(t0 + m * 100 + 50);
    tracer.startSpan('execute_tool search', { startTime: t0 + m * 100 + 50 }, actx).end(t0 + m * 100 + 60);
    a.end(t0 + m * 100 + 100);
  }
  wf.end(t0 + 400);
}
const SPANS_PER_RUN = 13;

function timeSdk(processor) {
  const provider = new BasicTracerProvider({ spanProcessors: processor ? [processor] : [] });
  const tracer = provider.getTracer('bench');
  const start = process.hrtime.bigint();
  for (let n = 0; n < RUNS; n++) emit(tracer, n);
  const ns = Number(process.hrtime.bigint() - start);
  return ns / (RUNS * SPANS_PER_RUN);
}

// 1. Overhead per span: the SDK with a processor that drops spans (in-memory exporter, reset) vs with ours.
const bare = [];
const ours = [];
for (let r = 0; r < REPEAT; r++) {
  const mem = new InMemorySpanExporter();
  bare.push(timeSdk(new SimpleSpanProcessor({ export: (s, cb) => cb({ code: 0 }), shutdown: async () => {} })));
  mem.reset();
  const sink = new MemoryMetricsSink(RUNS);
  const exporter = new AutotuneSpanExporter({ sink, otlp: { graceSeconds: 0 } });
  ours.push(timeSdk(new SimpleSpanProcessor(exporter)));
  await exporter.shutdown();
  if (sink.records().length !== RUNS) throw new Error(`exporter wrote ${sink.records().length} of ${RUNS} runs`);
}

// 2. Memory with 10,000 traces in flight: each run's agent spans have ended but not its workflow span. The spans
// are handed to the exporter directly (the SDK's own span objects would be measured too otherwise).
global.gc();
const heapBefore = process.memoryUsage().heapUsed;
const holder = new AutotuneSpanExporter({ sink: new MemoryMetricsSink(), otlp: { maxOpenTraces: 10_000 } });
const resource = { attributes: { 'service.name': 'bench' } };
const hr = (ms) => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
let heapAt10k;
let statsAt10k;
for (let n = 1; n <= 30_000; n++) {
  const traceId = n.toString(16).padStart(32, '0');
  const spans = [];
  for (let m = 1; m <= 4; m++) {
    spans.push({
      name: `invoke_agent m${m}`,
      spanContext: () => ({ traceId, spanId: m.toString(16).padStart(16, '0') }),
      parentSpanContext: { spanId: 'f'.padStart(16, '0') },
      startTime: hr(BASE + n),
      endTime: hr(BASE + n + 1),
      status: { code: 0 },
      attributes: { 'gen_ai.agent.name': `m${m}` },
      links: [],
      resource,
    });
  }
  holder.export(spans, () => {});
  if (n === 10_000) {
    global.gc();
    heapAt10k = process.memoryUsage().heapUsed;
    statsAt10k = holder.stats();
  }
}
global.gc();
const heapAt30k = process.memoryUsage().heapUsed;
const statsAt30k = holder.stats();

// 3. Receiver throughput: one client, JSON batches, against a bare server that only parses the JSON.
const SPR = Number(values['spans-per-request']);
function batch(k) {
  const spans = [];
  for (let i = 0; spans.length < SPR; i++) {
    const run = k * SPR + i + 1; // trace id 0 is invalid in OTLP
    const tid = run.toString(16).padStart(32, '0');
    const t = (BASE + run * 1000) * 1e6;
    const ns = (ms) => String(t + ms * 1e6);
    for (let m = 1; m <= 4 && spans.length < SPR - 1; m++) spans.push({ traceId: tid, spanId: m.toString(16).padStart(16, '0'), parentSpanId: 'f'.padStart(16, '0'), name: `invoke_agent m${m}`, startTimeUnixNano: ns(0), endTimeUnixNano: ns(m * 10) });
    spans.push({ traceId: tid, spanId: 'f'.padStart(16, '0'), name: 'invoke_workflow bench_team', startTimeUnixNano: ns(0), endTimeUnixNano: ns(100) });
  }
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}
const REQUESTS = Number(values.requests);
const bodies = Array.from({ length: REQUESTS }, (_, k) => batch(k));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function throughput(url) {
  const start = process.hrtime.bigint();
  for (const b of bodies) await post(url, b);
  return (REQUESTS * SPR) / (Number(process.hrtime.bigint() - start) / 1e9);
}
const bareServer = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
});
await new Promise((r) => bareServer.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${bareServer.address().port}/v1/traces`;
const bareRates = [];
const ourRates = [];
let written = 0;
for (let r = 0; r < REPEAT; r++) {
  bareRates.push(await throughput(bareUrl));
  const sink = new MemoryMetricsSink(REQUESTS * SPR);
  const receiver = await startOtlpReceiver({ sink, port: 0, otlp: { graceSeconds: 0 } });
  ourRates.push(await throughput(receiver.url));
  written = (await receiver.close()).runsWritten;
}
bareServer.close();
agent.destroy();

const mb = (b) => (b / 1024 / 1024).toFixed(1);
const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, load average ${load}\n`);
console.log(`| what | bare | autotune | difference |`);
console.log(`|---|---:|---:|---:|`);
console.log(`| SDK span, ended and handed to a processor (µs per span; ${RUNS} runs x ${SPANS_PER_RUN} spans, median of ${REPEAT}) | ${(median(bare) / 1000).toFixed(2)} | ${(median(ours) / 1000).toFixed(2)} | +${((median(ours) - median(bare)) / 1000).toFixed(2)} µs per span |`);
console.log(`| receiver, one client on loopback (spans per second; ${REQUESTS} requests x ${SPR} spans, median of ${REPEAT}) | ${Math.round(median(bareRates)).toLocaleString('en')} | ${Math.round(median(ourRates)).toLocaleString('en')} | ${((median(ourRates) / median(bareRates)) * 100).toFixed(0)}% of bare; ${written} runs written per pass |`);
console.log();
console.log(`Memory of the exporter with runs in flight (workflow spans not yet ended, 4 agent spans each; maxOpenTraces 10,000; spans handed to the exporter directly, heap after a full collection):\n`);
console.log(`| traces started | traces held | spans held | heap used (MB, over the start) |`);
console.log(`|---:|---:|---:|---:|`);
console.log(`| 10,000 | ${statsAt10k.openTraces.toLocaleString('en')} | ${statsAt10k.retainedSpans.toLocaleString('en')} | ${mb(heapAt10k - heapBefore)} |`);
console.log(`| 30,000 | ${statsAt30k.openTraces.toLocaleString('en')} (${statsAt30k.evictedTraces.toLocaleString('en')} closed early) | ${statsAt30k.retainedSpans.toLocaleString('en')} | ${mb(heapAt30k - heapBefore)} |`);
