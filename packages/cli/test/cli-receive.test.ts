// `autotune receive` through the built bin: a real HTTP server on loopback, OTLP/HTTP JSON posted to it,
// SIGTERM to stop; runs land in the JSON Lines file. (The receiver itself is tested with the real
// OpenTelemetry SDK and OTLP exporter in @autotune/otel.)
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startCli, waitFor } from './helpers';

jest.setTimeout(120_000);

function post(url: string, body: string, type = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': type } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const TRACE = (n: number) => n.toString(16).padStart(32, '0');
function runDoc(n: number, withWorkflow: boolean): string {
  const at = 1_736_935_125_000 + n * 60_000;
  const ns = (ms: number) => `${ms}000000`;
  const spans = [
    { traceId: TRACE(n), spanId: '00000000000000a2', parentSpanId: '00000000000000a1', name: 'invoke_agent planner', startTimeUnixNano: ns(at), endTimeUnixNano: ns(at + 1000) },
    { traceId: TRACE(n), spanId: '00000000000000a3', parentSpanId: '00000000000000a2', name: 'execute_tool search', startTimeUnixNano: ns(at + 10), endTimeUnixNano: ns(at + 20) },
    {
      traceId: TRACE(n),
      spanId: '00000000000000a1',
      name: withWorkflow ? 'invoke_workflow research_team' : 'POST /run',
      startTimeUnixNano: ns(at),
      endTimeUnixNano: ns(at + 2000),
      attributes: n % 2 === 0 ? [{ key: 'error.type', value: { stringValue: 'timeout' } }] : [],
      status: n % 2 === 0 ? { code: 2 } : {},
    },
  ];
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'research_team' } }] }, scopeSpans: [{ spans }] }] });
}

describe('autotune receive', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autotune-receive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records each run posted over OTLP/HTTP JSON, answers bad input with the reason, and stops cleanly on SIGTERM', async () => {
    const run = startCli(['receive', '--port', '0', '--out', 'runs.jsonl'], { cwd: dir });
    await waitFor(() => /Listening on http:\/\/127\.0\.0\.1:\d+\/v1\/traces/.test(run.output().stdout));
    const url = /(http:\/\/127\.0\.0\.1:\d+\/v1\/traces)/.exec(run.output().stdout)![1]!;
    for (let n = 1; n <= 4; n++) expect(await post(url, runDoc(n, n !== 4))).toEqual({ status: 200, body: '{}' });
    const bad = await post(url, '{"resourceSpans": [', 'application/json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/not valid JSON/);
    run.child.kill('SIGTERM');
    const done = await run.exited;
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toMatch(/wrote 4 run\(s\) \(1 from root spans\); 0 late span\(s\), 0 set aside, 1 bad request\(s\)/);
    const records = readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => [r.teamId, r.toolCalls, r.limitHit ?? null])).toEqual([
      ['research_team', 1, null],
      ['research_team', 1, 'timeout'],
      ['research_team', 1, null],
      ['research_team', 1, 'timeout'],
    ]);
  });

  it('needs somewhere to put the runs', () => {
    const r = cli(['receive', '--port', '0'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pass --out FILE/);
  });

  it('reads the otlp section of the config file and says what it set aside when a trace gives no runs', () => {
    writeFileSync(join(dir, 'autotune.config.json'), JSON.stringify({ otlp: { runSpans: 'invoke_workflow' } }));
    writeFileSync(join(dir, 'traces.jsonl'), `${runDoc(1, false)}\n${runDoc(2, false)}\n`);
    const r = cli(['analyze', '--metrics', 'traces.jsonl'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/4 agent and tool span\(s\) belonged to no run/);
    expect(r.stderr).toMatch(/the metrics hold no runs \(4 agent and tool span\(s\) were set aside/);
    writeFileSync(join(dir, 'autotune.config.json'), JSON.stringify({ otlp: { runSpans: 'sometimes' } }));
    const bad = cli(['analyze', '--metrics', 'traces.jsonl'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/field "otlp.runSpans" must be "auto" or "invoke_workflow", got "sometimes"/);
    writeFileSync(join(dir, 'autotune.config.json'), JSON.stringify({ otlp: { runSpans: 'auto' } }));
    expect(cli(['analyze', '--metrics', 'traces.jsonl'], { cwd: dir }).status).toBe(0);
  });
});
