import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadMetrics } from '@autotune/metrics';
import { generateRuns, listScenarios, loadScenario } from '../src';

// The examples under examples/ are generated from the scenarios (tools/generate-example-metrics.mjs) or
// written to match them; these tests catch them drifting apart. Same values as the script:
const RUNS = 40;
const SEED = 20250115;
const examples = path.resolve(__dirname, '../../../examples');

describe('example metrics files', () => {
  it.each(listScenarios())('examples/metrics/%s.jsonl is the scenario series as the script writes it', async (name) => {
    const scenario = loadScenario(name);
    const expected = generateRuns(scenario.model, scenario.config, { runs: RUNS, seed: SEED, teamId: scenario.teamId });
    const file = path.join(examples, 'metrics', `${name}.jsonl`);
    expect(readFileSync(file, 'utf8')).toBe(expected.map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect(await loadMetrics(file)).toHaveLength(RUNS);
  });

  it("examples/metrics/code_review_team.json holds the same runs in the original's snake_case array format", async () => {
    const file = path.join(examples, 'metrics', 'code_review_team.json');
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
    expect(Array.isArray(raw)).toBe(true);
    expect(raw[0]).toMatchObject({ team_id: 'code_review_team', formation: 'parallel', member_count: 5 });
    expect(Object.keys(raw[0]?.member_metrics as object)).toContain('security_reviewer');
    const scenario = loadScenario('code-review-parallel-budget');
    const expected = generateRuns(scenario.model, scenario.config, { runs: RUNS, seed: SEED, teamId: scenario.teamId });
    const read = await loadMetrics(file);
    expect(read.map((r) => [r.executionId, r.durationSeconds, r.success, r.toolCalls, r.members.length])).toEqual(
      expected.map((r) => [r.executionId, r.durationSeconds, r.success, r.toolCalls, r.members.length]),
    );
  });
});
