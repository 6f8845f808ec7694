import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from './helpers';

// The report from the built bin: a real SQLite database filled by real apply and benchmark runs on the
// simulator, then `autotune report` and `--report FILE` in each format.
jest.setTimeout(120_000);

const WORKFLOWS = resolve(__dirname, '..', '..', '..', 'examples', 'workflows');
const TEAM = 'research_team';
let dir: string;
let applyJson: { results: Array<{ evidence?: { experimentId: string } }> };
let benchJson: { experimentId: string };

interface Doc {
  generatedAt: string;
  teamId: string;
  experiments: Array<{ id: string; fromThisRun: boolean; label: string }>;
  summary: { figures: { runs: number } | null; runsShown: string };
  timeline: { events: unknown[] };
}

function embedded(html: string): Doc {
  const m = /<script type="application\/json" id="autotune-report">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded document');
  return JSON.parse(m[1]!) as Doc;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-report-'));
  copyFileSync(join(WORKFLOWS, 'research-consensus-oversized.yaml'), join(dir, 'workflow.yaml'));
  copyFileSync(join(WORKFLOWS, 'research-consensus-oversized.yaml'), join(dir, 'before.yaml'));
  expect(cli(['simulate', '--scenario', 'research-consensus-oversized', '--config', 'workflow.yaml', '--runs', '60', '--out', 'metrics.jsonl'], { cwd: dir }).status).toBe(0);
  const apply = cli(['apply', '--team-id', TEAM, '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--auto', '--simulate', 'research-consensus-oversized', '--seed', '7', '--json', '--report', 'out/apply.html'], { cwd: dir });
  expect([0, 3, 4]).toContain(apply.status);
  applyJson = JSON.parse(apply.stdout);
  const bench = cli(['benchmark', '--team-id', TEAM, '--before', 'before.yaml', '--after', 'workflow.yaml', '--simulate', 'research-consensus-oversized', '--seed', '3', '--json', '--report', 'out/bench.md'], { cwd: dir });
  expect([0, 3, 4]).toContain(bench.status);
  benchJson = JSON.parse(bench.stdout);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('autotune report (built bin)', () => {
  it('apply --report writes the HTML report with this run\'s experiments marked and first', () => {
    const html = readFileSync(join(dir, 'out', 'apply.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/https?:\/\//);
    const doc = embedded(html);
    const ids = applyJson.results.flatMap((r) => (r.evidence ? [r.evidence.experimentId] : []));
    expect(ids.length).toBeGreaterThan(0);
    expect(doc.experiments.filter((e) => e.fromThisRun).map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(doc.experiments.slice(0, ids.length).every((e) => e.fromThisRun)).toBe(true);
    expect(doc.summary.figures!.runs).toBe(60);
  });

  it('benchmark --report writes Markdown by the file extension, with the verdict and the change as a diff', () => {
    const md = readFileSync(join(dir, 'out', 'bench.md'), 'utf8');
    expect(md).toMatch(/^## autotune report: research_team/);
    expect(md).toMatch(/\(this run\)/);
    expect(md).toMatch(/```diff\n/);
    expect(md).toMatch(/\| Experiment \| Change \| Verdict \|/);
  });

  it('validate --report writes the JSON document with the validation\'s experiment marked', () => {
    const r = cli(['validate', '--team-id', TEAM, '--config', 'workflow.yaml', '--simulate', 'research-consensus-oversized', '--seed', '5', '--no-auto-rollback', '--json', '--report', 'out/validate.json'], { cwd: dir });
    expect([0, 3, 4]).toContain(r.status);
    const { experimentId } = JSON.parse(r.stdout) as { experimentId: string };
    const doc = JSON.parse(readFileSync(join(dir, 'out', 'validate.json'), 'utf8')) as Doc;
    expect(doc.experiments[0]).toMatchObject({ id: experimentId, fromThisRun: true });
    expect(doc.experiments[0]!.label).toMatch(/^validate history #\d+/);
  });

  it('report writes JSON and HTML of the same document, with every experiment of the team (benchmarks too)', () => {
    const json = cli(['report', '--team-id', TEAM, '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--format', 'json', '--out', 'r.json'], { cwd: dir });
    expect(json.status).toBe(0);
    expect(json.stderr).toMatch(/Report \(json\) written to .*r\.json/);
    const html = cli(['report', '--team-id', TEAM, '--config', 'workflow.yaml', '--metrics', 'metrics.jsonl', '--out', 'r.html'], { cwd: dir });
    expect(html.status).toBe(0);
    const fromJson = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Doc;
    const fromHtml = embedded(readFileSync(join(dir, 'r.html'), 'utf8'));
    expect({ ...fromHtml, generatedAt: '' }).toEqual({ ...fromJson, generatedAt: '' });
    const ids = fromJson.experiments.map((e) => e.id);
    expect(ids).toContain(benchJson.experimentId);
    // apply's experiments, the benchmark's, and the validation's (the test above ran first).
    expect(ids.length).toBe(applyJson.results.filter((r) => r.evidence).length + 2);
    expect(fromJson.experiments.every((e) => !e.fromThisRun)).toBe(true);
    expect(fromJson.timeline.events.length).toBeGreaterThan(0);
  });

  it('prints Markdown on stdout without --out, for CI to post as a comment', () => {
    const r = cli(['report', '--team-id', TEAM, '--config', 'workflow.yaml', '--format', 'md'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^## autotune report: research_team\n/);
    expect(r.stdout).toMatch(/### Verdicts/);
  });

  it('reports from metrics files alone without creating a database', () => {
    const r = cli(['report', '--team-id', TEAM, '--metrics', 'metrics.jsonl', '--db', 'none/autotune.db', '--format', 'json'], { cwd: dir });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc & { source: { database: string | null } };
    expect(doc.summary.figures!.runs).toBe(60);
    expect(doc.experiments).toEqual([]);
    expect(doc.source.database).toBeNull();
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it.each([
    [['report', '--team-id', TEAM, '--config', 'workflow.yaml'], 2, /report needs --out FILE for HTML/],
    [['report', '--team-id', TEAM, '--db', 'nowhere.db', '--out', 'x.html'], 2, /no autotune database at .*nowhere\.db/],
    [['report', '--team-id', 'nobody', '--config', 'workflow.yaml', '--out', 'x.html'], 2, /team "nobody" has no runs, experiments or history in/],
    [['report', '--team-id', TEAM, '--config', 'workflow.yaml', '--format', 'pdf', '--out', 'x.pdf'], 2, /--format.*pdf.*html, md, json|Allowed choices are html, md, json/],
  ])('refuses %j with a clear error', (args, status, message) => {
    const r = cli(args, { cwd: dir });
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});
