import { buildReport, renderMarkdown, sparkline, type ReportDocument } from '@autotune/report';
import MarkdownIt from 'markdown-it';
import { raceFixture, teamFixture } from './fixtures/team';

let doc: ReportDocument;
let md: string;

beforeAll(async () => {
  const fixture = await teamFixture({ liveRuns: 80, experiments: 4 });
  doc = buildReport({ ...fixture.input, race: raceFixture(fixture.focusId) });
  md = renderMarkdown(doc);
}, 60_000);

/** Tables as a GFM renderer sees them: header cells and body rows of cell texts. */
function tables(markdown: string): Array<{ head: string[]; rows: string[][] }> {
  const tokens = new MarkdownIt('commonmark').enable('table').parse(markdown, {});
  const out: Array<{ head: string[]; rows: string[][] }> = [];
  let current: { head: string[]; rows: string[][] } | undefined;
  let inHead = false;
  let row: string[] = [];
  for (const t of tokens) {
    if (t.type === 'table_open') out.push((current = { head: [], rows: [] }));
    else if (t.type === 'thead_open') inHead = true;
    else if (t.type === 'thead_close') inHead = false;
    else if (t.type === 'tr_open') row = [];
    else if (t.type === 'tr_close' && current) {
      if (inHead) current.head.push(...row);
      else current.rows.push(row);
    }
    else if (t.type === 'inline' && current && tokens[tokens.indexOf(t) - 1]?.type.match(/^t[hd]_open$/)) row.push(t.content);
  }
  return out;
}

describe('renderMarkdown', () => {
  it('renders tables a CommonMark/GFM renderer parses, with the numbers of the document', () => {
    const found = tables(md);
    const byHead = (first: string) => found.find((t) => t.head[0] === first)!;
    const summary = byHead('Runs');
    expect(summary.rows).toHaveLength(1);
    expect(summary.rows[0]![0]).toBe(String(doc.summary.figures!.runs));
    expect(summary.rows[0]![1]).toBe(`${(doc.summary.figures!.successRate * 100).toFixed(1)}%`);

    const verdicts = byHead('Experiment');
    expect(verdicts.head).toEqual(['Experiment', 'Change', 'Verdict', 'Improvement', '95% CI', 'Welch p', 'Mann-Whitney p', 'Fisher p']);
    expect(verdicts.rows).toHaveLength(doc.experiments.length);
    doc.experiments.forEach((e, i) => {
      const row = verdicts.rows[i]!;
      expect(row[1]).toBe(e.changeSummary);
      expect(row[2]).toContain(e.verdict.status);
      if (e.verdict.improvementPercentage === null) expect(row[3]).toBe('n/a');
      else expect(Number.parseFloat(row[3]!)).toBeCloseTo(e.verdict.improvementPercentage, 1);
      const welch = e.verdict.pValues.welch;
      expect(row[5]).toBe(welch === null ? 'not run' : welch < 0.001 ? '< 0.001' : welch.toFixed(3));
    });
    // Every row of every table has as many cells as its header: nothing broke a row apart.
    for (const t of found) for (const r of t.rows) expect(r).toHaveLength(t.head.length);
    expect(found.map((t) => t.head[0])).toEqual(expect.arrayContaining(['Config', 'Candidate', 'Series', '#', 'Arm', 'Test', 'Guardrail (negative is better)']));
  });

  it('shows the change of this run\'s experiment as a diff block', () => {
    const tokens = new MarkdownIt('commonmark').enable('table').parse(md, {});
    const diffs = tokens.filter((t) => t.type === 'fence' && t.info === 'diff');
    expect(diffs.length).toBeGreaterThan(0);
    const focus = doc.experiments.find((e) => e.fromThisRun)!;
    for (const c of focus.changes) {
      if (c.before !== undefined) expect(diffs[0]!.content).toContain(`- ${c.key}: ${c.before}`);
      if (c.after !== undefined) expect(diffs[0]!.content).toContain(`+ ${c.key}: ${c.after}`);
    }
  });

  it('escapes pipes in cells so a description cannot break a table', () => {
    const withPipe: ReportDocument = { ...doc, experiments: doc.experiments.map((e, i) => (i === 0 ? { ...e, label: 'a | b' } : e)) };
    const verdicts = tables(renderMarkdown(withPipe)).find((t) => t.head[0] === 'Experiment')!;
    expect(verdicts.rows[0]![0]).toBe('a | b (this run)');
    for (const r of verdicts.rows) expect(r).toHaveLength(8);
  });
});

describe('sparkline', () => {
  it.each([
    [[0, 1, 2, 3, 4, 5, 6, 7], '▁▂▃▄▅▆▇█'],
    [[1, 1, 1], '▅▅▅'],
    [[0, null, 7], '▁ █'],
  ])('%j -> %s', (values, expected) => {
    expect(sparkline(values)).toBe(expected);
  });
});
