import type { TeamState } from './team-accumulator';

/** Partial figures of a `MetricsAggregator` as plain data: what a worker thread posts back. */
export interface AggregatorState {
  total: number;
  teams: TeamState[];
}

/** Keys of the aggregator's package-internal methods: symbols, so they are not part of its public surface. */
export const AGGREGATOR_STATE = Symbol('autotune.metrics.aggregatorState');
export const AGGREGATOR_MERGE_STATE = Symbol('autotune.metrics.aggregatorMergeState');
export const AGGREGATOR_TEAM_FILTER = Symbol('autotune.metrics.aggregatorTeamFilter');
export const AGGREGATOR_LATEST = Symbol('autotune.metrics.aggregatorLatest');
export const AGGREGATOR_MERGE_LATEST = Symbol('autotune.metrics.aggregatorMergeLatest');

/** The transferable buffers of a state (duration arrays), so posting it moves them instead of copying. */
export function transferables(state: AggregatorState): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of state.teams) {
    out.push(t.all.durations.buffer as ArrayBuffer);
    for (const [, g] of t.byFormation) out.push(g.durations.buffer as ArrayBuffer);
    for (const [, g] of t.byMemberCount) out.push(g.durations.buffer as ArrayBuffer);
    for (const [, g] of t.byFingerprint) out.push(g.durations.buffer as ArrayBuffer);
  }
  return out;
}
