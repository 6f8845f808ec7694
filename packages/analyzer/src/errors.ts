import { AUTOTUNE_ERROR_BRAND } from '@autotune/metrics';

/** Codes of the errors the analyzer throws. Expected outcomes (no insight, too few runs) are never errors. */
export type AnalyzerErrorCode = 'ANALYZER_UNKNOWN_TEAM' | 'ANALYZER_INVALID_OPTIONS';

/** Misuse of the analyzer: a team it has no runs for, or an option outside its range. */
export class AnalyzerError extends Error {
  override readonly name = 'AnalyzerError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: AnalyzerErrorCode;

  constructor(code: AnalyzerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
