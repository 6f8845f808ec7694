import { AutotuneError } from '@autotune/errors';

/** Codes of the errors the analyzer throws. Expected outcomes (no insight, too few runs) are never errors. */
export type AnalyzerErrorCode = 'ANALYZER_UNKNOWN_TEAM' | 'ANALYZER_INVALID_OPTIONS';

/** Misuse of the analyzer: a team it has no runs for, or an option outside its range. */
export class AnalyzerError extends AutotuneError<AnalyzerErrorCode> {
  override readonly name = 'AnalyzerError';
}
