import { writeFileSync } from 'node:fs';

/** mulberry32: a small seeded PRNG, so generated files are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The original's snake_case records as JSON Lines: `teams` teams of 3 to 8 members, times in epoch seconds
 * with fractions (so sums are not exact in floating point), costs, failures, waited_for; no execution ids.
 * `distinctMembers` gives every member of every run its own id (many distinct member ids per team).
 */
export function writeSnakeLines(
  path: string,
  runs: number,
  seed: number,
  opts: { teams?: number; distinctMembers?: boolean; array?: boolean; nestedTeamObjects?: boolean } = {},
): void {
  const rand = prng(seed);
  const teams = opts.teams ?? 7;
  const sizes = Array.from({ length: teams }, () => 3 + Math.floor(rand() * 6));
  const records: Record<string, unknown>[] = [];
  let clock = 1_736_000_000;
  for (let i = 0; i < runs; i++) {
    const t = Math.floor(rand() * teams);
    const start = clock + rand();
    clock += 1 + Math.floor(rand() * 3); // equal start times happen too: ties for "latest"
    const members: Record<string, unknown> = {};
    let cursor = start;
    let ok = true;
    let calls = 0;
    for (let k = 0; k < (sizes[t] ?? 0); k++) {
      const id = opts.distinctMembers ? `m${i}_${k}` : `member_${t}_${k}`;
      const dur = Math.round(rand() * 40_000) / 1000 + 0.1;
      const success = rand() > 0.08;
      ok &&= success;
      const used = Math.floor(rand() * 5);
      calls += used;
      const s = rand() < 0.5 ? start : cursor;
      members[id] = {
        member_id: id,
        role: k === 0 ? 'planner' : 'worker',
        success,
        duration_seconds: dur,
        tool_calls_used: used,
        tools_used: [],
        error_message: success ? null : 'no answer',
        start_time: s,
        end_time: s + dur,
        cost_usd: Math.round(rand() * 10_000) / 1e6,
        ...(k > 0 && rand() < 0.5 ? { waited_for: [opts.distinctMembers ? `m${i}_${k - 1}` : `member_${t}_${k - 1}`] } : {}),
      };
      cursor = s + dur;
    }
    records.push({
        team_id: `team_${t}`,
        formation: ['parallel', 'sequential', 'pipeline'][t % 3],
        member_count: sizes[t],
        success: ok,
        duration_seconds: Math.round((cursor - start) * 1000) / 1000,
        total_tool_calls: calls,
        start_time: start,
        recursion_depth: 0,
        tool_budget: 20 + t,
        cost_usd: Math.round(rand() * 100_000) / 1e6,
        input_tokens: Math.floor(rand() * 5000),
        config_fingerprint: rand() < 0.5 ? 'aaaa' : 'bbbb',
        ...(rand() < 0.05 ? { limit_hit: 'timeout' } : {}),
        member_metrics: members,
        // Unknown keys are ignored by the reader; nested objects that look like records test the array
        // splitter's guesses (a "}, {"team_id" that is not between top-level elements).
        ...(opts.nestedTeamObjects ? { previous: Array.from({ length: 40 }, (_, k) => ({ team_id: `old_${k}`, success: true })) } : {}),
      });
  }
  if (opts.array) writeFileSync(path, `[\n${records.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]\n`);
  else writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}
