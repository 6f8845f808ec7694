import type { TeamConfig } from '@autotune/strategies';
import { expectedPerformance } from '../src';
import type { ExpectedPerformance, MemberModel, TeamModel } from '../src';

/** n members with the same work time and no dependencies. */
export function independentTeam(n: number, overrides: Partial<MemberModel> = {}): TeamModel {
  return {
    name: 'independent_team',
    members: Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, workSeconds: 20, ...overrides })),
  };
}

/** n members where each needs the previous one's output. */
export function chainTeam(n: number): TeamModel {
  return {
    name: 'chain_team',
    members: Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, workSeconds: 20, dependsOn: i > 0 ? [`m${i}`] : [] })),
  };
}

export function config(formation: string, memberCount: number, extra: Partial<TeamConfig> = {}): TeamConfig {
  return { formation, memberCount, ...extra };
}

/** Monte Carlo figures with enough runs that the comparisons in the tests are far outside the noise. */
export function perf(model: TeamModel, c: TeamConfig, runs = 600): ExpectedPerformance {
  return expectedPerformance(model, c, { runs, seed: 42 });
}
