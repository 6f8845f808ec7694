import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toSnakeCaseRecord } from '@autotune/metrics';
import { makeRecords } from './helpers';

/** Runs support/parallel-child.ts under the TypeScript hook (inherited by its worker threads). */
function child(args: string[]): Promise<Record<string, { records: number; stats: unknown; insights: Record<string, unknown[]> }>> {
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
    expect(out.single?.records).toBe(950);
    expect(Object.values(out.single?.insights ?? {}).flat().length).toBeGreaterThan(0);
    expect(out.parallel).toEqual(out.single);
  }, 120_000);
});
