import { AUTOTUNE_ERROR_BRAND } from '@autotune/metrics';

/** What went wrong: misuse of the API (bad options), or the receiver could not listen. */
export type OtelErrorCode = 'OTEL_USAGE_ERROR' | 'OTEL_LISTEN_ERROR';

/** An error of `@autotune/otel`, recognised by `isAutotuneError` like every autotune error. */
export class OtelError extends Error {
  override readonly name = 'OtelError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: OtelErrorCode;

  constructor(code: OtelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
