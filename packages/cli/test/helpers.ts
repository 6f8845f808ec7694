// Helpers for the end-to-end tests: they run the BUILT bin (dist/bin.js) as a child process, in temp
// folders with real files and a real SQLite database.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(__dirname, '..', 'dist', 'bin.js');
export const FIXTURES = resolve(__dirname, 'fixtures');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `autotune ...args` to completion. */
export function cli(args: string[], options: { cwd: string; input?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): CliRun {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `autotune ...args` and hands back the child, to signal it mid-run. */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<CliRun>((done) => child.on('close', (status) => done({ status, stdout, stderr })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Resolves when `predicate` holds for the child's output so far (polling; the test's own timeout bounds it). */
export async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 50));
}

/** A deterministic PRNG for fixtures (mulberry32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Recorded runs of the fixture team under its workflow (8 members in parallel, budget 50) in the original
 * snake_case JSON array format: slow (about 84 s), tool-hungry (45 calls), with a long tail.
 */
export function reviewTeamRuns(runs = 30, seed = 7, teamId = 'review_team'): object[] {
  const random = prng(seed);
  const out: object[] = [];
  for (let i = 0; i < runs; i++) {
    const duration = 84 + (random() - 0.5) * 10 + (i % 10 === 9 ? 40 : 0);
    const start = 1736935125 + i * 3600;
    out.push({
      team_id: teamId,
      formation: 'parallel',
      member_count: 8,
      success: random() > 0.03,
      duration_seconds: Number(duration.toFixed(2)),
      total_tool_calls: 45 + Math.round((random() - 0.5) * 6),
      timestamp: new Date(start * 1000).toISOString().slice(0, 19),
      recursion_depth: 0,
      start_time: start,
      end_time: start + duration,
      consensus_achieved: null,
      consensus_rounds: null,
      unique_tools_used: ['read_file', 'grep'],
      member_metrics: {},
    });
  }
  return out;
}

/** A temp project: the fixture workflow, its metrics and the fake team script. */
export function makeProject(): { dir: string; workflow: string; metrics: string; team: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-cli-e2e-'));
  const workflow = join(dir, 'workflow.yaml');
  const metrics = join(dir, 'metrics.json');
  const team = join(dir, 'fake-team.cjs');
  copyFileSync(join(FIXTURES, 'workflow.yaml'), workflow);
  copyFileSync(join(FIXTURES, 'fake-team.cjs'), team);
  writeFileSync(metrics, JSON.stringify(reviewTeamRuns(), null, 2));
  return { dir, workflow, metrics, team, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Writes a strategy module (CommonJS) that always suggests `change` (TeamConfig fields) while the config
 * differs from it: tests pick exactly which change is on the table.
 */
export function strategySource(options: { name: string; type: string; description: string; change: Record<string, unknown>; apiVersion?: string; exportAs?: 'object' | 'factory' | 'array' | 'esm' }): string {
  const body = `{
  apiVersion: ${JSON.stringify(options.apiVersion ?? '1.0')},
  name: ${JSON.stringify(options.name)},
  suggest(insights, config) {
    const change = ${JSON.stringify(options.change)};
    if (Object.keys(change).every((k) => config[k] === change[k])) return [];
    return [{ type: ${JSON.stringify(options.type)}, priority: 'high', description: ${JSON.stringify(options.description)}, currentConfig: config,
      suggestedConfig: change, expectedImprovement: 15, confidence: 0.9, riskLevel: 0.1, targetMetric: 'duration' }];
  },
  apply(config, suggestion) { return { ...config, ...suggestion.suggestedConfig }; },
}`;
  return exportStrategies([body], options.exportAs ?? 'object');
}

/** A module exporting several strategies (see {@link strategySource}) as an array. */
export function strategiesSource(list: Array<Parameters<typeof strategySource>[0]>): string {
  return `module.exports = [\n${list.map((o) => strategySource({ ...o, exportAs: 'object' }).replace(/^module\.exports = /, '').replace(/;\n$/, '')).join(',\n')}\n];\n`;
}

function exportStrategies(bodies: string[], exportAs: 'object' | 'factory' | 'array' | 'esm'): string {
  const body = bodies[0];
  switch (exportAs) {
    case 'factory':
      return `module.exports = { strategies: (options) => [${body}] };\n`;
    case 'array':
      return `module.exports = [${body}];\n`;
    case 'esm':
      return `export default ${body};\n`;
    default:
      return `module.exports = ${body};\n`;
  }
}

/**
 * Runs `autotune ...args` on a pseudo-terminal (util-linux `script`), so that stdout and stderr are TTYs.
 * Returns what the terminal showed (both streams).
 */
export function cliOnTerminal(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): CliRun {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: options.cwd,
    // `script` hands its stdin to the terminal, so this is what the user types.
    ...(options.input !== undefined ? { input: options.input } : {}),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
