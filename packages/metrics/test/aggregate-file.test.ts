import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateFile, MetricsAggregator, readRecords, summarizeRecords } from '@autotune/metrics';
import { writeOtlpLines, writeSnakeLines } from './support/generate';
import { aggregateRange } from '../src/internal/range-reader';
import { AGGREGATOR_MERGE_STATE } from '../src/internal/aggregator-state';
import { MetricsAggregator as SourceAggregator } from '../src/aggregator';

const fixture = (name: string) => join(__dirname, 'fixtures', name);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-aggregate-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs test/support/aggregate-child.ts under the TypeScript hook; resolves to its JSON output. */
function child(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-r', join(__dirname, 'support', 'register-ts.cjs'), join(__dirname, 'support', 'aggregate-child.ts'), ...args], {
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

describe('aggregateFile on one thread', () => {
  it.each(['dataset.snake.json', 'dataset.autotune.jsonl', 'dataset.snake.jsonl', 'dataset.otlp.json', 'dataset.otlp.jsonl'])(
    '%s: the same summary as readRecords + MetricsAggregator',
    async (name) => {
      const reference = await summarizeRecords(readRecords(fixture(name)));
      const { aggregator, report, threads } = await aggregateFile(fixture(name));
      expect(threads).toBe(1);
      expect(report.records).toBe(reference.totalRecords);
      expect(aggregator.summary()).toEqual(reference);
    },
    60_000,
  );

  it('with teamId counts that team only, skipping other teams before parsing', async () => {
    const path = join(dir, 'teams.jsonl');
    writeSnakeLines(path, 300, 7);
    // A broken line of another team: skipped unparsed, so it does not stop the read.
    appendFileSync(path, '{"team_id":"team_2","success":tru\n');
    // Another team's line naming team_1 elsewhere: parsed (the byte search finds the name), then dropped uncounted.
    appendFileSync(path, '{"team_id":"team_2","success":false,"error":"team_1","duration_seconds":2,"start_time":1736000000}\n');
    const full = await summarizeRecords(readRecords(path, { lenient: true }));
    const { aggregator, report } = await aggregateFile(path, { teamId: 'team_1' });
    expect(aggregator.teamIds()).toEqual(['team_1']);
    expect(aggregator.team('team_1')).toEqual(full.teams.get('team_1'));
    expect(report.records).toBe(full.teams.get('team_1')!.runs);
    expect(report.skipped).toBe(0);
  }, 60_000);

  it.each(['dataset.otlp.jsonl', 'dataset.otlp.json'])('with teamId keeps OTLP runs whole (%s: spans of a run span documents)', async (name) => {
    const full = await summarizeRecords(readRecords(fixture(name)));
    for (const team of full.teams.keys()) {
      const { aggregator, report } = await aggregateFile(fixture(name), { teamId: team });
      expect(aggregator.teamIds()).toEqual([team]);
      expect(aggregator.team(team)).toEqual(full.teams.get(team));
      // The report counts that team's runs only, as for JSON Lines (it once counted every team's).
      expect(report.records).toBe(full.teams.get(team)!.runs);
    }
  }, 60_000);

  it('with teamId skips other teams\' OTLP documents unread, and gives the runs of a full read', async () => {
    const path = join(dir, 'otlp-per-trace.jsonl');
    writeOtlpLines(path, 2000, 41, { perTrace: true });
    // Another team's document cut short: not JSON, so a full strict read stops there; a skipped one does not.
    const lines = readFileSync(path, 'utf8').split('\n');
    const bad = lines.findIndex((l, k) => k > 1000 && !l.includes('team_3'));
    lines[bad] = lines[bad]!.slice(0, Math.floor(lines[bad]!.length / 2));
    writeFileSync(path, lines.join('\n'));
    await expect(aggregateFile(path)).rejects.toThrow(`line ${bad + 1}`);
    const full = await summarizeRecords(readRecords(path, { lenient: true }));
    const { aggregator, report, threads } = await aggregateFile(path, { teamId: 'team_3' });
    expect(threads).toBe(1);
    expect(aggregator.teamIds()).toEqual(['team_3']);
    expect(aggregator.team('team_3')).toEqual(full.teams.get('team_3'));
    expect(report.records).toBe(full.teams.get('team_3')!.runs);
    expect(report.records).toBeGreaterThan(300);
  }, 60_000);

  it('with teamId reads OTLP documents in full when a run of the team has spans in documents that do not name it', async () => {
    // Spans exported in batches: a run's agent spans come before, and apart from, the span naming its team.
    const path = join(dir, 'otlp-batches.jsonl');
    writeOtlpLines(path, 1500, 42);
    const full = await summarizeRecords(readRecords(path));
    for (const team of ['team_0', 'team_3']) {
      const { aggregator, report } = await aggregateFile(path, { teamId: team });
      expect(aggregator.team(team)).toEqual(full.teams.get(team));
      expect(report.records).toBe(full.teams.get(team)!.runs);
    }
  }, 60_000);

  it('with teamId finds a non-ASCII team id written with \\u escapes, as Python writes it', async () => {
    const path = join(dir, 'unicode.jsonl');
    const rec = (team: string) => `{"team_id":${team},"success":true,"duration_seconds":2,"start_time":1736000000}`;
    writeFileSync(path, [rec('"\\u00e9quipe"'), rec('"équipe"'), rec('"other"'), rec('"\\u00e9quipe_2"')].join('\n') + '\n');
    const { aggregator } = await aggregateFile(path, { teamId: 'équipe' });
    expect(aggregator.teamIds()).toEqual(['équipe']);
    expect(aggregator.team('équipe')!.runs).toBe(2);
  });

  it('decodes ASCII blocks as latin1 until the first non-ASCII one, then as UTF-8: a character across a block boundary stays whole', async () => {
    // Four 64 KiB blocks of ASCII, but for the first two bytes of a four-byte character that ends in the fifth;
    // then team ids with two- and four-byte characters. The character cut by the read stays whole only if the
    // decoder saw its first bytes.
    const path = join(dir, 'ascii-then-utf8.jsonl');
    const rec = (team: string, k: number) => JSON.stringify({ team_id: team, success: k % 3 !== 0, duration_seconds: 1 + (k % 5), start_time: 1736000000 + k });
    const lines: string[] = [];
    let bytes = 0;
    for (let k = 0; bytes < 4 * 65536 - 300; k++) {
      const line = rec(`ascii_${k % 4}`, k);
      lines.push(line);
      bytes += line.length + 1;
    }
    // The emoji's first byte at 4 x 65536 - 2: after `{"team_id":"`, the padding and "é" (two bytes).
    const pad = 4 * 65536 - 2 - bytes - '{"team_id":"'.length - 2;
    lines.push(rec(`${'x'.repeat(pad)}é😀 cut`, 1));
    expect(Buffer.from(lines.join('\n') + '\n').subarray(4 * 65536 - 2, 4 * 65536 + 2).toString()).toBe('😀');
    bytes += Buffer.byteLength(lines[lines.length - 1]!) + 1;
    for (let k = 0; bytes < 6 * 65536; k++) {
      const line = rec(k % 2 === 0 ? `ascii_${k % 4}` : 'équipe 😀', k);
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const text = lines.join('\n') + '\n';
    writeFileSync(path, text);
    const expected = await summarizeRecords(readRecords(path));
    // One range over the whole file, read as a worker reads its range, block by block.
    const range = aggregateRange({ path, start: 0, end: Buffer.byteLength(text), lenient: false, maxReportedSkips: undefined, teamId: undefined, formations: undefined });
    expect(range.error).toBeUndefined();
    const aggregator = new SourceAggregator();
    aggregator[AGGREGATOR_MERGE_STATE](range.state);
    expect(aggregator.summary()).toEqual(expected);
    expect(aggregator.teamIds()).toEqual(['ascii_0', 'ascii_1', 'ascii_2', 'ascii_3', `${'x'.repeat(pad)}é😀 cut`, 'équipe 😀']);
  });

  it('reads a line of several MB (longer than many read chunks) whole, in both readers', async () => {
    const path = join(dir, 'long-line.jsonl');
    // Not one repeated character: pieces of the line put together in the wrong order would show.
    const long = Array.from({ length: (6 * 1024 * 1024) / 8 }, (_, i) => String(i).padStart(8, '0')).join('');
    const a = { teamId: 't', executionId: 'a', startTimeMs: 0, endTimeMs: 1000, durationSeconds: 1, success: false, error: long, memberCount: 0, toolCalls: 0, members: [] };
    const b = { ...a, executionId: 'b', error: 'short', durationSeconds: 2, endTimeMs: 2000 };
    writeFileSync(path, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n${JSON.stringify({ ...a, executionId: 'c' })}\n`);
    const records = [];
    for await (const r of readRecords(path)) records.push(r);
    expect(records.map((r) => [r.executionId, r.error!.length])).toEqual([['a', long.length], ['b', 5], ['c', long.length]]);
    expect(records[0]!.error === long && records[2]!.error === long).toBe(true);
    const { aggregator } = await aggregateFile(path);
    expect(Array.from(aggregator.team('t')!.durationsSeconds)).toEqual([1, 1, 2]);
  }, 60_000);

  it('rejects a bad thread count with a usage error', async () => {
    await expect(aggregateFile(fixture('dataset.snake.jsonl'), { threads: 0 })).rejects.toMatchObject({ code: 'METRICS_USAGE' });
  });

  it('names a missing file', async () => {
    await expect(aggregateFile(join(dir, 'nope.jsonl'))).rejects.toMatchObject({ code: 'METRICS_IO', message: expect.stringContaining('nope.jsonl') });
  });
});

describe('aggregateFile on worker threads (real workers, in a child process)', () => {
  it('gives exactly the single-thread summary (toEqual on the whole structure)', async () => {
    const path = join(dir, 'parallel.jsonl');
    writeSnakeLines(path, 4000, 11);
    const out = await child(['compare', path, '3']);
    expect(out.threads).toBe(3);
    expect(out.records).toEqual([4000, 4000]);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
  }, 120_000);

  it('threads share one task queue: every range is run once, by this thread or a worker, and the counter is shared', async () => {
    const path = join(dir, 'queue.jsonl');
    writeSnakeLines(path, 4000, 14);
    const out = (await child(['queue', path, '8'])) as { mine: number[]; theirs: number[]; counter: number; records: number[] };
    // This thread runs range 0 untaken, then each thread takes ranges until one add finds none left: 1 + 7 + 2.
    // A counter copied into the worker instead of shared would end at 9 here, and ranges would run twice.
    expect(out.counter).toBe(10);
    expect(out.mine[0]).toBe(0);
    expect([...out.mine, ...out.theirs].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(out.records.reduce((a, b) => a + b, 0)).toBe(4000);
  }, 120_000);

  it('with teamId gives exactly that team of the single-thread summary', async () => {
    const path = join(dir, 'parallel-team.jsonl');
    writeSnakeLines(path, 3000, 12);
    const out = await child(['compare', path, '2', 'team_3']);
    expect(out.threads).toBe(2);
    expect(Object.keys((out.parallel as { teams: object }).teams)).toEqual(['team_3']);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
  }, 120_000);

  it('splits a pretty-printed JSON array (the original\'s format) and gives exactly the single-thread summary', async () => {
    const path = join(dir, 'parallel-array.json');
    writeSnakeLines(path, 3000, 15, { array: true });
    const out = await child(['compare', path, '3']);
    expect(out.threads).toBe(3);
    expect(out.records).toEqual([3000, 3000]);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
  }, 120_000);

  it('splits a JSON array with teamId and gives exactly that team of the single-thread summary, escaped quotes and brackets in strings included', async () => {
    const path = join(dir, 'parallel-array-team.json');
    writeSnakeLines(path, 3000, 17, { array: true });
    // Strings with escaped quotes, backslashes and brackets, for the splitter's string skipping.
    const tricky = (team: string, k: number) =>
      JSON.stringify({ team_id: team, success: false, error_message: `a \\"quoted\\" ${team} \\\\ ] } , [ { \\\\"`, duration_seconds: 2 + k, start_time: 1736000000 + k }, null, 2);
    const text = readFileSync(path, 'utf8').trimEnd();
    writeFileSync(path, `${text.slice(0, -1).trimEnd()},\n${[tricky('team_3', 1), tricky('team_2', 2), tricky('team_3', 3)].join(',\n')}\n]\n`);
    const out = await child(['compare', path, '2', 'team_3']);
    expect(out.threads).toBe(2);
    expect(Object.keys((out.parallel as { teams: object }).teams)).toEqual(['team_3']);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
    const runs = (out.single as { teams: Record<string, { runs: number }> }).teams['team_3']!.runs;
    expect(out.records).toEqual([runs, runs]);
  }, 120_000);

  it('stays exact when a guessed array cut lands inside a record (nested objects that look like records)', async () => {
    const path = join(dir, 'parallel-array-nested.json');
    writeSnakeLines(path, 1500, 16, { array: true, nestedTeamObjects: true });
    const out = await child(['compare', path, '4']);
    expect(out.records).toEqual([1500, 1500]);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
  }, 120_000);

  // Parts of an array are read in batches of elements parsed together, with a fallback to element-by-element
  // reading wherever a batch fails; these check that every fallback gives what one thread gives.
  it('skips bad array elements in every part as one thread does, with their lines in the whole file (lenient)', async () => {
    const path = join(dir, 'lenient-array.json');
    writeSnakeLines(path, 3000, 18, { array: true });
    let text = readFileSync(path, 'utf8');
    // Every 500th record gets a bad "success"; one near the end, in the last batch of the last part, too.
    let at = -1;
    for (let k = 0; k <= 2990; k++) {
      at = text.indexOf('"team_id"', at + 1);
      if (k % 500 === 250 || k === 2990) {
        const bad = text.indexOf('"success": ', at);
        text = `${text.slice(0, bad)}"success": "yes", "x": ${text.slice(bad + '"success": '.length)}`;
      }
    }
    writeFileSync(path, text);
    const out = await child(['lenient', path, '3']);
    expect(out.threads).toBe(3);
    expect(out.parallel).toEqual(out.single);
    const [single, parallel] = out.reports as [{ records: number; skipped: number; first: string[] }, { records: number; skipped: number; first: string[] }];
    expect(parallel).toEqual(single);
    expect(single.skipped).toBe(7);
    expect(single.records).toBe(2993);
    expect(single.first).toHaveLength(5);
    // The fifth skip is record 2250's, named by the line of its "{" (the line before its "team_id").
    let of2250 = -1;
    for (let k = 0; k <= 2250; k++) of2250 = text.indexOf('"team_id"', of2250 + 1);
    expect(single.first[4]).toContain(`line ${text.slice(0, of2250).split('\n').length - 1}, field "success"`);
  }, 120_000);

  it('gives the single-thread summary for an array whose records do not start with their team id, and for an element larger than a batch', async () => {
    const path = join(dir, 'array-key-order.json');
    writeSnakeLines(path, 2000, 19, { array: true });
    const records = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
    // "team_id" last: no element start looks like one, so no batch is cut. One record carries 700 kB of text.
    const moved = records.map(({ team_id, ...rest }, k) => ({ ...rest, ...(k === 1200 ? { notes: 'x'.repeat(700_000) } : {}), team_id }));
    writeFileSync(path, `[\n${moved.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]\n`);
    const out = await child(['compare', path, '2']);
    expect(out.records).toEqual([2000, 2000]);
    expect(out.parallel).toEqual(out.single);
    // And a large element in a file whose records do start with their team id.
    const big = join(dir, 'array-big-element.json');
    writeFileSync(big, `[\n${records.map((r, k) => JSON.stringify(k === 700 ? { ...r, notes: 'y'.repeat(700_000) } : r, null, 2)).join(',\n')}\n]\n`);
    const outBig = await child(['compare', big, '3']);
    expect(outBig.records).toEqual([2000, 2000]);
    expect(outBig.parallel).toEqual(outBig.single);
  }, 120_000);

  it.each([
    ['content after the closing "]"', (t: string) => `${t}{"team_id": "x"}\n`],
    ['no closing "]"', (t: string) => t.trimEnd().slice(0, -1)],
    ['a bad record as the last element', (t: string) => `${t.trimEnd().slice(0, -1).trimEnd()},\n{"team_id": "team_1", "success": 3}\n]\n`],
  ])('reports %s at the end of an array as one thread does, with a team wanted or not', async (_what, edit) => {
    const path = join(dir, `array-end-${_what.length}.json`);
    writeSnakeLines(path, 1500, 20, { array: true });
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    for (const team of [[], ['team_1']]) {
      const single = await child(['error', path, '1', ...team]);
      const out = await child(['error', path, '3', ...team]);
      expect(single.error).toEqual(expect.stringContaining(path));
      expect(out).toEqual(single);
    }
  }, 120_000);

  // With a team wanted, array parts match whole elements with a regular expression and leave what it cannot match
  // to the byte scanner; these check that every such element gives what one thread gives.
  it('with teamId reads what the element matcher leaves to the byte scanner as one thread does: deep nesting, scalars, the team named in other fields, text that is not ASCII', async () => {
    const path = join(dir, 'array-team-skim.json');
    writeSnakeLines(path, 3000, 21, { array: true });
    const records = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
    const deep = (k: number): unknown => (k === 0 ? [1, { a: '} ]' }] : [deep(k - 1)]);
    const edited = records.map((r, k) =>
      k % 97 === 5 ? { ...r, notes: deep(k % 2 === 0 ? 19 : 39) } : k % 89 === 7 ? { ...r, reviewed_by: 'team_3', note: 'for "team_3" ] }' } : k % 83 === 11 ? { ...r, notes: 'café 日本 😀 ]}' } : r,
    );
    const elements = edited.map((r) => JSON.stringify(r, null, 2));
    // Elements that are not records: skipped unread by both readers, as they do not name the team.
    elements.splice(1500, 0, '5', '[1, {"a": [2]}]', 'null');
    writeFileSync(path, `[\n${elements.join(',\n')}\n]\n`);
    const out = (await child(['lenient', path, '3', 'team_3'])) as { threads: number; single: { teams: object }; parallel: object; reports: { records: number; skipped: number }[] };
    expect(out.threads).toBe(3);
    expect(Object.keys(out.single.teams)).toEqual(['team_3']);
    expect(out.parallel).toEqual(out.single);
    expect(out.reports[1]).toEqual(out.reports[0]);
    expect(out.reports[0]!.skipped).toBe(0);
    expect(out.reports[0]!.records).toBe(records.filter((r) => r.team_id === 'team_3').length);
  }, 120_000);

  it('with teamId reports the first bad record of the team with its line and index as one thread does, and skips the same when lenient', async () => {
    const path = join(dir, 'array-team-bad.json');
    writeSnakeLines(path, 2000, 22, { array: true });
    const records = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
    // Bad records of the team in later parts, one of them nested too deep for the matcher; a bad one of another team.
    const team = 'team_2';
    const runs = records.filter((r) => r.team_id === team).length;
    expect(runs).toBeGreaterThan(100);
    let seen = 0;
    let otherBad = false;
    const edited = records.map((r) => {
      if (r.team_id !== team) {
        // One bad record of another team, after a quarter of the team's runs: skipped unread by both readers.
        if (otherBad || r.team_id !== 'team_0' || seen < runs / 4) return r;
        otherBad = true;
        return { ...r, success: 'other team: never read' };
      }
      seen++;
      if (seen === Math.floor(runs / 2)) return { ...r, success: 'yes', notes: JSON.parse(`${'['.repeat(40)}"deep"${']'.repeat(40)}`) as unknown };
      return seen === Math.floor((runs * 4) / 5) ? { ...r, duration_seconds: 'slow' } : r;
    });
    expect(otherBad).toBe(true);
    writeFileSync(path, `[\n${edited.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]\n`);
    const single = await child(['error', path, '1', team]);
    const out = await child(['error', path, '3', team]);
    expect(single.error).toEqual(expect.stringContaining('field "success"'));
    expect(out).toEqual(single);
    const lenient = (await child(['lenient', path, '3', team])) as { single: object; parallel: object; reports: { skipped: number; first: string[] }[] };
    expect(lenient.parallel).toEqual(lenient.single);
    expect(lenient.reports[1]).toEqual(lenient.reports[0]);
    expect(lenient.reports[0]!.skipped).toBe(2);
  }, 120_000);

  it('reports a bad element in a later part of an array with its line in the whole file', async () => {
    const path = join(dir, 'bad-array.json');
    writeSnakeLines(path, 1000, 17, { array: true });
    const text = readFileSync(path, 'utf8');
    // The 901st record (index 900): its "success" becomes a string.
    let at = -1;
    for (let k = 0; k <= 900; k++) at = text.indexOf('"team_id"', at + 1);
    const bad = text.indexOf('"success": ', at);
    writeFileSync(path, `${text.slice(0, bad)}"success": "yes", "x": ${text.slice(bad + '"success": '.length)}`);
    // Errors name the line where the record starts: the "{" on the line before its "team_id".
    const line = text.slice(0, at).split('\n').length - 1;
    const single = await child(['error', path, '1']);
    const out = await child(['error', path, '3']);
    expect(out).toEqual(single);
    expect(out.error).toContain(`${path}, line ${line}, field "success"`);
  }, 120_000);

  it('OTLP JSON Lines: exactly the single-thread summary and report, with runs split across range boundaries', async () => {
    const path = join(dir, 'parallel-otlp.jsonl');
    writeOtlpLines(path, 6000, 31);
    const out = await child(['compare', path, '3']);
    // 3, not 1: the ranges were merged, not read again on one thread after a failed check.
    expect(out.threads).toBe(3);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
    const [single, parallel] = out.reports as [Record<string, number>, Record<string, number>];
    expect(parallel).toEqual(single);
    // The file has what the test is about: late spans and root-span runs, counted alike.
    expect(single.lateSpans).toBeGreaterThan(100);
    expect(single.rootSpanRuns).toBeGreaterThan(400);
    expect(single.records).toBe(6000);
  }, 120_000);

  it('OTLP JSON Lines with teamId: exactly that team of the single-thread summary', async () => {
    const path = join(dir, 'parallel-otlp-team.jsonl');
    writeOtlpLines(path, 3000, 32);
    const out = await child(['compare', path, '2', 'team_3']);
    expect(out.threads).toBe(2);
    expect(Object.keys((out.parallel as { teams: object }).teams)).toEqual(['team_3']);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
    const runs = (out.single as { teams: Record<string, { runs: number }> }).teams['team_3']!.runs;
    expect(runs).toBeGreaterThan(300);
    expect(out.records).toEqual([runs, runs]);
  }, 120_000);

  it('OTLP JSON Lines with teamId, one run per document: other teams skipped unread in every range, exactly the single-thread runs', async () => {
    const path = join(dir, 'parallel-otlp-per-trace.jsonl');
    writeOtlpLines(path, 4000, 43, { perTrace: true });
    const out = await child(['compare', path, '2', 'team_3']);
    expect(out.threads).toBe(2);
    expect(out.parallel).toEqual(out.single);
    expect(out.single).toEqual(out.viaReadRecords);
    const runs = (out.single as { teams: Record<string, { runs: number }> }).teams['team_3']!.runs;
    expect(out.records).toEqual([runs, runs]);
    // Another team's document cut short in the second range: a strict read of every team stops there; a read
    // of team_3 skips it unread, on both threads (a fallback to a full read would stop there too).
    const lines = readFileSync(path, 'utf8').split('\n');
    const bad = lines.findIndex((l, k) => k > lines.length * 0.75 && !l.includes('team_3'));
    lines[bad] = lines[bad]!.slice(0, Math.floor(lines[bad]!.length / 2));
    writeFileSync(path, lines.join('\n'));
    const all = await child(['error', path, '2']);
    expect(all.error).toContain(`line ${bad + 1}`);
    const one = await child(['error', path, '2', 'team_3']);
    expect(one).toEqual({ error: null, threads: 2, records: runs });
  }, 120_000);

  it('OTLP JSON Lines: a bad line in a later range is named with its line in the whole file, or skipped alike when lenient', async () => {
    const path = join(dir, 'parallel-otlp-bad.jsonl');
    writeOtlpLines(path, 3000, 34);
    const lines = readFileSync(path, 'utf8').split('\n');
    const bad = Math.floor(lines.length * 0.8);
    lines[bad] = lines[bad]!.slice(0, 40);
    writeFileSync(path, lines.join('\n'));
    const strict = await child(['error', path, '2']);
    expect(strict.code).toBe('METRICS_PARSE');
    expect(strict.error).toContain(`${path}, line ${bad + 1}`);
    const lenient = await child(['lenient', path, '2']);
    expect(lenient.threads).toBe(2);
    expect(lenient.parallel).toEqual(lenient.single);
    const [single, parallel] = lenient.reports as [{ skipped: number }, { skipped: number }];
    expect(parallel).toEqual(single);
    expect(single.skipped).toBeGreaterThan(0);
  }, 120_000);

  it.each([
    ['a trace with spans far apart (first and last lines)', { strays: 2 }],
    ['a span ending long after the rest, early in the file', { futureSpanAt: 40 }],
  ])('OTLP JSON Lines: %s fail a check, and the file is read on one thread, with the same result', async (_name, opts) => {
    const path = join(dir, `parallel-otlp-fallback-${Object.keys(opts)[0]}.jsonl`);
    writeOtlpLines(path, 3000, 33, opts);
    const out = await child(['compare', path, '2']);
    expect(out.threads).toBe(1);
    expect(out.parallel).toEqual(out.single);
    expect(out.reports).toEqual([(out.reports as unknown[])[0], (out.reports as unknown[])[0]]);
  }, 120_000);

  it.each([
    ['the latest formation', 'formation'],
    ['a member\'s role', 'role'],
  ])('OTLP JSON Lines: %s taken from runs of two ranges that start at the same instant is read on one thread; else merged', async (_name, what) => {
    // One run per line, in time order; team_b runs only in the middle, and its last two runs start at the same
    // instant, one in each range, far enough from the boundary not to be replayed, with different values.
    const ns = (ms: number) => `${ms}000000`;
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const FORMATION_OF: Record<string, string> = { steady: 'parallel', early: 'pipeline', first: 'sequential', second: 'hierarchical' };
    const line = (trace: number, team: string, startMs: number, endMs: number, value: string) =>
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [
          { traceId: trace.toString(16).padStart(32, '0'), spanId: (trace * 2).toString(16).padStart(16, '0'), name: `invoke_workflow ${team}`, startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(endMs),
            attributes: [str('gen_ai.operation.name', 'invoke_workflow'), str('autotune.team_id', team), str('autotune.formation', what === 'formation' ? FORMATION_OF[value]! : 'parallel')] },
          { traceId: trace.toString(16).padStart(32, '0'), spanId: (trace * 2 + 1).toString(16).padStart(16, '0'), parentSpanId: (trace * 2).toString(16).padStart(16, '0'), name: 'invoke_agent w', startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(endMs - 1),
            attributes: [str('gen_ai.operation.name', 'invoke_agent'), str('gen_ai.agent.name', 'w'), str('autotune.member.role', what === 'role' ? value : 'writer'), str('pad', '.'.repeat(300))] },
        ] }] }],
      });
    const write = (path: string, tied: boolean) => {
      const lines: string[] = [];
      const t0 = 1_736_000_000_000;
      for (let k = 0; k < 8000; k++) {
        if (k === 3500) lines.push(line(900_001, 'team_b', t0 + 3000 * 1000, t0 + 3500 * 1000, 'first'));
        if (k === 4500) lines.push(line(900_002, 'team_b', t0 + (tied ? 3000 : 3001) * 1000, t0 + 4500 * 1000, 'second'));
        if (k > 2000 && k < 3000 && k % 10 === 0) lines.push(line(800_000 + k, 'team_b', t0 + k * 1000, t0 + k * 1000 + 500, 'early'));
        lines.push(line(1 + k, 'team_a', t0 + k * 1000, t0 + k * 1000 + 500, 'steady'));
      }
      writeFileSync(path, `${lines.join('\n')}\n`);
    };
    const tiedPath = join(dir, `parallel-otlp-tied-${what}.jsonl`);
    write(tiedPath, true);
    const tied = await child(['compare', tiedPath, '2']);
    expect(tied.threads).toBe(1);
    expect(tied.parallel).toEqual(tied.single);
    const team = (tied.single as { teams: Record<string, { latestFormation?: string; members: Record<string, { role?: string }> }> }).teams['team_b']!;
    // One thread adds the second run last: its value is taken.
    expect(what === 'formation' ? team.latestFormation : team.members['w']!.role).toBe(what === 'formation' ? 'hierarchical' : 'second');
    const apartPath = join(dir, `parallel-otlp-apart-${what}.jsonl`);
    write(apartPath, false);
    const apart = await child(['compare', apartPath, '2']);
    expect(apart.threads).toBe(2);
    expect(apart.parallel).toEqual(apart.single);
  }, 120_000);

  it.each([
    ['JSON Lines', 'no-second-range.jsonl', (a: string, b: string) => `${a}\n${b}\n`],
    ['a JSON array', 'no-second-range.json', (a: string, b: string) => `[${a},\n${b}]\n`],
  ])('%s with no place to cut after its first record: the workers started for it are stopped, and it is read on one thread', async (_name, file, text) => {
    const record = (id: string, pad: number) =>
      JSON.stringify({ teamId: 't', executionId: id, startTimeMs: 0, endTimeMs: 1000, durationSeconds: 1, success: true, memberCount: 0, toolCalls: 0, members: [], labels: { pad: 'x'.repeat(pad) } });
    // The second record holds the middle of the file and runs to its end: no range can start after the first.
    const path = join(dir, file);
    writeFileSync(path, text(record('a', 10), record('b', 3 << 20)));
    // The child exits only once every worker it started has stopped: a worker left waiting for a task would hang it.
    const out = await child(['error', path, '2']);
    expect(out).toEqual({ error: null, threads: 1, records: 2 });
  }, 60_000);

  it('reports a bad line in a later range with its line number in the whole file', async () => {
    const path = join(dir, 'bad-late.jsonl');
    writeSnakeLines(path, 2000, 13);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1899] = (lines[1899] ?? '').replace('"success":', '"success":"yes","x":');
    writeFileSync(path, lines.join('\n'));
    const out = await child(['error', path, '2']);
    expect(out.code).toBe('METRICS_VALIDATION');
    expect(out.error).toContain(`${path}, line 1900, field "success"`);
  }, 120_000);
});

/** The error a full read with readRecords stops at (undefined if none). */
async function readError(path: string): Promise<Error | undefined> {
  try {
    for await (const _ of readRecords(path)) void _;
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

/**
 * Lines of OTLP JSON Lines rewritten in the ways exporters and people write OTLP/JSON: non-ASCII and escaped
 * names, whitespace, ints as JSON numbers, ids in upper case and base64, a duplicate key, an escaped key (which
 * the fast reader leaves to JSON.parse); with `broken`, also lines the general reader rejects.
 */
function rewriteOtlpLines(path: string, broken: boolean): void {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const out = lines.map((line, k) => {
    const doc = JSON.parse(line) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const spans = doc.resourceSpans[0]!.scopeSpans[0]!.spans;
    if (k % 5 === 1) for (const sp of spans) if ((sp.name as string).startsWith('invoke_agent')) sp.name = `${sp.name as string} "é\\ü 😀"`;
    if (k % 11 === 2) {
      for (const sp of spans) for (const a of sp.attributes as { value: Record<string, unknown> }[]) if (typeof a.value.intValue === 'string') a.value.intValue = Number(a.value.intValue);
    }
    if (k % 13 === 3) for (const sp of spans) if (sp.parentSpanId !== undefined) sp.parentSpanId = Buffer.from(sp.parentSpanId as string, 'hex').toString('base64');
    if (k % 17 === 4) for (const sp of spans) sp.traceId = (sp.traceId as string).toUpperCase();
    let text = k % 7 === 5 ? JSON.stringify(doc, null, 1).replace(/\n/g, ' ') : JSON.stringify(doc);
    if (k % 19 === 6) text = text.replace('{"traceId":', '{"name":"overridden","kind":[1,{"a":null}],"traceId":');
    if (k % 23 === 7) text = text.replace('"spanId":', '"span\\u0049d":');
    if (broken && k % 29 === 8) text = text.replace('"name":"', '"name":"\u0001');
    if (broken && k % 31 === 9) text = text.replace('"endTimeUnixNano":"', '"endTimeUnixNano":"-');
    return text;
  });
  writeFileSync(path, `${out.join('\n')}\n`);
}

describe('OTLP through the fast reader: the results of JSON.parse and addDocument', () => {
  it('OTLP JSON Lines rewritten in many ways: the same summary and report on one thread and three as the general reader', async () => {
    const path = join(dir, 'fast-otlp.jsonl');
    writeOtlpLines(path, 3000, 51);
    rewriteOtlpLines(path, false);
    const out = (await child(['otlp-general', path, '3'])) as { general: { summary: unknown; report: unknown }; single: Record<string, unknown>; parallel: Record<string, unknown> };
    expect(out.single).toEqual({ threads: 1, summary: out.general.summary, report: out.general.report });
    expect(out.parallel).toEqual({ threads: 3, summary: out.general.summary, report: out.general.report });
    expect((out.general.report as { records: number }).records).toBe(3000);
  }, 120_000);

  it('with lines the general reader rejects: the same skips (reasons, lines) when lenient, the same first error when strict', async () => {
    const path = join(dir, 'fast-otlp-broken.jsonl');
    writeOtlpLines(path, 2000, 52);
    rewriteOtlpLines(path, true);
    const lenient = (await child(['otlp-general', path, '2', 'lenient'])) as { general: { summary: unknown; report: { skipped: number } }; single: Record<string, unknown>; parallel: Record<string, unknown> };
    expect(lenient.general.report.skipped).toBeGreaterThan(20);
    expect(lenient.single).toEqual({ threads: 1, summary: lenient.general.summary, report: lenient.general.report });
    // (Whether two threads' guess held, or the file was read again on one, does not change the result.)
    expect({ ...lenient.parallel, threads: undefined }).toEqual({ threads: undefined, summary: lenient.general.summary, report: lenient.general.report });
    const strict = (await child(['otlp-general', path, '2'])) as { general: { error: string }; single: { error: string }; parallel: { error: string } };
    expect(strict.general.error).toContain(`${path}, line `);
    expect(strict.single).toEqual(strict.general);
    expect(strict.parallel).toEqual(strict.general);
  }, 120_000);

  it.each(['one-line', 'pretty'] as const)('one document (%s) with non-ASCII names in some blocks: the general reader\'s summary', async (document) => {
    const path = join(dir, `fast-otlp-document-${document}.json`);
    writeOtlpLines(path, 2500, 53, { document, unicodeEvery: 9 });
    const out = (await child(['otlp-general', path, '1', 'document'])) as { general: { summary: unknown; report: { records: number } }; single: { summary: unknown; report: unknown } };
    expect(out.general.report.records).toBe(2500);
    expect(out.single.summary).toEqual(out.general.summary);
    expect(out.single.report).toEqual(out.general.report);
  }, 120_000);
});

describe('one OTLP document on two threads (real workers, in a child process)', () => {
  it.each(['one-line', 'pretty'] as const)('(%s) exactly the general reader\'s summary and report, read in two parts', async (document) => {
    const path = join(dir, `document-parts-${document}.json`);
    writeOtlpLines(path, 2500, 71, { document, unicodeEvery: 13 });
    const out = (await child(['otlp-general', path, '2', 'document'])) as { general: { summary: unknown; report: { records: number; lateSpans: number } }; single: Record<string, unknown>; parallel: Record<string, unknown> };
    expect(out.general.report.records).toBe(2500);
    expect(out.general.report.lateSpans).toBeGreaterThan(0);
    expect(out.single).toEqual({ threads: 1, summary: out.general.summary, report: out.general.report });
    // 2: the parts were merged, not read again on one thread after a failed check.
    expect(out.parallel).toEqual({ threads: 2, summary: out.general.summary, report: out.general.report });
  }, 120_000);

  it('with bad spans in both halves: the same skips when lenient, the same first error when strict', async () => {
    const path = join(dir, 'document-parts-bad.json');
    writeOtlpLines(path, 1500, 72, { document: 'one-line' });
    let n = 0;
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"endTimeUnixNano":"(\d+)"/g, (m, ns: string) => (++n % 700 === 0 ? `"endTimeUnixNano":"-${ns}"` : m)));
    const lenient = (await child(['otlp-general', path, '2', 'lenient', 'document'])) as { general: { summary: unknown; report: { skipped: number } }; parallel: Record<string, unknown> };
    expect(lenient.general.report.skipped).toBeGreaterThan(5);
    expect(lenient.parallel).toEqual({ threads: 2, summary: lenient.general.summary, report: lenient.general.report });
    const strict = (await child(['otlp-general', path, '2', 'document'])) as { general: { error: string }; single: { error: string }; parallel: { error: string } };
    expect(strict.general.error).toMatch(/Unix nanoseconds/);
    expect(strict.single).toEqual(strict.general);
    expect(strict.parallel).toEqual(strict.general);
  }, 120_000);
});

describe('one OTLP document, streamed span by span', () => {
  it.each([
    ['on one line', 'one-line', 'otlp-jsonl'],
    ['pretty-printed', 'pretty', 'otlp-json'],
    ['with instrumentationLibrarySpans (older exporters)', 'library-spans', 'otlp-jsonl'],
    ['with each resource after its spans (not streamed: read whole)', 'resource-last', 'otlp-jsonl'],
  ] as const)('%s: the summary and report of readRecords', async (_name, document, format) => {
    const path = join(dir, `document-${document}.json`);
    // 2,500 runs: over 10,000 spans, so the document is taken as several batches (OTLP_BATCH_SPANS) in both readers.
    writeOtlpLines(path, 2500, 41, { document });
    const stream = readRecords(path);
    const reference = await summarizeRecords(stream);
    const { aggregator, report } = await aggregateFile(path);
    expect(aggregator.summary()).toEqual(reference);
    const pick = (r: typeof report) => ({ format: r.format, records: r.records, lateSpans: r.lateSpans, unattachedSpans: r.unattachedSpans, rootSpanRuns: r.rootSpanRuns });
    expect(pick(report)).toEqual(pick(stream.report));
    expect(report.format).toBe(format);
    expect(report.records).toBe(2500);
    // Late spans arise only between batches: some, so the 10,000-span batches acted alike in both readers.
    expect(report.lateSpans).toBeGreaterThan(0);
  }, 120_000);

  it('names the span of a bad run as the whole-document reader does', async () => {
    const path = join(dir, 'document-bad.json');
    writeOtlpLines(path, 300, 42, { document: 'one-line' });
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf('"startTimeUnixNano"', text.length / 2);
    writeFileSync(path, `${text.slice(0, at)}"startTimeUnixNano":"soon"${text.slice(text.indexOf(",", at))}`);
    const viaRead = await readError(path);
    const streamed = await aggregateFile(path).catch((e: unknown) => e);
    expect(streamed).toMatchObject({ code: 'METRICS_VALIDATION' });
    expect((streamed as Error).message).toMatch(/resourceSpans\[\d\]\.scopeSpans\[0\]\.spans\[\d+\]\.startTimeUnixNano/);
    expect((streamed as Error).message).toBe(viaRead?.message);
  }, 60_000);

  it('a document that is not valid JSON is reported by the general reader, not the stream', async () => {
    const path = join(dir, 'document-broken.json');
    writeOtlpLines(path, 200, 43, { document: 'pretty' });
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 20));
    const expected = await readError(path);
    expect(expected).toBeDefined();
    await expect(aggregateFile(path)).rejects.toMatchObject({ code: (expected as unknown as { code: string }).code, message: expected!.message });
  }, 60_000);

  // With a team id, other teams' spans are skipped unparsed (a first pass finds the team's traces); whenever
  // skipping could change the team's runs, the document is read in full.
  describe('with teamId', () => {
    /** The document with `pick`'s spans changed by `edit` (a span is one "{...}" of the spans arrays). */
    const editSpans = (text: string, pick: (span: string) => boolean, edit: (span: string) => string): string =>
      text.replace(/\{"(?:traceId|spanId)":[^{}]*(?:\{[^{}]*\}[^{}]*|\{[^{}]*\{[^{}]*\}[^{}]*\}[^{}]*)*\}/g, (span) => (pick(span) ? edit(span) : span));

    it.each(['one-line', 'pretty'] as const)('gives each team\'s runs as a full read does (%s), skipping other teams\' spans unparsed', async (document) => {
      const path = join(dir, `document-team-${document}.json`);
      writeOtlpLines(path, 2500, 44, { document });
      const full = await summarizeRecords(readRecords(path));
      expect(full.teams.size).toBe(5);
      for (const team of full.teams.keys()) {
        const { aggregator, report } = await aggregateFile(path, { teamId: team });
        expect(aggregator.teamIds()).toEqual([team]);
        expect(aggregator.team(team)).toEqual(full.teams.get(team));
        expect(report.records).toBe(full.teams.get(team)!.runs);
      }
      // Unparsed indeed: a syntax error inside another team's agent span stops a full read, not this one.
      let broken = 0;
      const text = readFileSync(path, 'utf8');
      const compact = document === 'pretty' ? JSON.stringify(JSON.parse(text)) : text;
      const bad = editSpans(compact, (span) => span.includes('invoke_agent m1_') && broken++ === 40, (span) => span.replace(/"intValue":"(\d+)"/, '"intValue":$1x'));
      expect(broken).toBeGreaterThan(40);
      writeFileSync(path, bad);
      await expect(aggregateFile(path)).rejects.toThrow();
      const skipping = await aggregateFile(path, { teamId: 'team_3' });
      expect(skipping.aggregator.team('team_3')).toEqual(full.teams.get('team_3'));
    }, 120_000);

    it('reads the document in full when its spans write their trace id last (the first pass then points at the wrong traces)', async () => {
      const path = join(dir, 'document-trace-id-last.json');
      writeOtlpLines(path, 1500, 45, { document: 'one-line' });
      const moved = editSpans(readFileSync(path, 'utf8'), () => true, (span) => {
        const o = JSON.parse(span) as Record<string, unknown>;
        const { traceId, ...rest } = o;
        return JSON.stringify({ ...rest, traceId });
      });
      writeFileSync(path, moved);
      const full = await summarizeRecords(readRecords(path));
      const { aggregator } = await aggregateFile(path, { teamId: 'team_2' });
      expect(aggregator.team('team_2')).toEqual(full.teams.get('team_2'));
      // In full: a syntax error in another team's span now stops the read with the team id too.
      let broken = 0;
      writeFileSync(path, editSpans(moved, (span) => span.includes('invoke_agent m1_') && broken++ === 40, (span) => span.replace(/"intValue":"(\d+)"/, '"intValue":$1x')));
      expect(broken).toBeGreaterThan(40);
      await expect(aggregateFile(path, { teamId: 'team_2' })).rejects.toThrow();
    }, 120_000);

    it('skips no span of a resource that names the team (a run can take its team from its resource)', async () => {
      const path = join(dir, 'document-team-resource.json');
      writeOtlpLines(path, 1500, 46, { document: 'one-line' });
      // The second resource's fallback runs ("crew run" roots) lose their team attribute and name: their team is
      // then the resource's service.name, "crew", which no span of theirs names.
      const text = readFileSync(path, 'utf8');
      const second = text.indexOf('"service.name"', text.indexOf('"service.name"') + 1);
      const edited = text.slice(0, second) + editSpans(text.slice(second), (span) => span.includes('"crew run"'), (span) => span.replace('"crew run"', '"run"').replace(/\{"key":"gen_ai\.workflow\.name","value":\{"stringValue":"team_\d"\}\}/, ''));
      writeFileSync(path, edited.replace(/"attributes":\[,/g, '"attributes":['));
      const full = await summarizeRecords(readRecords(path));
      expect(full.teams.get('crew')?.runs).toBeGreaterThan(20);
      const { aggregator } = await aggregateFile(path, { teamId: 'crew' });
      expect(aggregator.team('crew')).toEqual(full.teams.get('crew'));
    }, 120_000);
  });
});

describe('memory with many distinct member ids (issue 14, item 4)', () => {
  it('stays linear: 30,000 member ids in one team fit in a few hundred MB', async () => {
    const path = join(dir, 'many-members.jsonl');
    writeSnakeLines(path, 6100, 14, { teams: 1, distinctMembers: true });
    const out = (await child(['memory', path])) as { members: number; peakRssMb: number };
    expect(out.members).toBeGreaterThan(30_000);
    // A square count table would need 4 bytes x 2 x (32,768)^2 = 8.6 GB here; linear counts need a few MB.
    // The bound leaves room for the TypeScript hook the child loads and for any machine's allocator.
    expect(out.peakRssMb).toBeLessThan(600);
  }, 120_000);
});

describe('MetricsAggregator.merge', () => {
  it('equals one aggregator fed every run in order, wherever the input is cut', async () => {
    const path = join(dir, 'merge.jsonl');
    writeSnakeLines(path, 600, 21);
    const records = [];
    for await (const r of readRecords(path)) records.push(r);
    const whole = new MetricsAggregator();
    for (const r of records) whole.add(r);
    for (const cuts of [[1], [299], [100, 350, 599], [0, 0, 600]]) {
      const merged = new MetricsAggregator();
      let from = 0;
      for (const cut of [...cuts, records.length]) {
        const part = new MetricsAggregator();
        for (const r of records.slice(from, cut)) part.add(r);
        merged.merge(part);
        from = cut;
      }
      expect(merged.summary()).toEqual(whole.summary());
    }
  }, 60_000);
});
