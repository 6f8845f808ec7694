// Builds and writes the report for `autotune report` and for `--report FILE` on apply, benchmark and validate:
// the team's runs (metrics files and the database), its experiments and history, and the analyzer's insights.
import type { AutotuneStore } from '@autotune/core';
import { loadMetrics, type ExecutionRecord } from '@autotune/metrics';
import type { ReportDocument, ReportExperimentInput, ReportFormat } from '@autotune/report';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './errors';
import type { Session } from './session';

/** What a report is made of, beyond the session's metrics files. */
export interface ReportRequest {
  teamId: string;
  /** The database; absent when there is none and the report is of metrics files alone. */
  store?: AutotuneStore;
  /** The database, shown in the report. */
  dbPath?: string;
  /** The command the report describes, e.g. `autotune apply`. */
  command: string;
  /** Experiments this run produced: marked and listed first. */
  focusExperimentIds?: string[];
  /** A tune's race, drawn in the report. */
  race?: import('@autotune/report').ReportRaceInput;
}

/** The report document of a team: its runs, experiments, history and insights. */
export async function buildTeamReport(session: Session, request: ReportRequest): Promise<ReportDocument> {
  const { buildReport } = require('@autotune/report') as typeof import('@autotune/report');
  const { teamId, store } = request;
  const seen = new Set<string>();
  const records: ExecutionRecord[] = [];
  const add = (r: ExecutionRecord) => {
    if (r.teamId !== teamId || seen.has(r.executionId)) return;
    seen.add(r.executionId);
    records.push(r);
  };
  for (const path of session.metricsPaths) for (const r of await loadMetrics(path, { lenient: session.flags.lenient === true })) add(r);
  if (store) for (const r of await store.listRecords(teamId)) add(r);

  const history = store ? await store.listHistory(teamId) : [];
  // Benchmarks leave no history entry to find their experiments by: list them all, oldest first.
  const inDatabase = store ? (await store.listExperiments(teamId)).reverse().map((e) => e.id) : [];
  const ids = new Set<string>([...inDatabase, ...history.flatMap((h) => (h.experimentId ? [h.experimentId] : [])), ...(request.focusExperimentIds ?? [])]);
  const experiments: ReportExperimentInput[] = [];
  for (const id of ids) {
    const e = store ? await store.getExperiment(id) : undefined;
    if (e && e.teamId === teamId) experiments.push({ id: e.id, createdAt: e.createdAt, label: e.label ?? 'experiment', baselineConfig: e.baselineConfig, candidateConfig: e.candidateConfig, verdict: e.verdict, result: e.result });
  }

  // Insights from the team's own runs: A/B trials (labelled by core) try configs that were never in force.
  // With too few runs the analyzer reports none, which the report says.
  const { EXPERIMENT_LABEL } = require('@autotune/core') as typeof import('@autotune/core');
  const live = records.filter((r) => !r.labels?.[EXPERIMENT_LABEL]);
  const analyzer = await session.analyzer([]);
  let insights: ReturnType<typeof analyzer.analyzeTeamWorkflow> = [];
  if (live.length > 0) {
    analyzer.loadMetrics(live);
    insights = analyzer.analyzeTeamWorkflow(teamId);
  }
  return buildReport({
    teamId,
    records,
    experiments,
    history,
    insights,
    focusExperimentIds: request.focusExperimentIds ?? [],
    ...(request.race ? { race: request.race } : {}),
    source: { command: request.command, ...(request.dbPath ? { database: request.dbPath } : {}), metrics: session.metricsPaths },
  });
}

/** Renders the document in the format the path or `format` asks for and writes it; returns the format. */
export function writeReportFile(session: Session, doc: ReportDocument, path: string, format?: string): ReportFormat {
  const { renderReport, reportFormatOf } = require('@autotune/report') as typeof import('@autotune/report');
  const resolved = session.resolveCwd(path);
  let chosen: ReportFormat;
  try {
    chosen = reportFormatOf(resolved, format);
  } catch (err) {
    throw new CliError('CLI_USAGE', (err as Error).message, { cause: err });
  }
  try {
    mkdirSync(dirname(resolved), { recursive: true });
    writeFileSync(resolved, renderReport(doc, chosen));
  } catch (err) {
    throw new CliError('CLI_INPUT', `${path}: cannot write the report (${(err as Error).message})`, { cause: err });
  }
  return chosen;
}

/** `--report FILE` of apply, benchmark and validate: the team's report with this run's experiments first. */
export async function writeRunReport(session: Session, request: ReportRequest, path: string | undefined): Promise<void> {
  if (!path) return;
  const doc = await buildTeamReport(session, request);
  const format = writeReportFile(session, doc, path);
  session.note(`Report (${format}) written to ${session.resolveCwd(path)}`);
}
