import { type ExecutionRecord, MetricsAggregator, readRecords, type ReadOptions, type ReadReport, type TeamStats, validateRecord } from '@autotune/metrics';
import { runRules } from './analyze-team';
import { AnalyzerError } from './errors';
import type { PerformanceInsight } from './insight';
import { type AnalyzerOptions, resolveAnalyzerOptions, type ResolvedAnalyzerOptions } from './options';

/** Options of `PerformanceAnalyzer.loadMetricsFromFile`. */
export interface LoadMetricsFileOptions {
  /** Skip records that fail to parse or validate instead of stopping at the first (see `ReadOptions`). */
  lenient?: boolean;
  /** Called for every record skipped in lenient mode. */
  onSkip?: ReadOptions['onSkip'];
  /** Formations accepted besides the built-in five; a record naming another is an error (see `ReadOptions`). */
  formations?: readonly string[];
}

/**
 * Turns a team's runs into insights a person can act on: what makes it slow, costly or unreliable, how
 * sure we are, and what to do. Runs are folded into running figures as they arrive (no record is kept),
 * so a file of a million runs streams through in one pass.
 *
 * No insight rests on fewer than `minRuns` runs (default 5), and each compares against a baseline or
 * another group with a test; see `AnalyzerOptions` and docs/analyzer.md for every rule.
 */
export class PerformanceAnalyzer {
  /** The options in force, with every default filled in. */
  readonly options: ResolvedAnalyzerOptions;
  private readonly aggregator = new MetricsAggregator();

  /** Throws `AnalyzerError` (`ANALYZER_INVALID_OPTIONS`) for an option outside its range. */
  constructor(options?: AnalyzerOptions) {
    this.options = resolveAnalyzerOptions(options);
  }

  /** Add one run. */
  addRecord(record: ExecutionRecord): void {
    this.aggregator.add(validateRecord(record));
  }

  /**
   * Add runs (to those already loaded). Each is validated as a file's record would be (a NaN duration or a
   * missing team id is a `MetricsError` naming the record's index and field), and may be in the original's
   * snake_case shape too.
   */
  loadMetrics(records: Iterable<ExecutionRecord>): void {
    let index = 0;
    for (const r of records) this.aggregator.add(validateRecord(r, { index: index++ }));
  }

  /**
   * Stream the runs of a metrics file in any format `@autotune/metrics` reads (JSON array in autotune's or
   * the original's shape, JSON Lines, OTLP/JSON) and add them. Resolves to the read report (format, records,
   * skips). Rejects with the reader's `MetricsError`, which names the file, line and field.
   */
  async loadMetricsFromFile(path: string, options: LoadMetricsFileOptions = {}): Promise<ReadReport> {
    const stream = readRecords(path, options);
    for await (const r of stream) this.aggregator.add(r);
    return stream.report;
  }

  /** Runs added so far. */
  get totalRecords(): number {
    return this.aggregator.totalRecords;
  }

  /** Ids of the teams with runs, sorted. */
  listTeams(): string[] {
    return this.aggregator.teamIds();
  }

  /**
   * The team's summary statistics. Throws `AnalyzerError` (`ANALYZER_UNKNOWN_TEAM`) listing the known
   * teams when there are no runs for it.
   */
  getTeamStats(teamId: string): TeamStats {
    const stats = this.aggregator.team(teamId);
    if (stats === undefined) {
      const known = this.listTeams();
      throw new AnalyzerError(
        'ANALYZER_UNKNOWN_TEAM',
        `no runs loaded for team "${teamId}"; ` +
          (known.length > 0 ? `known teams: ${known.join(', ')}` : 'no metrics are loaded yet (load a metrics file first)'),
      );
    }
    return stats;
  }

  /**
   * The team's insights, sorted by severity, highest first; empty when nothing is wrong or the team has
   * fewer than `minRuns` runs. Throws `AnalyzerError` (`ANALYZER_UNKNOWN_TEAM`) for a team with no runs.
   */
  analyzeTeamWorkflow(teamId: string): PerformanceInsight[] {
    return runRules(this.getTeamStats(teamId), this.options);
  }

  /** Insights of every team, keyed by team id in sorted order. */
  analyzeAll(): Map<string, PerformanceInsight[]> {
    const out = new Map<string, PerformanceInsight[]>();
    for (const [teamId, stats] of this.aggregator.summary().teams) out.set(teamId, runRules(stats, this.options));
    return out;
  }
}
