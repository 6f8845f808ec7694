import type { ExecutionRecord } from './record';
import type { MetricsSummary, TeamStats } from './summary-types';
import { TeamAccumulator } from './internal/team-accumulator';

/**
 * Summarises runs in one streaming pass. Memory grows with the number of teams, groups and members, plus
 * 8 bytes per run per group (durations in Float64Arrays, for exact quantiles); no record is retained.
 *
 * `add` trusts its input to be a valid `ExecutionRecord` (the readers and `validateRecord` guarantee it):
 * checking again here would cost every caller on the hot path.
 */
export class MetricsAggregator {
  private readonly teams = new Map<string, TeamAccumulator>();
  private total = 0;

  /** Fold one run into the figures of its team. */
  add(record: ExecutionRecord): void {
    let team = this.teams.get(record.teamId);
    if (team === undefined) {
      team = new TeamAccumulator(record.teamId);
      this.teams.set(record.teamId, team);
    }
    team.add(record);
    this.total++;
  }

  /** Number of runs added so far. */
  get totalRecords(): number {
    return this.total;
  }

  /** Ids of the teams seen so far, sorted. */
  teamIds(): string[] {
    return [...this.teams.keys()].sort();
  }

  /** Figures for one team, computed now (sorting its durations); undefined for a team with no runs. */
  team(teamId: string): TeamStats | undefined {
    return this.teams.get(teamId)?.stats();
  }

  /** Figures for every team, keyed by team id in sorted order. Adding more runs afterwards is allowed. */
  summary(): MetricsSummary {
    const teams = new Map<string, TeamStats>();
    for (const id of this.teamIds()) teams.set(id, this.teams.get(id)!.stats());
    return { teams, totalRecords: this.total };
  }
}

/** Summarise runs from any iterable or async iterable (for example `readRecords(path)`) in one pass. */
export async function summarizeRecords(
  records: Iterable<ExecutionRecord> | AsyncIterable<ExecutionRecord>,
): Promise<MetricsSummary> {
  const agg = new MetricsAggregator();
  if (Symbol.asyncIterator in records) {
    for await (const r of records as AsyncIterable<ExecutionRecord>) agg.add(r);
  } else {
    for (const r of records as Iterable<ExecutionRecord>) agg.add(r);
  }
  return agg.summary();
}
