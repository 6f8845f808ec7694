import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MetricsError, loadMetrics, loadMetricsWithReport, parseMetricsText, parseMetricsTextWithReport, readRecords } from '@autotune/metrics';
import type { ExecutionRecord, SkippedInput } from '@autotune/metrics';
import { RecordParser } from '../src/internal/record-parser';
import { emptyReport } from '../src/read-options';

const good = (team = 't', start = 1000) => JSON.stringify({ teamId: team, startTimeMs: start, durationSeconds: 1, success: true });
const snakeGood = (team = 's') => JSON.stringify({ team_id: team, start_time: 1, duration_seconds: 1, success: true });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-metrics-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function errorOf(p: Promise<unknown>): Promise<MetricsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MetricsError) return e;
    throw e;
  }
  throw new Error('expected a MetricsError');
}

describe('format detection', () => {
  it.each([
    ['an empty file', '', undefined, 0],
    ['only blank lines', '\n  \n\r\n', undefined, 0],
    ['JSON Lines with blank lines, CRLF and a missing final newline', `\n${good()}\r\n\r\n${snakeGood()}`, 'jsonl', 2],
    ['a one-line JSON Lines file', good(), 'jsonl', 1],
    ['a pretty-printed single record', JSON.stringify(JSON.parse(good()), null, 2), 'json-object', 1],
    ['a byte-order mark before an array', `\ufeff[${good()},\n${snakeGood()}]`, 'json-array', 2],
    ['an empty array', '[ ]', 'json-array', 0],
    ['an array with strings holding brackets and escaped quotes', `[${JSON.stringify({ ...JSON.parse(good()), error: 'a "}]" b \\\\', success: false })}]`, 'json-array', 1],
  ])('reads %s', (_label, text, format, count) => {
    const { records, report } = parseMetricsTextWithReport(text);
    expect(report.format).toBe(format);
    expect(records).toHaveLength(count);
  });

  it('streams a JSON array split across many chunks, element by element', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => good(`team-${i % 7}`, i));
    const p = file('big.json', `[\n${items.join(',\n')}\n]\n`);
    const records = await loadMetrics(p);
    expect(records).toHaveLength(3000);
    expect(records[2999]).toMatchObject({ teamId: 'team-3', startTimeMs: 2999 });
  });

  it('rejects input that is not JSON', () => {
    expect(() => parseMetricsText('team_id,success\nx,true', { sourceName: 'metrics.csv' })).toThrow(
      expect.objectContaining({ code: 'METRICS_FORMAT_UNKNOWN', message: expect.stringMatching(/^metrics.csv, line 1: not a metrics file/) }),
    );
  });
});

describe('bad input stops the read by default, naming the place', () => {
  it.each([
    ['a bad JSON line', `${good()}\n\n{"teamId": oops}\n${good()}`, 'METRICS_PARSE', { line: 3 }, /line 3: not valid JSON/],
    ['an invalid record on a line', `${good()}\n${JSON.stringify({ teamId: 't', startTimeMs: 1, durationSeconds: -5, success: true })}`, 'METRICS_VALIDATION', { line: 2, field: 'durationSeconds' }, /line 2, field "durationSeconds": must not be negative/],
    ['an invalid array element', `[\n${good()},\n${JSON.stringify({ team_id: 't', start_time: 1, duration_seconds: 1, success: 1 })}\n]`, 'METRICS_VALIDATION', { line: 3, index: 1, field: 'success' }, /line 3, field "success"/],
    ['an unclosed array', `[${good()},`, 'METRICS_PARSE', { line: 1 }, /not closed/],
    ['content after the array', `[${good()}] x`, 'METRICS_PARSE', { line: 1 }, /after the closing/],
    ['a broken multi-line document', '{\n  "teamId": "t",\n  oops\n}', 'METRICS_PARSE', { line: 1 }, /nor is the file one JSON document/],
  ])('%s', async (_label, text, code, where, message) => {
    const p = file('bad.txt', text);
    const e = await errorOf(loadMetrics(p));
    expect(e.code).toBe(code);
    expect(e.location).toEqual({ file: p, ...where });
    expect(e.message.startsWith(p)).toBe(true);
    expect(e.message).toMatch(message);
  });

  it('names a missing file', async () => {
    const p = join(dir, 'nope.jsonl');
    const e = await errorOf(loadMetrics(p));
    expect(e.code).toBe('METRICS_IO');
    expect(e.message).toBe(`${p}: cannot read metrics file: no such file`);
  });
});

describe('lenient reading', () => {
  it('skips bad lines, counts them and keeps the first reasons', async () => {
    const lines = [good('a'), 'not json', good('b'), '{"teamId": "c"}', '{"team_id": "d", "start_time": 1, "duration_seconds": 1, "success": "no"}'];
    for (let i = 0; i < 6; i++) lines.push(`{broken ${i}`);
    lines.push(snakeGood('e'));
    const p = file('mixed.jsonl', lines.join('\n'));
    const seen: SkippedInput[] = [];
    const { records, report } = await loadMetricsWithReport(p, { lenient: true, onSkip: (s) => seen.push(s) });
    expect(records.map((r) => r.teamId)).toEqual(['a', 'b', 'e']);
    expect(report.records).toBe(3);
    expect(report.skipped).toBe(9);
    expect(seen).toHaveLength(9);
    expect(report.firstSkips).toHaveLength(5);
    expect(report.firstSkips.map((s) => s.location.line)).toEqual([2, 4, 5, 6, 7]);
    expect(report.firstSkips[1]?.reason).toMatch(/line 4, field "success": missing/);
    expect(report.firstSkips[2]?.error.location.field).toBe('success');
  });

  it('keeps as many reasons as asked', () => {
    const { report } = parseMetricsTextWithReport(`${good()}\nx\ny\nz`, { lenient: true, maxReportedSkips: 2 });
    expect(report.skipped).toBe(3);
    expect(report.firstSkips).toHaveLength(2);
  });

  it('still reads a file whose first line is bad', () => {
    const { records, report } = parseMetricsTextWithReport(`{"teamId": \n${good('x')}\n${good('y')}`, { lenient: true });
    expect(report.format).toBe('jsonl');
    expect(records.map((r) => r.teamId)).toEqual(['x', 'y']);
    expect(report.firstSkips[0]?.location.line).toBe(1);
  });

  it('streams a file whose first line is bad instead of holding it whole until its end', () => {
    const report = emptyReport('big.jsonl');
    const parser = new RecordParser(report, { lenient: true });
    const out: ExecutionRecord[] = [];
    parser.push(`\n{"teamId": \n${good('x')}\n${good('y')}\n${good('z').slice(0, 10)}`, out);
    expect(out.map((r) => r.teamId)).toEqual(['x', 'y']);
    parser.push(`${good('z').slice(10)}\n`, out);
    parser.end(out);
    expect(out.map((r) => r.teamId)).toEqual(['x', 'y', 'z']);
    expect(report.format).toBe('jsonl');
    expect(report.firstSkips.map((s) => s.location.line)).toEqual([2]);
  });

  it('reads JSON Lines fed in chunks of any size exactly as fed whole: lines across chunks, blank, bad, CRLF', () => {
    // Lines that end in the chunk they start in, and lines across two or many chunks (the first line of a chunk is
    // joined with what came before, the rest read in place).
    let seed = 3;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const lines: string[] = [];
    for (let k = 0; k < 300; k++) {
      const r = rand();
      if (r < 0.05) lines.push('');
      else if (r < 0.1) lines.push('{"teamId": broken');
      else if (r < 0.15) lines.push(`${good(`crlf${k}`, k)}\r`);
      else if (r < 0.2) lines.push(JSON.stringify({ teamId: `long${k}`, startTimeMs: k, durationSeconds: 1, success: true, memberIds: Array.from({ length: 40 }, (_, j) => `member-${j}-${'x'.repeat(20)}`) }));
      else lines.push(good(`t${k % 7}`, k));
    }
    const text = lines.join('\n');
    const read = (chunks: string[]) => {
      const report = emptyReport('chunks.jsonl');
      const parser = new RecordParser(report, { lenient: true, maxReportedSkips: 100 });
      const out: ExecutionRecord[] = [];
      for (const c of chunks) parser.push(c, out);
      parser.end(out);
      return { records: out, skips: report.firstSkips.map((x) => [x.location.line, x.reason]), skipped: report.skipped };
    };
    const whole = read([text]);
    expect(whole.records.length).toBeGreaterThan(200);
    expect(whole.skipped).toBeGreaterThan(5);
    for (const maxChunk of [1, 7, 64, 500, 5000]) {
      const chunks: string[] = [];
      for (let at = 0; at < text.length; ) {
        const n = 1 + Math.floor(rand() * maxChunk);
        chunks.push(text.slice(at, at + n));
        at += n;
      }
      expect(read(chunks)).toEqual(whole);
    }
  });

  it.each([
    ['a pretty-printed record', JSON.stringify(JSON.parse(good('p')), null, 2), 'json-object'],
    ['an OTLP document with one resource per line', `{"resourceSpans": [\n{"resource": {}, "scopeSpans": []}\n]}`, 'otlp-json'],
  ])('still reads %s as one document', (_label, text, format) => {
    expect(parseMetricsTextWithReport(text).report.format).toBe(format);
  });
});

describe('readRecords', () => {
  it('resets its report when iterated again', async () => {
    const stream = readRecords(file('twice.jsonl', `${good()}\n${good()}\n`));
    let n = 0;
    for await (const _r of stream) n++;
    for await (const _r of stream) n++;
    expect(n).toBe(4);
    expect(stream.report.records).toBe(2);
  });
});

describe('gzipped metrics files', () => {
  it('reads a .gz file as the text it holds, line numbers and all', async () => {
    const p = join(dir, 'runs.jsonl.gz');
    writeFileSync(p, gzipSync(`${good('a', 1)}\n${good('b', 2)}\n`));
    const { records, report } = await loadMetricsWithReport(p);
    expect(records.map((r) => r.teamId)).toEqual(['a', 'b']);
    expect(report.records).toBe(2);
    writeFileSync(p, gzipSync(`${good('a', 1)}\n{"teamId":"b","startTimeMs":2,"durationSeconds":1,"success":"yes"}\n`));
    const err = await errorOf(loadMetrics(p));
    expect(err.location).toMatchObject({ file: p, line: 2, field: 'success' });
  });

  it('a .gz file that is not gzip data, or is missing, is a MetricsError naming it', async () => {
    const notGzip = file('plain.jsonl.gz', `${good()}\n`);
    expect((await errorOf(loadMetrics(notGzip))).message).toMatch(/plain\.jsonl\.gz: cannot read metrics file: incorrect header check/);
    expect((await errorOf(loadMetrics(join(dir, 'missing.jsonl.gz')))).message).toMatch(/missing\.jsonl\.gz: cannot read metrics file: no such file/);
  });
});
