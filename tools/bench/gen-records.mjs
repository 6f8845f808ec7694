#!/usr/bin/env node
// Writes N execution records as autotune JSON Lines: about 20 teams of 5 members, log-normal durations,
// a few failures and limit hits, two configs per team. Deterministic: the same seed gives the same file.
//
//   node tools/bench/gen-records.mjs <out.jsonl> [count=1000000] [seed=42]
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

function makeTeams(rand, teamCount) {
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
      members: ROLES.map((role, i) => ({ id: `${role}_${t}`, role, tools: [TOOLS[i], TOOLS[(i + t) % TOOLS.length]] })),
    });
  }
  return teams;
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

/** Write `count` records to `path`; resolves when the file is complete. */
export async function generateRecords(path, count = 1_000_000, seed = 42) {
  await mkdir(dirname(path), { recursive: true });
  const rand = prng(seed);
  const teams = makeTeams(rand, 20);
  const out = createWriteStream(path);
  const t0 = Date.UTC(2025, 0, 1);
  let batch = [];
  for (let i = 0; i < count; i++) {
    batch.push(JSON.stringify(record(rand, teams, i, t0)));
    if (batch.length === 2000 || i === count - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise((r) => out.once('drain', r));
      batch = [];
    }
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, count = '1000000', seed = '42'] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node tools/bench/gen-records.mjs <out.jsonl> [count=1000000] [seed=42]');
    process.exit(2);
  }
  await generateRecords(path, Number(count), Number(seed));
  console.log(`wrote ${count} records to ${path}`);
}
