import { FORMATIONS } from '@autotune/metrics';
import { teamConfigFromUser } from './team-config';
import { expectedPerformance } from './config-space';
import { createRng, deriveSeed } from './random';
import type { Rng } from './random';
import type { Scenario } from './scenario';
import type { MemberModel, TeamModel } from './team-model';

/** Options of `generateScenario`. */
export interface GenerateScenarioOptions {
  /** Smallest and largest team (default 3 and 8). */
  minMembers?: number;
  maxMembers?: number;
  /**
   * Least success rate of the generated workflow (default 0.6, estimated on 200 runs): a team that almost
   * never works is not one anybody tunes for speed. Candidates below it are drawn again (up to 50 times).
   */
  minSuccessRate?: number;
}

/**
 * A random but plausible scenario, for benchmarks that need many teams whose truth is known (the best
 * config then follows by brute force, `findBestConfig`). Deterministic for a seed. It varies what the
 * strategies react to: team size, formation, dependencies (none, a chain, or some), required members, member
 * speed and reliability, tool need against the budget (tight or generous, members that explore or not) and
 * the timeout (absent, tight or roomy). Its `expectations` are empty: nothing is claimed beyond the model.
 */
export function generateScenario(seed: number, options: GenerateScenarioOptions = {}): Scenario {
  const minSuccess = options.minSuccessRate ?? 0.6;
  let candidate = draw(seed, 0, options);
  for (let attempt = 1; attempt < 50 && candidate.successRate < minSuccess; attempt++) candidate = draw(seed, attempt, options);
  return candidate.scenario;
}

function draw(seed: number, attempt: number, options: GenerateScenarioOptions): { scenario: Scenario; successRate: number } {
  const rng = createRng(deriveSeed(seed, 'generated-scenario', attempt));
  const minMembers = options.minMembers ?? 3;
  const maxMembers = Math.max(minMembers, options.maxMembers ?? 8);
  const n = minMembers + Math.floor(rng.next() * (maxMembers - minMembers + 1));
  const formation = pick(rng, FORMATIONS);
  const pattern = pickWeighted(rng, [
    ['independent', 0.4],
    ['chain', 0.25],
    ['partial', 0.35],
  ] as const);

  const members: MemberModel[] = [];
  for (let i = 0; i < n; i++) {
    const member: MemberModel = {
      id: `member_${String.fromCharCode(97 + i)}`,
      role: pick(rng, ['researcher', 'reviewer', 'writer', 'analyst', 'engineer']),
      workSeconds: round(between(rng, 10, 45), 1),
      workSigma: round(between(rng, 0.2, 0.5), 2),
      successRate: round(between(rng, 0.94, 0.998), 3),
      toolCalls: Math.round(between(rng, 2, 8)),
      toolCallsCv: round(between(rng, 0.1, 0.4), 2),
    };
    if (rng.next() < 0.4) member.required = true;
    if (i > 0 && (pattern === 'chain' || (pattern === 'partial' && rng.next() < 0.4))) {
      // i > 0 members exist already: index i - 1 and a draw in [0, i) both name one.
      member.dependsOn = [(pattern === 'chain' ? members[i - 1] : members[Math.floor(rng.next() * i)])!.id];
    }
    members.push(member);
  }
  const teamId = `generated_team_${seed >>> 0}`;
  const model: TeamModel = {
    name: teamId,
    members,
    tools: {
      exploration: round(between(rng, 0, 0.9), 2),
      onExhaustion: rng.next() < 0.5 ? 'fail' : 'degrade',
    },
  };

  const need = members.reduce((s, m) => s + (m.toolCalls ?? 0), 0);
  const workflow: Record<string, unknown> = { team_id: teamId, formation, member_count: n };
  // Budgets from just over the need (a trap for budget cuts) to far over it (waste to find).
  if (rng.next() < 0.85) workflow.tool_budget = Math.max(1, Math.round(need * between(rng, 1.15, 3.5)));
  workflow.members = members.map((m) => ({ id: m.id, role: m.role }));
  const timeoutDraw = rng.next();
  const timeoutFactor = between(rng, 1, 3);
  let performance = expectedPerformance(model, teamConfigFromUser(workflow), { runs: 200, seed });
  if (timeoutDraw < 0.5) {
    workflow.timeout_seconds = Math.max(1, Math.round(performance.p95DurationSeconds * timeoutFactor));
    performance = expectedPerformance(model, teamConfigFromUser(workflow), { runs: 200, seed });
  }
  const config = teamConfigFromUser(workflow, `generated scenario ${seed}`);
  const dependencies = pattern === 'independent' ? 'independent members' : pattern === 'chain' ? 'a chain of dependencies' : 'some dependencies';
  const scenario: Scenario = {
    name: `generated-${seed >>> 0}`,
    description: `Generated team of ${n} in ${formation} formation with ${dependencies}.`,
    teamId,
    model,
    workflow,
    config,
    expectations: [],
    source: `(generated from seed ${seed >>> 0})`,
  };
  return { scenario, successRate: performance.successRate };
}

function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.next() * (hi - lo);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)]!; // next() is in [0, 1); callers pass non-empty lists
}

function pickWeighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  let u = rng.next();
  for (const [item, weight] of items) {
    if (u < weight) return item;
    u -= weight;
  }
  return items[items.length - 1]![0]; // rounding left u past the last weight: the last item (lists are non-empty)
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
