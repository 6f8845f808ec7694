import type { ErrorLocation } from '@autotune/errors';
import { forEachRawSpan, readSpan, spanWhere } from '../src/otlp';
import type { AttrList, SpanLite } from '../src/otlp';
import { fastReadStats, readOtlpDocumentFast, readOtlpSpanFast } from '../src/internal/otlp-fast';
// mulberry32, so every run tests the same documents.
import { prng } from './support/generate';

/*
 * The fast OTLP reader against the general one (JSON.parse, then `forEachRawSpan` + `readSpan`, as
 * `OtlpAssembler#addDocument` reads a document): on every document, the fast reader either gives up or gives
 * exactly the spans the general reader gives (field for field, attribute maps in the same order, -0 apart from
 * 0), and only for documents the general reader reads without any error.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const attr = (key: string, v: string | number | boolean | string[]): Obj =>
  typeof v === 'string'
    ? { key, value: { stringValue: v } }
    : typeof v === 'boolean'
      ? { key, value: { boolValue: v } }
      : Array.isArray(v)
        ? { key, value: { arrayValue: { values: v.map((x) => ({ stringValue: x })) } } }
        : Number.isInteger(v)
          ? { key, value: { intValue: String(v) } }
          : { key, value: { doubleValue: v } };

/** One run's spans in the benchmark generator's shape (tools/bench/gen-records.mjs): a workflow span and its agents. */
function runSpans(rand: () => number, run: number): Obj[] {
  const traceId = hex(run + 1, 32);
  const wf = hex(run * 16 + 1, 16);
  const start = 1_735_689_600_000 + run * 1000;
  const members = 3 + Math.floor(rand() * 6);
  const spans: Obj[] = [];
  let end = start;
  for (let k = 0; k < members; k++) {
    const s = start + Math.floor(rand() * 100);
    const e = s + 1000 + Math.floor(rand() * 30_000);
    end = Math.max(end, e);
    const ok = rand() > 0.1;
    const attributes = [
      attr('gen_ai.operation.name', 'invoke_agent'),
      attr('gen_ai.agent.name', `agent_${k}`),
      attr('autotune.member.role', ['planner', 'coder', 'reviewer'][k % 3]!),
      attr('gen_ai.usage.input_tokens', Math.floor(rand() * 5000)),
      attr('gen_ai.usage.output_tokens', Math.floor(rand() * 1000)),
      attr('autotune.cost_usd', Math.round(rand() * 1e4) / 1e6),
      attr('autotune.tool_calls', Math.floor(rand() * 6)),
    ];
    if (k > 0 && rand() < 0.3) attributes.push(attr('autotune.member.waited_for', [`agent_${k - 1}`]));
    spans.push({
      traceId,
      spanId: hex(run * 16 + 2 + k, 16),
      parentSpanId: wf,
      name: `invoke_agent agent_${k}`,
      kind: 1,
      startTimeUnixNano: `${s}000000`,
      endTimeUnixNano: `${e}000000`,
      attributes,
      status: ok ? { code: 0 } : { code: 2, message: 'tool failed' },
    });
  }
  spans.push({
    traceId,
    spanId: wf,
    name: `invoke_workflow team_${run % 7}`,
    kind: 1,
    startTimeUnixNano: `${start}000000`,
    endTimeUnixNano: `${end}000000`,
    attributes: [
      attr('gen_ai.operation.name', 'invoke_workflow'),
      attr('autotune.team_id', `team_${run % 7}`),
      attr('autotune.formation', 'pipeline'),
      attr('autotune.member_count', members),
      attr('autotune.tool_budget', 20),
      attr('autotune.config_fingerprint', `fp${run % 3}`),
      attr('autotune.dry_run', rand() < 0.5),
    ],
    status: { code: 1 },
  });
  return spans;
}

function document(rand: () => number, run: number): Obj {
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'agents'), attr('autotune.team_id', 'from_resource')] },
        scopeSpans: [{ scope: { name: 'gen-records' }, spans: runSpans(rand, run) }],
      },
    ],
  };
}

const location: ErrorLocation = { file: 'test.jsonl', line: 7 };

/** What the general reader makes of a document's text: its spans, the spans it rejected, or the error that stopped it. */
function generalRead(text: string): { spans: SpanLite[]; rejected: string[]; error: string | undefined } {
  const spans: SpanLite[] = [];
  const rejected: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { spans, rejected, error: `JSON: ${(e as Error).message}` };
  }
  try {
    forEachRawSpan(doc, location, (u, where, resource) => {
      try {
        spans.push(readSpan(u, where, location, resource));
      } catch (e) {
        rejected.push((e as Error).message);
      }
    });
  } catch (e) {
    return { spans, rejected, error: (e as Error).message };
  }
  return { spans, rejected, error: undefined };
}

/** A span as plain data, with its place as error messages name it (attribute lists compare in order, -0 apart from 0). */
function plain(s: SpanLite): unknown {
  return { ...s, where: spanWhere(s), whereIndex: undefined };
}

/** Reads `text` both ways; returns whether the fast reader read it. Fails the test on any difference. */
function compare(text: string): boolean {
  const fast = readOtlpDocumentFast(text, 0, text.length, location);
  if (fast === undefined) return false;
  const general = generalRead(text);
  expect({ error: general.error, rejected: general.rejected, text }).toEqual({ error: undefined, rejected: [], text });
  expect(fast.map(plain)).toStrictEqual(general.spans.map(plain));
  for (const s of fast) expect(s.location).toBe(location);
  return true;
}

/** The same for one span's text (a streamed document's span), against `readSpan(JSON.parse(text))`. */
function compareSpan(text: string, resource: AttrList): boolean {
  const where = 'resourceSpans[0].scopeSpans[0].spans[3]';
  const fast = readOtlpSpanFast(text, 'resourceSpans[0].scopeSpans[0].spans', 3, location, resource);
  if (fast === undefined) return false;
  let general: SpanLite;
  try {
    general = readSpan(JSON.parse(text), where, location, resource);
  } catch (e) {
    throw new Error(`fast reader read a span the general reader rejects (${(e as Error).message}): ${text}`);
  }
  expect(plain(fast)).toStrictEqual(plain(general));
  return true;
}

/** Edits of a parsed document that the fast reader must read exactly (it may not give up on them). */
const READABLE: [string, (d: Obj, rand: () => number) => void][] = [
  ['escapes and unicode in names, keys and values', (d) => {
    const s = spansOf(d)[0]!;
    s.name = 'invoke_agent "quoted" \\ back\nslash\t ü 日本 😀 \u2028';
    (s.attributes as Obj[]).push(attr('gen_ai.agent.name', 'agent "x"\u0001'), attr('café.ключ', 'значение'));
    (s.status as Obj).message = 'failed: \\"';
    s.status = { code: 2, message: 'line1\nline2' };
  }],
  ['a lone surrogate in a value', (d) => {
    (spansOf(d)[1]!.attributes as Obj[]).push(attr('autotune.label.x', 'a\ud800b'));
  }],
  ['duplicate attribute keys (first place, last value)', (d) => {
    const a = spansOf(d)[0]!.attributes as Obj[];
    a.push(attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.agent.name', 'late'), attr('gen_ai.operation.name', 'invoke_agent'));
  }],
  ['a hundred attributes, keys repeated far apart (past the scanned lists of attrPut)', (d, rand) => {
    const a = spansOf(d)[0]!.attributes as Obj[];
    for (let k = 0; k < 100; k++) a.push(attr(`x.k${Math.floor(rand() * 60)}`, `v${k}`));
    a.push(attr('gen_ai.agent.name', 'last'));
  }],
  ['ints as JSON numbers, odd int strings, doubles as strings', (d) => {
    const a = spansOf(d)[0]!.attributes as Obj[];
    a.push(
      { key: 'n1', value: { intValue: 42 } },
      { key: 'n2', value: { intValue: '007' } },
      { key: 'n3', value: { intValue: ' 12 ' } },
      { key: 'n4', value: { intValue: '9007199254740993' } },
      { key: 'n5', value: { intValue: '-3' } },
      { key: 'n6', value: { intValue: '' } },
      { key: 'n7', value: { intValue: 'abc' } },
      { key: 'n8', value: { doubleValue: '0.1' } },
      { key: 'n9', value: { doubleValue: 1e-7 } },
      { key: 'n10', value: { doubleValue: -0 } },
      { key: 'n11', value: { intValue: '0x1f' } },
      { key: 'n12', value: { doubleValue: 123456789012345680000 } },
    );
  }],
  ['every AnyValue kind, precedence by key whatever the order', (d) => {
    const a = spansOf(d)[0]!.attributes as Obj[];
    a.push(
      { key: 'b', value: { boolValue: false } },
      { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '3' }, { arrayValue: { values: [{ boolValue: true }] } }, { kvlistValue: { values: [] } }, 5, null] } } },
      { key: 'arr-null', value: { arrayValue: null } },
      { key: 'arr-list', value: { arrayValue: [1, 2] } },
      { key: 'arr-no-values', value: { arrayValue: {} } },
      { key: 'arr-values-null', value: { arrayValue: { values: null } } },
      { key: 'arr-values-obj', value: { arrayValue: { values: { a: 1 } } } },
      { key: 'int-after-string', value: { intValue: '5', stringValue: 'wins' } },
      { key: 'string-null', value: { stringValue: null, intValue: '5' } },
      { key: 'string-number', value: { stringValue: 12 } },
      { key: 'double-then-bool', value: { boolValue: true, doubleValue: 2.5 } },
      { key: 'int-and-double', value: { doubleValue: 1.5, intValue: '2' } },
      { key: 'double-and-array', value: { arrayValue: { values: [] }, doubleValue: 3 } },
      { key: 'kvlist', value: { kvlistValue: { values: [{ key: 'a', value: { stringValue: 'b' } }] } } },
      { key: 'bytes', value: { bytesValue: 'AAEC' } },
      { key: 'empty', value: {} },
      { key: 'value-null', value: null },
      { key: 'value-string', value: 'plain' },
      { key: 'value-list', value: [] },
      { key: 'no-value' },
    );
  }],
  ['attribute entries that are skipped', (d) => {
    const a = spansOf(d)[0]!.attributes as Json[];
    a.push('text', 5, null, [], { key: 5, value: { stringValue: 'x' } }, { value: { stringValue: 'no key' } }, { key: null });
  }],
  ['attributes that are not a list', (d) => {
    spansOf(d)[0]!.attributes = { key: 'a', value: { stringValue: 'b' } };
    spansOf(d)[1]!.attributes = null;
    delete spansOf(d)[2]!.attributes;
  }],
  ['extra fields everywhere', (d) => {
    d.extra = { nested: [1, 2, { a: [true, false, null] }], n: -1.5e-3 };
    const rs = (d.resourceSpans as Obj[])[0]!;
    rs.schemaUrl = 'https://opentelemetry.io/schemas/1.21.0';
    (rs.resource as Obj).droppedAttributesCount = 0;
    const ss = (rs.scopeSpans as Obj[])[0]!;
    ss.scope = { name: 'x', version: '1.0', attributes: [attr('a', 'b')] };
    ss.schemaUrl = '';
    const s = spansOf(d)[0]!;
    s.flags = 257;
    s.traceState = 'a=b';
    s.events = [{ timeUnixNano: '1', name: 'e', attributes: [attr('k', 'v')] }];
    s.droppedAttributesCount = 2;
    s.droppedEventsCount = 0;
    s.droppedLinksCount = 0;
    // An own "__proto__" key, as JSON.parse makes one.
    Object.defineProperty(s, '__proto__', { value: { polluted: true }, enumerable: true });
    (s.status as Obj).extra = [{}];
  }],
  ['missing optional fields', (d) => {
    const [a, b, c] = spansOf(d);
    delete a!.parentSpanId;
    delete a!.name;
    delete a!.status;
    b!.name = 12;
    b!.parentSpanId = null;
    c!.parentSpanId = '';
    c!.status = 'ok';
  }],
  ['ids in upper case, base64, zero parent', (d) => {
    const [a, b, c] = spansOf(d);
    a!.traceId = (a!.traceId as string).toUpperCase();
    b!.traceId = Buffer.from((b!.traceId as string), 'hex').toString('base64');
    b!.spanId = Buffer.from((b!.spanId as string), 'hex').toString('base64');
    c!.parentSpanId = '0000000000000000';
    c!.spanId = (c!.spanId as string).toUpperCase();
  }],
  ['times as numbers, beyond 2^53, with leading zeros', (d) => {
    const [a, b, c] = spansOf(d);
    a!.startTimeUnixNano = 1735689600411000000;
    a!.endTimeUnixNano = 1735689600411999999;
    b!.startTimeUnixNano = 12;
    b!.endTimeUnixNano = 12.5;
    c!.startTimeUnixNano = '0001735689600411000000';
    c!.endTimeUnixNano = 1.7356896e18;
  }],
  ['status codes and messages', (d) => {
    const [a, b, c, e] = spansOf(d);
    a!.status = { code: 'STATUS_CODE_ERROR', message: '' };
    b!.status = { code: 2.0, message: 5 };
    c!.status = { code: '2', message: 'not an error' };
    e!.status = { message: 'm', code: null };
  }],
  ['links', (d) => {
    const [a, b] = spansOf(d);
    a!.links = [{ traceId: a!.traceId as string, spanId: hex(99, 16) }, null, 5, { spanId: '' }, { spanId: 7 }, { spanId: Buffer.from(hex(98, 16), 'hex').toString('base64') }];
    b!.links = { spanId: hex(97, 16) };
  }],
  ['several resources and scopes, empty and null ones', (d) => {
    const rs = d.resourceSpans as Json[];
    rs.push(null, { resource: null, scopeSpans: [null, { spans: null }, { spans: [] }, {}] }, { scopeSpans: null }, {});
    rs.push({ resource: { attributes: [attr('autotune.team_id', 'second')] }, instrumentationLibrarySpans: [{ spans: runSpans(prng(3), 40) }] });
  }],
  ['no spans at all', (d) => {
    d.resourceSpans = [];
  }],
];

/** Edits after which the general reader rejects a span or the document: the fast reader must give up. */
const UNREADABLE: [string, (d: Obj) => void][] = [
  ['missing trace id', (d) => void delete spansOf(d)[0]!.traceId],
  ['zero span id', (d) => void (spansOf(d)[0]!.spanId = '0000000000000000')],
  ['negative time', (d) => void (spansOf(d)[0]!.endTimeUnixNano = '-5')],
  ['time as text', (d) => void (spansOf(d)[0]!.startTimeUnixNano = 'soon')],
  ['span not an object', (d) => void spansOf(d).push('span' as unknown as Obj)],
  ['resourceSpans not a list', (d) => void (d.resourceSpans = {})],
  ['scopeSpans not a list', (d) => void ((d.resourceSpans as Obj[])[0]!.scopeSpans = 5)],
  ['resource not an object', (d) => void ((d.resourceSpans as Obj[])[0]!.resource = 'r')],
];

function spansOf(d: Obj): Obj[] {
  return ((((d.resourceSpans as Obj[])[0]!.scopeSpans as Obj[])[0]!.spans) as Obj[]);
}

describe('fast OTLP reader', () => {
  it('reads the benchmark generator\'s documents, one per run, exactly as JSON.parse + readSpan', () => {
    const rand = prng(1);
    const before = fastReadStats.bails;
    for (let run = 0; run < 300; run++) expect(compare(JSON.stringify(document(rand, run)))).toBe(true);
    expect(fastReadStats.bails).toBe(before);
  });

  it('keeps the attribute heads it remembers apart: keys of one length and last letter, kinds that change, shapes that alternate', () => {
    // The reader remembers the text before each place's value (`AttributeHeads`) and first checks a head's key
    // length and last letter; these keys collide on both, and the same key changes kind from span to span.
    const rand = prng(23);
    const keys = ['team.ab', 'tean.ab', 'team.xb', 'x.ab', 'team.abc', 'gen_ai.agent.name'];
    const values = [(): string | number | boolean => `v${Math.floor(rand() * 5)}`, () => Math.floor(rand() * 100), () => rand() / 7, () => rand() < 0.5];
    const before = fastReadStats.bails;
    for (let run = 0; run < 300; run++) {
      const d = document(rand, run);
      for (const s of spansOf(d)) {
        // Two shapes most of the time, as a run's workflow and member spans; now and then a random one.
        const shape = rand() < 0.8 ? run % 2 : 2 + Math.floor(rand() * 50);
        const local = prng(shape);
        s.attributes = Array.from({ length: 1 + Math.floor(local() * 6) }, () => attr(keys[Math.floor(local() * keys.length)]!, values[Math.floor(local() * values.length)]!()));
      }
      expect(compare(JSON.stringify(d))).toBe(true);
    }
    expect(fastReadStats.bails).toBe(before);
  });

  it('reads numbers as JSON.parse does: 2,000 decimals as written, of 1 to 18 digits, signs, points and exponents', () => {
    // Numbers as written, not as JSON.stringify normalises them: a short decimal is read from its digits and a
    // power of ten (exact), anything else through Number; both must round as JSON.parse rounds.
    const rand = prng(31);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
    for (let k = 0; k < 2000; k++) {
      const whole = rand() < 0.3 ? '0' : String(1 + Math.floor(rand() * 9)) + digits(Math.floor(rand() * 9));
      const fraction = rand() < 0.2 ? '' : `.${digits(1 + Math.floor(rand() * 10))}`;
      const exponent = rand() < 0.1 ? `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 30)}` : '';
      const text = `${rand() < 0.2 ? '-' : ''}${whole}${fraction}${exponent}`;
      const d = document(rand, k);
      (spansOf(d)[1]!.attributes as Obj[]).push({ key: 'autotune.x', value: { doubleValue: 'NUMBER' } }, { key: 'autotune.y', value: { intValue: 'NUMBER' } });
      expect(compare(JSON.stringify(d).replaceAll('"NUMBER"', text))).toBe(true);
    }
  });

  it.each(READABLE)('reads exactly: %s', (_name, edit) => {
    for (let run = 0; run < 20; run++) {
      const rand = prng(100 + run);
      const d = document(rand, run);
      edit(d, rand);
      const text = JSON.stringify(d);
      expect(compare(text)).toBe(true);
      // The same document pretty-printed and with other whitespace: the same spans.
      expect(compare(JSON.stringify(d, null, run % 2 === 0 ? 2 : '\t'))).toBe(true);
      expect(compare(`\r\n ${text} \r`)).toBe(true);
    }
  });

  it.each(UNREADABLE)('gives up where the general reader rejects: %s', (_name, edit) => {
    const d = document(prng(7), 3);
    edit(d);
    const text = JSON.stringify(d);
    const general = generalRead(text);
    expect(general.error !== undefined || general.rejected.length > 0).toBe(true);
    expect(readOtlpDocumentFast(text, 0, text.length, location)).toBeUndefined();
  });

  it.each([
    ['a duplicate span field: the last wins', (t: string) => t.replace('{"traceId":', '{"name":"first","spanId":"zz","status":{"code":2},"attributes":[],"traceId":'), true],
    ['a duplicate status: the last wins, whole', (t: string) => t.replace('"status":{"code":0}', '"status":{"code":2,"message":"x"},"status":{}'), true],
    ['a duplicate value key: the last wins', (t: string) => t.replace('{"stringValue":"agents"}', '{"stringValue":"a","stringValue":"agents"}'), true],
    ['a duplicate "key": the last wins', (t: string) => t.replace('{"key":"service.name",', '{"key":"first","key":"service.name",'), true],
    ['a duplicate "attributes": the last wins', (t: string) => t.replace('"attributes":[', '"attributes":[{"key":"gone","value":{"stringValue":"x"}}],"attributes":['), true],
    ['an escaped id', (t: string) => t.replace('"traceId":"0000', '"traceId":"\\u00300\\u00300'), true],
    ['an escaped key', (t: string) => t.replace('"traceId":', '"trace\\u0049d":'), false],
    ['a duplicate resourceSpans', (t: string) => `${t.slice(0, -1)},"resourceSpans":[]}`, false],
    ['a duplicate spans', (t: string) => t.replace('"spans":[', '"spans":[],"spans":['), false],
    ['a resource after its spans', (t: string) => t.replace('{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agents"}},{"key":"autotune.team_id","value":{"stringValue":"from_resource"}}]},', '{').replace(/\]\}\]\}\]\}$/, ']}],"resource":{"attributes":[]}}]}'), false],
    ['deep nesting in an unknown field', (t: string) => t.replace('"kind":1', `"kind":${'['.repeat(200)}${']'.repeat(200)}`), false],
  ])('text edits: %s', (_name, edit, readable) => {
    const text = edit(JSON.stringify(document(prng(9), 5)));
    expect(text).not.toBe(JSON.stringify(document(prng(9), 5)));
    expect(compare(text)).toBe(readable);
  });

  it('never reads invalid JSON, and reads what it reads exactly: 3,000 random edits of documents', () => {
    const rand = prng(42);
    const pieces = ['{', '}', '[', ']', '"', ',', ':', '\\', '\\u00', ' ', '\t', '\n', '\u0001', '0', '-', '1e5', '.', 'true', 'null', 'x', 'é'];
    let read = 0;
    let gaveUp = 0;
    for (let k = 0; k < 3000; k++) {
      let text = JSON.stringify(document(rand, k));
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * text.length);
        const r = rand();
        if (r < 0.35) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 3));
        else if (r < 0.7) text = text.slice(0, at) + pieces[Math.floor(rand() * pieces.length)]! + text.slice(at);
        else {
          const len = Math.floor(rand() * 40);
          text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
        }
      }
      if (compare(text)) read++;
      else gaveUp++;
    }
    // Both outcomes are exercised: many edits stay valid (inside strings, whitespace), many do not.
    expect(read).toBeGreaterThan(300);
    expect(gaveUp).toBeGreaterThan(300);
  });

  it('reads a document inside a larger text (a line of a chunk) without looking past it', () => {
    const a = JSON.stringify(document(prng(5), 1));
    const b = JSON.stringify(document(prng(6), 2));
    const text = `${a}\n${b}\n{"resourceSpans":`;
    const fast = readOtlpDocumentFast(text, a.length + 1, a.length + 1 + b.length, location);
    expect(fast?.map(plain)).toStrictEqual(generalRead(b).spans.map(plain));
    // A line cut short is not read, though the text goes on.
    expect(readOtlpDocumentFast(text, 0, a.length - 1, location)).toBeUndefined();
    expect(readOtlpDocumentFast(text, a.length + 1, text.length, location)).toBeUndefined();
  });

  it('reads one span\'s text (a streamed document) exactly as readSpan(JSON.parse(text)), or gives up', () => {
    const rand = prng(77);
    const resource: AttrList = ['service.name', 'svc', 'autotune.team_id', 'r'];
    let read = 0;
    for (const [, edit] of READABLE) {
      const d = document(rand, 4);
      edit(d, rand);
      if ((d.resourceSpans as Json[]).length === 0) continue;
      for (const s of spansOf(d)) {
        if (compareSpan(JSON.stringify(s), resource)) read++;
        if (compareSpan(JSON.stringify(s, null, 2), resource)) read++;
      }
    }
    expect(read).toBeGreaterThan(150);
    for (const [, edit] of UNREADABLE.slice(0, 4)) {
      const d = document(rand, 4);
      edit(d);
      expect(readOtlpSpanFast(JSON.stringify(spansOf(d)[0]), 'w', 0, location, resource)).toBeUndefined();
    }
    expect(readOtlpSpanFast('{"traceId":"00000000000000000000000000000001"} x', 'w', 0, location, resource)).toBeUndefined();
  });
});
