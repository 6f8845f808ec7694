import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { JsonlFileSink, loadMetrics, loadMetricsWithReport, MetricsError, validateRecord } from '@autotune/metrics';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-metrics-sink-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (executionId: string) =>
  validateRecord({ teamId: 't', executionId, startTimeMs: 1000, durationSeconds: 1, success: true, members: [] });

describe('JsonlFileSink', () => {
  it('appends one record per line, creating the folder, and reads back equal', async () => {
    const path = join(dir, 'nested', 'a', 'runs.jsonl');
    const sink = new JsonlFileSink(path);
    sink.write(record('1'));
    sink.write(record('2'));
    sink.close();
    const again = new JsonlFileSink(path);
    again.write(record('3'));
    again.close();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(4);
    expect(await loadMetrics(path)).toEqual([record('1'), record('2'), record('3')]);
  });

  it('writes the original snake_case shape on request', async () => {
    const path = join(dir, 'snake.jsonl');
    const sink = new JsonlFileSink(path, { shape: 'snake_case' });
    sink.write(record('s1'));
    sink.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ team_id: 't', execution_id: 's1', start_time: 1 });
    expect(await loadMetrics(path)).toEqual([record('s1')]);
  });

  it('isolates a partial last line left by a killed writer', async () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, `${JSON.stringify(record('ok'))}\n`);
    appendFileSync(path, '{"teamId":"t","executio');
    const sink = new JsonlFileSink(path);
    sink.write(record('after'));
    sink.close();
    const { records, report } = await loadMetricsWithReport(path, { lenient: true });
    expect(records.map((r) => r.executionId)).toEqual(['ok', 'after']);
    expect(report.skipped).toBe(1);
    expect(report.firstSkips[0]?.location.line).toBe(2);
  });

  it('refuses writes after close', () => {
    const sink = new JsonlFileSink(join(dir, 'closed.jsonl'));
    sink.close();
    expect(() => sink.write(record('x'))).toThrow(MetricsError);
  });

  it('names the file it cannot open', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    expect(() => new JsonlFileSink(join(blocker, 'runs.jsonl'))).toThrow(
      expect.objectContaining({ code: 'METRICS_IO', message: expect.stringContaining(join(blocker, 'runs.jsonl')) }),
    );
  });

  it('keeps every completed run of a process killed (SIGKILL) in the middle of a run', async () => {
    const path = join(dir, 'crash.jsonl');
    const child = spawn(process.execPath, ['-r', join(__dirname, 'support', 'register-ts.cjs'), join(__dirname, 'support', 'sink-child.ts'), path, '25'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    const done: string[] = [];
    let inFlight: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const [what, id] = line.split(' ');
      if (what === 'done' && id !== undefined) done.push(id);
      if (what === 'in-flight') {
        inFlight = id;
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(done).toHaveLength(25);
    const records = await loadMetrics(path);
    expect(records.map((r) => r.executionId)).toEqual(done);
    expect(records.map((r) => r.executionId)).not.toContain(inFlight);
    expect(records.filter((r) => !r.success)).toHaveLength(9);
  }, 60_000);
});
