#!/usr/bin/env node
// Writes N execution records: about 20 teams, log-normal durations, a few failures and limit hits, two configs
// per team. Deterministic: the same seed gives the same file. Formats:
//   autotune-jsonl  autotune's own JSON Lines (5 members per team)
//   snake-jsonl     the original's snake_case records, one per line (3-8 members per team, no execution id,
//                   member_metrics as a map, times in epoch seconds): what users bring from the original
//   snake-json      the same records as one JSON array (pretty-printed elements, as Python's json.dump(indent=2))
//   otlp-jsonl      OTLP/JSON, one document per line, each holding the spans of 1 team run (as the
//                   OpenTelemetry Collector's file exporter writes batches)
//   otlp-json       one OTLP/JSON document holding every span
//
//   node tools/bench/gen-records.mjs <out> [count=1000000] [seed=42] [format=autotune-jsonl]
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** mulberry32: a small, fast, seeded PRNG; plenty for synthetic data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORMATIONS = ['sequential', 'parallel', 'pipeline', 'hierarchical', 'consensus'];
const ROLES = ['planner', 'researcher', 'coder', 'reviewer', 'writer'];
const TOOLS = ['read_file', 'grep', 'web_search', 'run_tests', 'write_file', 'shell'];

function makeTeams(rand, teamCount, varySize = false) {
  const teams = [];
  for (let t = 0; t < teamCount; t++) {
    const formation = FORMATIONS[t % FORMATIONS.length];
    teams.push({
      id: `team_${String(t).padStart(2, '0')}`,
      formation,
      // Median member time between ~5 s and ~40 s; sigma gives a realistic right tail.
      mu: Math.log(5 + rand() * 35),
      sigma: 0.35 + rand() * 0.4,
      failRate: 0.02 + rand() * 0.08,
      configs: [0, 1].map((k) => ({
        fingerprint: (0x1000_0000_0000 + t * 16 + k).toString(16).padStart(16, '0'),
        toolBudget: 20 + 10 * k + t,
        timeoutSeconds: 120 + 60 * k,
      })),
      members: teamRoles(rand, varySize).map((role, i) => ({
        id: `${role}_${t}${i >= ROLES.length ? `_${i}` : ''}`,
        role,
        tools: [TOOLS[i % TOOLS.length], TOOLS[(i + t) % TOOLS.length]],
      })),
    });
  }
  return teams;
}

/** Five roles, or (the original's files) 3 to 8 members, roles repeating past five. */
function teamRoles(rand, varySize) {
  if (!varySize) return ROLES;
  const n = 3 + Math.floor(rand() * 6);
  return Array.from({ length: n }, (_, i) => ROLES[i % ROLES.length]);
}

function normal(rand) {
  // Box-Muller; 1 - u keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function record(rand, teams, i, t0) {
  const team = teams[Math.floor(rand() * teams.length)];
  const cfg = team.configs[rand() < 0.5 ? 0 : 1];
  const start = t0 + i * 1000 + Math.floor(rand() * 1000);
  const parallel = team.formation === 'parallel' || team.formation === 'consensus';
  let cursor = start;
  let end = start;
  let toolCalls = 0;
  let inTok = 0;
  let outTok = 0;
  let cost = 0;
  let success = true;
  const members = team.members.map((m, k) => {
    const ms = Math.round(1000 * Math.exp(team.mu + team.sigma * normal(rand)));
    const s = parallel ? start + Math.floor(rand() * 200) : cursor;
    const e = s + ms;
    cursor = e;
    if (e > end) end = e;
    const calls = Math.floor(rand() * 6);
    const inputTokens = 500 + Math.floor(rand() * 3000);
    const outputTokens = 100 + Math.floor(rand() * 800);
    const costUsd = Math.round((inputTokens * 3 + outputTokens * 15) / 100) / 10000;
    const ok = rand() >= team.failRate / 2;
    if (!ok) success = false;
    toolCalls += calls;
    inTok += inputTokens;
    outTok += outputTokens;
    cost += costUsd;
    const member = {
      memberId: m.id, role: m.role, success: ok, durationSeconds: ms / 1000, startTimeMs: s, endTimeMs: e,
      toolCalls: calls, toolsUsed: calls > 0 ? m.tools : [], inputTokens, outputTokens, costUsd,
    };
    if (!ok) member.error = 'model returned no answer';
    if (!parallel && k > 0) member.waitedFor = [team.members[k - 1].id];
    return member;
  });
  const r = {
    teamId: team.id, executionId: `run-${i}`, startTimeMs: start, endTimeMs: end, durationSeconds: (end - start) / 1000,
    success, formation: team.formation, memberCount: members.length, toolBudget: cfg.toolBudget,
    timeoutSeconds: cfg.timeoutSeconds, toolCalls, inputTokens: inTok, outputTokens: outTok,
    costUsd: Math.round(cost * 10000) / 10000, configFingerprint: cfg.fingerprint, members,
  };
  if (!success) r.error = 'a member failed';
  if (r.durationSeconds > cfg.timeoutSeconds) r.limitHit = 'timeout';
  else if (toolCalls > cfg.toolBudget) r.limitHit = 'tool_budget';
  return r;
}

/** The original's snake_case shape (see `toSnakeCaseRecord` in @autotune/metrics): no execution id. */
function snake(r) {
  const members = {};
  const tools = new Set();
  for (const m of r.members) {
    for (const t of m.toolsUsed) tools.add(t);
    const mm = {
      member_id: m.memberId, role: m.role, success: m.success, duration_seconds: m.durationSeconds,
      tool_calls_used: m.toolCalls, tools_used: m.toolsUsed, error_message: m.error ?? null,
      start_time: m.startTimeMs / 1000, end_time: m.endTimeMs / 1000,
      input_tokens: m.inputTokens, output_tokens: m.outputTokens, cost_usd: m.costUsd,
    };
    if (m.waitedFor) mm.waited_for = m.waitedFor;
    members[m.memberId] = mm;
  }
  const o = {
    team_id: r.teamId, formation: r.formation, member_count: r.memberCount, success: r.success,
    duration_seconds: r.durationSeconds, total_tool_calls: r.toolCalls,
    timestamp: new Date(r.endTimeMs).toISOString().replace(/Z$/, ''), recursion_depth: 0,
    start_time: r.startTimeMs / 1000, end_time: r.endTimeMs / 1000, consensus_achieved: null, consensus_rounds: null,
    unique_tools_used: [...tools].sort(), error_message: r.error ?? null, tool_budget: r.toolBudget,
    timeout_seconds: r.timeoutSeconds, input_tokens: r.inputTokens, output_tokens: r.outputTokens, cost_usd: r.costUsd,
    config_fingerprint: r.configFingerprint, member_metrics: members,
  };
  if (r.limitHit) o.limit_hit = r.limitHit;
  return o;
}

const hex = (n, width) => n.toString(16).padStart(width, '0');
const attr = (key, v) =>
  typeof v === 'string' ? { key, value: { stringValue: v } }
  : typeof v === 'boolean' ? { key, value: { boolValue: v } }
  : Array.isArray(v) ? { key, value: { arrayValue: { values: v.map((s) => ({ stringValue: s })) } } }
  : Number.isInteger(v) ? { key, value: { intValue: String(v) } }
  : { key, value: { doubleValue: v } };

/** The GenAI spans of one run: an invoke_workflow span, an invoke_agent span per member (no tool spans). */
function otlpSpans(r, i) {
  const traceId = hex(i + 1, 32);
  const wf = hex(i * 16 + 1, 16);
  const spans = r.members.map((m, k) => {
    const attributes = [
      attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', m.memberId), attr('autotune.member.role', m.role),
      attr('gen_ai.usage.input_tokens', m.inputTokens), attr('gen_ai.usage.output_tokens', m.outputTokens),
      attr('autotune.cost_usd', m.costUsd), attr('autotune.tool_calls', m.toolCalls),
    ];
    if (m.waitedFor) attributes.push(attr('autotune.member.waited_for', m.waitedFor));
    return {
      traceId, spanId: hex(i * 16 + 2 + k, 16), parentSpanId: wf, name: `invoke_agent ${m.memberId}`, kind: 1,
      startTimeUnixNano: `${m.startTimeMs}000000`, endTimeUnixNano: `${m.endTimeMs}000000`, attributes,
      status: m.success ? { code: 0 } : { code: 2, message: m.error },
    };
  });
  const attributes = [
    attr('gen_ai.operation.name', 'invoke_workflow'), attr('autotune.team_id', r.teamId), attr('autotune.execution_id', r.executionId),
    attr('autotune.formation', r.formation), attr('autotune.member_count', r.memberCount), attr('autotune.tool_calls', r.toolCalls),
    attr('autotune.tool_budget', r.toolBudget), attr('autotune.timeout_seconds', r.timeoutSeconds),
    attr('autotune.config_fingerprint', r.configFingerprint),
  ];
  if (r.limitHit) attributes.push(attr('autotune.limit_hit', r.limitHit));
  spans.push({
    traceId, spanId: wf, name: `invoke_workflow ${r.teamId}`, kind: 1,
    startTimeUnixNano: `${r.startTimeMs}000000`, endTimeUnixNano: `${r.endTimeMs}000000`, attributes,
    status: r.success ? { code: 1 } : { code: 2, message: r.error },
  });
  return spans;
}

const otlpDoc = (spans) => ({
  resourceSpans: [{ resource: { attributes: [attr('service.name', 'agents')] }, scopeSpans: [{ scope: { name: 'gen-records' }, spans }] }],
});

export const FORMATS = ['autotune-jsonl', 'snake-jsonl', 'snake-json', 'otlp-jsonl', 'otlp-json'];

/** Write `count` records to `path` in `format` (see the header); resolves when the file is complete. */
export async function generateRecords(path, count = 1_000_000, seed = 42, format = 'autotune-jsonl') {
  if (!FORMATS.includes(format)) throw new Error(`unknown format ${format}: expected one of ${FORMATS.join(', ')}`);
  await mkdir(dirname(path), { recursive: true });
  const rand = prng(seed);
  const teams = makeTeams(rand, 20, format !== 'autotune-jsonl');
  const out = createWriteStream(path);
  const t0 = Date.UTC(2025, 0, 1);
  const encode = {
    'autotune-jsonl': (r) => JSON.stringify(r),
    'snake-jsonl': (r) => JSON.stringify(snake(r)),
    'snake-json': (r, i) => (i === 0 ? '[\n' : ',\n') + JSON.stringify(snake(r), null, 2),
    'otlp-jsonl': (r, i) => JSON.stringify(otlpDoc(otlpSpans(r, i))),
    'otlp-json': (r, i) => {
      const spans = otlpSpans(r, i).map((s) => JSON.stringify(s)).join(',');
      return (i === 0 ? '{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"gen-records"},"spans":[' : ',') + spans;
    },
  }[format];
  const sep = format === 'snake-json' || format === 'otlp-json' ? '' : '\n';
  let batch = [];
  for (let i = 0; i < count; i++) {
    batch.push(encode(record(rand, teams, i, t0), i));
    if (batch.length === 2000 || i === count - 1) {
      if (!out.write(batch.join(sep) + sep)) await new Promise((r) => out.once('drain', r));
      batch = [];
    }
  }
  const tail = format === 'snake-json' ? '\n]\n' : format === 'otlp-json' ? ']}]}]}\n' : '';
  await new Promise((resolve, reject) => out.end(tail, (/** @type {Error | null | undefined} */ err) => (err ? reject(err) : resolve())));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, count = '1000000', seed = '42', format = 'autotune-jsonl'] = process.argv.slice(2);
  if (!path) {
    console.error(`usage: node tools/bench/gen-records.mjs <out> [count=1000000] [seed=42] [format: ${FORMATS.join(' | ')}]`);
    process.exit(2);
  }
  await generateRecords(path, Number(count), Number(seed), format);
  console.log(`wrote ${count} records to ${path} (${format})`);
}
