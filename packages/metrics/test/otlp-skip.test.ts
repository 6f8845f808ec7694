import { readSpan } from '../src/otlp';
import { scanOtlpSpan } from '../src/internal/otlp-skip';
import { prng } from './support/generate';

// A span skipped unread (team skipping in one OTLP document) must be one the assembler would have taken, with
// the trace id and end it would have read: otherwise the batches or the watermark of a skipping read would differ
// from a full read's. `scanOtlpSpan` may decline any span (it is then parsed); it must never accept a wrong one.

const BASE = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  parentSpanId: 'eee19b7ec3c1b173',
  name: 'invoke_agent planner',
  kind: 1,
  startTimeUnixNano: '1735689600411000000',
  endTimeUnixNano: '1735689612515000000',
  attributes: [
    { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
    { key: 'gen_ai.usage.input_tokens', value: { intValue: '2585' } },
    { key: 'autotune.cost_usd', value: { doubleValue: 0.0212 } },
  ],
  status: { code: 0 },
};

/** What a full read takes of the span in `text`: its trace id and end, or undefined when it rejects it. */
function fullRead(text: string): { traceId: string; endNs: bigint } | undefined {
  let u: unknown;
  try {
    u = JSON.parse(text);
  } catch {
    return undefined;
  }
  try {
    const s = readSpan(u, 'spans[0]', { file: 'x' }, []);
    return { traceId: s.traceId, endNs: s.endNs };
  } catch {
    return undefined;
  }
}

function expectNoWrongSkip(text: string): boolean {
  const skipped = scanOtlpSpan(Buffer.from(text));
  if (skipped !== undefined) expect({ text, read: fullRead(text) }).toEqual({ text, read: skipped });
  return skipped !== undefined;
}

const without = (key: string) => Object.fromEntries(Object.entries(BASE).filter(([k]) => k !== key));

describe('scanOtlpSpan', () => {
  it('takes plain spans as a full read does, however they are laid out', () => {
    for (const text of [
      JSON.stringify(BASE),
      JSON.stringify(BASE, null, 2),
      JSON.stringify({ ...without('traceId'), traceId: BASE.traceId }),
      JSON.stringify({ ...BASE, startTimeUnixNano: 1735689600411000000, endTimeUnixNano: 1735689612515000000 }),
      JSON.stringify({ ...BASE, endTimeUnixNano: '0001735689612515000000' }),
      JSON.stringify({ ...BASE, traceId: BASE.traceId.toUpperCase() }),
      JSON.stringify({ ...BASE, traceId: Buffer.from(BASE.traceId, 'hex').toString('base64') }),
    ]) {
      expect(expectNoWrongSkip(text)).toBe(true);
    }
  });

  it('declines what it cannot be sure of, and never takes a span a full read rejects or reads otherwise', () => {
    const texts = [
      ...['traceId', 'spanId', 'startTimeUnixNano', 'endTimeUnixNano'].map((k) => JSON.stringify(without(k))),
      // A link carries a trace id and a span id of its own.
      JSON.stringify({ ...BASE, links: [{ traceId: '1'.repeat(32), spanId: '2'.repeat(16) }] }),
      JSON.stringify({ ...without('traceId'), links: [{ traceId: '1'.repeat(32), spanId: '2'.repeat(16) }] }),
      // A nested object with the keys while the span itself has none.
      JSON.stringify({ ...without('endTimeUnixNano'), attributes: [{ key: 'k', value: { kvlistValue: { values: [], endTimeUnixNano: '5' } } }] }),
      JSON.stringify({ ...without('traceId'), extra: { traceId: BASE.traceId } }),
      // Duplicate keys: JSON.parse keeps the last.
      JSON.stringify(BASE).replace('{', `{"endTimeUnixNano":"1",`),
      JSON.stringify(BASE).replace('{', `{"traceId":"${'3'.repeat(32)}",`),
      // Bad values.
      JSON.stringify({ ...BASE, traceId: '0'.repeat(32) }),
      JSON.stringify({ ...BASE, traceId: 'abc' }),
      JSON.stringify({ ...BASE, spanId: 7 }),
      JSON.stringify({ ...BASE, endTimeUnixNano: 'soon' }),
      JSON.stringify({ ...BASE, endTimeUnixNano: '-5' }),
      JSON.stringify({ ...BASE, endTimeUnixNano: -5 }),
      JSON.stringify({ ...BASE, endTimeUnixNano: 1.7e18 }),
      JSON.stringify({ ...BASE, endTimeUnixNano: 1.5 }),
      JSON.stringify({ ...BASE, startTimeUnixNano: null }),
      JSON.stringify({ ...BASE, endTimeUnixNano: '' }),
      // Escapes (a team id could hide behind them).
      JSON.stringify({ ...BASE, name: 'invoke_agent "quoted"' }),
      JSON.stringify(BASE).replace('"traceId"', '"trace\\u0049d"'),
      // Not a span object.
      JSON.stringify([BASE]),
      '"a span"',
      'null',
    ];
    for (const text of texts) expectNoWrongSkip(text);
  });

  it('never takes a span wrongly under random edits (3,000 seeded mutations of valid spans)', () => {
    const rand = prng(7);
    const pieces = ['"traceId":', '"endTimeUnixNano":"9",', '{', '}', '[', ']', ',', '"', ':', '\\', '0', ' ', '"spanId":"00000000000000ff",', 'x'];
    let taken = 0;
    let valid = 0;
    for (let k = 0; k < 3000; k++) {
      let text = rand() < 0.5 ? JSON.stringify(BASE) : JSON.stringify(BASE, null, 1);
      for (let e = 1 + Math.floor(rand() * 3); e > 0; e--) {
        const at = Math.floor(rand() * text.length);
        text = rand() < 0.5 ? text.slice(0, at) + pieces[Math.floor(rand() * pieces.length)]! + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 4));
      }
      // Only valid JSON is compared: a span that does not parse stops a full read of the document altogether.
      try {
        JSON.parse(text);
      } catch {
        continue;
      }
      valid++;
      if (expectNoWrongSkip(text)) taken++;
    }
    // The edits leave enough valid spans, some taken, for the comparison to mean something.
    expect(valid).toBeGreaterThan(300);
    expect(taken).toBeGreaterThan(50);
  });
});
