import { AutotuneError, isAutotuneError } from '@autotune/errors';

/** Codes of the errors the report throws: bad input handed to it. */
export type ReportErrorCode = 'REPORT_INVALID_INPUT';

/** Bad input for a report: the message names the field and what was expected. */
export class ReportError extends AutotuneError<ReportErrorCode> {
  override readonly name = 'ReportError';
}

/** True for a {@link ReportError}, also one from another copy of this package. */
export function isReportError(u: unknown): u is ReportError {
  return isAutotuneError(u, { name: 'ReportError' });
}

export function invalidInput(field: string, expected: string): ReportError {
  // The message keeps its "report input: " lead, so the location is not put in front of it again.
  return new ReportError('REPORT_INVALID_INPUT', `report input: ${field}: ${expected}`, { location: { field }, messageNamesLocation: true });
}
