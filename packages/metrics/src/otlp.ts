import { MetricsError, formatLocation } from './errors';
import type { SourceLocation } from './errors';
import type { ExecutionRecord } from './record';
import { validateRecord } from './validate';
import type { RecordChecks } from './validate';

/*
 * OpenTelemetry traces (OTLP/JSON) to execution records. The GenAI semantic conventions give the spans:
 * `invoke_workflow` = one team run, `invoke_agent` = one member, `execute_tool` = one tool call. What the
 * conventions have no name for comes from `autotune.*` attributes; docs/otel-attributes.md lists them.
 */

type SpanKind = 'workflow' | 'agent' | 'tool' | 'other';
type AttrValue = string | number | boolean | AttrValue[] | undefined;

interface SpanLite {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  /** A time came as a JSON number above 2^53, so its last digits are float noise (see `durationSeconds`). */
  imprecise: boolean;
  error: boolean;
  statusMessage?: string;
  attrs: Map<string, AttrValue>;
  links: string[];
  /** Where the span sits in the input, for error messages. */
  where: string;
  location: SourceLocation;
}

const OPERATION: Record<string, SpanKind> = {
  invoke_workflow: 'workflow',
  invoke_agent: 'agent',
  execute_tool: 'tool',
};

/** True when a parsed JSON value is an OTLP/JSON traces document. */
export function isOtlpDocument(u: unknown): boolean {
  return typeof u === 'object' && u !== null && !Array.isArray(u) && 'resourceSpans' in u;
}

/** Called with each team run built, or with the error that stopped one run from being built. */
export interface OtlpSink {
  record(r: ExecutionRecord): void;
  reject(e: MetricsError): void;
}

/**
 * Collects spans from OTLP documents and emits a record per `invoke_workflow` span. Spans are exported
 * when they end, so a workflow span arrives in the same document as its members or after them: a run is
 * built at the end of the document holding its workflow span, and its spans are then forgotten. Memory
 * is bounded by the traces in flight, not by the file.
 */
export class OtlpAssembler {
  private readonly traces = new Map<string, Map<string, SpanLite>>();
  /** Agent and tool spans already dropped because no workflow can ever hold them. */
  private droppedGenAiSpans = 0;

  /** `checks` apply to every run assembled (e.g. which formations are accepted). */
  constructor(private readonly checks?: RecordChecks) {}

  /** Add one OTLP document; runs completed by it go to `sink`. Throws for a document that is not OTLP. */
  addDocument(doc: unknown, location: SourceLocation, sink: OtlpSink): void {
    const workflows: SpanLite[] = [];
    const touched = new Set<string>();
    const rs = field(doc, 'resourceSpans', location, '');
    if (!Array.isArray(rs)) fail(location, 'resourceSpans', 'expected a list');
    for (let i = 0; i < rs.length; i++) {
      const resourceAttrs = readAttributes(field(field(rs[i], 'resource', location, ''), 'attributes', location, ''));
      const scopes = field(rs[i], 'scopeSpans', location, '') ?? field(rs[i], 'instrumentationLibrarySpans', location, '');
      if (scopes === undefined) continue;
      if (!Array.isArray(scopes)) fail(location, `resourceSpans[${i}].scopeSpans`, 'expected a list');
      for (let j = 0; j < scopes.length; j++) {
        const spans = field(scopes[j], 'spans', location, '');
        if (spans === undefined) continue;
        const path = `resourceSpans[${i}].scopeSpans[${j}].spans`;
        if (!Array.isArray(spans)) fail(location, path, 'expected a list');
        for (let k = 0; k < spans.length; k++) {
          let span: SpanLite;
          try {
            span = readSpan(spans[k], `${path}[${k}]`, location, resourceAttrs);
          } catch (e) {
            if (e instanceof MetricsError) {
              sink.reject(e);
              continue;
            }
            throw e;
          }
          let trace = this.traces.get(span.traceId);
          if (trace === undefined) {
            trace = new Map();
            this.traces.set(span.traceId, trace);
          }
          trace.set(span.spanId, span);
          touched.add(span.traceId);
          if (span.kind === 'workflow') workflows.push(span);
        }
      }
    }
    // Inner (nested) workflows end first; building them first leaves the outer one only its own spans.
    workflows.sort((a, b) => (a.endNs < b.endNs ? -1 : a.endNs > b.endNs ? 1 : 0));
    for (const w of workflows) {
      const trace = this.traces.get(w.traceId)!;
      try {
        sink.record(buildRun(w, trace, this.checks));
      } catch (e) {
        if (e instanceof MetricsError) sink.reject(e);
        else throw e;
      } finally {
        forgetRun(w, trace);
        if (trace.size === 0) this.traces.delete(w.traceId);
      }
    }
    for (const traceId of touched) this.dropOrphans(traceId);
  }

  /**
   * Drop the spans of a trace that no workflow can ever hold: those whose chain of parents is complete up
   * to a root without passing a workflow span (an HTTP root span above the workflow, say, which ends and
   * arrives after the run was built). Kept, they would make memory grow with the file, not the traces in
   * flight. Spans whose parent has not arrived yet are kept: their workflow may still come.
   */
  private dropOrphans(traceId: string): void {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return;
    const orphan = new Map<string, boolean>();
    for (const s of trace.values()) {
      const path: SpanLite[] = [];
      let cur: SpanLite | undefined = s;
      let result = false;
      for (let hops = 0; cur !== undefined && hops < 10_000; hops++) {
        const known = orphan.get(cur.spanId);
        if (known !== undefined) {
          result = known;
          break;
        }
        path.push(cur);
        if (cur.kind === 'workflow') break;
        if (cur.parentSpanId === undefined) {
          result = true;
          break;
        }
        cur = trace.get(cur.parentSpanId);
      }
      for (const p of path) orphan.set(p.spanId, result);
    }
    for (const [id, isOrphan] of orphan) {
      if (!isOrphan) continue;
      const kind = trace.get(id)!.kind;
      if (kind === 'agent' || kind === 'tool') this.droppedGenAiSpans++;
      trace.delete(id);
    }
    if (trace.size === 0) this.traces.delete(traceId);
  }

  /** Spans held while waiting for their workflow span (memory in use). */
  retainedSpans(): number {
    let n = 0;
    for (const trace of this.traces.values()) n += trace.size;
    return n;
  }

  /** Agent and tool spans still waiting for a workflow span: at the end of input, they never got one. */
  pendingGenAiSpans(): number {
    let n = this.droppedGenAiSpans;
    for (const trace of this.traces.values()) for (const s of trace.values()) if (s.kind === 'agent' || s.kind === 'tool') n++;
    return n;
  }
}

function field(u: unknown, key: string, location: SourceLocation, path: string): unknown {
  if (u === undefined || u === null) return undefined;
  if (typeof u !== 'object' || Array.isArray(u)) fail(location, path || key, 'expected an object');
  return (u as Record<string, unknown>)[key] ?? undefined;
}

function fail(location: SourceLocation, path: string, message: string): never {
  throw new MetricsError('METRICS_VALIDATION_ERROR', `OTLP: ${message}`, { ...location, field: path });
}

function readAttributes(list: unknown): Map<string, AttrValue> {
  const out = new Map<string, AttrValue>();
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (typeof kv !== 'object' || kv === null || typeof (kv as { key?: unknown }).key !== 'string') continue;
    out.set((kv as { key: string }).key, anyValue((kv as { value?: unknown }).value));
  }
  return out;
}

/** An OTLP AnyValue: int64 may come as a string or a number, as protobuf's JSON mapping allows. */
function anyValue(v: unknown): AttrValue {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if ('stringValue' in o) return typeof o.stringValue === 'string' ? o.stringValue : undefined;
  if ('intValue' in o) return typeof o.intValue === 'string' ? Number(o.intValue) : (o.intValue as number);
  if ('doubleValue' in o) return typeof o.doubleValue === 'string' ? Number(o.doubleValue) : (o.doubleValue as number);
  if ('boolValue' in o) return o.boolValue as boolean;
  if ('arrayValue' in o) {
    const values = (o.arrayValue as { values?: unknown[] } | null)?.values ?? [];
    return Array.isArray(values) ? values.map(anyValue) : [];
  }
  return undefined;
}

/**
 * Trace and span ids as lower-case hex. OTLP/JSON writes hex, but protobuf's generic JSON mapping writes
 * bytes as base64; the length tells them apart (16 bytes: 32 hex or 24 base64 characters).
 */
export function normaliseOtlpId(v: unknown, bytes: 8 | 16): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  let hex: string;
  if (v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v)) hex = v.toLowerCase();
  else {
    const buf = Buffer.from(v, 'base64');
    hex = buf.length === bytes ? buf.toString('hex') : v;
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

function nanos(v: unknown, location: SourceLocation, path: string): bigint {
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v));
  fail(location, path, `expected a time in Unix nanoseconds (a string or number of digits), got ${JSON.stringify(v)}`);
}

function readSpan(u: unknown, where: string, location: SourceLocation, resourceAttrs: Map<string, AttrValue>): SpanLite {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) fail(location, where, 'expected a span object');
  const s = u as Record<string, unknown>;
  const traceId = normaliseOtlpId(s.traceId, 16);
  const spanId = normaliseOtlpId(s.spanId, 8);
  if (traceId === undefined) fail(location, `${where}.traceId`, 'missing trace id');
  if (spanId === undefined) fail(location, `${where}.spanId`, 'missing span id');
  const name = typeof s.name === 'string' ? s.name : '';
  const attrs = readAttributes(s.attributes);
  // Resource attributes (autotune.team_id set once per process, say) apply unless the span overrides them.
  for (const [k, v] of resourceAttrs) if (k.startsWith('autotune.') && !attrs.has(k)) attrs.set(k, v);
  const op = attrs.get('gen_ai.operation.name');
  const kind = OPERATION[typeof op === 'string' ? op : name.split(' ', 1)[0]] ?? 'other';
  const status = (s.status ?? {}) as Record<string, unknown>;
  const startNs = nanos(s.startTimeUnixNano, location, `${where}.startTimeUnixNano`);
  const endNs = nanos(s.endTimeUnixNano, location, `${where}.endTimeUnixNano`);
  const links: string[] = [];
  if (Array.isArray(s.links)) {
    for (const l of s.links) {
      const id = normaliseOtlpId((l as Record<string, unknown> | null)?.spanId, 8);
      if (id !== undefined) links.push(id);
    }
  }
  const span: SpanLite = {
    traceId,
    spanId,
    name,
    kind,
    startNs,
    endNs,
    imprecise: isImprecise(s.startTimeUnixNano) || isImprecise(s.endTimeUnixNano),
    error: status.code === 2 || status.code === 'STATUS_CODE_ERROR',
    attrs,
    links,
    where,
    location,
  };
  const parent = normaliseOtlpId(s.parentSpanId, 8);
  if (parent !== undefined) span.parentSpanId = parent;
  if (typeof status.message === 'string' && status.message !== '') span.statusMessage = status.message;
  return span;
}

/** The nearest workflow and agent spans above a span (the span itself counts), within one trace. */
function owners(span: SpanLite, trace: Map<string, SpanLite>): { workflow?: SpanLite; agent?: SpanLite } {
  let agent: SpanLite | undefined;
  let cur: SpanLite | undefined = span;
  for (let hops = 0; cur !== undefined && hops < 10_000; hops++) {
    if (cur.kind === 'workflow') return { workflow: cur, agent };
    if (cur.kind === 'agent' && agent === undefined) agent = cur;
    cur = cur.parentSpanId === undefined ? undefined : trace.get(cur.parentSpanId);
  }
  return { agent };
}

function str(attrs: Map<string, AttrValue>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = attrs.get(k);
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function raw(attrs: Map<string, AttrValue>, key: string): unknown {
  return attrs.get(key);
}

/** Tokens from the usage attributes, accepting the older prompt/completion names. */
function usage(attrs: Map<string, AttrValue>): { input?: number; output?: number } {
  const input = attrs.get('gen_ai.usage.input_tokens') ?? attrs.get('gen_ai.usage.prompt_tokens');
  const output = attrs.get('gen_ai.usage.output_tokens') ?? attrs.get('gen_ai.usage.completion_tokens');
  return { input: typeof input === 'number' ? input : undefined, output: typeof output === 'number' ? output : undefined };
}

function addTo(a: number | undefined, b: number | undefined): number | undefined {
  return b === undefined ? a : (a ?? 0) + b;
}

function suffix(name: string, op: string): string | undefined {
  return name.startsWith(`${op} `) ? name.slice(op.length + 1).trim() || undefined : undefined;
}

function isImprecise(v: unknown): boolean {
  return typeof v === 'number' && v > Number.MAX_SAFE_INTEGER;
}

function durationSeconds(s: SpanLite): number {
  // Negative spans are passed through so that validation reports them with the span's location.
  const ns = Number(s.endNs - s.startNs);
  // Nanosecond times written as JSON numbers lose their last digits (a double near 1.7e18 is exact only to
  // 256 ns), so their difference is rounded to whole microseconds rather than reporting the noise.
  return s.imprecise ? Math.round(ns / 1000) / 1e6 : ns / 1e9;
}

function ms(ns: bigint): number {
  return Number((ns + 500_000n) / 1_000_000n);
}

function stringList(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return undefined;
}

interface MemberDraft {
  span: SpanLite;
  memberId: string;
  toolCalls: number;
  tools: Set<string>;
  input?: number;
  output?: number;
  childInput?: number;
  childOutput?: number;
}

function buildRun(w: SpanLite, trace: Map<string, SpanLite>, checks: RecordChecks | undefined): ExecutionRecord {
  const members = new Map<string, MemberDraft>();
  const memberIdBySpan = new Map<string, string>();
  let toolCalls = 0;
  let directInput: number | undefined;
  let directOutput: number | undefined;
  let provider = str(w.attrs, 'gen_ai.provider.name', 'gen_ai.system');

  for (const s of trace.values()) {
    if (s === w) continue;
    const own = owners(s, trace);
    if (own.workflow !== w) continue;
    provider ??= str(s.attrs, 'gen_ai.provider.name', 'gen_ai.system');
    if (s.kind === 'agent') {
      const id =
        str(s.attrs, 'autotune.member_id', 'gen_ai.agent.name', 'gen_ai.agent.id') ?? suffix(s.name, 'invoke_agent') ?? s.spanId;
      const u = usage(s.attrs);
      members.set(s.spanId, { span: s, memberId: id, toolCalls: 0, tools: new Set(), input: u.input, output: u.output });
      memberIdBySpan.set(s.spanId, id);
    }
  }
  for (const s of trace.values()) {
    if (s === w || s.kind === 'agent') continue;
    const own = owners(s, trace);
    if (own.workflow !== w) continue;
    const m = own.agent === undefined ? undefined : members.get(own.agent.spanId);
    if (s.kind === 'tool') {
      toolCalls++;
      if (m !== undefined) {
        m.toolCalls++;
        const tool = str(s.attrs, 'gen_ai.tool.name') ?? suffix(s.name, 'execute_tool');
        if (tool !== undefined) m.tools.add(tool);
      }
    }
    const u = usage(s.attrs);
    if (m !== undefined) {
      m.childInput = addTo(m.childInput, u.input);
      m.childOutput = addTo(m.childOutput, u.output);
    } else {
      directInput = addTo(directInput, u.input);
      directOutput = addTo(directOutput, u.output);
    }
  }

  const memberRecords: Record<string, unknown>[] = [];
  const memberSpans: SpanLite[] = [];
  let sumInput = directInput;
  let sumOutput = directOutput;
  let sumCost: number | undefined;
  for (const m of [...members.values()].sort((a, b) => (a.span.startNs < b.span.startNs ? -1 : a.span.startNs > b.span.startNs ? 1 : 0))) {
    const s = m.span;
    // An agent span's own usage already covers its model calls; only without it are the children summed.
    const input = m.input ?? m.childInput;
    const output = m.output ?? m.childOutput;
    sumInput = addTo(sumInput, input);
    sumOutput = addTo(sumOutput, output);
    const cost = raw(s.attrs, 'autotune.cost_usd');
    if (typeof cost === 'number') sumCost = addTo(sumCost, cost);
    const waited =
      stringList(raw(s.attrs, 'autotune.member.waited_for')) ??
      (s.links.some((id) => memberIdBySpan.has(id)) ? s.links.filter((id) => memberIdBySpan.has(id)).map((id) => memberIdBySpan.get(id)!) : undefined);
    memberSpans.push(s);
    memberRecords.push({
      memberId: m.memberId,
      role: str(s.attrs, 'autotune.member.role'),
      success: !s.error,
      durationSeconds: durationSeconds(s),
      startTimeMs: ms(s.startNs),
      endTimeMs: ms(s.endNs),
      toolCalls: m.toolCalls,
      toolsUsed: [...m.tools].sort(),
      inputTokens: input,
      outputTokens: output,
      costUsd: cost,
      error: s.error ? (s.statusMessage ?? str(s.attrs, 'error.type')) : undefined,
      waitedFor: waited,
    });
  }

  const own = usage(w.attrs);
  const labels: Record<string, string> = {};
  for (const [k, v] of w.attrs) {
    if (k.startsWith('autotune.label.') && v !== undefined) labels[k.slice('autotune.label.'.length)] = String(v);
  }
  if (provider !== undefined) labels['gen_ai.provider.name'] = provider;
  const teamId = str(w.attrs, 'autotune.team_id', 'gen_ai.workflow.name') ?? suffix(w.name, 'invoke_workflow');
  if (teamId === undefined) {
    fail(w.location, `${w.where}.attributes`, `invoke_workflow span ${w.spanId} has no team id: set the "autotune.team_id" attribute (or "gen_ai.workflow.name", or name the span "invoke_workflow <team id>")`);
  }
  const candidate = {
    teamId,
    executionId: str(w.attrs, 'autotune.execution_id') ?? `${w.traceId}-${w.spanId}`,
    startTimeMs: ms(w.startNs),
    endTimeMs: ms(w.endNs),
    durationSeconds: durationSeconds(w),
    success: !w.error,
    error: w.error ? (w.statusMessage ?? str(w.attrs, 'error.type')) : undefined,
    formation: raw(w.attrs, 'autotune.formation'),
    memberCount: raw(w.attrs, 'autotune.member_count') ?? new Set(memberRecords.map((m) => m.memberId)).size,
    toolBudget: raw(w.attrs, 'autotune.tool_budget'),
    timeoutSeconds: raw(w.attrs, 'autotune.timeout_seconds'),
    toolCalls: raw(w.attrs, 'autotune.tool_calls') ?? toolCalls,
    inputTokens: own.input ?? sumInput,
    outputTokens: own.output ?? sumOutput,
    costUsd: raw(w.attrs, 'autotune.cost_usd') ?? sumCost,
    limitHit: raw(w.attrs, 'autotune.limit_hit'),
    configFingerprint: raw(w.attrs, 'autotune.config_fingerprint'),
    labels: Object.keys(labels).length > 0 ? labels : undefined,
    members: memberRecords,
  };
  try {
    return validateRecord(candidate, w.location, checks);
  } catch (e) {
    if (!(e instanceof MetricsError)) throw e;
    // Re-word the field as the span it came from, so the user can find it in the trace.
    const inner = e.location.field ?? '';
    const m = /^members\[(\d+)\]\.(.*)$/.exec(inner);
    const span = m ? memberSpans[Number(m[1])] : w;
    const bare = e.message.slice(formatLocation(e.location).length + 2);
    throw new MetricsError(
      'METRICS_VALIDATION_ERROR',
      `OTLP ${span.kind === 'agent' ? 'invoke_agent' : 'invoke_workflow'} span ${span.spanId}: ${bare}`,
      { ...w.location, field: `${span.where} (${m ? m[2] : inner})` },
      { cause: e },
    );
  }
}

/** Drop a built run's spans: the workflow span and everything whose nearest workflow it is. */
function forgetRun(w: SpanLite, trace: Map<string, SpanLite>): void {
  const drop: string[] = [];
  for (const s of trace.values()) if (s === w || owners(s, trace).workflow === w) drop.push(s.spanId);
  for (const id of drop) trace.delete(id);
}
