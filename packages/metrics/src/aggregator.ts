import type { ExecutionRecord } from './record';
import type { MetricsSummary, TeamStats } from './summary-types';
import { TeamAccumulator } from './internal/team-accumulator';
import type { TeamState } from './internal/team-accumulator';
import { AGGREGATOR_LATEST, AGGREGATOR_MERGE_LATEST, AGGREGATOR_MERGE_STATE, AGGREGATOR_STATE, AGGREGATOR_TEAM_FILTER } from './internal/aggregator-state';
import type { AggregatorState } from './internal/aggregator-state';

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
  private only: string | undefined;

  /** Fold one run into the figures of its team. */
  add(record: ExecutionRecord): void {
    if (this.only !== undefined && record.teamId !== this.only) return;
    this.teamFor(record.teamId).add(record);
    this.total++;
  }

  private teamFor(teamId: string): TeamAccumulator {
    let team = this.teams.get(teamId);
    if (team === undefined) {
      team = new TeamAccumulator(teamId);
      this.teams.set(teamId, team);
    }
    return team;
  }

  /**
   * Fold in everything another aggregator has counted, as if its runs had been added here one by one after
   * this one's own. Exact: the summary equals the one of a single aggregator fed both inputs in order (sums
   * are kept exactly until read, so their order does not matter). `other` is unchanged.
   */
  merge(other: MetricsAggregator): void {
    this[AGGREGATOR_MERGE_STATE](other[AGGREGATOR_STATE]());
  }

  /** @internal The partial figures as plain data, for sending from a worker thread. */
  [AGGREGATOR_STATE](): AggregatorState {
    const teams: TeamState[] = [];
    for (const t of this.teams.values()) teams.push(t.state());
    return { total: this.total, teams };
  }

  /**
   * @internal Fold in partial figures produced by `[AGGREGATOR_STATE]` (possibly on another thread). Their duration
   * arrays may be taken over (`FloatBuffer.pushAll`): a state is merged once.
   */
  [AGGREGATOR_MERGE_STATE](state: AggregatorState): void {
    for (const t of state.teams) this.teamFor(t.teamId).merge(t);
    this.total += state.total;
  }

  /**
   * @internal Fold in only what the order of adding runs decides (`AGGREGATOR_LATEST`), nothing else: for comparing
   * the orders partial figures could be merged in.
   */
  [AGGREGATOR_MERGE_LATEST](state: AggregatorState): void {
    for (const t of state.teams) this.teamFor(t.teamId).mergeLatest(t);
  }

  /**
   * @internal What the order of adding runs decided, per team (`TeamAccumulator.latestValues`), as JSON (an
   * undefined value or an infinite start reads as null): partial figures merged in two orders agree on it unless
   * two of them hold runs that start at the same instant.
   */
  [AGGREGATOR_LATEST](): string {
    return JSON.stringify(this.teamIds().map((id) => [id, this.teams.get(id)!.latestValues()]));
  }

  /** @internal Count only the runs of this team (the readers skip the others before parsing them). */
  [AGGREGATOR_TEAM_FILTER](teamId: string | undefined): void {
    this.only = teamId;
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
    for await (const r of records) agg.add(r);
  } else {
    for (const r of records) agg.add(r);
  }
  return agg.summary();
}
