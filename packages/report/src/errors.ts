import { AUTOTUNE_ERROR_BRAND, isAutotuneError } from '@autotune/metrics';

/** Codes of the errors the report throws: bad input handed to it. */
export type ReportErrorCode = 'REPORT_INVALID_INPUT';

/** Bad input for a report: the message names the field and what was expected. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: ReportErrorCode;

  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for a {@link ReportError}, also one from another copy of this package. */
export function isReportError(u: unknown): u is ReportError {
  return isAutotuneError(u) && u.name === 'ReportError';
}

export function invalidInput(field: string, expected: string): ReportError {
  return new ReportError('REPORT_INVALID_INPUT', `report input: ${field}: ${expected}`);
}
