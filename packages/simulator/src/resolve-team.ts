import { FORMATIONS } from '@autotune/metrics';
import type { MemberConfig, TeamConfig } from '@autotune/strategies';
import { SimulatorError } from './errors';
import type { ResolvedTeamModel } from './team-model';

/** A member that does work in a simulated run, with its true parameters. */
export interface SimLeaf {
  kind: 'member';
  id: string;
  role: string;
  workSeconds: number;
  workSigma: number;
  successRate: number;
  toolCalls: number;
  toolCallsCv: number;
  dependsOn: readonly string[];
  tools: readonly string[];
  toolBudgetMultiplier: number;
  /** True when the config named a member the model does not know, or asked for more members than it lists. */
  synthesised: boolean;
}

/** A team (the root or a sub-team): units run under one formation; hierarchical teams have a coordinator. */
export interface SimTeam {
  kind: 'team';
  id: string;
  formation: string;
  units: SimUnit[];
  coordinator?: { id: string; role: string };
}

export type SimUnit = SimLeaf | SimTeam;

/** Roles that make a listed member the coordinator of a hierarchical team. */
const COORDINATOR_ROLES = new Set(['coordinator', 'manager', 'lead', 'leader', 'orchestrator', 'supervisor']);

const isFormation = (f: string): boolean => (FORMATIONS as readonly string[]).includes(f);

/**
 * Turns a config into the team that really runs: disabled members dropped, the first `memberCount` enabled
 * members kept (a sub-team counts as its members), members synthesised from the model's defaults when the
 * config asks for more than it lists, and a coordinator found (by role) or added for hierarchical teams.
 * Without a `members` list the model's members are used, in order.
 */
export function resolveTeam(model: ResolvedTeamModel, config: TeamConfig): { root: SimTeam; leaves: SimLeaf[] } {
  if (!isFormation(config.formation)) {
    throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `unknown formation "${config.formation}"; expected one of: ${FORMATIONS.join(', ')}`, { location: { field: 'formation' } });
  }
  if (!Number.isInteger(config.memberCount) || config.memberCount < 1) {
    throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected a whole number >= 1, got ${config.memberCount}`, { location: { field: 'member_count' } });
  }
  if (config.toolBudget !== undefined && !(config.toolBudget >= 0)) {
    throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected a number >= 0, got ${config.toolBudget}`, { location: { field: 'tool_budget' } });
  }
  if (config.timeoutSeconds !== undefined && !(config.timeoutSeconds > 0)) {
    throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected a number > 0, got ${config.timeoutSeconds}`, { location: { field: 'timeout_seconds' } });
  }
  const byId = new Map(model.members.map((m) => [m.id, m]));
  const used = new Set<string>();
  const leaves: SimLeaf[] = [];

  const leaf = (id: string, role: string | undefined, multiplier: number | undefined, field: string): SimLeaf => {
    if (used.has(id)) {
      throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `member id "${id}" appears twice; ids must be unique`, { location: { field } });
    }
    if (multiplier !== undefined && !(multiplier >= 0)) {
      throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `expected a number >= 0, got ${multiplier}`, { location: { field: `${field}.tool_budget_multiplier` } });
    }
    used.add(id);
    const known = byId.get(id);
    const d = model.defaults;
    const l: SimLeaf = {
      kind: 'member',
      id,
      role: role ?? known?.role ?? d.role,
      workSeconds: known?.workSeconds ?? d.workSeconds,
      workSigma: known?.workSigma ?? d.workSigma,
      successRate: known?.successRate ?? d.successRate,
      toolCalls: known?.toolCalls ?? d.toolCalls,
      toolCallsCv: known?.toolCallsCv ?? d.toolCallsCv,
      dependsOn: known?.dependsOn ?? [],
      tools: known?.tools ?? d.tools,
      toolBudgetMultiplier: multiplier ?? 1,
      synthesised: known === undefined,
    };
    leaves.push(l);
    return l;
  };

  // Builds the units of one team from its entries, taking at most `room` members; returns how many it took.
  const build = (entries: readonly MemberConfig[], room: number, path: string): { units: SimUnit[]; taken: number } => {
    const units: SimUnit[] = [];
    let taken = 0;
    entries.forEach((entry, i) => {
      if (taken >= room || entry.enabled === false) return;
      const field = `${path}[${i}]`;
      if (entry.members !== undefined && entry.members.length > 0) {
        const formation = entry.formation ?? 'parallel';
        if (!isFormation(formation)) {
          throw new SimulatorError('SIMULATOR_INVALID_CONFIG', `unknown formation "${formation}"; expected one of: ${FORMATIONS.join(', ')}`, { location: { field: `${field}.formation` } });
        }
        const sub = build(entry.members, room - taken, `${field}.members`);
        if (sub.taken === 0) return;
        units.push(withCoordinator({ kind: 'team', id: entry.id, formation, units: sub.units }, model, used));
        taken += sub.taken;
      } else {
        units.push(leaf(entry.id, entry.role, entry.toolBudgetMultiplier, field));
        taken++;
      }
    });
    return { units, taken };
  };

  const entries: MemberConfig[] = config.members ?? model.members.map((m) => ({ id: m.id, role: m.role }));
  const top = build(entries, config.memberCount, 'members');
  let next = leaves.length + 1;
  for (let missing = config.memberCount - top.taken; missing > 0; missing--) {
    while (used.has(`member_${next}`)) next++;
    top.units.push(leaf(`member_${next}`, undefined, undefined, 'member_count'));
  }
  const root = withCoordinator({ kind: 'team', id: '', formation: config.formation, units: top.units }, model, used);
  return { root, leaves: leaves.filter((l) => !isCoordinatorOf(root, l)) };
}

function isCoordinatorOf(team: SimTeam, l: SimLeaf): boolean {
  if (team.coordinator?.id === l.id) return true;
  return team.units.some((u) => u.kind === 'team' && isCoordinatorOf(u, l));
}

// A hierarchical team's coordinator is its first direct member with a coordinating role; otherwise one is added.
function withCoordinator(team: SimTeam, model: ResolvedTeamModel, used: Set<string>): SimTeam {
  if (team.formation !== 'hierarchical') return team;
  const index = team.units.findIndex((u) => u.kind === 'member' && COORDINATOR_ROLES.has(u.role.toLowerCase()));
  if (index >= 0 && team.units.length > 1) {
    const c = team.units[index] as SimLeaf;
    return { ...team, units: team.units.filter((_, i) => i !== index), coordinator: { id: c.id, role: c.role } };
  }
  let id = team.id ? `${team.id}_${model.coordinator.id}` : model.coordinator.id;
  for (let k = 2; used.has(id); k++) id = `${model.coordinator.id}_${k}`;
  used.add(id);
  return { ...team, coordinator: { id, role: 'coordinator' } };
}
