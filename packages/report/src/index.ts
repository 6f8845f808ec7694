// The public surface of @autotune/report, listed by name.
export { REPORT_SCHEMA_VERSION } from './report-types';
export type {
  ConfigChange,
  ConfigSection,
  ExperimentArm,
  ExperimentPValues,
  ExperimentSection,
  Histogram,
  RaceCandidate,
  RaceConfirm,
  RaceSection,
  ReportDocument,
  ReportGuardrail,
  ReportInsight,
  RunFigures,
  TimelineBucket,
  TimelineEvent,
  TimelineSection,
} from './report-types';
export { buildReport, flattenConfig, diffConfigs, summarizeChanges } from './build-report';
export type { ReportInput, ReportExperimentInput, ReportRaceInput } from './build-report';
export { renderHtml } from './render-html';
export { renderMarkdown, sparkline } from './render-markdown';
export { renderReport, reportFormatOf, REPORT_FORMATS } from './render-report';
export type { ReportFormat } from './render-report';
export { ReportError, isReportError } from './errors';
export type { ReportErrorCode } from './errors';
