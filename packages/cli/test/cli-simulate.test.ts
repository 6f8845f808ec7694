import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-simulate-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('autotune simulate (built bin)', () => {
  it('lists the built-in scenarios', () => {
    const r = cli(['simulate', '--list', '--json'], { cwd: tempDir() });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).scenarios).toEqual(expect.arrayContaining(['sequential-independent', 'regression-trap']));
  });

  it('writes a metrics file of a scenario that analyze then reads, the same for the same seed', () => {
    const dir = tempDir();
    const a = cli(['simulate', '--scenario', 'research-consensus-oversized', '--runs', '25', '--seed', '3', '--out', 'a.jsonl'], { cwd: dir });
    const b = cli(['simulate', '--scenario', 'research-consensus-oversized', '--runs', '25', '--seed', '3', '--out', 'b.jsonl'], { cwd: dir });
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(a.stderr).toMatch(/Wrote 25 simulated runs of team research_team/);
    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(25);
    // Ids are derived from the seed, so the same seed writes the same file.
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'a.jsonl'), 'utf8'));
    const analysis = cli(['analyze', '--team-id', 'research_team', '--metrics', 'a.jsonl'], { cwd: dir });
    expect(analysis.status).toBe(0);
    expect(analysis.stdout).toMatch(/Performance Analysis/);
  });

  it("simulates a workflow file's own config, in the original's JSON format when asked", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'workflow.yaml'), 'team_id: solo_team\nformation: parallel\nmember_count: 3\ntool_budget: 20\n');
    const r = cli(['simulate', '--config', 'workflow.yaml', '--runs', '12', '--format', 'original', '--out', 'runs.json'], { cwd: dir });
    expect(r.status).toBe(0);
    const runs = JSON.parse(readFileSync(join(dir, 'runs.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(runs).toHaveLength(12);
    expect(runs[0]).toMatchObject({ team_id: 'solo_team', formation: 'parallel', member_count: 3 });
  });

  it.each([
    [['simulate', '--runs', '5', '--out', 'x.jsonl'], /pass --scenario NAME/],
    [['simulate', '--scenario', 'nope', '--out', 'x.jsonl'], /unknown scenario "nope"; expected one of: .*sequential-independent/],
    [['simulate', '--scenario', 'regression-trap'], /missing --out FILE/],
  ])('refuses %j with a clear error (exit 2)', (args, message) => {
    const r = cli(args, { cwd: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('--early-stop (built bin)', () => {
  it('stops a benchmark with a clear winner at an interim look', () => {
    const dir = tempDir();
    const workflow = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'workflows', 'sequential-independent.yaml'), 'utf8');
    writeFileSync(join(dir, 'before.yaml'), workflow);
    writeFileSync(join(dir, 'after.yaml'), workflow.replace(/^formation: sequential/m, 'formation: parallel'));
    expect(readFileSync(join(dir, 'after.yaml'), 'utf8')).toMatch(/^formation: parallel/m);
    const r = cli(['benchmark', '--before', 'before.yaml', '--after', 'after.yaml', '--simulate', 'sequential-independent', '--runs', '30', '--early-stop', '--seed', '3', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const { verdict } = JSON.parse(r.stdout);
    expect(verdict.status).toBe('passed');
    expect(verdict.sequential).toMatchObject({ stoppedEarly: true, looks: 3 });
    expect(verdict.after.runs).toBeLessThan(30);
  });
});

describe('usage errors (built bin)', () => {
  it('reads like every other error: one "autotune:" line, exit 2', () => {
    const r = cli(['analyze', '--bogus'], { cwd: tempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("autotune: unknown option '--bogus'");
  });
});

describe('apply --json with nothing to suggest (built bin)', () => {
  it('still reports the database and the config in force', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'workflow.yaml'), 'team_id: calm_team\nformation: parallel\nmember_count: 3\ntool_budget: 12\ntimeout_seconds: 60\n');
    const runs = Array.from({ length: 20 }, (_, i) => ({
      teamId: 'calm_team', executionId: `r${i}`, startTimeMs: i * 60_000, endTimeMs: i * 60_000 + 10_000, durationSeconds: 9.5 + (i % 3) * 0.5,
      success: true, formation: 'parallel', memberCount: 3, toolBudget: 12, timeoutSeconds: 60, toolCalls: 8 + (i % 3), members: [],
    }));
    writeFileSync(join(dir, 'metrics.jsonl'), runs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = cli(['apply', '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--auto', '--no-ab-test', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.suggestions).toEqual([]);
    expect(out.database).toBe(join(dir, '.autotune', 'autotune.db'));
    expect(out.finalConfig).toMatchObject({ formation: 'parallel', member_count: 3, tool_budget: 12 });
  });
});
